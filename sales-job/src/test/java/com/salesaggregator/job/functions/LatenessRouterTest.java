package com.salesaggregator.job.functions;

import static com.salesaggregator.job.functions.Lines.MINUTE;
import static com.salesaggregator.job.functions.Lines.online;
import static com.salesaggregator.job.functions.Lines.priced;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.salesaggregator.job.records.LateLine;
import com.salesaggregator.job.records.PricedLine;
import java.time.Duration;
import java.util.List;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** Drives {@link LatenessRouter} through Flink's process-function harness at exact boundaries. */
class LatenessRouterTest {

    private static final Duration ALLOWED_LATENESS = Duration.ofMinutes(1);

    /** Minute 10, so the window of a line at {@code WINDOW_START + x} is [10 min, 11 min). */
    private static final long WINDOW_START = 10 * MINUTE;

    private static final long WINDOW_END = WINDOW_START + MINUTE;

    /** The first watermark at which Flink's window operator drops a line of that window. */
    private static final long FIRST_LATE_WATERMARK = WINDOW_END - 1 + ALLOWED_LATENESS.toMillis();

    @Test
    void lineIsLateOnceWindowEndMinusOnePlusLatenessReachesTheWatermark() throws Exception {
        PricedLine line = line(WINDOW_START + 30_000);

        Routed routed = route(line, FIRST_LATE_WATERMARK);

        assertThat(routed.onTime()).isEmpty();
        assertThat(routed.late())
                .containsExactly(
                        new LateLine(line, FIRST_LATE_WATERMARK, WINDOW_START, WINDOW_END));
    }

    @Test
    void lineOneMillisecondLessLateGoesOn() throws Exception {
        PricedLine line = line(WINDOW_START + 30_000);

        Routed routed = route(line, FIRST_LATE_WATERMARK - 1);

        assertThat(routed.onTime()).containsExactly(line);
        assertThat(routed.late()).isEmpty();
    }

    @Test
    void firstAndLastMillisecondOfAWindowShareItsBounds() throws Exception {
        PricedLine first = line(WINDOW_START);
        PricedLine last = line(WINDOW_END - 1);

        assertThat(route(first, FIRST_LATE_WATERMARK).late())
                .extracting(LateLine::windowStart, LateLine::windowEnd)
                .containsExactly(tuple(WINDOW_START, WINDOW_END));
        assertThat(route(last, FIRST_LATE_WATERMARK).late())
                .extracting(LateLine::windowStart, LateLine::windowEnd)
                .containsExactly(tuple(WINDOW_START, WINDOW_END));
        assertThat(route(last, FIRST_LATE_WATERMARK - 1).onTime()).containsExactly(last);
    }

    @Test
    void lineInTheNextWindowIsOnTimeAtTheWatermarkThatMakesTheWindowBeforeLate() throws Exception {
        PricedLine next = line(WINDOW_END);

        Routed routed = route(next, FIRST_LATE_WATERMARK);

        assertThat(routed.onTime()).containsExactly(next);
        assertThat(route(next, FIRST_LATE_WATERMARK + MINUTE).late())
                .extracting(LateLine::windowStart)
                .containsExactly(WINDOW_END);
    }

    @Test
    void lineIsOnTimeBeforeAnyWatermark() throws Exception {
        PricedLine line = line(0);
        OneInputStreamOperatorTestHarness<PricedLine, PricedLine> harness = harness();

        harness.processElement(line, 0);

        assertThat(harness.extractOutputValues()).containsExactly(line);
        harness.close();
    }

    @Test
    void lineBeforeTheEpochUsesTheFlooredMinute() throws Exception {
        PricedLine line = line(-1);

        Routed routed = route(line, -1 + ALLOWED_LATENESS.toMillis());

        assertThat(routed.late())
                .extracting(LateLine::windowStart, LateLine::windowEnd)
                .containsExactly(tuple(-MINUTE, 0L));
    }

    @Test
    void zeroLatenessMakesALineLateAsSoonAsItsWindowFires() throws Exception {
        PricedLine line = line(WINDOW_START);
        OneInputStreamOperatorTestHarness<PricedLine, PricedLine> harness =
                opened(new LatenessRouter(Duration.ZERO));

        harness.processWatermark(WINDOW_END - 2);
        harness.processElement(line, line.line().eventTime());
        harness.processWatermark(WINDOW_END - 1);
        harness.processElement(line, line.line().eventTime());

        assertThat(harness.extractOutputValues()).containsExactly(line);
        assertThat(lateOf(harness)).extracting(LateLine::watermark).containsExactly(WINDOW_END - 1);
        harness.close();
    }

    @Test
    void restoredRouterJudgesByTheWatermarkItHadAtTheCheckpoint() throws Exception {
        OneInputStreamOperatorTestHarness<PricedLine, PricedLine> before = harness();
        before.processWatermark(FIRST_LATE_WATERMARK);
        OperatorSubtaskState checkpoint = before.snapshot(1, 1);
        before.close();

        // Restored, the router has seen no watermark yet: a line of the closed window is late.
        OneInputStreamOperatorTestHarness<PricedLine, PricedLine> after =
                restored(checkpoint, 1, 0);
        PricedLine closed = line(WINDOW_START + 30_000);
        PricedLine open = line(WINDOW_END);
        after.processElement(closed, closed.line().eventTime());
        after.processElement(open, open.line().eventTime());

        assertThat(after.extractOutputValues()).containsExactly(open);
        assertThat(lateOf(after))
                .containsExactly(
                        new LateLine(closed, FIRST_LATE_WATERMARK, WINDOW_START, WINDOW_END));
        after.close();
    }

    @Test
    void restoredRouterKeepsTheLargerOfRestoredAndCurrentWatermark() throws Exception {
        OneInputStreamOperatorTestHarness<PricedLine, PricedLine> before = harness();
        before.processWatermark(FIRST_LATE_WATERMARK - 1);
        OperatorSubtaskState checkpoint = before.snapshot(1, 1);
        before.close();

        OneInputStreamOperatorTestHarness<PricedLine, PricedLine> after =
                restored(checkpoint, 1, 0);
        PricedLine line = line(WINDOW_START);
        after.processElement(line, line.line().eventTime());
        after.processWatermark(FIRST_LATE_WATERMARK);
        after.processElement(line, line.line().eventTime());
        // A second checkpoint keeps the current watermark, the larger one now.
        OperatorSubtaskState second = after.snapshot(2, 2);
        after.close();
        OneInputStreamOperatorTestHarness<PricedLine, PricedLine> again = restored(second, 1, 0);
        again.processElement(line, line.line().eventTime());

        assertThat(after.extractOutputValues()).containsExactly(line);
        assertThat(lateOf(after))
                .extracting(LateLine::watermark)
                .containsExactly(FIRST_LATE_WATERMARK);
        assertThat(lateOf(again))
                .extracting(LateLine::watermark)
                .containsExactly(FIRST_LATE_WATERMARK);
        again.close();
    }

    @Test
    void rescaledRouterJudgesByTheSmallestWatermarkOfTheCheckpoint() throws Exception {
        // Two subtasks at different watermarks; restored at another parallelism, every subtask
        // takes the smaller: no window downstream had seen more.
        OneInputStreamOperatorTestHarness<PricedLine, PricedLine> behind =
                new OneInputStreamOperatorTestHarness<>(
                        new LatenessRouter(ALLOWED_LATENESS), MAX_PARALLELISM, 2, 0);
        OneInputStreamOperatorTestHarness<PricedLine, PricedLine> ahead =
                new OneInputStreamOperatorTestHarness<>(
                        new LatenessRouter(ALLOWED_LATENESS), MAX_PARALLELISM, 2, 1);
        behind.open();
        ahead.open();
        behind.processWatermark(FIRST_LATE_WATERMARK - 1);
        ahead.processWatermark(FIRST_LATE_WATERMARK + MINUTE);
        OperatorSubtaskState checkpoint =
                AbstractStreamOperatorTestHarness.repackageState(
                        behind.snapshot(1, 1), ahead.snapshot(1, 1));
        behind.close();
        ahead.close();

        PricedLine closing = line(WINDOW_START);
        PricedLine closed = line(WINDOW_START - MINUTE);
        for (int subtask = 0; subtask < 3; subtask++) {
            OneInputStreamOperatorTestHarness<PricedLine, PricedLine> rescaled =
                    restored(
                            AbstractStreamOperatorTestHarness.repartitionOperatorState(
                                    checkpoint, MAX_PARALLELISM, 2, 3, subtask),
                            3,
                            subtask);
            rescaled.processElement(closing, closing.line().eventTime());
            rescaled.processElement(closed, closed.line().eventTime());

            assertThat(rescaled.extractOutputValues())
                    .as("subtask %d of 3", subtask)
                    .containsExactly(closing);
            assertThat(lateOf(rescaled))
                    .extracting(LateLine::watermark)
                    .containsExactly(FIRST_LATE_WATERMARK - 1);
            rescaled.close();
        }
    }

    private record Routed(List<PricedLine> onTime, List<LateLine> late) {}

    /** Routes {@code line} arriving after {@code watermark} through a fresh router. */
    private static Routed route(PricedLine line, long watermark) throws Exception {
        OneInputStreamOperatorTestHarness<PricedLine, PricedLine> harness = harness();
        try {
            harness.processWatermark(watermark);
            harness.processElement(line, line.line().eventTime());
            return new Routed(harness.extractOutputValues(), lateOf(harness));
        } finally {
            harness.close();
        }
    }

    private static OneInputStreamOperatorTestHarness<PricedLine, PricedLine> harness()
            throws Exception {
        return opened(new LatenessRouter(ALLOWED_LATENESS));
    }

    private static OneInputStreamOperatorTestHarness<PricedLine, PricedLine> opened(
            LatenessRouter router) throws Exception {
        OneInputStreamOperatorTestHarness<PricedLine, PricedLine> harness =
                new OneInputStreamOperatorTestHarness<>(router);
        harness.open();
        return harness;
    }

    /** A router restored from {@code state}, as subtask {@code subtask} of {@code parallelism}. */
    private static OneInputStreamOperatorTestHarness<PricedLine, PricedLine> restored(
            OperatorSubtaskState state, int parallelism, int subtask) throws Exception {
        OneInputStreamOperatorTestHarness<PricedLine, PricedLine> harness =
                new OneInputStreamOperatorTestHarness<>(
                        new LatenessRouter(ALLOWED_LATENESS),
                        MAX_PARALLELISM,
                        parallelism,
                        subtask);
        harness.setup();
        harness.initializeState(state);
        harness.open();
        return harness;
    }

    private static final int MAX_PARALLELISM = 128;

    private static List<LateLine> lateOf(
            OneInputStreamOperatorTestHarness<PricedLine, PricedLine> harness) {
        var records = harness.getSideOutput(LatenessRouter.LATE);
        return records == null ? List.of() : records.stream().map(StreamRecord::getValue).toList();
    }

    private static PricedLine line(long eventTime) {
        return priced(online("o-" + eventTime, "p1", 1, "1.00", "EUR", eventTime), "Tea", 100, 40);
    }
}

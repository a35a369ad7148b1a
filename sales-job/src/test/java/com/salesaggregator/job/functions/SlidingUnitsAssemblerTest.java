package com.salesaggregator.job.functions;

import static com.salesaggregator.job.functions.Lines.MINUTE;
import static com.salesaggregator.job.functions.Lines.SECOND;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.salesaggregator.job.records.LinePartial;
import com.salesaggregator.job.records.ProductWindowUnits;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Drives {@link SlidingUnitsAssembler} through Flink's keyed one-input operator harness. */
class SlidingUnitsAssemblerTest {

    private static final Duration ONE_MINUTE = Duration.ofMinutes(1);
    private static final Duration EMIT_INTERVAL = Duration.ofSeconds(1);

    /**
     * Units 1, 2, 4, ... for the panes of minutes 0 to 5: each sum of units names exactly the panes
     * it adds up.
     */
    private static final long[] UNITS = {1, 2, 4, 8, 16, 32};

    /** The ten windows panes 0..5 fall in, in order of their ends, with their sums. */
    private static final Tuple[] ALL_WINDOWS = {
        window(-4, 1),
        window(-3, 1 + 2),
        window(-2, 1 + 2 + 4),
        window(-1, 1 + 2 + 4 + 8),
        window(0, 1 + 2 + 4 + 8 + 16),
        window(1, 2 + 4 + 8 + 16 + 32),
        window(2, 4 + 8 + 16 + 32),
        window(3, 8 + 16 + 32),
        window(4, 16 + 32),
        window(5, 32)
    };

    private KeyedOneInputStreamOperatorTestHarness<String, LinePartial, ProductWindowUnits> harness;

    @AfterEach
    void closeHarness() throws Exception {
        harness.close();
    }

    @Test
    void eachWindowIsEmittedOnceWhenTheWatermarkPassesItsEndWithTheSumOfItsPanes()
            throws Exception {
        open(ONE_MINUTE);
        for (int minute = 0; minute < UNITS.length; minute++) {
            pane(minute, UNITS[minute], "Tea");
            harness.processWatermark((minute + 1) * MINUTE - 1);
            // The window ending with this minute closes; the windows after it stay open.
            assertThat(windows()).hasSize(minute + 1);
            assertThat(windows().get(minute).windowEnd()).isEqualTo((minute + 1) * MINUTE);
        }

        harness.processWatermark(20 * MINUTE);

        assertThat(windows())
                .extracting(
                        ProductWindowUnits::windowStart,
                        ProductWindowUnits::windowEnd,
                        ProductWindowUnits::units)
                .containsExactly(ALL_WINDOWS);
        assertThat(windows())
                .allSatisfy(
                        w -> {
                            assertThat(w.productId()).isEqualTo("p1");
                            assertThat(w.name()).isEqualTo("Tea");
                            assertThat(w.category()).isEqualTo("cat-Tea");
                            assertThat(w.isFinal()).isTrue();
                        });
        assertNothingLeft();
    }

    @Test
    void windowIsNotEmittedOneMillisecondBeforeItsLastMoment() throws Exception {
        open(ONE_MINUTE);
        pane(0, 1, "Tea");

        harness.processWatermark(MINUTE - 2);
        assertThat(windows()).isEmpty();

        harness.processWatermark(MINUTE - 1);
        assertThat(windows()).extracting(ProductWindowUnits::windowEnd).containsExactly(MINUTE);
    }

    @Test
    void watermarkJumpingToTheEndEmitsEveryWindowOnce() throws Exception {
        open(ONE_MINUTE);
        for (int minute = 0; minute < UNITS.length; minute++) {
            pane(minute, UNITS[minute], "Tea");
        }

        // End of input, or catching up on a backlog: all timers fire in one watermark.
        harness.processWatermark(Long.MAX_VALUE);

        assertThat(windows())
                .extracting(
                        ProductWindowUnits::windowStart,
                        ProductWindowUnits::windowEnd,
                        ProductWindowUnits::units)
                .containsExactly(ALL_WINDOWS);
        assertNothingLeft();
    }

    @Test
    void nameAndCategoryComeFromThePaneWithTheLatestEventTime() throws Exception {
        open(ONE_MINUTE);
        // The newer pane arrives first: arrival order must not decide.
        partial("Tea (new)", "cat-new", MINUTE + 59 * SECOND, 2);
        partial("Tea (old)", "cat-old", 30 * SECOND, 1);

        harness.processWatermark(20 * MINUTE);

        assertThat(windows())
                .extracting(
                        ProductWindowUnits::windowStart,
                        ProductWindowUnits::name,
                        ProductWindowUnits::category)
                .containsExactly(
                        tuple(-4 * MINUTE, "Tea (old)", "cat-old"),
                        tuple(-3 * MINUTE, "Tea (new)", "cat-new"),
                        tuple(-2 * MINUTE, "Tea (new)", "cat-new"),
                        tuple(-1 * MINUTE, "Tea (new)", "cat-new"),
                        tuple(0L, "Tea (new)", "cat-new"),
                        tuple(MINUTE, "Tea (new)", "cat-new"));
    }

    @Test
    void refiredPaneReEmitsTheClosedWindowContainingItWithTheUpdatedSum() throws Exception {
        open(ONE_MINUTE);
        for (int minute = 0; minute <= 4; minute++) {
            pane(minute, UNITS[minute], "Tea");
        }
        harness.processWatermark(5 * MINUTE + 30 * SECOND);
        harness.getOutput().clear();

        // Allowed-late lines (until 6 min - 1) add 84 units to pane 4, 100 in all: of its
        // windows only [0, 5 min) has closed.
        pane(4, 84, "Tea");

        assertThat(windows())
                .extracting(ProductWindowUnits::windowStart, ProductWindowUnits::units)
                .containsExactly(tuple(0L, 1L + 2 + 4 + 8 + 100));
    }

    @Test
    void refiredPaneReEmitsEveryClosedWindowContainingItAndTheOpenOnesCloseWithItToo()
            throws Exception {
        // Three minutes of lateness let a pane grow after three of its windows closed.
        open(Duration.ofMinutes(3));
        for (int minute = 0; minute <= 4; minute++) {
            pane(minute, UNITS[minute], "Tea");
        }
        harness.processWatermark(7 * MINUTE - 1);
        harness.getOutput().clear();

        pane(4, 84, "Tea");

        assertThat(windows())
                .extracting(ProductWindowUnits::windowStart, ProductWindowUnits::units)
                .containsExactly(
                        tuple(0L, 1L + 2 + 4 + 8 + 100),
                        tuple(MINUTE, 2L + 4 + 8 + 100),
                        tuple(2 * MINUTE, 4L + 8 + 100));

        harness.processWatermark(9 * MINUTE - 1);

        assertThat(windows())
                .extracting(ProductWindowUnits::windowStart, ProductWindowUnits::units)
                .containsExactly(
                        tuple(0L, 1L + 2 + 4 + 8 + 100),
                        tuple(MINUTE, 2L + 4 + 8 + 100),
                        tuple(2 * MINUTE, 4L + 8 + 100),
                        tuple(3 * MINUTE, 8L + 100),
                        tuple(4 * MINUTE, 100L));
    }

    @Test
    void paneIsDroppedAndNoTimerLeftOnceTheWatermarkReachesPaneStartPlusWindowPlusLateness()
            throws Exception {
        open(ONE_MINUTE);
        pane(0, 1, "Tea");

        harness.processWatermark(6 * MINUTE - 1);
        // The pane, how far this product's windows have closed, when it last published provisional
        // figures.
        assertThat(harness.numKeyedStateEntries()).isEqualTo(3);
        assertThat(harness.numEventTimeTimers()).isEqualTo(1);
        assertThat(harness.numProcessingTimeTimers()).isZero();

        harness.processWatermark(6 * MINUTE);

        assertThat(windows()).hasSize(5);
        assertNothingLeft();
    }

    @Test
    void openPanesMakeTheirWindowsProvisionalAtOnceThenAtMostOncePerEmitIntervalThenFinal()
            throws Exception {
        open(ONE_MINUTE);
        harness.setProcessingTime(0);
        pane(0, 1, "Tea");

        assertThat(figures())
                .extracting(
                        ProductWindowUnits::windowStart,
                        ProductWindowUnits::units,
                        ProductWindowUnits::isFinal)
                .containsExactly(
                        tuple(-4 * MINUTE, 1L, false),
                        tuple(-3 * MINUTE, 1L, false),
                        tuple(-2 * MINUTE, 1L, false),
                        tuple(-1 * MINUTE, 1L, false),
                        tuple(0L, 1L, false));
        harness.getOutput().clear();

        // Pane 0 grows to 3 and pane 1 opens within one interval: each window once, with both,
        // when the interval has passed.
        harness.setProcessingTime(200);
        pane(0, 2, "Tea");
        harness.setProcessingTime(500);
        pane(1, 4, "Tea");
        harness.setProcessingTime(999);
        assertThat(figures()).isEmpty();
        harness.setProcessingTime(1_000);
        assertThat(figures())
                .extracting(
                        ProductWindowUnits::windowStart,
                        ProductWindowUnits::units,
                        ProductWindowUnits::isFinal)
                .containsExactly(
                        tuple(-4 * MINUTE, 3L, false),
                        tuple(-3 * MINUTE, 7L, false),
                        tuple(-2 * MINUTE, 7L, false),
                        tuple(-1 * MINUTE, 7L, false),
                        tuple(0L, 7L, false),
                        tuple(MINUTE, 4L, false));
        harness.getOutput().clear();

        // Nothing changed: nothing provisional. The watermark closes the first window.
        harness.setProcessingTime(10_000);
        assertThat(figures()).isEmpty();
        harness.processWatermark(MINUTE - 1);
        assertThat(figures())
                .extracting(
                        ProductWindowUnits::windowStart,
                        ProductWindowUnits::units,
                        ProductWindowUnits::isFinal)
                .containsExactly(tuple(-4 * MINUTE, 3L, true));

        harness.processWatermark(20 * MINUTE);
        assertThat(figures()).extracting(ProductWindowUnits::isFinal).containsOnly(true);
        assertThat(figures()).hasSize(6);
        assertNothingLeft();
    }

    @Test
    void closedWindowGetsNoProvisionalFigureWhenAPaneStillInItsOpenWindowsChanges()
            throws Exception {
        open(ONE_MINUTE);
        harness.setProcessingTime(0);
        for (int minute = 0; minute <= 4; minute++) {
            pane(minute, UNITS[minute], "Tea");
        }
        harness.processWatermark(5 * MINUTE + 30 * SECOND);
        harness.getOutput().clear();

        // Pane 4 grows to 100 within its lateness: [0, 5 min) closed, final at once; the four
        // windows after it are open, provisional an interval after the last provisional figure.
        pane(4, 84, "Tea");
        harness.setProcessingTime(1_000);

        assertThat(figures())
                .extracting(
                        ProductWindowUnits::windowStart,
                        ProductWindowUnits::units,
                        ProductWindowUnits::isFinal)
                .containsExactly(
                        tuple(0L, 1L + 2 + 4 + 8 + 100, true),
                        tuple(MINUTE, 2L + 4 + 8 + 100, false),
                        tuple(2 * MINUTE, 4L + 8 + 100, false),
                        tuple(3 * MINUTE, 8L + 100, false),
                        tuple(4 * MINUTE, 100L, false));
    }

    @Test
    void provisionalFigureStillPendingWhenItsWindowsCloseIsDropped() throws Exception {
        open(ONE_MINUTE);
        harness.setProcessingTime(0);
        pane(0, 1, "Tea"); // provisional at once
        pane(0, 1, "Tea"); // provisional pending, an interval later
        assertThat(harness.numProcessingTimeTimers()).isOne();

        harness.processWatermark(5 * MINUTE - 1);

        assertThat(figures())
                .extracting(ProductWindowUnits::units, ProductWindowUnits::isFinal)
                .containsExactly(
                        tuple(1L, false),
                        tuple(1L, false),
                        tuple(1L, false),
                        tuple(1L, false),
                        tuple(1L, false),
                        tuple(2L, true),
                        tuple(2L, true),
                        tuple(2L, true),
                        tuple(2L, true),
                        tuple(2L, true));
        assertThat(harness.numProcessingTimeTimers()).isZero();
        harness.setProcessingTime(10_000);
        assertThat(figures()).hasSize(10);
    }

    @Test
    void closedWindowStaysFinalAfterARestoreWhileTheWatermarkStartsAfresh() throws Exception {
        open(ONE_MINUTE);
        harness.setProcessingTime(0);
        for (int minute = 0; minute <= 4; minute++) {
            pane(minute, UNITS[minute], "Tea");
        }
        harness.processWatermark(5 * MINUTE + 30 * SECOND);
        OperatorSubtaskState snapshot = harness.snapshot(1, 1);
        harness.close();

        harness = assembler(ONE_MINUTE);
        harness.setup();
        harness.initializeState(snapshot);
        harness.open();
        pane(4, 84, "Tea");

        assertThat(windows())
                .extracting(
                        ProductWindowUnits::windowStart,
                        ProductWindowUnits::units,
                        ProductWindowUnits::isFinal)
                .containsExactly(tuple(0L, 1L + 2 + 4 + 8 + 100, true));
    }

    private void open(Duration allowedLateness) throws Exception {
        harness = assembler(allowedLateness);
        harness.open();
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, LinePartial, ProductWindowUnits>
            assembler(Duration allowedLateness) throws Exception {
        return new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(
                        new SlidingUnitsAssembler(allowedLateness, EMIT_INTERVAL)),
                LinePartial::key,
                Types.STRING);
    }

    /**
     * Lines of product p1 adding {@code units} to the pane of {@code minute}, the latest 30 s into
     * it.
     */
    private void pane(int minute, long units, String name) throws Exception {
        partial(name, "cat-" + name, minute * MINUTE + 30 * SECOND, units);
    }

    /** Lines of product p1, as the pre-aggregator combines them, the latest at {@code latest}. */
    private void partial(String name, String category, long latest, long units) throws Exception {
        harness.processElement(
                new LinePartial("p1", latest, name, category, Set.of(), units, 0, 0), latest);
    }

    /** The final figures published, in order. */
    private List<ProductWindowUnits> windows() {
        return figures().stream().filter(ProductWindowUnits::isFinal).toList();
    }

    /** Every figure published, provisional and final, in order. */
    private List<ProductWindowUnits> figures() {
        return harness.extractOutputValues();
    }

    private void assertNothingLeft() {
        assertThat(harness.numEventTimeTimers()).as("event-time timers").isZero();
        assertThat(harness.numProcessingTimeTimers()).as("processing-time timers").isZero();
        assertThat(harness.numKeyedStateEntries()).as("keyed state entries").isZero();
    }

    private static Tuple window(int startMinute, long units) {
        return tuple(startMinute * MINUTE, (startMinute + 5) * MINUTE, units);
    }
}

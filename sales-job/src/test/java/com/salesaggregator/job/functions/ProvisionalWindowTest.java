package com.salesaggregator.job.functions;

import static com.salesaggregator.job.functions.Lines.MINUTE;
import static com.salesaggregator.job.functions.Lines.SECOND;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.salesaggregator.job.records.LinePartial;
import com.salesaggregator.job.records.RegionMinute;
import com.salesaggregator.job.records.SellerMinute;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.apache.flink.api.common.functions.AggregateFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.transformations.OneInputTransformation;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Drives the one-minute window operators of the topology (tumbling event-time windows with the
 * {@link ProvisionalTrigger}, allowed lateness, the pre-aggregation and the window function)
 * through Flink's keyed one-input operator harness: provisional figures of the open minute at most
 * once per emit interval, the final figure when the watermark closes it, final again after an
 * allowed-late line, and nothing provisional after the final one.
 */
class ProvisionalWindowTest {

    private static final Duration EMIT_INTERVAL = Duration.ofSeconds(1);
    private static final Duration LATENESS = Duration.ofMinutes(1);

    private KeyedOneInputStreamOperatorTestHarness<Tuple2<String, Long>, LinePartial, RegionMinute>
            harness;

    @AfterEach
    void closeHarness() throws Exception {
        if (harness != null) {
            harness.close();
        }
    }

    @Test
    void openMinuteIsPublishedProvisionallyAtOnceThenAtMostOncePerEmitInterval() throws Exception {
        harness = regionMinutes();
        harness.setProcessingTime(0);
        line(10 * SECOND, 1, 100);
        assertThat(figures())
                .as("the open minute's first figure, without waiting")
                .extracting(RegionMinute::units, RegionMinute::revenueCents, RegionMinute::isFinal)
                .containsExactly(tuple(1L, 100L, false));

        harness.setProcessingTime(300);
        line(20 * SECOND, 2, 200);
        harness.setProcessingTime(999);
        line(25 * SECOND, 4, 400);
        assertThat(figures()).hasSize(1);

        harness.setProcessingTime(1_000);
        assertThat(figures())
                .extracting(RegionMinute::units, RegionMinute::revenueCents, RegionMinute::isFinal)
                .containsExactly(tuple(1L, 100L, false), tuple(7L, 700L, false));

        // A line after a quiet interval: published at once again.
        harness.setProcessingTime(2_500);
        line(40 * SECOND, 8, 800);
        assertThat(figures())
                .extracting(RegionMinute::units, RegionMinute::isFinal)
                .containsExactly(tuple(1L, false), tuple(7L, false), tuple(15L, false));

        // No new line, no new figure: an unchanged provisional figure is not published again.
        harness.setProcessingTime(60_000);
        assertThat(figures()).hasSize(3);
        assertThat(harness.numProcessingTimeTimers()).isZero();
    }

    @Test
    void watermarkPastTheWindowEndPublishesTheFinalFigureAndCancelsThePendingProvisionalOne()
            throws Exception {
        harness = regionMinutes();
        harness.setProcessingTime(0);
        line(10 * SECOND, 1, 100);
        line(50 * SECOND, 2, 250);
        assertThat(harness.numProcessingTimeTimers()).as("provisional firing pending").isOne();

        harness.processWatermark(MINUTE - 2);
        assertThat(figures()).hasSize(1);
        harness.processWatermark(MINUTE - 1);

        assertThat(figures())
                .extracting(
                        RegionMinute::region,
                        RegionMinute::windowStart,
                        RegionMinute::windowEnd,
                        RegionMinute::units,
                        RegionMinute::revenueCents,
                        RegionMinute::isFinal)
                .containsExactly(
                        tuple("eu", 0L, MINUTE, 1L, 100L, false),
                        tuple("eu", 0L, MINUTE, 3L, 350L, true));
        assertThat(harness.numProcessingTimeTimers()).as("provisional firing left").isZero();
        harness.setProcessingTime(10_000);
        assertThat(figures()).as("nothing provisional after the final figure").hasSize(2);
    }

    @Test
    void allowedLateLinePublishesTheClosedMinuteFinalAgainAtOnce() throws Exception {
        harness = regionMinutes();
        harness.setProcessingTime(0);
        line(10 * SECOND, 1, 100);
        harness.processWatermark(MINUTE + 20 * SECOND);

        line(30 * SECOND, 5, 500);

        assertThat(figures())
                .extracting(RegionMinute::units, RegionMinute::revenueCents, RegionMinute::isFinal)
                .containsExactly(
                        tuple(1L, 100L, false), tuple(1L, 100L, true), tuple(6L, 600L, true));
        harness.setProcessingTime(10_000);
        assertThat(figures()).hasSize(3);
    }

    @Test
    void everyStateAndTimerIsGoneOnceTheAllowedLatenessHasPassed() throws Exception {
        harness = regionMinutes();
        harness.setProcessingTime(0);
        line(10 * SECOND, 1, 100);
        harness.setProcessingTime(1_000);
        harness.processWatermark(MINUTE - 1);
        assertThat(harness.numKeyedStateEntries()).isPositive();

        harness.processWatermark(2 * MINUTE - 1);

        assertThat(figures()).extracting(RegionMinute::isFinal).containsExactly(false, true);
        assertThat(harness.numEventTimeTimers()).as("event-time timers").isZero();
        assertThat(harness.numProcessingTimeTimers()).as("processing-time timers").isZero();
        assertThat(harness.numKeyedStateEntries()).as("keyed state entries").isZero();
    }

    @Test
    void closedMinuteStaysFinalAfterARestoreWhileTheWatermarkStartsAfresh() throws Exception {
        harness = regionMinutes();
        harness.setProcessingTime(0);
        line(10 * SECOND, 1, 100);
        harness.processWatermark(MINUTE + 10 * SECOND);
        assertThat(figures()).extracting(RegionMinute::isFinal).containsExactly(false, true);
        OperatorSubtaskState snapshot = harness.snapshot(1, 1);
        harness.close();

        harness = regionMinutes(snapshot);
        harness.setProcessingTime(0);
        // Read before the restored job's watermark has caught up again (it starts afresh).
        line(30 * SECOND, 2, 200);
        harness.setProcessingTime(1_000);

        assertThat(figures())
                .extracting(RegionMinute::units, RegionMinute::isFinal)
                .containsExactly(tuple(3L, true));
    }

    @Test
    void sellerMinuteCountsDistinctOrdersAndIsProvisionalThenFinal() throws Exception {
        KeyedOneInputStreamOperatorTestHarness<Tuple2<String, Long>, LinePartial, SellerMinute>
                sellers =
                        harness(
                                new SellerMinuteAggregate(),
                                new SellerMinuteAggregate.ToSellerMinute(),
                                null);
        try {
            sellers.setProcessingTime(0);
            sellers.processElement(partial("s1", 5 * SECOND, Set.of("o1", "r1"), 3, 300), 5_000);
            sellers.setProcessingTime(1_000);
            sellers.processElement(partial("s1", 7 * SECOND, Set.of("r1", "o2"), 1, 50), 7_000);
            sellers.processWatermark(MINUTE - 1);

            List<SellerMinute> out = sellers.extractOutputValues();
            assertThat(out)
                    .extracting(
                            SellerMinute::sellerId,
                            SellerMinute::orders,
                            SellerMinute::units,
                            SellerMinute::revenueCents,
                            SellerMinute::isFinal)
                    .containsExactly(
                            tuple("s1", 2L, 3L, 300L, false),
                            tuple("s1", 3L, 4L, 350L, false),
                            tuple("s1", 3L, 4L, 350L, true));
        } finally {
            sellers.close();
        }
    }

    private KeyedOneInputStreamOperatorTestHarness<Tuple2<String, Long>, LinePartial, RegionMinute>
            regionMinutes() throws Exception {
        return regionMinutes(null);
    }

    private KeyedOneInputStreamOperatorTestHarness<Tuple2<String, Long>, LinePartial, RegionMinute>
            regionMinutes(OperatorSubtaskState restored) throws Exception {
        return harness(
                new RegionMinuteAggregate(), new RegionMinuteAggregate.ToRegionMinute(), restored);
    }

    /**
     * The window operator as {@code SalesTopology} builds it, taken from a stream graph: one-minute
     * tumbling windows, the provisional trigger, the allowed lateness, the aggregate.
     */
    private static <A, R>
            KeyedOneInputStreamOperatorTestHarness<Tuple2<String, Long>, LinePartial, R> harness(
                    AggregateFunction<LinePartial, A, A> aggregate,
                    ProcessWindowFunction<A, R, Tuple2<String, Long>, TimeWindow> toFigure,
                    OperatorSubtaskState restored)
                    throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        SingleOutputStreamOperator<R> windowed =
                env.fromData(TypeInformation.of(LinePartial.class), partial("x", 0, Set.of(), 0, 0))
                        .keyBy(new KeyAndMinute())
                        .window(TumblingEventTimeWindows.of(Duration.ofMinutes(1)))
                        .trigger(new ProvisionalTrigger(EMIT_INTERVAL))
                        .allowedLateness(LATENESS)
                        .aggregate(aggregate, toFigure);
        @SuppressWarnings("unchecked")
        OneInputStreamOperator<LinePartial, R> operator =
                ((OneInputTransformation<LinePartial, R>) windowed.getTransformation())
                        .getOperator();
        KeyedOneInputStreamOperatorTestHarness<Tuple2<String, Long>, LinePartial, R> harness =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        operator, new KeyAndMinute(), KeyAndMinute.TYPE);
        harness.setup();
        if (restored != null) {
            harness.initializeState(restored);
        }
        harness.open();
        return harness;
    }

    /** Lines of region eu at {@code eventTime}. */
    private void line(long eventTime, long units, long revenueCents) throws Exception {
        harness.processElement(partial("eu", eventTime, Set.of(), units, revenueCents), eventTime);
    }

    private static LinePartial partial(
            String key, long eventTime, Set<String> orders, long units, long revenueCents) {
        return new LinePartial(key, eventTime, null, null, orders, units, revenueCents, 0);
    }

    private List<RegionMinute> figures() {
        return harness.extractOutputValues();
    }
}

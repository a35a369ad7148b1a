package com.salesaggregator.job.functions;

import static com.salesaggregator.job.functions.Lines.SECOND;
import static com.salesaggregator.job.functions.Lines.online;
import static com.salesaggregator.job.functions.Lines.priced;
import static org.assertj.core.api.Assertions.assertThat;

import com.salesaggregator.job.records.LinePartial;
import com.salesaggregator.job.records.RunningTotal;
import com.salesaggregator.model.SaleLine;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Drives {@link RunningTotals} through Flink's keyed one-input operator harness. */
class RunningTotalsTest {

    private static final Duration ONE_SECOND = Duration.ofSeconds(1);

    private PreAggregator.Dimension dimension;
    private KeyedOneInputStreamOperatorTestHarness<String, LinePartial, RunningTotal> harness;

    @AfterEach
    void closeHarness() throws Exception {
        harness.close();
    }

    @Test
    void aQuietKeysFirstUpdateIsEmittedAtOnce() throws Exception {
        open(RunningTotals.Dimension.PRODUCT, ONE_SECOND);
        harness.setProcessingTime(0);

        line("p1", 1, 100, 10, 1 * SECOND);

        assertThat(totals())
                .singleElement()
                .satisfies(
                        t -> {
                            assertThat(t.key()).isEqualTo("p1");
                            assertThat(t.units()).isEqualTo(1);
                            assertThat(t.revenueCents()).isEqualTo(100);
                            assertThat(t.marginCents()).isEqualTo(10);
                        });
        assertNoTimersAndOnlyTotalsLeft(1);
    }

    @Test
    void updatesWithinTheIntervalAreEmittedOnceWithTheLatestTotalWhenItHasPassed()
            throws Exception {
        open(RunningTotals.Dimension.PRODUCT, ONE_SECOND);
        harness.setProcessingTime(0);
        line("p1", 1, 100, 10, 1 * SECOND);
        harness.setProcessingTime(300);
        line("p1", 2, 200, 20, 2 * SECOND);
        harness.setProcessingTime(999);
        line("p1", 3, 300, 30, 3 * SECOND);
        assertThat(totals()).extracting(RunningTotal::units).containsExactly(1L);
        assertThat(harness.numProcessingTimeTimers()).isEqualTo(1);

        harness.setProcessingTime(1000);

        assertThat(totals()).extracting(RunningTotal::units).containsExactly(1L, 6L);
        assertThat(totals()).extracting(RunningTotal::revenueCents).containsExactly(100L, 600L);
        assertThat(totals()).extracting(RunningTotal::marginCents).containsExactly(10L, 60L);
        assertNoTimersAndOnlyTotalsLeft(1);
    }

    @Test
    void theIntervalCountsFromTheLastEmission() throws Exception {
        open(RunningTotals.Dimension.PRODUCT, ONE_SECOND);
        harness.setProcessingTime(0);
        line("p1", 1, 100, 10, 1 * SECOND);
        harness.setProcessingTime(1500);
        line("p1", 4, 400, 40, 2 * SECOND); // quiet for more than the interval: at once
        harness.setProcessingTime(1600);
        line("p1", 2, 200, 20, 3 * SECOND); // within the interval of the last emission
        harness.setProcessingTime(2499);
        assertThat(totals()).extracting(RunningTotal::units).containsExactly(1L, 5L);

        harness.setProcessingTime(2500);

        assertThat(totals()).extracting(RunningTotal::units).containsExactly(1L, 5L, 7L);
        assertNoTimersAndOnlyTotalsLeft(1);
    }

    @Test
    void nothingIsEmittedWithoutAnUpdate() throws Exception {
        open(RunningTotals.Dimension.PRODUCT, ONE_SECOND);
        harness.setProcessingTime(0);
        line("p1", 1, 100, 10, 1 * SECOND);
        harness.setProcessingTime(1000);

        harness.setProcessingTime(10_000);

        assertThat(totals()).hasSize(1);
    }

    @Test
    void finalValueIsEmittedWhenEventTimeEndsEvenIfTheIntervalHasNotPassed() throws Exception {
        open(RunningTotals.Dimension.PRODUCT, ONE_SECOND);
        harness.setProcessingTime(0);
        line("p1", 1, 100, 10, 1 * SECOND);
        line("p1", 2, 200, 20, 2 * SECOND);
        assertThat(harness.numProcessingTimeTimers()).isEqualTo(1);
        assertThat(harness.numEventTimeTimers()).isEqualTo(1);

        harness.processWatermark(Long.MAX_VALUE);

        assertThat(totals()).extracting(RunningTotal::units).containsExactly(1L, 3L);
        assertNoTimersAndOnlyTotalsLeft(1);
        // The processing-time timer was deleted with the flush, so it emits no duplicate.
        harness.setProcessingTime(5_000);
        assertThat(totals()).hasSize(2);
    }

    @Test
    void keysAreThrottledIndependently() throws Exception {
        open(RunningTotals.Dimension.PRODUCT, ONE_SECOND);
        harness.setProcessingTime(0);
        line("p1", 1, 100, 10, 1 * SECOND);
        harness.setProcessingTime(500);
        line("p2", 2, 200, 20, 1 * SECOND);
        line("p1", 3, 300, 30, 1 * SECOND);
        assertThat(totals()).extracting(RunningTotal::key).containsExactly("p1", "p2");

        harness.setProcessingTime(1000);
        assertThat(totals()).extracting(RunningTotal::key).containsExactly("p1", "p2", "p1");
        assertThat(totals()).extracting(RunningTotal::units).containsExactly(1L, 2L, 4L);
        assertNoTimersAndOnlyTotalsLeft(2);
    }

    @Test
    void zeroIntervalEmitsEveryUpdateWithoutTimers() throws Exception {
        open(RunningTotals.Dimension.REGION, Duration.ZERO);

        line("p1", 1, 100, 10, 1 * SECOND);
        line("p2", 2, 200, 20, 2 * SECOND);
        line("p1", 3, 300, 30, 3 * SECOND);

        assertThat(totals()).extracting(RunningTotal::units).containsExactly(1L, 3L, 6L);
        assertThat(harness.numProcessingTimeTimers()).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
    }

    @Test
    void productNameComesFromTheLineWithTheLatestEventTime() throws Exception {
        open(RunningTotals.Dimension.PRODUCT, Duration.ZERO);

        harness.processElement(withName("p1", "Tea (new)", 2 * SECOND), 2 * SECOND);
        // Older line arriving later: counted, but its older name does not win.
        harness.processElement(withName("p1", "Tea (old)", 1 * SECOND), 1 * SECOND);
        harness.processElement(withName("p1", "Tea (newest)", 3 * SECOND), 3 * SECOND);

        assertThat(totals())
                .extracting(RunningTotal::name)
                .containsExactly("Tea (new)", "Tea (new)", "Tea (newest)");
        assertThat(totals())
                .extracting(RunningTotal::latestEventTime)
                .containsExactly(2 * SECOND, 2 * SECOND, 3 * SECOND);
        assertThat(totals()).extracting(RunningTotal::units).containsExactly(1L, 2L, 3L);
    }

    @Test
    void regionTotalsHaveNoName() throws Exception {
        open(RunningTotals.Dimension.REGION, Duration.ZERO);

        line("p1", 2, 250, 50, 1 * SECOND);

        assertThat(totals())
                .singleElement()
                .satisfies(
                        t -> {
                            assertThat(t.key()).isEqualTo("eu");
                            assertThat(t.name()).isNull();
                            assertThat(t.units()).isEqualTo(2);
                            assertThat(t.revenueCents()).isEqualTo(250);
                            assertThat(t.marginCents()).isEqualTo(50);
                        });
    }

    private void open(RunningTotals.Dimension dimension, Duration emitInterval) throws Exception {
        this.dimension =
                dimension == RunningTotals.Dimension.PRODUCT
                        ? PreAggregator.Dimension.PRODUCT
                        : PreAggregator.Dimension.REGION;
        KeySelector<LinePartial, String> key = LinePartial::key;
        harness =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(new RunningTotals(dimension, emitInterval)),
                        key,
                        Types.STRING);
        harness.open();
    }

    private void line(String productId, int quantity, long revenue, long margin, long eventTime)
            throws Exception {
        SaleLine sale = online("o-" + eventTime, productId, quantity, "1.00", "EUR", eventTime);
        harness.processElement(
                PreAggregator.single(dimension, priced(sale, "name-" + productId, revenue, margin)),
                eventTime);
    }

    private static LinePartial withName(String productId, String name, long eventTime) {
        return PreAggregator.single(
                PreAggregator.Dimension.PRODUCT,
                priced(
                        online("o-" + eventTime, productId, 1, "1.00", "EUR", eventTime),
                        name,
                        1,
                        0));
    }

    private List<RunningTotal> totals() {
        return harness.extractOutputValues();
    }

    private void assertNoTimersAndOnlyTotalsLeft(int keys) {
        assertThat(harness.numProcessingTimeTimers()).as("processing-time timers").isZero();
        assertThat(harness.numEventTimeTimers()).as("event-time timers").isZero();
        // The totals and when each was last emitted stay; a pending emission would add an entry.
        assertThat(harness.numKeyedStateEntries()).as("keyed state entries").isEqualTo(2 * keys);
    }
}

package com.salesaggregator.job.functions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.salesaggregator.codec.RejectReason;
import com.salesaggregator.job.records.DeadLetter;
import com.salesaggregator.model.Channel;
import com.salesaggregator.model.SaleLine;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Drives {@link ResendFilter} through Flink's keyed one-input operator harness: resends by identity
 * and source position, the horizon as state TTL (processing time driven by the harness), and the
 * remembered first deliveries across a snapshot and restore, also at another parallelism.
 */
class ResendFilterTest {

    private static final Duration HORIZON = Duration.ofHours(1);
    private static final long HORIZON_MILLIS = HORIZON.toMillis();
    private static final int MAX_PARALLELISM = 128;

    private KeyedOneInputStreamOperatorTestHarness<String, SaleLine, SaleLine> harness;

    @BeforeEach
    void openHarness() throws Exception {
        harness = newHarness();
        harness.setStateTtlProcessingTime(0);
        harness.open();
    }

    @AfterEach
    void closeHarness() throws Exception {
        harness.close();
    }

    @Test
    void firstDeliveryGoesOnAndAResendOfTheOrderIsADuplicate() throws Exception {
        SaleLine first = order("o-1", 2, 10);
        SaleLine resend = order("o-1", 2, 15);

        process(first);
        process(resend);

        assertThat(harness.extractOutputValues()).containsExactly(first);
        assertThat(deadLetters()).singleElement().satisfies(d -> assertDuplicate(d, resend));
        assertThat(deadLetters().get(0).message())
                .contains("order 'o-1'")
                .contains("partition 2 offset 10")
                .contains(HORIZON.toString());
    }

    @Test
    void resendIsADuplicateWhateverTheWatermark() throws Exception {
        // A resend carries the original's event time: it must not become late instead.
        process(order("o-1", 0, 1));
        harness.processWatermark(Long.MAX_VALUE - 1);

        process(order("o-1", 0, 2));

        assertThat(deadLetters())
                .extracting(DeadLetter::reason)
                .containsExactly(RejectReason.DUPLICATE);
    }

    @Test
    void allLinesOfTheFirstReceiptGoOnAndAResentReceiptIsDroppedWhole() throws Exception {
        List<SaleLine> first = receipt("r-1", 3, 0, 5);
        List<SaleLine> resend = receipt("r-1", 3, 1, 7);

        first.forEach(this::process);
        resend.forEach(this::process);

        assertThat(harness.extractOutputValues()).isEqualTo(first);
        assertThat(deadLetters())
                .extracting(
                        DeadLetter::lineId,
                        DeadLetter::partition,
                        DeadLetter::offset,
                        DeadLetter::reason)
                .containsExactly(
                        tuple("r-1#0", 1, 7L, RejectReason.DUPLICATE),
                        tuple("r-1#1", 1, 7L, RejectReason.DUPLICATE),
                        tuple("r-1#2", 1, 7L, RejectReason.DUPLICATE));
        assertThat(deadLetters())
                .allSatisfy(d -> assertThat(d.sourceTopic()).isEqualTo("sales-store"));
        assertThat(deadLetters().get(0).message()).contains("receipt 'r-1'");
        assertThat(harness.numKeyedStateEntries()).as("one entry per sale, not per line").isOne();
    }

    @Test
    void sameIdOnTheOtherChannelIsAnotherSale() throws Exception {
        SaleLine order = order("x-1", 0, 1);
        List<SaleLine> receipt = receipt("x-1", 1, 0, 1);

        process(order);
        receipt.forEach(this::process);

        assertThat(harness.extractOutputValues()).containsExactly(order, receipt.get(0));
        assertThat(deadLetters()).isEmpty();
    }

    @Test
    void aResendWithinTheHorizonIsADuplicateAndOneAfterItCountsAgain() throws Exception {
        process(order("o-1", 0, 1));
        harness.setStateTtlProcessingTime(HORIZON_MILLIS - 1);
        process(order("o-1", 0, 2));

        harness.setStateTtlProcessingTime(HORIZON_MILLIS);
        SaleLine afterHorizon = order("o-1", 0, 3);
        process(afterHorizon);

        assertThat(deadLetters()).extracting(DeadLetter::offset).containsExactly(2L);
        assertThat(harness.extractOutputValues()).hasSize(2).last().isEqualTo(afterHorizon);
        // The delivery after the horizon is the new first delivery.
        harness.setStateTtlProcessingTime(2 * HORIZON_MILLIS - 1);
        process(order("o-1", 0, 4));
        assertThat(deadLetters()).extracting(DeadLetter::offset).containsExactly(2L, 4L);
    }

    @Test
    void aResendDoesNotExtendTheHorizon() throws Exception {
        process(order("o-1", 0, 1));
        harness.setStateTtlProcessingTime(HORIZON_MILLIS / 2);
        process(order("o-1", 0, 2));

        harness.setStateTtlProcessingTime(HORIZON_MILLIS);
        process(order("o-1", 0, 3));

        assertThat(deadLetters()).extracting(DeadLetter::offset).containsExactly(2L);
        assertThat(harness.extractOutputValues())
                .extracting(SaleLine::sourceOffset)
                .containsExactly(1L, 3L);
    }

    @Test
    void usesNoTimersAndKeepsOneSmallEntryPerSale() throws Exception {
        process(order("o-1", 0, 1));
        process(order("o-2", 0, 2));
        receipt("r-1", 5, 1, 1).forEach(this::process);
        process(order("o-1", 0, 3));

        assertThat(harness.numProcessingTimeTimers()).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
        assertThat(harness.numKeyedStateEntries()).isEqualTo(3);
    }

    @Test
    void expiredEntriesAreRemovedAsLaterSalesArrive() throws Exception {
        harness.close();
        // The job's key groups: the sweep walks them all.
        harness = newHarness(MAX_PARALLELISM, 1, 0);
        harness.setStateTtlProcessingTime(0);
        harness.open();
        for (int i = 0; i < 1_000; i++) {
            process(order("o-old-" + i, 0, i));
        }
        harness.setStateTtlProcessingTime(HORIZON_MILLIS);

        // Heap state: each state access also visits a few entries and drops the expired ones
        // (Flink's incremental cleanup), so expired entries leave as later sales arrive.
        for (int i = 0; i < 2_000; i++) {
            process(order("o-new-" + i, 0, 10_000 + i));
        }

        assertThat(harness.numKeyedStateEntries()).isEqualTo(2_000);
    }

    @Test
    void expiredEntriesAreLeftOutOfSnapshots() throws Exception {
        process(order("o-1", 0, 1));
        process(order("o-2", 0, 2));
        harness.setStateTtlProcessingTime(HORIZON_MILLIS / 2);
        process(order("o-3", 0, 3));

        harness.setStateTtlProcessingTime(HORIZON_MILLIS);
        OperatorSubtaskState snapshot = harness.snapshot(1L, 1L);
        restore(snapshot, HORIZON_MILLIS);

        assertThat(harness.numKeyedStateEntries()).as("only o-3 outlived the horizon").isOne();
        process(order("o-3", 0, 4));
        assertThat(deadLetters()).extracting(DeadLetter::lineId).containsExactly("o-3");
    }

    @Test
    void firstDeliveriesSurviveASnapshotAndRestore() throws Exception {
        process(order("o-1", 0, 1));
        receipt("r-1", 2, 1, 1).forEach(this::process);
        harness.setStateTtlProcessingTime(10_000);
        OperatorSubtaskState snapshot = harness.snapshot(1L, 1L);

        restore(snapshot, 20_000);
        SaleLine newSale = order("o-2", 0, 2);
        process(order("o-1", 0, 3));
        receipt("r-1", 2, 1, 2).forEach(this::process);
        process(newSale);
        // A line of the first receipt itself, replayed from the restored source position.
        process(receipt("r-1", 2, 1, 1).get(1));

        assertThat(deadLetters())
                .extracting(DeadLetter::lineId, DeadLetter::offset)
                .containsExactly(tuple("o-1", 3L), tuple("r-1#0", 2L), tuple("r-1#1", 2L));
        assertThat(harness.extractOutputValues())
                .extracting(SaleLine::lineId)
                .containsExactly("o-2", "r-1#1");

        // The remembered first deliveries keep their age across the restore.
        harness.setStateTtlProcessingTime(HORIZON_MILLIS);
        process(order("o-1", 0, 4));
        assertThat(harness.extractOutputValues())
                .extracting(SaleLine::lineId)
                .containsExactly("o-2", "r-1#1", "o-1");
    }

    @Test
    void firstDeliveriesFollowTheirSalesWhenRescaled() throws Exception {
        harness.close();
        harness = newHarness(MAX_PARALLELISM, 1, 0);
        harness.setStateTtlProcessingTime(0);
        harness.open();
        List<String> orders = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            orders.add("o-" + i);
            process(order("o-" + i, 0, i));
        }
        OperatorSubtaskState snapshot = harness.snapshot(1L, 1L);

        List<Integer> entries = new ArrayList<>();
        int duplicates = 0;
        for (int subtask = 0; subtask < 2; subtask++) {
            harness.close();
            harness = newHarness(MAX_PARALLELISM, 2, subtask);
            harness.setStateTtlProcessingTime(0);
            harness.initializeState(
                    AbstractStreamOperatorTestHarness.repartitionOperatorState(
                            snapshot, MAX_PARALLELISM, 1, 2, subtask));
            harness.open();
            for (String id : orders) {
                SaleLine resend = order(id, 1, 1_000);
                if (KeyGroupRangeAssignment.assignKeyToParallelOperator(
                                SaleIdentity.of(resend), MAX_PARALLELISM, 2)
                        == subtask) {
                    process(resend);
                }
            }
            entries.add(harness.numKeyedStateEntries());
            duplicates += deadLetters().size();
            assertThat(harness.extractOutputValues()).isEmpty();
        }

        assertThat(entries).allSatisfy(n -> assertThat(n).isPositive());
        assertThat(entries.get(0) + entries.get(1)).isEqualTo(20);
        assertThat(duplicates).isEqualTo(20);
    }

    /** A harness of one subtask with one key group. */
    private static KeyedOneInputStreamOperatorTestHarness<String, SaleLine, SaleLine> newHarness()
            throws Exception {
        return newHarness(1, 1, 0);
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, SaleLine, SaleLine> newHarness(
            int maxParallelism, int parallelism, int subtask) throws Exception {
        return new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new ResendFilter(HORIZON, Lines.TOPICS)),
                new SaleIdentity(),
                Types.STRING,
                maxParallelism,
                parallelism,
                subtask);
    }

    /** Replaces the harness with a new one restored from {@code snapshot}. */
    private void restore(OperatorSubtaskState snapshot, long ttlTime) throws Exception {
        harness.close();
        harness = newHarness();
        harness.setStateTtlProcessingTime(ttlTime);
        harness.initializeState(snapshot);
        harness.open();
    }

    private void process(SaleLine line) {
        try {
            harness.processElement(line, line.eventTime());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private List<DeadLetter> deadLetters() {
        List<DeadLetter> letters = new ArrayList<>();
        var side = harness.getSideOutput(DeadLetters.TAG);
        if (side != null) {
            // Null until the first dead letter.
            side.forEach(r -> letters.add(r.getValue()));
        }
        return letters;
    }

    private static void assertDuplicate(DeadLetter d, SaleLine resend) {
        assertThat(d.reason()).isEqualTo(RejectReason.DUPLICATE);
        assertThat(d.sourceTopic()).isEqualTo("sales-online");
        assertThat(d.partition()).isEqualTo(resend.sourcePartition());
        assertThat(d.offset()).isEqualTo(resend.sourceOffset());
        assertThat(d.lineId()).isEqualTo(resend.lineId());
        assertThat(new String(d.key(), StandardCharsets.UTF_8)).isEqualTo(resend.orderId());
    }

    /** An online order read from {@code partition} at {@code offset}. */
    private static SaleLine order(String orderId, int partition, long offset) {
        return new SaleLine(
                orderId,
                Channel.ONLINE,
                orderId,
                "s1",
                null,
                "eu",
                "p1",
                1,
                new BigDecimal("2.50"),
                "EUR",
                60_000L,
                partition,
                offset);
    }

    /** The {@code lines} lines of a store receipt read from {@code partition} at {@code offset}. */
    private static List<SaleLine> receipt(String receiptId, int lines, int partition, long offset) {
        List<SaleLine> result = new ArrayList<>();
        for (int i = 0; i < lines; i++) {
            result.add(
                    new SaleLine(
                            receiptId + SaleLine.LINE_INDEX_SEPARATOR + i,
                            Channel.STORE,
                            receiptId,
                            "s1",
                            "store-1",
                            "eu",
                            "p" + i,
                            1,
                            new BigDecimal("1.00"),
                            "EUR",
                            60_000L,
                            partition,
                            offset));
        }
        return result;
    }
}

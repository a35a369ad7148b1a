package com.salesaggregator.job.functions;

import static com.salesaggregator.job.functions.Lines.MINUTE;
import static com.salesaggregator.job.functions.Lines.SECOND;
import static com.salesaggregator.job.functions.Lines.online;
import static com.salesaggregator.job.functions.Lines.priced;
import static com.salesaggregator.job.functions.Lines.storeLine;
import static org.assertj.core.api.Assertions.assertThat;

import com.salesaggregator.job.records.LinePartial;
import com.salesaggregator.job.records.PricedLine;
import com.salesaggregator.model.SaleLine;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Drives {@link PreAggregator} through Flink's one-input operator harness. */
class PreAggregatorTest {

    private PreAggregator operator;
    private OneInputStreamOperatorTestHarness<PricedLine, LinePartial> harness;

    @AfterEach
    void close() throws Exception {
        if (harness != null) {
            harness.close();
        }
    }

    @Test
    void linesOfOneSellerAndMinuteBecomeOnePartialAheadOfTheWatermark() throws Exception {
        open(PreAggregator.Dimension.SELLER_MINUTE);
        line(storeLine("r1", 0, "s1", "eu", 2), 10 * SECOND, 200);
        line(storeLine("r1", 1, "s1", "eu", 3), 10 * SECOND, 300);
        line(online("o1", "p1", 1, "1.00", "EUR", 40 * SECOND), 40 * SECOND, 100);
        line(online("o2", "p1", 4, "1.00", "EUR", MINUTE + SECOND), MINUTE + SECOND, 400);

        assertThat(harness.getOutput()).as("held until the watermark").isEmpty();
        harness.processWatermark(new Watermark(5 * SECOND));

        List<Object> output = new ArrayList<>(harness.getOutput());
        assertThat(output).hasSize(3);
        assertThat(output.get(2))
                .as("the watermark after the partials")
                .isEqualTo(new Watermark(5 * SECOND));
        List<StreamRecord<LinePartial>> partials = records(output.subList(0, 2));
        StreamRecord<LinePartial> first = byTimestamp(partials, 40 * SECOND);
        assertThat(first.getValue().key()).isEqualTo("s1");
        assertThat(first.getValue().orders()).containsExactlyInAnyOrder("r1", "o1");
        assertThat(first.getValue().units()).isEqualTo(6);
        assertThat(first.getValue().revenueCents()).isEqualTo(600);
        StreamRecord<LinePartial> second = byTimestamp(partials, MINUTE + SECOND);
        assertThat(second.getValue().orders()).containsExactly("o2");
        assertThat(second.getValue().units()).isEqualTo(4);
    }

    @Test
    void productTotalsKeepTheNameOfTheLatestLine() throws Exception {
        open(PreAggregator.Dimension.PRODUCT);
        line(online("o2", "p1", 1, "1.00", "EUR", 2 * MINUTE), "Tea (new)", 100, 30);
        line(online("o1", "p1", 2, "1.00", "EUR", MINUTE), "Tea (old)", 200, 60);
        line(online("o3", "p2", 1, "1.00", "EUR", MINUTE), "Mug", 50, 10);

        harness.processWatermark(new Watermark(0));

        List<LinePartial> partials = harness.extractOutputValues();
        assertThat(partials).hasSize(2);
        LinePartial tea = partials.stream().filter(p -> p.key().equals("p1")).findFirst().get();
        assertThat(tea.name()).isEqualTo("Tea (new)");
        assertThat(tea.latestEventTime()).isEqualTo(2 * MINUTE);
        assertThat(tea.units()).isEqualTo(3);
        assertThat(tea.revenueCents()).isEqualTo(300);
        assertThat(tea.marginCents()).isEqualTo(90);
    }

    @Test
    void everythingHeldIsEmittedBeforeACheckpointBarrierAndNothingIsSnapshotted() throws Exception {
        open(PreAggregator.Dimension.REGION);
        line(online("o1", "p1", 1, "1.00", "EUR", SECOND), SECOND, 100);

        harness.prepareSnapshotPreBarrier(1);

        assertThat(harness.extractOutputValues())
                .singleElement()
                .satisfies(p -> assertThat(p.key()).isEqualTo("eu"));
        assertThat(harness.snapshot(1, 1).getManagedOperatorState()).isEmpty();
        assertThat(harness.snapshot(2, 2).getManagedKeyedState()).isEmpty();
    }

    @Test
    void everythingHeldIsEmittedAtTheEndOfInputAndAfterTheMaximumDelay() throws Exception {
        open(PreAggregator.Dimension.REGION_MINUTE);
        harness.setProcessingTime(0);
        line(online("o1", "p1", 1, "1.00", "EUR", SECOND), SECOND, 100);

        harness.setProcessingTime(PreAggregator.MAX_DELAY_MILLIS - 1);
        assertThat(harness.extractOutputValues()).isEmpty();
        harness.setProcessingTime(PreAggregator.MAX_DELAY_MILLIS);
        assertThat(harness.extractOutputValues()).hasSize(1);

        line(online("o2", "p1", 2, "1.00", "EUR", 2 * SECOND), 2 * SECOND, 100);
        operator.finish();
        assertThat(harness.extractOutputValues()).hasSize(2);
        assertThat(harness.extractOutputValues().get(1).units()).isEqualTo(2);
    }

    @Test
    void aPartialOfOneLineIsWhatSingleGives() throws Exception {
        open(PreAggregator.Dimension.PRODUCT_MINUTE);
        PricedLine line = priced(online("o1", "p1", 3, "1.00", "EUR", SECOND), "Tea", 300, 90);
        harness.processElement(line, SECOND);
        harness.processWatermark(new Watermark(SECOND));

        assertThat(harness.extractOutputValues())
                .containsExactly(
                        PreAggregator.single(PreAggregator.Dimension.PRODUCT_MINUTE, line));
    }

    private void open(PreAggregator.Dimension dimension) throws Exception {
        operator = new PreAggregator(dimension);
        harness = new OneInputStreamOperatorTestHarness<>(operator);
        harness.open();
    }

    private void line(SaleLine sale, long eventTime, long revenueCents) throws Exception {
        harness.processElement(priced(sale, "Tea", revenueCents, 0), eventTime);
    }

    private void line(SaleLine sale, String name, long revenueCents, long marginCents)
            throws Exception {
        harness.processElement(priced(sale, name, revenueCents, marginCents), sale.eventTime());
    }

    @SuppressWarnings("unchecked")
    private static List<StreamRecord<LinePartial>> records(List<Object> output) {
        List<StreamRecord<LinePartial>> records = new ArrayList<>();
        output.forEach(o -> records.add((StreamRecord<LinePartial>) o));
        return records;
    }

    private static StreamRecord<LinePartial> byTimestamp(
            List<StreamRecord<LinePartial>> records, long timestamp) {
        return records.stream()
                .filter(r -> r.getTimestamp() == timestamp)
                .findFirst()
                .orElseThrow();
    }
}

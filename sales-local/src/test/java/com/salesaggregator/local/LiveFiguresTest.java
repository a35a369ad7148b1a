package com.salesaggregator.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.salesaggregator.job.kafka.OutputJson;
import com.salesaggregator.job.records.ProductWindowUnits;
import com.salesaggregator.job.records.SellerMinute;
import com.salesaggregator.topics.Topic;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** The live view's figures: the open minute and window shown, marked provisional. */
class LiveFiguresTest {

    private static final long T0 = Instant.parse("2026-11-22T10:00:00Z").toEpochMilli();
    private static final long MINUTE = 60_000;

    private final LiveFigures figures = new LiveFigures();

    @Test
    void theOpenMinuteIsShownWithEachProvisionalFigureMarked() {
        seller("s-1", 4, 900, true);
        seller("s-1", 5, 300, false);
        seller("s-2", 5, 700, false);

        List<String> lines = figures.render();

        assertThat(lines.get(0)).startsWith("Top sellers, minute 10:05 UTC (open: ~ provisional)");
        assertThat(lines.get(1)).startsWith("~ s-2 ");
        assertThat(lines.get(2)).startsWith("~ s-1 ");
    }

    @Test
    void aClosedMinuteIsShownUnmarked() {
        seller("s-1", 5, 300, false);
        seller("s-1", 5, 400, true);

        List<String> lines = figures.render();

        assertThat(lines.get(0)).startsWith("Top sellers, minute 10:05 UTC ").doesNotContain("~");
        assertThat(lines.get(1)).startsWith("  s-1 ").contains("EUR 4.00");
    }

    @Test
    void theFiveMinuteWindowShownIsTheOneThatClosesNext() {
        window("p-1", 0, 5, true);
        window("p-1", 1, 7, false);
        window("p-1", 2, 9, false);

        assertThat(figures.render())
                .anySatisfy(
                        line ->
                                assertThat(line)
                                        .isEqualTo(
                                                "Top products, 5-minute window from 10:01 UTC"
                                                        + " (open: ~ provisional)"))
                .anySatisfy(line -> assertThat(line).startsWith("~ p-1 ").endsWith("7 units"));

        window("p-1", 1, 8, true);
        window("p-1", 2, 9, true);

        assertThat(figures.render())
                .anySatisfy(
                        line ->
                                assertThat(line)
                                        .isEqualTo("Top products, 5-minute window from 10:02 UTC"))
                .anySatisfy(line -> assertThat(line).startsWith("  p-1 ").endsWith("9 units"));
    }

    private void seller(String id, int minute, long revenueCents, boolean isFinal) {
        long start = T0 + minute * MINUTE;
        accept(
                Topic.REVENUE_PER_SELLER_1M.topicName(),
                OutputJson.windowKey(id, start),
                OutputJson.sellerMinute(
                        new SellerMinute(id, start, start + MINUTE, 1, 1, revenueCents, isFinal)));
    }

    private void window(String id, int minute, long units, boolean isFinal) {
        long start = T0 + minute * MINUTE;
        accept(
                Topic.UNITS_PER_PRODUCT_5M.topicName(),
                OutputJson.windowKey(id, start),
                OutputJson.productWindowUnits(
                        new ProductWindowUnits(
                                id, "Tea", "food", start, start + 5 * MINUTE, units, isFinal)));
    }

    private void accept(String topic, byte[] key, byte[] value) {
        figures.accept(new ConsumerRecord<>(topic, 0, 0, key, value));
    }
}

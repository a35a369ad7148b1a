package com.salesaggregator.verify;

import com.salesaggregator.output.ProductWindow;
import com.salesaggregator.output.RegionMinute;
import com.salesaggregator.output.SellerMinute;
import com.salesaggregator.topics.Topic;
import com.salesaggregator.verify.ReferenceModel.DeadLetter;
import com.salesaggregator.verify.ReferenceModel.Expected;
import com.salesaggregator.verify.ReferenceModel.Line;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Compares the figures of a running job with the reference model, restricted to what is settled:
 * windows that had closed for good (window end plus {@code settleDelay} at or before {@code
 * cutoff}) when the input snapshot was taken, and the dead letters of lines in such minutes. A
 * settled window's figure can no longer change, and every line it counts was already in the input
 * snapshot; later lines for it are late. Running totals keep changing while the job runs, so they
 * are not compared here (the ITCases compare them after a drain).
 *
 * @param cutoff a window end the job's watermark had passed before the input snapshot was taken
 * @param settleDelay how long after its end a window can still change or a line still wait: the
 *     larger of the job's allowed lateness and its reference grace
 */
public record SettledComparison(Instant cutoff, Duration settleDelay) {

    /** The outcome per output: how many settled keys were compared, and the differences. */
    public record Result(Map<String, Integer> compared, List<String> differences) {
        public boolean matches() {
            return differences.isEmpty() && compared.values().stream().allMatch(n -> n > 0);
        }
    }

    /** True if a window ending at {@code windowEnd} (ISO-8601) was final at the cutoff. */
    public boolean settled(String windowEnd) {
        return !Instant.parse(windowEnd).plus(settleDelay).isAfter(cutoff);
    }

    /**
     * Compares the windowed outputs and the dead letters of settled lines.
     *
     * @param expected the reference model's figures for the input snapshot
     * @param published the latest published value per key of each windowed output, by topic name
     *     ({@link Topics}), already read with {@link OutputFormat}
     * @param deadLetters every {@code sales-dlq} entry read
     * @param snapshotEnds per source topic and partition, the end offset of the input snapshot
     */
    public Result compare(
            Expected expected,
            Map<String, Map<String, ?>> published,
            Collection<DeadLetter> deadLetters,
            Map<String, Map<Integer, Long>> snapshotEnds) {
        Map<String, Integer> compared = new LinkedHashMap<>();
        List<String> differences = new ArrayList<>();
        compare(
                Topic.REVENUE_PER_SELLER_1M.topicName(),
                expected.revenuePerSeller(),
                published,
                SellerMinute::windowEnd,
                compared,
                differences);
        compare(
                Topic.UNITS_PER_PRODUCT_5M.topicName(),
                expected.unitsPerProduct(),
                published,
                ProductWindow::windowEnd,
                compared,
                differences);
        compare(
                Topic.REGION_TREND_1M.topicName(),
                expected.regionTrend(),
                published,
                RegionMinute::windowEnd,
                compared,
                differences);
        compareDeadLetters(expected, deadLetters, snapshotEnds, compared, differences);
        return new Result(compared, differences);
    }

    private <T> void compare(
            String topic,
            Map<String, T> expected,
            Map<String, Map<String, ?>> published,
            Function<T, String> windowEnd,
            Map<String, Integer> compared,
            List<String> differences) {
        Map<String, T> want = settledOnly(expected, windowEnd);
        @SuppressWarnings("unchecked")
        Map<String, T> got =
                settledOnly((Map<String, T>) published.getOrDefault(topic, Map.of()), windowEnd);
        compared.put(topic, want.size());
        differences.addAll(FigureDifferences.report(topic, want, got, 10));
    }

    private <T> Map<String, T> settledOnly(Map<String, T> figures, Function<T, String> windowEnd) {
        Map<String, T> settled = new HashMap<>();
        figures.forEach(
                (key, figure) -> {
                    if (settled(windowEnd.apply(figure))) {
                        settled.put(key, figure);
                    }
                });
        return settled;
    }

    /**
     * Every record-level dead letter of the snapshot, and every line-level one of a settled minute,
     * is in {@code sales-dlq} exactly once; no other entry of those names a snapshot record.
     */
    private void compareDeadLetters(
            Expected expected,
            Collection<DeadLetter> published,
            Map<String, Map<Integer, Long>> snapshotEnds,
            Map<String, Integer> compared,
            List<String> differences) {
        Map<String, Long> lineTimes = new HashMap<>();
        for (Line line : expected.lines()) {
            lineTimes.put(line.lineId(), line.eventTime());
        }
        Map<DeadLetter, Integer> want = new HashMap<>();
        for (DeadLetter d : expected.deadLetters()) {
            if (decided(d, lineTimes)) {
                want.merge(d, 1, Integer::sum);
            }
        }
        Map<DeadLetter, Integer> got = new HashMap<>();
        for (DeadLetter d : published) {
            Long end = snapshotEnds.getOrDefault(d.sourceTopic(), Map.of()).get(d.partition());
            boolean inSnapshot = end != null && d.offset() < end;
            if (inSnapshot && decided(d, lineTimes)) {
                got.merge(d, 1, Integer::sum);
            }
        }
        compared.put(Topic.SALES_DLQ.topicName(), want.size());
        Map<String, Integer> wantByKey = new HashMap<>();
        Map<String, Integer> gotByKey = new HashMap<>();
        want.forEach((d, n) -> wantByKey.put(d.toString(), n));
        got.forEach((d, n) -> gotByKey.put(d.toString(), n));
        differences.addAll(
                FigureDifferences.report(
                        Topic.SALES_DLQ.topicName() + " (count per entry)",
                        wantByKey,
                        gotByKey,
                        10));
    }

    /** A record-level rejection is decided on read; a line's once its minute has settled. */
    private boolean decided(DeadLetter d, Map<String, Long> lineTimes) {
        if (d.lineId() == null) {
            return true;
        }
        Long time = lineTimes.get(d.lineId());
        if (time == null) {
            return false;
        }
        long minuteEnd = ReferenceModel.minuteOf(time) + 60_000;
        return settled(ReferenceModel.iso(minuteEnd));
    }
}

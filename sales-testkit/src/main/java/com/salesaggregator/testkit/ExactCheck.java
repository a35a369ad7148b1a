package com.salesaggregator.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import com.salesaggregator.codec.RejectReason;
import com.salesaggregator.output.ProductTotal;
import com.salesaggregator.output.RegionMinute;
import com.salesaggregator.output.RegionTotal;
import com.salesaggregator.output.SellerMinute;
import com.salesaggregator.topics.Topic;
import com.salesaggregator.verify.FigureDifferences;
import com.salesaggregator.verify.ReferenceModel;
import com.salesaggregator.verify.ReferenceModel.DeadLetter;
import com.salesaggregator.verify.ReferenceModel.Expected;
import com.salesaggregator.verify.ReferenceModel.Fate;
import com.salesaggregator.verify.ReferenceModel.InputRecord;
import com.salesaggregator.verify.ReferenceModel.Line;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BinaryOperator;
import java.util.function.Function;

/**
 * The exact check of a run: what was published (read with {@code read_committed}) against the
 * {@link ReferenceModel}'s recomputation, key by key; every dead letter once, with its source
 * record; every line in exactly one place; and the outputs adding up to each other.
 */
public final class ExactCheck {

    private ExactCheck() {}

    /**
     * Same keys and values in all five aggregates, the last value of every window final and no
     * provisional value above it; on failure, the first differences of each.
     */
    public static void assertFiguresMatch(Expected expected, Published published) {
        List<String> report = new ArrayList<>(published.windowRules());
        report.addAll(
                differences(
                        Topic.REVENUE_PER_SELLER_1M.topicName(),
                        expected.revenuePerSeller(),
                        published.revenuePerSeller()));
        report.addAll(
                differences(
                        Topic.UNITS_PER_PRODUCT_5M.topicName(),
                        expected.unitsPerProduct(),
                        published.unitsPerProduct()));
        report.addAll(
                differences(
                        Topic.REGION_TREND_1M.topicName(),
                        expected.regionTrend(),
                        published.regionTrend()));
        report.addAll(
                differences(
                        Topic.REVENUE_PER_PRODUCT.topicName(),
                        expected.revenuePerProduct(),
                        published.revenuePerProduct()));
        report.addAll(
                differences(
                        Topic.SALES_PER_REGION.topicName(),
                        expected.salesPerRegion(),
                        published.salesPerRegion()));
        assertThat(report)
                .as("figures differing from the reference model:%n%s", String.join("\n", report))
                .isEmpty();
    }

    private static <T> List<String> differences(
            String output, Map<String, T> expected, Map<String, T> actual) {
        return FigureDifferences.report(output, expected, actual, 8);
    }

    public static void assertDeadLettersMatch(
            Expected expected, Published published, List<InputRecord> produced) {
        Comparator<DeadLetter> order =
                Comparator.comparing(DeadLetter::sourceTopic)
                        .thenComparingInt(DeadLetter::partition)
                        .thenComparingLong(DeadLetter::offset)
                        .thenComparing(
                                DeadLetter::lineId,
                                Comparator.nullsFirst(Comparator.naturalOrder()));
        List<DeadLetter> want = expected.deadLetters().stream().sorted(order).toList();
        List<DeadLetter> got =
                published.deadLetters().stream().map(DlqEntry::id).sorted(order).toList();
        List<DeadLetter> missing = new ArrayList<>(want);
        got.forEach(missing::remove);
        List<DeadLetter> unexpected = new ArrayList<>(got);
        want.forEach(unexpected::remove);
        assertThat(missing).as("dead letters missing from sales-dlq").isEmpty();
        assertThat(unexpected).as("unexpected or repeated dead letters in sales-dlq").isEmpty();
        assertThat(got).isEqualTo(want);

        // A rejected record is published as received: its key and value bytes, and a message.
        Map<String, InputRecord> byPosition = new HashMap<>();
        produced.forEach(
                r -> byPosition.put(r.topic() + ":" + r.partition() + ":" + r.offset(), r));
        for (DlqEntry dlq : published.deadLetters()) {
            DeadLetter id = dlq.id();
            String position = id.sourceTopic() + ":" + id.partition() + ":" + id.offset();
            assertThat(dlq.key())
                    .as("key of the dead letter for %s", position)
                    .isEqualTo(id.lineId() == null ? position : position + ":" + id.lineId());
            assertThat(dlq.message()).as("message of %s", dlq.key()).isNotBlank();
            InputRecord source = byPosition.get(position);
            assertThat(dlq.sourceKey()).as("source key in %s", dlq.key()).isEqualTo(source.key());
            if (id.reason().equals(RejectReason.DUPLICATE.name())) {
                Line first =
                        expected.lines().stream()
                                .filter(l -> l.lineId().equals(id.lineId()))
                                .findFirst()
                                .orElseThrow();
                assertThat(dlq.message())
                        .as("a resend names its first delivery")
                        .contains(
                                "first delivered at partition "
                                        + first.partition()
                                        + " offset "
                                        + first.offset());
            }
            if (id.lineId() != null) {
                continue;
            }
            if (dlq.truncatedValueBytes() == null) {
                assertThat(dlq.sourceValue())
                        .as("source value in %s", dlq.key())
                        .isEqualTo(source.value());
            } else {
                // A value too large to carry whole: its start, and its full size.
                assertThat(dlq.truncatedValueBytes())
                        .as("size of the truncated value in %s", dlq.key())
                        .isEqualTo(source.value().length);
                assertThat(dlq.sourceValue().length)
                        .as("bytes of the truncated value in %s", dlq.key())
                        .isBetween(1, source.value().length - 1);
                assertThat(source.value())
                        .as("source value in %s", dlq.key())
                        .startsWith(dlq.sourceValue());
            }
        }
    }

    /**
     * Every sales record is split into lines or dead-lettered whole, and every line ends in exactly
     * one place, judged from what was published: sales-dlq, sales-late, or (the rest) the
     * aggregates, whose units add up to exactly the rest.
     */
    public static void assertEveryLineAccountedForOnce(
            Expected expected, Published published, RunTopics topics, List<InputRecord> produced) {
        Set<String> sales =
                Set.of(
                        topics.of(Topic.SALES_ONLINE.topicName()),
                        topics.of(Topic.SALES_STORE.topicName()));
        List<String> salesRecords =
                produced.stream()
                        .filter(r -> sales.contains(r.topic()))
                        .map(r -> r.topic() + ":" + r.partition() + ":" + r.offset())
                        .toList();
        Set<String> split = new HashSet<>();
        expected.lines()
                .forEach(l -> split.add(l.sourceTopic() + ":" + l.partition() + ":" + l.offset()));
        expected.resends()
                .forEach(l -> split.add(l.sourceTopic() + ":" + l.partition() + ":" + l.offset()));
        List<String> rejectedWhole =
                published.deadLetters().stream()
                        .map(DlqEntry::id)
                        .filter(d -> d.lineId() == null && sales.contains(d.sourceTopic()))
                        .map(d -> d.sourceTopic() + ":" + d.partition() + ":" + d.offset())
                        .toList();
        assertThat(rejectedWhole).doesNotHaveDuplicates().doesNotContainAnyElementsOf(split);
        assertThat(split.size() + rejectedWhole.size())
                .as("sales records split into lines or dead-lettered whole")
                .isEqualTo(salesRecords.size());

        // A resend shares its line ids with the first delivery: its lines are told apart by
        // position, and each must be in sales-dlq as DUPLICATE, once.
        List<DeadLetter> duplicates =
                published.deadLetters().stream()
                        .map(DlqEntry::id)
                        .filter(d -> d.reason().equals(RejectReason.DUPLICATE.name()))
                        .toList();
        assertThat(
                        duplicates.stream()
                                .map(
                                        d ->
                                                d.sourceTopic()
                                                        + ":"
                                                        + d.partition()
                                                        + ":"
                                                        + d.offset()
                                                        + ":"
                                                        + d.lineId()))
                .as("lines of resends in sales-dlq as DUPLICATE")
                .containsExactlyInAnyOrderElementsOf(
                        expected.resends().stream().map(Line::key).toList());

        Map<String, Line> lines = new LinkedHashMap<>();
        expected.lines().forEach(line -> lines.put(line.lineId(), line));
        List<String> deadLines =
                published.deadLetters().stream()
                        .map(DlqEntry::id)
                        .filter(d -> !duplicates.contains(d))
                        .map(DeadLetter::lineId)
                        .filter(Objects::nonNull)
                        .toList();
        assertThat(deadLines).doesNotHaveDuplicates();
        assertThat(lines.keySet()).containsAll(deadLines).containsAll(published.late().keySet());
        Set<String> elsewhere = new HashSet<>(deadLines);
        // Filtered rather than doesNotContainAnyElementsOf, which refuses an empty set (a run
        // without dead-lettered lines).
        assertThat(published.late().keySet())
                .as("late lines that were also dead-lettered")
                .filteredOn(elsewhere::contains)
                .isEmpty();
        elsewhere.addAll(published.late().keySet());

        long countedUnits = 0;
        for (Line line : lines.values()) {
            boolean counted = !elsewhere.contains(line.lineId());
            assertThat(expected.fates().get(line.lineId()) == Fate.COUNTED)
                    .as("line %s counted", line.lineId())
                    .isEqualTo(counted);
            countedUnits += counted ? line.quantity() : 0;
        }
        assertThat(sum(published.salesPerRegion().values(), RegionTotal::units))
                .as("units in sales-per-region: the lines neither dead-lettered nor late")
                .isEqualTo(countedUnits);
        assertThat(sum(published.revenuePerProduct().values(), ProductTotal::units))
                .isEqualTo(countedUnits);
        assertThat(sum(published.regionTrend().values(), RegionMinute::units))
                .isEqualTo(countedUnits);
        assertThat(sum(published.revenuePerSeller().values(), SellerMinute::units))
                .isEqualTo(countedUnits);
    }

    /** The outputs agree with each other, whatever the reference model says. */
    public static void assertOutputsAddUp(Published published) {
        Map<String, RegionTotal> trendSums = new TreeMap<>();
        for (RegionMinute minute : published.regionTrend().values()) {
            trendSums.merge(
                    minute.region(),
                    new RegionTotal(minute.region(), minute.units(), minute.revenueEur()),
                    (a, b) ->
                            new RegionTotal(
                                    a.region(),
                                    a.units() + b.units(),
                                    a.revenueEur().add(b.revenueEur())));
        }
        assertThat(trendSums)
                .as("region-trend-1m summed over all minutes equals sales-per-region")
                .isEqualTo(published.salesPerRegion());

        BigDecimal regions = money(published.salesPerRegion().values(), RegionTotal::revenueEur);
        assertThat(money(published.revenuePerProduct().values(), ProductTotal::revenueEur))
                .as("revenue over all products equals revenue over all regions")
                .isEqualTo(regions);
        assertThat(money(published.revenuePerSeller().values(), SellerMinute::revenueEur))
                .as("revenue over all seller-minutes equals revenue over all regions")
                .isEqualTo(regions);

        Map<String, Long> windowUnits = new TreeMap<>();
        published
                .unitsPerProduct()
                .values()
                .forEach(w -> windowUnits.merge(w.productId(), w.units(), Long::sum));
        Map<String, Long> fiveTimesTotals = new TreeMap<>();
        published
                .revenuePerProduct()
                .values()
                .forEach(t -> fiveTimesTotals.put(t.productId(), 5 * t.units()));
        assertThat(windowUnits)
                .as("each unit is in five 5-minute windows")
                .isEqualTo(fiveTimesTotals);
    }

    private static <T> long sum(Collection<T> values, Function<T, Long> units) {
        return values.stream().mapToLong(units::apply).sum();
    }

    private static <T> BigDecimal money(Collection<T> values, Function<T, BigDecimal> amount) {
        BinaryOperator<BigDecimal> add = BigDecimal::add;
        return values.stream().map(amount).reduce(BigDecimal.ZERO.setScale(2), add);
    }
}

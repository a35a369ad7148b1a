package com.salesaggregator.verify;

import com.salesaggregator.codec.CodecLimits;
import com.salesaggregator.codec.DecodeResult;
import com.salesaggregator.codec.EventCodec;
import com.salesaggregator.codec.RejectReason;
import com.salesaggregator.model.FxRate;
import com.salesaggregator.model.OnlineOrder;
import com.salesaggregator.model.Product;
import com.salesaggregator.model.ReceiptLine;
import com.salesaggregator.model.StoreReceipt;
import com.salesaggregator.output.ProductTotal;
import com.salesaggregator.output.ProductWindow;
import com.salesaggregator.output.RegionMinute;
import com.salesaggregator.output.RegionTotal;
import com.salesaggregator.output.SellerMinute;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What the aggregation job must publish, recomputed from first principles (PRODUCT.md, "Semantics")
 * from the input records as produced and the set of lines found late. Deliberately naive:
 * whole-history lists, no watermarks, no state pruning, no Flink, and none of the job's functions,
 * records or serializers; only {@link EventCodec} decodes input values, since the codec is tested
 * on its own.
 */
public final class ReferenceModel {

    private static final long MINUTE = 60_000;
    private static final int SLIDING_WINDOW_MINUTES = 5;
    private static final String EUR = "EUR";

    /** Every window figure the model computes is a closed window's: final. */
    private static final boolean FINAL = true;

    private ReferenceModel() {}

    /**
     * A backfill's event-time range {@code [from, to)} in epoch millis: lines outside it are
     * skipped (neither counted nor dead letters), and so are rejected records whose record
     * timestamp lies outside it (they have no event time); {@link #ALL} for the live job.
     */
    public record Range(long from, long to) {
        /** Every time: the live job. */
        public static final Range ALL = new Range(Long.MIN_VALUE, Long.MAX_VALUE);

        public boolean contains(long time) {
            return time >= from && time < to;
        }
    }

    /** One input record as the broker stored it. */
    public record InputRecord(
            String topic, int partition, long offset, byte[] key, byte[] value, long timestamp) {}

    /** The four input topics of a run. */
    public record InputTopics(String online, String store, String products, String fxRates) {}

    /**
     * One decoded sale line and where it came from. A resent sale's lines have the same line ids as
     * its first delivery's: {@link #key()} tells them apart.
     */
    public record Line(
            String lineId,
            String sourceTopic,
            int partition,
            long offset,
            String orderId,
            String sellerId,
            String region,
            String productId,
            int quantity,
            BigDecimal unitPrice,
            String currency,
            long eventTime) {

        /** Unique per delivered line: {@code topic:partition:offset:line_id}, as in sales-dlq. */
        public String key() {
            return sourceTopic + ":" + partition + ":" + offset + ":" + lineId;
        }
    }

    /** Where a decoded line of a sale's first delivery ends up. */
    public enum Fate {
        COUNTED,
        DEAD_LETTER,
        LATE
    }

    /** A line with the reference data in force at its event time and its money, in EUR. */
    public record PricedLine(
            Line line, String name, String category, BigDecimal revenueEur, BigDecimal marginEur) {}

    // ------------------------------------------------------------ expected output values

    /** What identifies a {@code sales-dlq} entry: its source position, line and reason. */
    public record DeadLetter(
            String sourceTopic, int partition, long offset, String lineId, String reason) {}

    /** A {@code sales-late} entry: the line, its minute and its money at event time. */
    public record LateLine(
            String lineId,
            String productName,
            BigDecimal revenueEur,
            String windowStart,
            String windowEnd) {}

    /**
     * Everything the job must publish: the final value per key of each output, the dead letters and
     * the late lines; the lines of every sale's first delivery with their fates (by line id), and
     * the lines of every resend (each a DUPLICATE dead letter).
     */
    public record Expected(
            Map<String, SellerMinute> revenuePerSeller,
            Map<String, ProductWindow> unitsPerProduct,
            Map<String, RegionMinute> regionTrend,
            Map<String, ProductTotal> revenuePerProduct,
            Map<String, RegionTotal> salesPerRegion,
            List<DeadLetter> deadLetters,
            Map<String, LateLine> late,
            List<Line> lines,
            Map<String, Fate> fates,
            List<Line> resends) {}

    /**
     * A windowed output's key while lines are grouped: its id (seller, product or region) and
     * window start; formatted as the output key ({@code id@start}) once per window, not once per
     * line.
     */
    private record KeyAt(String id, long start) {
        String outputKey() {
            return id + "@" + iso(start);
        }
    }

    /** A catalog version: in force from {@code validFrom}, or a delisting from then on. */
    private record CatalogVersion(
            long validFrom,
            String name,
            String category,
            BigDecimal unitCostEur,
            boolean delisted) {}

    /**
     * The expected outputs for {@code input} (every record of the four input topics, in the order
     * produced) when exactly the lines {@code lateLineIds} were found late. A sale is counted once:
     * of the accepted sales records with the same topic and order or receipt id, the first in
     * {@code input} is its delivery and each later one a resend, whose lines all go to sales-dlq as
     * DUPLICATE (the whole input lies within the dedup horizon). Late lines are first deliveries.
     */
    public static Expected compute(
            List<InputRecord> input, InputTopics topics, Set<String> lateLineIds) {
        return compute(input, topics, lateLineIds, CodecLimits.defaults());
    }

    /** As {@link #compute(List, InputTopics, Set)}, for a job run with other codec limits. */
    public static Expected compute(
            List<InputRecord> input,
            InputTopics topics,
            Set<String> lateLineIds,
            CodecLimits limits) {
        return compute(input, topics, lateLineIds, limits, Range.ALL);
    }

    /**
     * As {@link #compute(List, InputTopics, Set, CodecLimits)}, for a backfill over {@code range}:
     * reference versions from all of {@code input}, only the lines (by event time) and rejected
     * records (by record timestamp) of the range; running totals are the range's totals.
     */
    public static Expected compute(
            List<InputRecord> input,
            InputTopics topics,
            Set<String> lateLineIds,
            CodecLimits limits,
            Range range) {
        EventCodec codec = new EventCodec(limits);
        Map<String, String> firstDeliveries = firstDeliveries(codec, input, topics);
        List<DeadLetter> deadLetters = new ArrayList<>();
        List<InputRecord> ordered = new ArrayList<>(input);
        // Per partition in offset order: of two versions with the same validity the later wins.
        ordered.sort(
                Comparator.comparing(InputRecord::topic)
                        .thenComparingInt(InputRecord::partition)
                        .thenComparingLong(InputRecord::offset));

        Map<String, List<CatalogVersion>> catalog = new HashMap<>();
        Map<String, TreeMap<Long, BigDecimal>> rates = new HashMap<>();
        List<Line> lines = new ArrayList<>();
        for (InputRecord record : ordered) {
            boolean reference =
                    record.topic().equals(topics.products())
                            || record.topic().equals(topics.fxRates());
            if (reference && EventCodec.isHeartbeatKey(record.key())) {
                // A heartbeat is watermark progress only: no version, no line; a bad one is a
                // dead letter like any bad reference record.
                DecodeResult<?> heartbeat =
                        codec.decodeHeartbeat(
                                record.key(),
                                record.partition(),
                                record.value(),
                                record.timestamp());
                if (!heartbeat.isAccepted()) {
                    deadLetters.add(recordDeadLetter(record, heartbeat));
                }
            } else if (record.topic().equals(topics.products())) {
                readProduct(codec, record, catalog, deadLetters);
            } else if (record.topic().equals(topics.fxRates())) {
                DecodeResult<FxRate> rate = codec.decodeFxRate(record.value(), record.timestamp());
                if (rate.isAccepted()) {
                    rates.computeIfAbsent(rate.event().currency(), c -> new TreeMap<>())
                            .put(
                                    rate.event().validFrom().toEpochMilli(),
                                    rate.event().eurPerUnit());
                } else {
                    deadLetters.add(recordDeadLetter(record, rate));
                }
            } else if (record.topic().equals(topics.online())) {
                DecodeResult<OnlineOrder> order =
                        codec.decodeOrder(record.value(), record.timestamp());
                if (order.isAccepted()) {
                    lines.add(lineOf(order.event(), record));
                } else {
                    deadLetters.add(recordDeadLetter(record, order));
                }
            } else if (record.topic().equals(topics.store())) {
                DecodeResult<StoreReceipt> receipt =
                        codec.decodeReceipt(record.value(), record.timestamp());
                if (receipt.isAccepted()) {
                    lines.addAll(linesOf(receipt.event(), record));
                } else {
                    deadLetters.add(recordDeadLetter(record, receipt));
                }
            } else {
                throw new IllegalArgumentException("not an input topic: " + record.topic());
            }
        }

        lines.removeIf(line -> !range.contains(line.eventTime()));
        Map<String, Long> timestamps = new HashMap<>();
        input.forEach(
                r ->
                        timestamps.put(
                                r.topic() + ":" + r.partition() + ":" + r.offset(), r.timestamp()));
        deadLetters.removeIf(
                d ->
                        !range.contains(
                                timestamps.get(
                                        d.sourceTopic() + ":" + d.partition() + ":" + d.offset())));

        Map<String, Fate> fates = new LinkedHashMap<>();
        List<PricedLine> counted = new ArrayList<>();
        Map<String, LateLine> late = new LinkedHashMap<>();
        List<Line> firstLines = new ArrayList<>();
        List<Line> resends = new ArrayList<>();
        for (Line line : lines) {
            String position = line.sourceTopic() + ":" + line.partition() + ":" + line.offset();
            if (!position.equals(firstDeliveries.get(line.sourceTopic() + ":" + line.orderId()))) {
                resends.add(line);
                deadLetters.add(
                        new DeadLetter(
                                line.sourceTopic(),
                                line.partition(),
                                line.offset(),
                                line.lineId(),
                                RejectReason.DUPLICATE.name()));
                continue;
            }
            firstLines.add(line);
            if (fates.containsKey(line.lineId())) {
                throw new IllegalArgumentException("line id used twice: " + line.lineId());
            }
            CatalogVersion version = inForce(catalog.get(line.productId()), line.eventTime());
            RejectReason rejection = null;
            BigDecimal eurPerUnit = null;
            if (version == null) {
                rejection = RejectReason.UNKNOWN_PRODUCT;
            } else if (version.delisted()) {
                rejection = RejectReason.DELISTED_PRODUCT;
            } else if (EUR.equals(line.currency())) {
                eurPerUnit = BigDecimal.ONE;
            } else {
                TreeMap<Long, BigDecimal> history = rates.get(line.currency());
                Map.Entry<Long, BigDecimal> rate =
                        history == null ? null : history.floorEntry(line.eventTime());
                if (rate == null) {
                    rejection = RejectReason.NO_FX_RATE;
                } else {
                    eurPerUnit = rate.getValue();
                }
            }
            if (rejection != null) {
                fates.put(line.lineId(), Fate.DEAD_LETTER);
                deadLetters.add(
                        new DeadLetter(
                                line.sourceTopic(),
                                line.partition(),
                                line.offset(),
                                line.lineId(),
                                rejection.name()));
                continue;
            }
            BigDecimal quantity = BigDecimal.valueOf(line.quantity());
            BigDecimal revenue =
                    quantity.multiply(line.unitPrice())
                            .multiply(eurPerUnit)
                            .setScale(2, RoundingMode.HALF_EVEN);
            BigDecimal margin =
                    revenue.subtract(quantity.multiply(version.unitCostEur()))
                            .setScale(2, RoundingMode.HALF_EVEN);
            PricedLine priced =
                    new PricedLine(line, version.name(), version.category(), revenue, margin);
            if (lateLineIds.contains(line.lineId())) {
                fates.put(line.lineId(), Fate.LATE);
                long start = minuteOf(line.eventTime());
                late.put(
                        line.lineId(),
                        new LateLine(
                                line.lineId(),
                                version.name(),
                                revenue,
                                iso(start),
                                iso(start + MINUTE)));
            } else {
                fates.put(line.lineId(), Fate.COUNTED);
                counted.add(priced);
            }
        }
        Set<String> unknownLate = new HashSet<>(lateLineIds);
        unknownLate.removeAll(fates.keySet());
        if (!unknownLate.isEmpty()) {
            throw new IllegalArgumentException("late lines not in the input: " + unknownLate);
        }

        return new Expected(
                revenuePerSeller(counted),
                unitsPerProduct(counted),
                regionTrend(counted),
                revenuePerProduct(counted),
                salesPerRegion(counted),
                List.copyOf(deadLetters),
                late,
                List.copyOf(firstLines),
                fates,
                List.copyOf(resends));
    }

    /**
     * For each sale identity ({@code topic:order_or_receipt_id}) of an accepted sales record, the
     * position ({@code topic:partition:offset}) of the first record in {@code input} to carry it.
     */
    private static Map<String, String> firstDeliveries(
            EventCodec codec, List<InputRecord> input, InputTopics topics) {
        Map<String, String> first = new HashMap<>();
        for (InputRecord record : input) {
            String id = null;
            if (record.topic().equals(topics.online())) {
                DecodeResult<OnlineOrder> order = codec.decodeOrder(record.value());
                id = order.isAccepted() ? order.event().orderId() : null;
            } else if (record.topic().equals(topics.store())) {
                DecodeResult<StoreReceipt> receipt = codec.decodeReceipt(record.value());
                id = receipt.isAccepted() ? receipt.event().receiptId() : null;
            }
            if (id != null) {
                first.putIfAbsent(
                        record.topic() + ":" + id,
                        record.topic() + ":" + record.partition() + ":" + record.offset());
            }
        }
        return first;
    }

    private static void readProduct(
            EventCodec codec,
            InputRecord record,
            Map<String, List<CatalogVersion>> catalog,
            List<DeadLetter> deadLetters) {
        if (record.value() == null) {
            // A tombstone delists the product named by its key from the record timestamp on.
            if (record.key() == null || record.key().length == 0) {
                deadLetters.add(
                        new DeadLetter(
                                record.topic(),
                                record.partition(),
                                record.offset(),
                                null,
                                RejectReason.MISSING_FIELD.name()));
                return;
            }
            String productId = new String(record.key(), StandardCharsets.UTF_8);
            catalog.computeIfAbsent(productId, p -> new ArrayList<>())
                    .add(new CatalogVersion(record.timestamp(), null, null, null, true));
            return;
        }
        DecodeResult<Product> product = codec.decodeProduct(record.value(), record.timestamp());
        if (!product.isAccepted()) {
            deadLetters.add(recordDeadLetter(record, product));
            return;
        }
        Product p = product.event();
        catalog.computeIfAbsent(p.productId(), id -> new ArrayList<>())
                .add(
                        new CatalogVersion(
                                p.updatedAt().toEpochMilli(),
                                p.name(),
                                p.category(),
                                p.unitCostEur(),
                                false));
    }

    /** The version with the latest validity at or before {@code time}; null if none. */
    private static CatalogVersion inForce(List<CatalogVersion> versions, long time) {
        if (versions == null) {
            return null;
        }
        CatalogVersion found = null;
        for (CatalogVersion version : versions) {
            // ">=": of two versions with the same validity, the one read later wins.
            if (version.validFrom() <= time
                    && (found == null || version.validFrom() >= found.validFrom())) {
                found = version;
            }
        }
        return found;
    }

    private static DeadLetter recordDeadLetter(InputRecord record, DecodeResult<?> result) {
        return new DeadLetter(
                record.topic(),
                record.partition(),
                record.offset(),
                null,
                result.rejection().reason().name());
    }

    private static Line lineOf(OnlineOrder order, InputRecord record) {
        return new Line(
                order.orderId(),
                record.topic(),
                record.partition(),
                record.offset(),
                order.orderId(),
                order.sellerId(),
                order.region(),
                order.productId(),
                order.quantity(),
                order.unitPrice(),
                order.currency(),
                order.eventTime().toEpochMilli());
    }

    private static List<Line> linesOf(StoreReceipt receipt, InputRecord record) {
        List<Line> lines = new ArrayList<>();
        for (int i = 0; i < receipt.lines().size(); i++) {
            ReceiptLine entry = receipt.lines().get(i);
            lines.add(
                    new Line(
                            receipt.receiptId() + "#" + i,
                            record.topic(),
                            record.partition(),
                            record.offset(),
                            receipt.receiptId(),
                            receipt.sellerId(),
                            receipt.region(),
                            entry.productId(),
                            entry.quantity(),
                            entry.unitPrice(),
                            receipt.currency(),
                            receipt.eventTime().toEpochMilli()));
        }
        return lines;
    }

    // ------------------------------------------------------------ the five aggregates

    private static Map<String, SellerMinute> revenuePerSeller(List<PricedLine> counted) {
        Map<KeyAt, List<PricedLine>> groups = new HashMap<>();
        for (PricedLine p : counted) {
            long start = minuteOf(p.line().eventTime());
            groups.computeIfAbsent(new KeyAt(p.line().sellerId(), start), k -> new ArrayList<>())
                    .add(p);
        }
        Map<String, SellerMinute> out = new TreeMap<>();
        groups.forEach(
                (key, group) -> {
                    PricedLine first = group.get(0);
                    long start = key.start();
                    Set<String> orders = new HashSet<>();
                    group.forEach(p -> orders.add(p.line().orderId()));
                    out.put(
                            key.outputKey(),
                            new SellerMinute(
                                    first.line().sellerId(),
                                    iso(start),
                                    iso(start + MINUTE),
                                    orders.size(),
                                    units(group),
                                    revenue(group),
                                    FINAL));
                });
        return out;
    }

    private static Map<String, ProductWindow> unitsPerProduct(List<PricedLine> counted) {
        Map<KeyAt, List<PricedLine>> groups = new HashMap<>();
        for (PricedLine p : counted) {
            long minute = minuteOf(p.line().eventTime());
            // Five-minute windows starting every minute: a line is in the five that start in
            // the four minutes before its own and in its own.
            for (int back = 0; back < SLIDING_WINDOW_MINUTES; back++) {
                long start = minute - back * MINUTE;
                groups.computeIfAbsent(
                                new KeyAt(p.line().productId(), start), k -> new ArrayList<>())
                        .add(p);
            }
        }
        Map<String, ProductWindow> out = new TreeMap<>();
        groups.forEach(
                (key, group) -> {
                    PricedLine latest = latest(group);
                    long start = key.start();
                    out.put(
                            key.outputKey(),
                            new ProductWindow(
                                    latest.line().productId(),
                                    latest.name(),
                                    latest.category(),
                                    iso(start),
                                    iso(start + SLIDING_WINDOW_MINUTES * MINUTE),
                                    units(group),
                                    FINAL));
                });
        return out;
    }

    private static Map<String, RegionMinute> regionTrend(List<PricedLine> counted) {
        Map<KeyAt, List<PricedLine>> groups = new HashMap<>();
        for (PricedLine p : counted) {
            long start = minuteOf(p.line().eventTime());
            groups.computeIfAbsent(new KeyAt(p.line().region(), start), k -> new ArrayList<>())
                    .add(p);
        }
        Map<String, RegionMinute> out = new TreeMap<>();
        groups.forEach(
                (key, group) -> {
                    PricedLine first = group.get(0);
                    long start = key.start();
                    out.put(
                            key.outputKey(),
                            new RegionMinute(
                                    first.line().region(),
                                    iso(start),
                                    iso(start + MINUTE),
                                    units(group),
                                    revenue(group),
                                    FINAL));
                });
        return out;
    }

    private static Map<String, ProductTotal> revenuePerProduct(List<PricedLine> counted) {
        Map<String, List<PricedLine>> groups = new TreeMap<>();
        counted.forEach(
                p -> groups.computeIfAbsent(p.line().productId(), k -> new ArrayList<>()).add(p));
        Map<String, ProductTotal> out = new TreeMap<>();
        groups.forEach(
                (product, group) -> {
                    BigDecimal margin = BigDecimal.ZERO.setScale(2);
                    for (PricedLine p : group) {
                        margin = margin.add(p.marginEur());
                    }
                    out.put(
                            product,
                            new ProductTotal(
                                    product,
                                    latest(group).name(),
                                    units(group),
                                    revenue(group),
                                    margin));
                });
        return out;
    }

    private static Map<String, RegionTotal> salesPerRegion(List<PricedLine> counted) {
        Map<String, List<PricedLine>> groups = new TreeMap<>();
        counted.forEach(
                p -> groups.computeIfAbsent(p.line().region(), k -> new ArrayList<>()).add(p));
        Map<String, RegionTotal> out = new TreeMap<>();
        groups.forEach(
                (region, group) ->
                        out.put(region, new RegionTotal(region, units(group), revenue(group))));
        return out;
    }

    /** The line with the latest event time (lines at the same instant share a version). */
    private static PricedLine latest(Collection<PricedLine> group) {
        PricedLine latest = null;
        for (PricedLine p : group) {
            if (latest == null || p.line().eventTime() > latest.line().eventTime()) {
                latest = p;
            }
        }
        return latest;
    }

    private static long units(Collection<PricedLine> group) {
        long units = 0;
        for (PricedLine p : group) {
            units += p.line().quantity();
        }
        return units;
    }

    private static BigDecimal revenue(Collection<PricedLine> group) {
        BigDecimal sum = BigDecimal.ZERO.setScale(2);
        for (PricedLine p : group) {
            sum = sum.add(p.revenueEur());
        }
        return sum;
    }

    /** Start of the UTC minute containing {@code time}. */
    public static long minuteOf(long time) {
        return Math.floorDiv(time, MINUTE) * MINUTE;
    }

    /** ISO-8601 UTC, as in the output keys and values, e.g. {@code 2026-11-22T10:05:00Z}. */
    public static String iso(long epochMillis) {
        return Instant.ofEpochMilli(epochMillis).toString();
    }
}

package com.salesaggregator.bench.streams;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.salesaggregator.bench.streams.PeerRecords.CatalogVersion;
import com.salesaggregator.bench.streams.PeerRecords.FirstDelivery;
import com.salesaggregator.bench.streams.PeerRecords.Line;
import com.salesaggregator.bench.streams.PeerRecords.Priced;
import com.salesaggregator.bench.streams.PeerRecords.RateVersion;
import com.salesaggregator.bench.streams.PeerRecords.SellerAcc;
import com.salesaggregator.bench.streams.PeerRecords.Totals;
import com.salesaggregator.bench.streams.PeerRecords.UnitsAcc;
import com.salesaggregator.codec.DecodeResult;
import com.salesaggregator.codec.EventCodec;
import com.salesaggregator.model.FxRate;
import com.salesaggregator.model.OnlineOrder;
import com.salesaggregator.model.Product;
import com.salesaggregator.model.ReceiptLine;
import com.salesaggregator.model.StoreReceipt;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToLongFunction;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KGroupedStream;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;

/**
 * The Kafka Streams peer: the job's five aggregates written as a careful Kafka Streams user would.
 *
 * <ul>
 *   <li>Sales are decoded with the project's codec (the same wire format library any team in the
 *       company would use), store receipts split into lines, rejected records skipped.
 *   <li>Upstream resends are dropped by identity (channel and order or receipt id) after a
 *       repartition by it, remembering each sale's first delivery in a logged store for the dedup
 *       horizon (a wall-clock punctuator forgets expired entries).
 *   <li>The catalog and the FX rates are small: global stores holding every version, so each line
 *       is priced with the version in force at its event time without a repartition (a GlobalKTable
 *       would keep only the latest version, wrong for any line older than a change).
 *   <li>Aggregates with the DSL on in-memory stores (the job keeps its state on the heap too), one
 *       explicit repartition per key (seller, product, region) shared by the aggregates on it;
 *       windows with a grace period long enough for the skew between partitions when a backlog is
 *       replayed (Kafka Streams has no watermarks: a window closes on stream time).
 * </ul>
 */
public final class SalesStreamsTopology {

    /** Output and input topic names of one run. */
    public record Topics(
            String online,
            String store,
            String products,
            String fxRates,
            String revenuePerSeller,
            String unitsPerProduct,
            String revenuePerProduct,
            String salesPerRegion,
            String regionTrend) {}

    /** Repartition topics the topology creates: by sale identity, seller, product and region. */
    public static final int REPARTITIONS = 4;

    private static final Duration MINUTE = Duration.ofMinutes(1);
    private static final Duration DEDUP_HORIZON = Duration.ofHours(1);
    private static final String CATALOG = "catalog-versions";
    private static final String RATES = "fx-rate-versions";
    private static final String FIRST_DELIVERIES = "first-deliveries";
    private static final JsonFactory JSON =
            JsonFactory.builder().enable(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN).build();

    private SalesStreamsTopology() {}

    /** Adds the topology to {@code builder}; windows accept records {@code grace} behind. */
    public static void build(StreamsBuilder builder, Topics topics, Duration grace) {
        builder.addGlobalStore(
                Stores.keyValueStoreBuilder(
                                Stores.inMemoryKeyValueStore(CATALOG),
                                Serdes.String(),
                                PeerRecords.CATALOG_HISTORY)
                        .withLoggingDisabled(),
                topics.products(),
                Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()),
                CatalogLoader::new);
        builder.addGlobalStore(
                Stores.keyValueStoreBuilder(
                                Stores.inMemoryKeyValueStore(RATES),
                                Serdes.String(),
                                PeerRecords.RATE_HISTORY)
                        .withLoggingDisabled(),
                topics.fxRates(),
                Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()),
                RateLoader::new);
        builder.addStateStore(
                Stores.keyValueStoreBuilder(
                        Stores.inMemoryKeyValueStore(FIRST_DELIVERIES),
                        Serdes.String(),
                        PeerRecords.FIRST_DELIVERY));

        KStream<String, Line> online =
                builder.stream(
                                topics.online(),
                                Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()))
                        .process(() -> new Decode(true));
        KStream<String, Line> store =
                builder.stream(
                                topics.store(),
                                Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()))
                        .process(() -> new Decode(false));
        KStream<String, Priced> priced =
                online.merge(store)
                        .repartition(
                                Repartitioned.with(Serdes.String(), PeerRecords.LINE)
                                        .withName("sales-by-identity"))
                        .process(DedupAndPrice::new, FIRST_DELIVERIES);

        // Seller: revenue per seller per minute.
        priced.selectKey((k, v) -> v.sellerId())
                .repartition(
                        Repartitioned.with(Serdes.String(), PeerRecords.PRICED)
                                .withName("by-seller"))
                .groupByKey(Grouped.with(Serdes.String(), PeerRecords.PRICED))
                .windowedBy(TimeWindows.ofSizeAndGrace(MINUTE, grace))
                .aggregate(
                        SellerAcc::new,
                        (seller, p, acc) -> {
                            acc.orders.add(p.orderId());
                            acc.units += p.quantity();
                            acc.revenueCents += p.revenueCents();
                            return acc;
                        },
                        windowStore("seller-minute", MINUTE, grace, PeerRecords.SELLER_ACC))
                .toStream()
                .map(
                        (w, acc) ->
                                KeyValue.pair(
                                        windowKey(w.key(), w.window().start()),
                                        json(
                                                g -> {
                                                    g.writeStringField("seller_id", w.key());
                                                    window(g, w.window().start(), w.window().end());
                                                    g.writeNumberField("orders", acc.orders.size());
                                                    g.writeNumberField("units", acc.units);
                                                    g.writeNumberField(
                                                            "revenue_eur", cents(acc.revenueCents));
                                                })))
                .to(
                        topics.revenuePerSeller(),
                        Produced.with(Serdes.ByteArray(), Serdes.ByteArray()));

        // Product: units over 5-minute windows every minute, and running totals.
        KGroupedStream<String, Priced> byProduct =
                priced.selectKey((k, v) -> v.productId())
                        .repartition(
                                Repartitioned.with(Serdes.String(), PeerRecords.PRICED)
                                        .withName("by-product"))
                        .groupByKey(Grouped.with(Serdes.String(), PeerRecords.PRICED));
        Duration fiveMinutes = Duration.ofMinutes(5);
        byProduct
                .windowedBy(TimeWindows.ofSizeAndGrace(fiveMinutes, grace).advanceBy(MINUTE))
                .aggregate(
                        UnitsAcc::new,
                        (product, p, acc) -> {
                            acc.units += p.quantity();
                            if (p.eventTime() > acc.latest) {
                                acc.latest = p.eventTime();
                                acc.name = p.name();
                                acc.category = p.category();
                            }
                            return acc;
                        },
                        windowStore("product-5m", fiveMinutes, grace, PeerRecords.UNITS_ACC))
                .toStream()
                .map(
                        (w, acc) ->
                                KeyValue.pair(
                                        windowKey(w.key(), w.window().start()),
                                        json(
                                                g -> {
                                                    g.writeStringField("product_id", w.key());
                                                    g.writeStringField("name", acc.name);
                                                    g.writeStringField("category", acc.category);
                                                    window(g, w.window().start(), w.window().end());
                                                    g.writeNumberField("units", acc.units);
                                                })))
                .to(
                        topics.unitsPerProduct(),
                        Produced.with(Serdes.ByteArray(), Serdes.ByteArray()));
        byProduct
                .aggregate(
                        Totals::new,
                        SalesStreamsTopology::addToTotals,
                        Materialized.<String, Totals>as(
                                        Stores.inMemoryKeyValueStore("product-totals"))
                                .withKeySerde(Serdes.String())
                                .withValueSerde(PeerRecords.TOTALS))
                .toStream()
                .map(
                        (product, t) ->
                                KeyValue.pair(
                                        utf8(product),
                                        json(
                                                g -> {
                                                    g.writeStringField("product_id", product);
                                                    g.writeStringField("name", t.name);
                                                    g.writeNumberField("units", t.units);
                                                    g.writeNumberField(
                                                            "revenue_eur", cents(t.revenueCents));
                                                    g.writeNumberField(
                                                            "margin_eur", cents(t.marginCents));
                                                })))
                .to(
                        topics.revenuePerProduct(),
                        Produced.with(Serdes.ByteArray(), Serdes.ByteArray()));

        // Region: per-minute trend and running totals.
        KGroupedStream<String, Priced> byRegion =
                priced.selectKey((k, v) -> v.region())
                        .repartition(
                                Repartitioned.with(Serdes.String(), PeerRecords.PRICED)
                                        .withName("by-region"))
                        .groupByKey(Grouped.with(Serdes.String(), PeerRecords.PRICED));
        byRegion.windowedBy(TimeWindows.ofSizeAndGrace(MINUTE, grace))
                .aggregate(
                        Totals::new,
                        SalesStreamsTopology::addToTotals,
                        windowStore("region-minute", MINUTE, grace, PeerRecords.TOTALS))
                .toStream()
                .map(
                        (w, t) ->
                                KeyValue.pair(
                                        windowKey(w.key(), w.window().start()),
                                        json(
                                                g -> {
                                                    g.writeStringField("region", w.key());
                                                    window(g, w.window().start(), w.window().end());
                                                    g.writeNumberField("units", t.units);
                                                    g.writeNumberField(
                                                            "revenue_eur", cents(t.revenueCents));
                                                })))
                .to(topics.regionTrend(), Produced.with(Serdes.ByteArray(), Serdes.ByteArray()));
        byRegion.aggregate(
                        Totals::new,
                        SalesStreamsTopology::addToTotals,
                        Materialized.<String, Totals>as(
                                        Stores.inMemoryKeyValueStore("region-totals"))
                                .withKeySerde(Serdes.String())
                                .withValueSerde(PeerRecords.TOTALS))
                .toStream()
                .map(
                        (region, t) ->
                                KeyValue.pair(
                                        utf8(region),
                                        json(
                                                g -> {
                                                    g.writeStringField("region", region);
                                                    g.writeNumberField("units", t.units);
                                                    g.writeNumberField(
                                                            "revenue_eur", cents(t.revenueCents));
                                                })))
                .to(topics.salesPerRegion(), Produced.with(Serdes.ByteArray(), Serdes.ByteArray()));
    }

    private static Totals addToTotals(String key, Priced p, Totals t) {
        if (p.eventTime() > t.latest) {
            t.latest = p.eventTime();
            t.name = p.name();
        }
        t.units += p.quantity();
        t.revenueCents += p.revenueCents();
        t.marginCents += p.marginCents();
        return t;
    }

    private static <V> Materialized<String, V, WindowStore<Bytes, byte[]>> windowStore(
            String name,
            Duration size,
            Duration grace,
            org.apache.kafka.common.serialization.Serde<V> serde) {
        return Materialized.<String, V>as(
                        Stores.inMemoryWindowStore(name, size.plus(grace), size, false))
                .withKeySerde(Serdes.String())
                .withValueSerde(serde);
    }

    // ------------------------------------------------------------ processors

    /** Decodes a sales record into lines keyed by sale identity; rejected records are skipped. */
    private static final class Decode extends ContextualProcessor<byte[], byte[], String, Line> {
        private final boolean online;
        private final EventCodec codec = EventCodec.withDefaults();

        Decode(boolean online) {
            this.online = online;
        }

        @Override
        public void process(Record<byte[], byte[]> record) {
            RecordMetadata meta = context().recordMetadata().orElseThrow();
            if (online) {
                DecodeResult<OnlineOrder> r = codec.decodeOrder(record.value(), record.timestamp());
                if (!r.isAccepted()) {
                    return;
                }
                OnlineOrder o = r.event();
                context()
                        .forward(
                                record.withKey("ONLINE:" + o.orderId())
                                        .withValue(
                                                new Line(
                                                        "ONLINE",
                                                        o.orderId(),
                                                        o.sellerId(),
                                                        o.region(),
                                                        o.productId(),
                                                        o.quantity(),
                                                        o.unitPrice(),
                                                        o.currency(),
                                                        o.eventTime().toEpochMilli(),
                                                        meta.partition(),
                                                        meta.offset()))
                                        .withTimestamp(o.eventTime().toEpochMilli()));
            } else {
                DecodeResult<StoreReceipt> r =
                        codec.decodeReceipt(record.value(), record.timestamp());
                if (!r.isAccepted()) {
                    return;
                }
                StoreReceipt s = r.event();
                long time = s.eventTime().toEpochMilli();
                for (ReceiptLine l : s.lines()) {
                    context()
                            .forward(
                                    record.withKey("STORE:" + s.receiptId())
                                            .withValue(
                                                    new Line(
                                                            "STORE",
                                                            s.receiptId(),
                                                            s.sellerId(),
                                                            s.region(),
                                                            l.productId(),
                                                            l.quantity(),
                                                            l.unitPrice(),
                                                            s.currency(),
                                                            time,
                                                            meta.partition(),
                                                            meta.offset()))
                                            .withTimestamp(time));
                }
            }
        }
    }

    /**
     * Drops resends (another record carrying an identity already delivered within the horizon),
     * then prices the line with the catalog version and the rate in force at its event time; a line
     * without a listed product or a rate is not counted.
     */
    private static final class DedupAndPrice implements Processor<String, Line, String, Priced> {
        private ProcessorContext<String, Priced> context;
        private KeyValueStore<String, FirstDelivery> firstDeliveries;
        private KeyValueStore<String, List<CatalogVersion>> catalog;
        private KeyValueStore<String, List<RateVersion>> rates;

        @Override
        public void init(ProcessorContext<String, Priced> context) {
            this.context = context;
            firstDeliveries = context.getStateStore(FIRST_DELIVERIES);
            catalog = context.getStateStore(CATALOG);
            rates = context.getStateStore(RATES);
            context.schedule(MINUTE, PunctuationType.WALL_CLOCK_TIME, this::forgetExpired);
        }

        private void forgetExpired(long now) {
            List<String> expired = new ArrayList<>();
            try (KeyValueIterator<String, FirstDelivery> all = firstDeliveries.all()) {
                all.forEachRemaining(
                        kv -> {
                            if (kv.value.seenAt() + DEDUP_HORIZON.toMillis() <= now) {
                                expired.add(kv.key);
                            }
                        });
            }
            expired.forEach(firstDeliveries::delete);
        }

        @Override
        public void process(Record<String, Line> record) {
            Line line = record.value();
            FirstDelivery first = firstDeliveries.get(record.key());
            if (first == null) {
                firstDeliveries.put(
                        record.key(),
                        new FirstDelivery(
                                line.partition(), line.offset(), System.currentTimeMillis()));
            } else if (first.partition() != line.partition() || first.offset() != line.offset()) {
                return;
            }
            CatalogVersion version =
                    inForce(
                            catalog.get(line.productId()),
                            line.eventTime(),
                            CatalogVersion::validFrom);
            if (version == null || version.delisted()) {
                return;
            }
            BigDecimal eurPerUnit;
            if ("EUR".equals(line.currency())) {
                eurPerUnit = BigDecimal.ONE;
            } else {
                RateVersion rate =
                        inForce(
                                rates.get(line.currency()),
                                line.eventTime(),
                                RateVersion::validFrom);
                if (rate == null) {
                    return;
                }
                eurPerUnit = rate.eurPerUnit();
            }
            BigDecimal quantity = BigDecimal.valueOf(line.quantity());
            BigDecimal revenue =
                    quantity.multiply(line.unitPrice())
                            .multiply(eurPerUnit)
                            .setScale(2, RoundingMode.HALF_EVEN);
            BigDecimal margin =
                    revenue.subtract(quantity.multiply(version.unitCost()))
                            .setScale(2, RoundingMode.HALF_EVEN);
            context.forward(
                    record.withValue(
                            new Priced(
                                    line.orderId(),
                                    line.sellerId(),
                                    line.region(),
                                    line.productId(),
                                    version.name(),
                                    version.category(),
                                    line.quantity(),
                                    revenue.unscaledValue().longValueExact(),
                                    margin.unscaledValue().longValueExact(),
                                    line.eventTime())));
        }
    }

    /** The version with the latest validity at or before {@code time}, or null. */
    private static <V> V inForce(List<V> sorted, long time, ToLongFunction<V> validFrom) {
        V found = null;
        if (sorted != null) {
            for (V v : sorted) {
                if (validFrom.applyAsLong(v) > time) {
                    break;
                }
                found = v;
            }
        }
        return found;
    }

    /** {@code sorted} with {@code v} in order; one valid from the same time is replaced. */
    private static <V> List<V> insert(List<V> sorted, V v, ToLongFunction<V> validFrom) {
        List<V> list = sorted == null ? new ArrayList<>() : new ArrayList<>(sorted);
        long from = validFrom.applyAsLong(v);
        int at = 0;
        while (at < list.size() && validFrom.applyAsLong(list.get(at)) < from) {
            at++;
        }
        if (at < list.size() && validFrom.applyAsLong(list.get(at)) == from) {
            list.set(at, v);
        } else {
            list.add(at, v);
        }
        return list;
    }

    /** Keeps every catalog version per product: a tombstone delists from its timestamp on. */
    private static final class CatalogLoader implements Processor<byte[], byte[], Void, Void> {
        private final EventCodec codec = EventCodec.withDefaults();
        private KeyValueStore<String, List<CatalogVersion>> store;

        @Override
        public void init(ProcessorContext<Void, Void> context) {
            store = context.getStateStore(CATALOG);
        }

        @Override
        public void process(Record<byte[], byte[]> record) {
            if (record.key() == null || record.key().length == 0) {
                return;
            }
            String productId = new String(record.key(), StandardCharsets.UTF_8);
            CatalogVersion version;
            if (record.value() == null) {
                version = new CatalogVersion(record.timestamp(), null, null, null, true);
            } else {
                DecodeResult<Product> r = codec.decodeProduct(record.value(), record.timestamp());
                if (!r.isAccepted()) {
                    return;
                }
                Product p = r.event();
                productId = p.productId();
                version =
                        new CatalogVersion(
                                p.updatedAt().toEpochMilli(),
                                p.name(),
                                p.category(),
                                p.unitCostEur(),
                                false);
            }
            store.put(productId, insert(store.get(productId), version, CatalogVersion::validFrom));
        }
    }

    /** Keeps every rate version per currency. */
    private static final class RateLoader implements Processor<byte[], byte[], Void, Void> {
        private final EventCodec codec = EventCodec.withDefaults();
        private KeyValueStore<String, List<RateVersion>> store;

        @Override
        public void init(ProcessorContext<Void, Void> context) {
            store = context.getStateStore(RATES);
        }

        @Override
        public void process(Record<byte[], byte[]> record) {
            DecodeResult<FxRate> r = codec.decodeFxRate(record.value(), record.timestamp());
            if (!r.isAccepted()) {
                return;
            }
            FxRate rate = r.event();
            store.put(
                    rate.currency(),
                    insert(
                            store.get(rate.currency()),
                            new RateVersion(rate.validFrom().toEpochMilli(), rate.eurPerUnit()),
                            RateVersion::validFrom));
        }
    }

    // ------------------------------------------------------------ output JSON

    @FunctionalInterface
    private interface Fields {
        void write(JsonGenerator g) throws IOException;
    }

    private static byte[] json(Fields fields) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(160);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            fields.write(g);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static void window(JsonGenerator g, long start, long end) throws IOException {
        g.writeStringField("window_start", Instant.ofEpochMilli(start).toString());
        g.writeStringField("window_end", Instant.ofEpochMilli(end).toString());
    }

    private static byte[] windowKey(String key, long start) {
        return utf8(key + "@" + Instant.ofEpochMilli(start));
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static BigDecimal cents(long cents) {
        return BigDecimal.valueOf(cents, 2);
    }
}

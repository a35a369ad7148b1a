package com.salesaggregator.dashboard;

import com.salesaggregator.job.kafka.OutputJson;
import com.salesaggregator.job.records.ProductWindowUnits;
import com.salesaggregator.job.records.RegionMinute;
import com.salesaggregator.job.records.RunningTotal;
import com.salesaggregator.job.records.SellerMinute;
import com.salesaggregator.testkit.RunTopics;
import com.salesaggregator.topics.Topic;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * A fixed set of output records, written exactly as the job writes them ({@link OutputJson}) and
 * committed in Kafka transactions as the job's sinks commit them, with the figures the dashboard
 * must then show, spelled out by hand (not recomputed by the dashboard's code).
 */
final class KnownFigures {

    static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");
    private static final long MINUTE = Duration.ofMinutes(1).toMillis();

    /** Revenue per product, top 10 of 12, most revenue first: id, name, units, revenue, margin. */
    static final List<List<Object>> TOP_PRODUCTS =
            List.of(
                    List.of("p-07", "Solar Lamp", 12L, "1900.00", "700.00"),
                    List.of("p-03", "Oak Desk", 3L, "1500.50", "600.25"),
                    List.of("p-11", "Bold Kettle", 9L, "1200.00", "300.00"),
                    List.of("p-01", "Rapid Chair", 8L, "1100.10", "400.00"),
                    List.of("p-05", "Urban Drone", 2L, "999.99", "333.33"),
                    List.of("p-09", "Smart Watch", 4L, "800.00", "200.00"),
                    List.of("p-02", "Gentle Fan", 7L, "700.00", "100.00"),
                    List.of("p-12", "Compact Jacket", 6L, "600.00", "150.00"),
                    List.of("p-04", "Quiet Notebook", 5L, "500.00", "125.00"),
                    List.of("p-06", "Bright Speaker", 1L, "400.00", "80.00"));

    /** The two products below the top 10. */
    private static final List<List<Object>> OTHER_PRODUCTS =
            List.of(
                    List.of("p-08", "Tiny Mug", 1L, "12.00", "2.00"),
                    List.of("p-10", "Soft Towel", 1L, "10.00", "1.00"));

    /** Region totals: region, units, revenue; shares 0.4, 0.3, 0.2, 0.1 of EUR 10,000.00. */
    static final List<List<Object>> REGIONS =
            List.of(
                    List.of("eu-west", 40L, "4000.00"),
                    List.of("japan", 30L, "3000.00"),
                    List.of("nordics", 20L, "2000.00"),
                    List.of("uk", 10L, "1000.00"));

    /** Units per region per minute, minutes 2 to 11 (minutes 0 and 1 fall out of the ten). */
    static final Map<String, List<Long>> TREND =
            Map.of(
                    "eu-west", List.of(5L, 6L, 7L, 8L, 9L, 10L, 11L, 12L, 13L, 140L),
                    "uk", List.of(2L, 0L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L));

    /** Units per product in the latest window (minute 1 to 6), most units first. */
    static final List<List<Object>> LATEST_WINDOW =
            List.of(
                    List.of("p-03", "Oak Desk", "office", 30L),
                    List.of("p-07", "Solar Lamp", "home", 25L),
                    List.of("p-01", "Rapid Chair", "office", 10L));

    /**
     * Sellers of the latest minute (minute 11, still open: provisional): id, orders, units,
     * revenue.
     */
    static final List<List<Object>> SELLERS =
            List.of(List.of("seller-02", 4L, 9L, "310.00"), List.of("seller-01", 2L, 3L, "120.50"));

    static final Map<String, Long> DEAD_LETTERS = Map.of("MALFORMED_JSON", 2L, "NO_FX_RATE", 1L);
    static final long LATE_LINES = 2;

    private KnownFigures() {}

    static Instant minute(int m) {
        return T0.plusMillis(m * MINUTE);
    }

    /** Publishes every record, one transaction per output, the way the job's sinks do. */
    static void publish(Properties producerProps, RunTopics topics) {
        try (Transactional producer = new Transactional(producerProps, "known-figures")) {
            List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
            List<List<Object>> products = new ArrayList<>(OTHER_PRODUCTS);
            products.addAll(TOP_PRODUCTS);
            for (List<Object> p : products) {
                // An older value of every product first: the dashboard must keep the latest.
                records.add(product(topics, p, 100));
                records.add(product(topics, p, 1));
            }
            for (List<Object> r : REGIONS) {
                records.add(
                        record(
                                topics,
                                Topic.SALES_PER_REGION.topicName(),
                                (String) r.get(0),
                                OutputJson.regionTotal(
                                        new RunningTotal(
                                                (String) r.get(0),
                                                null,
                                                0,
                                                (Long) r.get(1),
                                                cents((String) r.get(2)),
                                                0))));
            }
            // Minutes 0..11; uk has no minute 3 (it sold nothing then); eu-west's minute 11 is
            // re-emitted with a late line counted (14 -> 140); uk's minute 11 is still open
            // (provisional), so minute 11 is.
            for (int m = 0; m < 12; m++) {
                records.add(regionMinute(topics, "eu-west", m, m + 3, true));
                if (m != 3) {
                    records.add(regionMinute(topics, "uk", m, m, m != 11));
                }
            }
            records.add(regionMinute(topics, "eu-west", 11, 140, true));
            // Window from minute 0 (complete, superseded) and the latest, from minute 1.
            records.add(window(topics, "p-09", "Smart Watch", "home", 0, 99));
            for (List<Object> w : LATEST_WINDOW) {
                records.add(
                        window(
                                topics,
                                (String) w.get(0),
                                (String) w.get(1),
                                (String) w.get(2),
                                1,
                                (Long) w.get(3)));
            }
            records.add(seller(topics, "seller-01", 10, 9, 9, "999.00", true));
            for (List<Object> s : SELLERS) {
                records.add(
                        seller(
                                topics,
                                (String) s.get(0),
                                11,
                                (Long) s.get(1),
                                (Long) s.get(2),
                                (String) s.get(3),
                                false));
            }
            records.add(deadLetter(topics, "sales-online:0:1", "MALFORMED_JSON"));
            records.add(deadLetter(topics, "sales-online:0:2", "MALFORMED_JSON"));
            records.add(deadLetter(topics, "sales-store:1:7:r-1#0", "NO_FX_RATE"));
            records.add(late(topics, "o-late-1"));
            records.add(late(topics, "o-late-2"));
            producer.commit(records);
        }
    }

    private static ProducerRecord<byte[], byte[]> product(
            RunTopics topics, List<Object> p, long divisor) {
        String id = (String) p.get(0);
        return record(
                topics,
                Topic.REVENUE_PER_PRODUCT.topicName(),
                id,
                OutputJson.productTotal(
                        new RunningTotal(
                                id,
                                (String) p.get(1),
                                0,
                                (Long) p.get(2) / divisor,
                                cents((String) p.get(3)) / divisor,
                                cents((String) p.get(4)) / divisor)));
    }

    private static ProducerRecord<byte[], byte[]> regionMinute(
            RunTopics topics, String region, int m, long units, boolean isFinal) {
        long start = minute(m).toEpochMilli();
        return record(
                topics,
                Topic.REGION_TREND_1M.topicName(),
                OutputJson.windowKey(region, start),
                OutputJson.regionMinute(
                        new RegionMinute(
                                region, start, start + MINUTE, units, units * 250, isFinal)));
    }

    private static ProducerRecord<byte[], byte[]> window(
            RunTopics topics, String id, String name, String category, int m, long units) {
        long start = minute(m).toEpochMilli();
        return record(
                topics,
                Topic.UNITS_PER_PRODUCT_5M.topicName(),
                OutputJson.windowKey(id, start),
                OutputJson.productWindowUnits(
                        new ProductWindowUnits(
                                id, name, category, start, start + 5 * MINUTE, units, true)));
    }

    private static ProducerRecord<byte[], byte[]> seller(
            RunTopics topics,
            String id,
            int m,
            long orders,
            long units,
            String revenue,
            boolean isFinal) {
        long start = minute(m).toEpochMilli();
        return record(
                topics,
                Topic.REVENUE_PER_SELLER_1M.topicName(),
                OutputJson.windowKey(id, start),
                OutputJson.sellerMinute(
                        new SellerMinute(
                                id,
                                start,
                                start + MINUTE,
                                orders,
                                units,
                                cents(revenue),
                                isFinal)));
    }

    private static ProducerRecord<byte[], byte[]> deadLetter(
            RunTopics topics, String key, String reason) {
        String value =
                "{\"source_topic\":\"sales-online\",\"partition\":0,\"offset\":1,\"key\":null,"
                        + "\"value\":\"x\",\"reason\":\""
                        + reason
                        + "\",\"message\":\"test\"}";
        return record(
                topics, Topic.SALES_DLQ.topicName(), key, value.getBytes(StandardCharsets.UTF_8));
    }

    private static ProducerRecord<byte[], byte[]> late(RunTopics topics, String lineId) {
        return record(
                topics,
                Topic.SALES_LATE.topicName(),
                lineId,
                ("{\"line_id\":\"" + lineId + "\"}").getBytes(StandardCharsets.UTF_8));
    }

    static ProducerRecord<byte[], byte[]> record(
            RunTopics topics, String output, String key, byte[] value) {
        return record(topics, output, key.getBytes(StandardCharsets.UTF_8), value);
    }

    static ProducerRecord<byte[], byte[]> record(
            RunTopics topics, String output, byte[] key, byte[] value) {
        return new ProducerRecord<>(topics.of(output), key, value);
    }

    static long cents(String euros) {
        return new java.math.BigDecimal(euros).movePointRight(2).longValueExact();
    }

    /** A transactional producer, as the job's exactly-once sinks use. */
    static final class Transactional implements AutoCloseable {
        private final KafkaProducer<byte[], byte[]> producer;

        Transactional(Properties producerProps, String transactionalId) {
            Properties props = new Properties();
            props.putAll(producerProps);
            props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
            producer = new KafkaProducer<>(props);
            producer.initTransactions();
        }

        /** Sends {@code records} in one transaction and commits it. */
        void commit(List<ProducerRecord<byte[], byte[]>> records) {
            producer.beginTransaction();
            records.forEach(producer::send);
            producer.commitTransaction();
        }

        /** Sends {@code records} in one transaction and aborts it. */
        void abort(List<ProducerRecord<byte[], byte[]>> records) {
            producer.beginTransaction();
            records.forEach(producer::send);
            producer.flush();
            producer.abortTransaction();
        }

        /** Sends {@code records} in a transaction left open (flushed to the broker). */
        void leaveOpen(List<ProducerRecord<byte[], byte[]>> records) {
            producer.beginTransaction();
            records.forEach(producer::send);
            producer.flush();
        }

        /** Commits the open transaction. */
        void commitOpen() {
            producer.commitTransaction();
        }

        @Override
        public void close() {
            producer.close(Duration.ofSeconds(5));
        }
    }
}

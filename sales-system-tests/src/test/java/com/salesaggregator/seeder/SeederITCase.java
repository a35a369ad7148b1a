package com.salesaggregator.seeder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.salesaggregator.broker.EmbeddedKafkaBroker;
import com.salesaggregator.broker.TopicCreator;
import com.salesaggregator.codec.DecodeResult;
import com.salesaggregator.codec.EventCodec;
import com.salesaggregator.model.FxRate;
import com.salesaggregator.model.OnlineOrder;
import com.salesaggregator.model.Product;
import com.salesaggregator.model.ReferenceHeartbeat;
import com.salesaggregator.model.StoreReceipt;
import com.salesaggregator.testkit.DeclaredTopics;
import com.salesaggregator.topics.Topic;
import com.salesaggregator.topics.TopicDefinition;
import com.salesaggregator.topics.TopicDefinitions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeds the real broker through {@link SeederRunner} and reads every input topic back: the planned
 * records, and a heartbeat on every reference partition that no later reference change undercuts.
 */
class SeederITCase {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final long SEED = 20_261_122L;
    private static final int SALES = 3_000;
    private static final double PACED_RATE = 200;
    private static final List<String> INPUTS = Topic.names(Topic.Role.SALES, Topic.Role.REFERENCE);
    private static final EventCodec CODEC = EventCodec.withDefaults();

    @TempDir Path dataDir;

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void bulkRunPublishesExactlyThePlannedRecords() throws Exception {
        GeneratorConfig config = faultyConfig();
        // An independent generator with the same config: same seed, same records.
        List<SeedRecord> plan = plan(config, SALES);
        assertPlanCoversEveryCase(plan);
        List<TopicDefinition> declared = TopicDefinitions.load();

        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(0, dataDir);
                Admin admin = admin(broker)) {
            assertThat(createTopics(admin, declared)).hasSameSizeAs(declared);
            DeclaredTopics.assertOnBroker(admin, declared);

            SeederMetrics metrics = new SeederMetrics();
            List<String> progressLines = new CopyOnWriteArrayList<>();
            SeederRunner runner;
            SeederRunner.Progress progress;
            try (Producer<byte[], byte[]> producer = producer(broker)) {
                runner =
                        new SeederRunner(
                                new SalesGenerator(config),
                                producer,
                                new SeederRunner.Settings(
                                        config.ratePerSecond(),
                                        true,
                                        SALES,
                                        null,
                                        Duration.ofSeconds(1)),
                                metrics,
                                progressLines::add);
                runner.run();
                // Taken before close(), which would flush on the runner's behalf.
                progress = runner.progress();
            }

            assertThat(runner.finished()).isTrue();
            assertThat(runner.healthy()).isTrue();
            assertThat(progress.errors()).isZero();
            assertThat(progress.salesSent()).isEqualTo(SALES);
            assertThat(progress.referenceSent()).isEqualTo(plan.size() - SALES);
            assertThat(progress.linesSent())
                    .isEqualTo(plan.stream().mapToLong(SeedRecord::lines).sum());
            assertThat(progress.plannedLate())
                    .isEqualTo(plan.stream().filter(SeedRecord::late).count());
            assertThat(progress.plannedMalformed())
                    .isEqualTo(plan.stream().filter(r -> r.fault() != null).count());
            assertThat(progressLines).last().asString().startsWith("seeder: done, sent ");
            Map<String, Long> perTopic = countPerTopic(plan);
            for (String topic : INPUTS) {
                assertThat(metrics.recordsSent.labelValues(topic).get())
                        .as("records sent to %s", topic)
                        .isEqualTo(perTopic.get(topic).doubleValue());
            }
            assertThat(metrics.targetRate.get()).as("bulk runs are unpaced").isZero();

            Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> all =
                    readCommitted(broker, perTopic);
            Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> read = withoutHeartbeats(all);

            assertSameRecordsInTheSameOrder(read, plan, declared);
            Map<Fault, Integer> faults = assertPayloadsDecodeAsPlanned(read);
            assertThat(faults)
                    .as("every planned defect is on the wire, rejected for its reason")
                    .isEqualTo(faultsOf(plan));

            Map<TopicPartition, List<ReferenceHeartbeat>> heartbeats =
                    assertHeartbeatsOnEveryReferencePartitionKeepTheirPromise(
                            all, declared, progress, metrics);
            // In bulk mode they follow the data's event time: one each second of it (the
            // default interval), the first at the first sale, the last at the event clock of the
            // last one (the clock moves 1 / rate per sale generated; resends do not move it).
            long firstSale = config.startTime().toEpochMilli();
            long generated = plan.stream().filter(r -> r.kind().isSale() && !r.resend()).count();
            long lastSale = firstSale + (generated - 1) * 1000L / (long) config.ratePerSecond();
            heartbeats.forEach(
                    (partition, beats) -> {
                        assertThat(beats.get(0).heartbeatTime().toEpochMilli())
                                .as("first heartbeat of %s", partition)
                                .isEqualTo(firstSale);
                        assertThat(beats.get(beats.size() - 1).heartbeatTime().toEpochMilli())
                                .as("last heartbeat of %s, at the end of the data", partition)
                                .isEqualTo(lastSale);
                        assertThat(all.get(partition).get(all.get(partition).size() - 1).key())
                                .as("the last record of %s", partition)
                                .isEqualTo(utf8(EventCodec.heartbeatKey(partition.partition())));
                        for (int i = 1; i < beats.size() - 1; i++) {
                            long gap =
                                    beats.get(i).heartbeatTime().toEpochMilli()
                                            - beats.get(i - 1).heartbeatTime().toEpochMilli();
                            // A heartbeat at the first sale at or past each second of event
                            // time (a sale every 200 ms), held back just before a change of the
                            // same sale's batch still to be sent.
                            assertThat(gap)
                                    .as("event time between heartbeats %d and %d", i - 1, i)
                                    .isBetween(1000L - 200L - 1L, 1000L + 200L + 200L + 1L);
                        }
                    });
        }
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void pacedRunStopsPromptlyAndFlushesWhatItCounted() throws Exception {
        // As the seeder does: the generator's event clock advances at the pacing rate.
        GeneratorConfig config =
                new GeneratorConfig(
                        SEED,
                        Instant.now().truncatedTo(ChronoUnit.MILLIS),
                        PACED_RATE,
                        200,
                        20,
                        30,
                        List.of("eu-west", "uk", "us-east"),
                        List.of("EUR", "GBP", "USD"),
                        0.6,
                        Duration.ofSeconds(30),
                        1.0,
                        0.01,
                        Duration.ofMinutes(5),
                        0.05,
                        Duration.ofSeconds(1),
                        Duration.ofSeconds(1),
                        0);
        List<TopicDefinition> declared = TopicDefinitions.load();

        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(0, dataDir);
                Admin admin = admin(broker)) {
            createTopics(admin, declared);
            SeederMetrics metrics = new SeederMetrics();
            List<String> progressLines = new CopyOnWriteArrayList<>();
            SeederRunner.Progress progress;
            String scrape;
            try (Producer<byte[], byte[]> producer = producer(broker)) {
                SeederRunner runner =
                        new SeederRunner(
                                new SalesGenerator(config),
                                producer,
                                new SeederRunner.Settings(
                                        PACED_RATE, false, 0, null, Duration.ofMillis(500)),
                                metrics,
                                progressLines::add);
                ExecutorService executor = Executors.newSingleThreadExecutor();
                try (HealthServer health =
                        HealthServer.start(0, runner::healthy, metrics.registry())) {
                    long started = System.nanoTime();
                    // Progress as run() returns: flushed, so every sale counted is acknowledged.
                    Future<SeederRunner.Progress> run =
                            executor.submit(
                                    () -> {
                                        runner.run();
                                        return runner.progress();
                                    });

                    // About two seconds at the paced rate.
                    await().atMost(TIMEOUT)
                            .until(() -> runner.progress().salesSent() >= 2 * PACED_RATE);
                    assertThat(get(health, "/healthz").statusCode()).isEqualTo(200);
                    runner.stop();

                    // The pacing wait is cut short by stop(), so only the flush remains.
                    await().atMost(Duration.ofSeconds(2)).until(run::isDone);
                    double seconds = (System.nanoTime() - started) / 1e9;
                    progress = run.get();
                    assertThat(runner.finished()).isTrue();
                    // Sale i waits until i / rate seconds (+1: sale 0 goes at once); the floor
                    // is loose so that a busy machine does not fail it.
                    assertThat(progress.salesSent())
                            .isBetween(
                                    (long) (PACED_RATE * seconds / 2),
                                    (long) (PACED_RATE * seconds) + 1);
                    scrape = get(health, "/metrics").body();
                } finally {
                    runner.stop();
                    executor.shutdown();
                    assertThat(executor.awaitTermination(TIMEOUT.toSeconds(), TimeUnit.SECONDS))
                            .isTrue();
                }
            }

            assertThat(progress.errors()).isZero();
            assertThat(progressLines)
                    .filteredOn(line -> line.startsWith("seeder: sent "))
                    .as("periodic progress lines")
                    .hasSizeGreaterThanOrEqualTo(2);
            assertThat(progressLines).last().asString().startsWith("seeder: done, sent ");

            // What was sent is a prefix of the generator's stream: the sale taken when stop()
            // came is dropped, and nothing after it was generated.
            List<SeedRecord> plan =
                    prefix(
                            config,
                            Math.toIntExact(progress.salesSent() + progress.referenceSent()));
            assertThat(plan.stream().filter(r -> r.kind().isSale()).count())
                    .isEqualTo(progress.salesSent());
            Map<String, Long> perTopic = countPerTopic(plan);

            Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> all =
                    readCommitted(broker, perTopic);
            Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> read = withoutHeartbeats(all);

            assertSameRecordsInTheSameOrder(read, plan, declared);
            assertPayloadsDecodeAsPlanned(read);
            // Paced: a heartbeat at once, one a second of wall-clock time, one at the end, each at
            // most "now" and never ahead of a rate update or catalog change still to come.
            Map<TopicPartition, List<ReferenceHeartbeat>> heartbeats =
                    assertHeartbeatsOnEveryReferencePartitionKeepTheirPromise(
                            all, declared, progress, metrics);
            long readAt = System.currentTimeMillis();
            heartbeats.forEach(
                    (partition, beats) -> {
                        assertThat(beats).as("heartbeats of %s", partition).hasSizeGreaterThan(2);
                        assertThat(beats)
                                .extracting(b -> b.heartbeatTime().toEpochMilli())
                                .allSatisfy(time -> assertThat(time).isLessThanOrEqualTo(readAt));
                    });
            assertThat(scrape).contains("seeder_heartbeats_sent_total{topic=\"products\"}");
            for (String topic : INPUTS) {
                assertThat(scrape)
                        .as("/metrics after the run")
                        .contains(
                                "seeder_records_sent_total{topic=\""
                                        + topic
                                        + "\"} "
                                        + perTopic.get(topic).doubleValue());
            }
            assertThat(scrape).contains("seeder_target_rate " + PACED_RATE);
        }
    }

    /**
     * Planned defects and late sales in numbers: event time advances slowly (5 sales/s), so 3,000
     * sales span ten minutes, well past the generator's warm-up before late sales, with many rate
     * updates and catalog changes (including delistings). Started an hour ago so every timestamp is
     * in the past (brokers reject those over an hour ahead) yet within the inputs' retention.
     */
    private static GeneratorConfig faultyConfig() {
        return new GeneratorConfig(
                SEED,
                Instant.now().minus(Duration.ofHours(1)).truncatedTo(ChronoUnit.SECONDS),
                5,
                40,
                8,
                12,
                List.of("eu-west", "uk", "us-east", "japan"),
                List.of("EUR", "GBP", "USD", "JPY"),
                0.5,
                Duration.ofSeconds(5),
                1.0,
                0.08,
                Duration.ofSeconds(20),
                0.1,
                Duration.ofSeconds(20),
                Duration.ofSeconds(10),
                0.02);
    }

    /** The records a run of {@code sales} sales sends: the stream up to its last sale. */
    private static List<SeedRecord> plan(GeneratorConfig config, int sales) {
        // Counted by kind: salesGenerated() runs ahead while rate and catalog records queued
        // before a sale are still being returned.
        SalesGenerator generator = new SalesGenerator(config);
        List<SeedRecord> records = new ArrayList<>();
        int planned = 0;
        while (planned < sales) {
            SeedRecord record = generator.next();
            records.add(record);
            planned += record.kind().isSale() ? 1 : 0;
        }
        return records;
    }

    private static List<SeedRecord> prefix(GeneratorConfig config, int records) {
        SalesGenerator generator = new SalesGenerator(config);
        List<SeedRecord> prefix = new ArrayList<>(records);
        while (prefix.size() < records) {
            prefix.add(generator.next());
        }
        return prefix;
    }

    private static void assertPlanCoversEveryCase(List<SeedRecord> plan) {
        assertThat(faultsOf(plan).keySet()).containsExactlyInAnyOrder(Fault.values());
        assertThat(plan.stream().filter(SeedRecord::late).count()).isGreaterThan(50);
        assertThat(plan.stream().filter(SeedRecord::resend).count()).isGreaterThan(20);
        assertThat(plan)
                .extracting(SeedRecord::kind)
                .contains(SeedRecord.Kind.values())
                .filteredOn(kind -> kind == SeedRecord.Kind.PRODUCT_DELISTING)
                .hasSizeGreaterThan(1);
    }

    private static Map<Fault, Integer> faultsOf(List<SeedRecord> plan) {
        Map<Fault, Integer> faults = new EnumMap<>(Fault.class);
        plan.stream()
                .filter(r -> r.fault() != null)
                .forEach(r -> faults.merge(r.fault(), 1, Integer::sum));
        return faults;
    }

    private static Map<String, Long> countPerTopic(List<SeedRecord> plan) {
        Map<String, Long> counts = new HashMap<>();
        INPUTS.forEach(topic -> counts.put(topic, 0L));
        plan.forEach(r -> counts.merge(r.topic(), 1L, Long::sum));
        return counts;
    }

    /**
     * Every partition holds exactly the planned records whose keys the default partitioner sends
     * there, in publishing order: key, value byte for byte, timestamp and fault header.
     */
    private static void assertSameRecordsInTheSameOrder(
            Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> read,
            List<SeedRecord> plan,
            List<TopicDefinition> declared) {
        Map<String, Integer> partitions =
                declared.stream()
                        .collect(
                                Collectors.toMap(
                                        TopicDefinition::name, TopicDefinition::partitions));
        Map<TopicPartition, List<Wire>> expected = new HashMap<>();
        for (String topic : INPUTS) {
            for (int p = 0; p < partitions.get(topic); p++) {
                expected.put(new TopicPartition(topic, p), new ArrayList<>());
            }
        }
        for (SeedRecord record : plan) {
            // The producer's built-in partitioner for keyed records (murmur2 of the key bytes).
            int partition =
                    Utils.toPositive(Utils.murmur2(record.key())) % partitions.get(record.topic());
            expected.get(new TopicPartition(record.topic(), partition)).add(Wire.of(record));
        }
        assertThat(read.keySet()).isSubsetOf(expected.keySet());
        expected.forEach(
                (partition, records) ->
                        assertThat(
                                        read.getOrDefault(partition, List.of()).stream()
                                                .map(Wire::of)
                                                .toList())
                                .as("records of %s", partition)
                                .containsExactlyElementsOf(records));
    }

    /**
     * Decodes every record read: sales decode unless they carry a planned defect, which is rejected
     * for its reason; keys and timestamps are the payload's; tombstones are products'.
     *
     * @return the planned defects found, by the header they carry
     */
    private static Map<Fault, Integer> assertPayloadsDecodeAsPlanned(
            Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> read) {
        Map<Fault, Integer> faults = new EnumMap<>(Fault.class);
        int tombstones = 0;
        for (List<ConsumerRecord<byte[], byte[]>> records : read.values()) {
            for (ConsumerRecord<byte[], byte[]> record : records) {
                assertThat(record.timestampType())
                        .as("the broker keeps the seeder's event-time timestamps")
                        .isEqualTo(TimestampType.CREATE_TIME);
                switch (Topic.byName(record.topic()).orElse(null)) {
                    case SALES_ONLINE ->
                            assertSale(
                                    record,
                                    CODEC.decodeOrder(record.value()),
                                    OnlineOrder::orderId,
                                    OnlineOrder::eventTime,
                                    faults);
                    case SALES_STORE ->
                            assertSale(
                                    record,
                                    CODEC.decodeReceipt(record.value()),
                                    StoreReceipt::storeId,
                                    StoreReceipt::eventTime,
                                    faults);
                    case PRODUCTS -> {
                        assertThat(record.headers().toArray()).isEmpty();
                        if (record.value() == null) {
                            tombstones++;
                        } else {
                            Product product = CODEC.decodeProduct(record.value()).event();
                            assertKeyAndTimestamp(record, product.productId(), product.updatedAt());
                        }
                    }
                    case FX_RATES -> {
                        assertThat(record.headers().toArray()).isEmpty();
                        FxRate rate = CODEC.decodeFxRate(record.value()).event();
                        assertKeyAndTimestamp(record, rate.currency(), rate.validFrom());
                    }
                    case null, default ->
                            throw new AssertionError("unexpected topic " + record.topic());
                }
            }
        }
        assertThat(tombstones).as("delistings are tombstones on products").isPositive();
        return faults;
    }

    private static <T> void assertSale(
            ConsumerRecord<byte[], byte[]> record,
            DecodeResult<T> decoded,
            Function<T, String> keyField,
            Function<T, Instant> eventTime,
            Map<Fault, Integer> faults) {
        Header[] headers = record.headers().toArray();
        assertThat(headers).extracting(Header::key).isSubsetOf(Fault.HEADER);
        if (headers.length == 0) {
            assertThat(decoded.isAccepted())
                    .as("unplanned rejection at %s: %s", position(record), decoded.rejection())
                    .isTrue();
            assertKeyAndTimestamp(
                    record, keyField.apply(decoded.event()), eventTime.apply(decoded.event()));
            return;
        }
        assertThat(headers).hasSize(1);
        Fault fault = Fault.valueOf(new String(headers[0].value(), StandardCharsets.UTF_8));
        assertThat(decoded.isAccepted()).as("planned %s at %s", fault, position(record)).isFalse();
        assertThat(decoded.rejection().reason())
                .as("reason for %s", fault)
                .isEqualTo(fault.expectedReason());
        faults.merge(fault, 1, Integer::sum);
    }

    private static void assertKeyAndTimestamp(
            ConsumerRecord<byte[], byte[]> record, String keyField, Instant time) {
        assertThat(new String(record.key(), StandardCharsets.UTF_8))
                .as("key at %s", position(record))
                .isEqualTo(keyField);
        assertThat(record.timestamp())
                .as("timestamp at %s", position(record))
                .isEqualTo(time.toEpochMilli());
    }

    private static String position(ConsumerRecord<?, ?> record) {
        return record.topic() + "-" + record.partition() + "@" + record.offset();
    }

    /** The records read, heartbeats left out: what the generator planned. */
    private static Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> withoutHeartbeats(
            Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> read) {
        Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> data = new HashMap<>();
        read.forEach(
                (partition, records) -> {
                    List<ConsumerRecord<byte[], byte[]>> kept =
                            records.stream()
                                    .filter(r -> !EventCodec.isHeartbeatKey(r.key()))
                                    .toList();
                    if (!kept.isEmpty()) {
                        data.put(partition, kept);
                    }
                });
        return data;
    }

    /**
     * Every partition of {@code products} and {@code fx-rates} carries heartbeats, and only they do
     * (none on the sales topics); each is keyed for its partition, decodes, and has its time as
     * record timestamp; per partition, reference changes come in effective-time order and none
     * after a heartbeat takes effect at or before it (the contract); heartbeat times never go back.
     * The runner counted exactly what is on the wire.
     *
     * @return each reference partition's heartbeats, in offset order
     */
    private static Map<TopicPartition, List<ReferenceHeartbeat>>
            assertHeartbeatsOnEveryReferencePartitionKeepTheirPromise(
                    Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> read,
                    List<TopicDefinition> declared,
                    SeederRunner.Progress progress,
                    SeederMetrics metrics) {
        Map<TopicPartition, List<ReferenceHeartbeat>> heartbeats = new HashMap<>();
        Map<String, Long> perTopic = new HashMap<>();
        for (TopicDefinition topic : declared) {
            boolean reference =
                    topic.name().equals(Topic.PRODUCTS.topicName())
                            || topic.name().equals(Topic.FX_RATES.topicName());
            if (!INPUTS.contains(topic.name())) {
                continue;
            }
            for (int p = 0; p < topic.partitions(); p++) {
                TopicPartition partition = new TopicPartition(topic.name(), p);
                List<ReferenceHeartbeat> beats = new ArrayList<>();
                long latestEffective = Long.MIN_VALUE;
                long latestHeartbeat = Long.MIN_VALUE;
                for (ConsumerRecord<byte[], byte[]> record :
                        read.getOrDefault(partition, List.of())) {
                    if (EventCodec.isHeartbeatKey(record.key())) {
                        assertThat(reference).as("a heartbeat on %s", position(record)).isTrue();
                        DecodeResult<ReferenceHeartbeat> decoded =
                                CODEC.decodeHeartbeat(
                                        record.key(),
                                        record.partition(),
                                        record.value(),
                                        record.timestamp());
                        assertThat(decoded.isAccepted())
                                .as("heartbeat at %s: %s", position(record), decoded.rejection())
                                .isTrue();
                        ReferenceHeartbeat beat = decoded.event();
                        long time = beat.heartbeatTime().toEpochMilli();
                        assertThat(record.timestamp()).as(position(record)).isEqualTo(time);
                        assertThat(record.headers().toArray()).isEmpty();
                        assertThat(time)
                                .as("heartbeat at %s after the last heartbeat", position(record))
                                .isGreaterThanOrEqualTo(latestHeartbeat);
                        latestHeartbeat = time;
                        beats.add(beat);
                    } else if (reference) {
                        long effective = effectiveTime(record);
                        assertThat(effective)
                                .as("change at %s in effective-time order", position(record))
                                .isGreaterThanOrEqualTo(latestEffective);
                        // The promise: nothing after a heartbeat takes effect at or before it.
                        assertThat(effective)
                                .as(
                                        "change at %s after a heartbeat at %s",
                                        position(record), Instant.ofEpochMilli(latestHeartbeat))
                                .isGreaterThan(latestHeartbeat);
                        latestEffective = effective;
                    }
                }
                if (reference) {
                    assertThat(beats).as("heartbeats on %s", partition).isNotEmpty();
                    heartbeats.put(partition, beats);
                    perTopic.merge(topic.name(), (long) beats.size(), Long::sum);
                }
            }
        }
        assertThat(progress.heartbeatsSent())
                .isEqualTo(perTopic.values().stream().mapToLong(Long::longValue).sum());
        for (String topic : Topic.names(Topic.Role.REFERENCE)) {
            assertThat(metrics.heartbeatsSent.labelValues(topic).get())
                    .as("heartbeats sent to %s", topic)
                    .isEqualTo(perTopic.get(topic).doubleValue());
        }
        return heartbeats;
    }

    /** When a reference record takes effect: its version's time, or a tombstone's timestamp. */
    private static long effectiveTime(ConsumerRecord<byte[], byte[]> record) {
        if (record.value() == null) {
            return record.timestamp();
        }
        return record.topic().equals(Topic.PRODUCTS.topicName())
                ? CODEC.decodeProduct(record.value()).event().updatedAt().toEpochMilli()
                : CODEC.decodeFxRate(record.value()).event().validFrom().toEpochMilli();
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Reads the given topics from the start with {@code read_committed} until every partition is
     * read to its end (the run has flushed), then checks each topic holds its expected count of
     * planned records (heartbeats aside).
     */
    private static Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> readCommitted(
            EmbeddedKafkaBroker broker, Map<String, Long> expectedPerTopic) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
                ByteArrayDeserializer.class.getName());
        props.put(
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                ByteArrayDeserializer.class.getName());
        Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> read = new HashMap<>();
        Map<String, Long> counts = new HashMap<>();
        expectedPerTopic.keySet().forEach(topic -> counts.put(topic, 0L));
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
            List<TopicPartition> partitions =
                    expectedPerTopic.keySet().stream()
                            .flatMap(topic -> consumer.partitionsFor(topic, TIMEOUT).stream())
                            .map(info -> new TopicPartition(info.topic(), info.partition()))
                            .toList();
            // Assigned rather than subscribed: no group, so nothing to rebalance or commit.
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, TIMEOUT);
            await().atMost(TIMEOUT)
                    .pollInSameThread()
                    .pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(1))
                    .until(
                            () -> {
                                for (ConsumerRecord<byte[], byte[]> record :
                                        consumer.poll(Duration.ofMillis(200))) {
                                    read.computeIfAbsent(
                                                    new TopicPartition(
                                                            record.topic(), record.partition()),
                                                    tp -> new ArrayList<>())
                                            .add(record);
                                    if (!EventCodec.isHeartbeatKey(record.key())) {
                                        counts.merge(record.topic(), 1L, Long::sum);
                                    }
                                }
                                for (TopicPartition partition : partitions) {
                                    if (consumer.position(partition, TIMEOUT)
                                            < ends.get(partition)) {
                                        return false;
                                    }
                                }
                                return true;
                            });
            assertThat(counts).isEqualTo(expectedPerTopic);
        }
        return read;
    }

    private static List<TopicDefinition> createTopics(Admin admin, List<TopicDefinition> declared) {
        return new TopicCreator(admin, true).createMissing(declared);
    }

    private static Producer<byte[], byte[]> producer(EmbeddedKafkaBroker broker)
            throws java.io.IOException {
        return new KafkaProducer<>(Seeder.producerProperties(broker.bootstrapServers(), null));
    }

    private static Admin admin(EmbeddedKafkaBroker broker) {
        return Admin.create(
                Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()));
    }

    private static HttpResponse<String> get(HealthServer server, String path) throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            return http.send(
                    HttpRequest.newBuilder(URI.create("http://localhost:" + server.port() + path))
                            .timeout(TIMEOUT)
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
        }
    }

    /** A record as it is on the wire, comparable and readable in failure messages. */
    private record Wire(String key, String value, long timestamp, String faultHeader) {

        static Wire of(SeedRecord record) {
            return new Wire(
                    latin1(record.key()),
                    latin1(record.value()),
                    record.timestamp(),
                    record.fault() == null ? null : record.fault().name());
        }

        static Wire of(ConsumerRecord<byte[], byte[]> record) {
            Header fault = record.headers().lastHeader(Fault.HEADER);
            return new Wire(
                    latin1(record.key()),
                    latin1(record.value()),
                    record.timestamp(),
                    fault == null ? null : new String(fault.value(), StandardCharsets.UTF_8));
        }

        // ISO-8859-1 maps every byte to one char: equality stays byte for byte, and JSON
        // prints as itself.
        private static String latin1(byte[] bytes) {
            return bytes == null ? null : new String(bytes, StandardCharsets.ISO_8859_1);
        }
    }
}

package com.salesaggregator.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.salesaggregator.codec.EventCodec;
import com.salesaggregator.codec.RejectReason;
import com.salesaggregator.job.ReferenceModel.DeadLetter;
import com.salesaggregator.job.ReferenceModel.Expected;
import com.salesaggregator.job.ReferenceModel.Fate;
import com.salesaggregator.job.ReferenceModel.InputRecord;
import com.salesaggregator.job.ReferenceModel.InputTopics;
import com.salesaggregator.job.ReferenceModel.LateLine;
import com.salesaggregator.job.ReferenceModel.Line;
import com.salesaggregator.job.ReferenceModel.ProductTotal;
import com.salesaggregator.job.ReferenceModel.ProductWindow;
import com.salesaggregator.job.ReferenceModel.RegionMinute;
import com.salesaggregator.job.ReferenceModel.RegionTotal;
import com.salesaggregator.job.ReferenceModel.SellerMinute;
import com.salesaggregator.local.EmbeddedKafkaBroker;
import com.salesaggregator.local.TopicCreator;
import com.salesaggregator.model.OnlineOrder;
import com.salesaggregator.model.Product;
import com.salesaggregator.model.ReceiptLine;
import com.salesaggregator.model.StoreReceipt;
import com.salesaggregator.seeder.GeneratorConfig;
import com.salesaggregator.seeder.SalesGenerator;
import com.salesaggregator.seeder.SeedRecord;
import com.salesaggregator.topics.TopicDefinition;
import com.salesaggregator.topics.TopicDefinitions;
import com.salesaggregator.topics.Topics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BinaryOperator;
import java.util.function.Function;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The aggregation job end to end, with its real Kafka wiring ({@link SalesAggregationJob#define})
 * on a real broker and a Flink MiniCluster: a deterministic data set with every kind of rejection,
 * a delisting and rate updates mid-stream, out-of-order sales, upstream resends, then lines that
 * are late on purpose, on-time stragglers for windows that have already fired and resends of sales
 * whose windows have fired, then a drain. Every output must equal the {@link ReferenceModel}'s
 * recomputation exactly, every line must end in exactly one place, and the outputs must add up to
 * each other, at parallelism 2, 1 and 4 alike.
 *
 * <p>Each run gets topics of its own (the same data, produced afresh): the late lines must reach
 * the job after the main data's windows closed, which a replay from a backlog cannot guarantee.
 */
class SalesAggregationITCase {

    private static final Logger LOG = LoggerFactory.getLogger(SalesAggregationITCase.class);

    private static final int SLOTS = 4;
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON =
            JsonMapper.builder()
                    .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                    // Keeps "12.30" as 12.30: money must carry exactly two places.
                    .nodeFactory(JsonNodeFactory.withExactBigDecimals(true))
                    .build();

    private static final List<String> OUTPUTS =
            List.of(
                    Topics.REVENUE_PER_SELLER_1M,
                    Topics.UNITS_PER_PRODUCT_5M,
                    Topics.REVENUE_PER_PRODUCT,
                    Topics.SALES_PER_REGION,
                    Topics.REGION_TREND_1M,
                    Topics.SALES_DLQ,
                    Topics.SALES_LATE);

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(SLOTS)
                            .setConfiguration(clusterConfiguration())
                            .build());

    @TempDir static Path kafkaDir;

    private static EmbeddedKafkaBroker broker;
    private static Admin admin;

    /** The published figures of each finished run, to compare the runs with each other. */
    private static final Map<Integer, Published> RUNS = new ConcurrentHashMap<>();

    @BeforeAll
    static void startBroker() {
        broker = EmbeddedKafkaBroker.start(0, kafkaDir);
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        admin = Admin.create(props);
    }

    @AfterAll
    static void stopBroker() {
        if (admin != null) {
            admin.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    @ParameterizedTest(name = "parallelism {0}")
    @ValueSource(ints = {2, 1, 4})
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void publishesExactlyTheReferenceFigures(int parallelism, @TempDir Path runDir)
            throws Exception {
        long started = System.nanoTime();
        RunTopics topics = RunTopics.create("p" + parallelism + "-");
        DataSet data = DataSet.INSTANCE;
        List<InputRecord> produced = new ArrayList<>(produce(topics, data.main()));
        Expected mainOnly = ReferenceModel.compute(produced, topics.inputs(), Set.of());
        Set<String> mainMinutesClosed = new TreeSet<>();
        mainOnly.regionTrend()
                .forEach(
                        (key, minute) -> {
                            if (Instant.parse(minute.windowStart()).toEpochMilli()
                                    < DataSet.MAIN_END) {
                                mainMinutesClosed.add(key);
                            }
                        });
        assertThat(mainMinutesClosed).hasSizeGreaterThan(10);

        JobClient job = start(parallelism, topics, runDir);
        Published published;
        try (OutputReader out = new OutputReader(topics)) {
            LOG.info("p{}: job submitted after {} ms", parallelism, millisSince(started));
            // 1. Every minute of the main data has fired and been committed.
            awaitWhileRunning(job, "every main-data minute in " + topics.of(Topics.REGION_TREND_1M))
                    .until(
                            () -> {
                                out.poll();
                                return out.latest(Topics.REGION_TREND_1M)
                                        .keySet()
                                        .containsAll(mainMinutesClosed);
                            });
            LOG.info("p{}: main windows closed after {} ms", parallelism, millisSince(started));

            try (CatalogHeartbeat heartbeat = CatalogHeartbeat.start(topics)) {
                // 2. Lines whose minute closed long ago, and stragglers still within the allowed
                // lateness of a minute that has already fired.
                produced.addAll(produce(topics, data.afterWindowsClosed()));
                Expected planned =
                        ReferenceModel.compute(produced, topics.inputs(), data.lateIds());
                String stragglerKey = data.stragglerRegionMinute();
                long stragglerUnits = planned.regionTrend().get(stragglerKey).units();
                awaitWhileRunning(job, "the late lines in sales-late and the stragglers counted")
                        .until(
                                () -> {
                                    out.poll();
                                    JsonNode minute =
                                            out.latest(Topics.REGION_TREND_1M).get(stragglerKey);
                                    // At least: a job that counts too much (a resend) fails
                                    // the exact check below, with the differences, not here.
                                    return out.keys(Topics.SALES_LATE).containsAll(data.lateIds())
                                            && minute != null
                                            && minute.path("units").asLong() >= stragglerUnits;
                                });
                LOG.info("p{}: late lines seen after {} ms", parallelism, millisSince(started));
                awaitWhileRunning(job, "the job reading the catalog heartbeat")
                        .until(() -> heartbeat.readBy(groupId(topics)));

                // 3. Drain: the end of event time fires every window and flushes every total.
                String savepoint =
                        job.stopWithSavepoint(
                                        true,
                                        runDir.resolve("savepoints").toUri().toString(),
                                        SavepointFormatType.CANONICAL)
                                .get(WAIT.toSeconds(), TimeUnit.SECONDS);
                assertThat(savepoint).isNotBlank();
                job.getJobExecutionResult().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            }
            assertThat(job.getJobStatus().get(WAIT.toSeconds(), TimeUnit.SECONDS))
                    .isEqualTo(JobStatus.FINISHED);
            out.readToEnd();
            LOG.info("p{}: drained and read after {} ms", parallelism, millisSince(started));
            published = out.published();
        }

        assertNoTransactionLeftOpen(topics);
        Expected expected =
                ReferenceModel.compute(produced, topics.inputs(), published.late().keySet());
        assertDataSetCoversEveryCase(expected, topics);
        Map<Fate, Long> fates = new TreeMap<>();
        expected.fates().values().forEach(fate -> fates.merge(fate, 1L, Long::sum));
        Map<String, Long> reasons = new TreeMap<>();
        expected.deadLetters().forEach(d -> reasons.merge(d.reason(), 1L, Long::sum));
        LOG.info(
                "p{}: {} input records, {} lines {} and {} resent, dead letters {}",
                parallelism,
                produced.size(),
                expected.lines().size(),
                fates,
                expected.resends().size(),
                reasons);
        assertFiguresMatch(expected, published);
        assertDeadLettersMatch(expected, published, produced);
        assertThat(published.late())
                .as("sales-late holds exactly the lines made late on purpose, each once")
                .containsOnlyKeys(data.lateIds());
        assertThat(published.late()).isEqualTo(expected.late());
        assertEveryLineAccountedForOnce(expected, published, topics, produced);
        assertOutputsAddUp(published);

        Published normalized = published.withoutTopicPrefix(topics.prefix());
        RUNS.forEach(
                (otherParallelism, other) ->
                        assertThat(normalized)
                                .as(
                                        "figures at parallelism %d and %d",
                                        parallelism, otherParallelism)
                                .isEqualTo(other));
        RUNS.put(parallelism, normalized);
        LOG.info("p{}: done in {} ms", parallelism, millisSince(started));
    }

    // ------------------------------------------------------------ the job

    private static Configuration clusterConfiguration() {
        Configuration config = new Configuration();
        // A failure fails the test at once instead of restarting forever.
        config.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        return config;
    }

    private static JobClient start(int parallelism, RunTopics topics, Path runDir)
            throws Exception {
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "--bootstrap-servers", broker.bootstrapServers(),
                                "--group-id", groupId(topics),
                                "--transactional-id-prefix", "itcase-" + topics.prefix() + "tx",
                                "--starting-offsets", "earliest",
                                // Long enough that a busy machine never marks a partition with
                                // backlog idle
                                // (its lines would then turn late), short enough for a quick test.
                                "--idleness", "5s",
                                "--checkpoint-interval", "1s",
                                "--min-pause-between-checkpoints", "100ms",
                                "--checkpoint-timeout", "30s",
                                "--restart-budget", "0s",
                                "--transaction-timeout", "1m",
                                // Longer than a run: the last value of every running total is the
                                // one flushed at the end of event time, by the drain.
                                "--emit-interval", "1m"));
        for (String topic : Topics.ALL) {
            args.add("--" + JobConfig.TOPIC_PREFIX + topic);
            args.add(topics.of(topic));
        }
        JobConfig config = SalesAggregationJob.parse(args.toArray(String[]::new));

        // The MiniCluster's environment; the cluster's restart strategy (none) applies.
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(parallelism);
        SalesAggregationJob.define(env, config);
        return env.executeAsync(SalesAggregationJob.NAME + "-p" + parallelism);
    }

    /**
     * Keeps the catalog source active through the drain, so that the end of event time reaches
     * every operator. Flink 2.2 drops the final watermark of a source that is idle at drain
     * (FLINK-40499: {@code advanceToEndOfEventTime()} emits MAX_WATERMARK without re-announcing
     * ACTIVE, and task outputs drop watermarks while IDLE). Here every source is idle by then, so
     * without this nothing would fire before the final savepoint: the windows would fire after it,
     * into a transaction that is never committed. The heartbeat re-publishes one version of a
     * product no sale names, valid from the time of the trailing sales: it changes no output, and
     * its watermark equals the one the sales reach, so it neither holds event time back nor moves
     * it further. It starts only after the main data's minutes have fired, so that it cannot move
     * the watermark while the sales are still being read.
     */
    private static final class CatalogHeartbeat implements AutoCloseable {
        private static final String PRODUCT = "p-heartbeat";
        private final KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProps());
        private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        private final ProducerRecord<byte[], byte[]> record;
        private final RecordMetadata first;

        private CatalogHeartbeat(RunTopics topics) throws Exception {
            // Exactly the trailing sales' time: while the sales partitions are idle this source
            // alone sets the watermark, which must stay where the sales left it.
            Instant validFrom = Instant.ofEpochMilli(DataSet.TRAILING);
            Product product = new Product(PRODUCT, "Heartbeat", "none", BigDecimal.ONE, validFrom);
            record =
                    new ProducerRecord<>(
                            topics.of(Topics.PRODUCTS),
                            null,
                            validFrom.toEpochMilli(),
                            PRODUCT.getBytes(StandardCharsets.UTF_8),
                            EventCodec.withDefaults().encode(product));
            first = producer.send(record).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        }

        static CatalogHeartbeat start(RunTopics topics) throws Exception {
            CatalogHeartbeat heartbeat = new CatalogHeartbeat(topics);
            heartbeat.timer.scheduleAtFixedRate(
                    () -> heartbeat.producer.send(heartbeat.record),
                    200,
                    200,
                    TimeUnit.MILLISECONDS);
            return heartbeat;
        }

        /** Whether the job has checkpointed a position past the first heartbeat. */
        boolean readBy(String groupId) throws Exception {
            TopicPartition partition = new TopicPartition(first.topic(), first.partition());
            OffsetAndMetadata committed =
                    admin.listConsumerGroupOffsets(groupId)
                            .partitionsToOffsetAndMetadata()
                            .get(WAIT.toSeconds(), TimeUnit.SECONDS)
                            .get(partition);
            return committed != null && committed.offset() > first.offset();
        }

        @Override
        public void close() throws InterruptedException {
            timer.shutdown();
            assertThat(timer.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
            producer.close();
        }
    }

    private static String groupId(RunTopics topics) {
        return "itcase-" + topics.prefix() + "group";
    }

    /** Awaitility that gives up at once, with the job's failure, when the job stops. */
    private static ConditionFactory awaitWhileRunning(JobClient job, String what) {
        return await(what)
                .atMost(WAIT)
                .pollInSameThread()
                .pollInterval(Duration.ofMillis(200))
                .failFast("the job stopped", () -> assertRunning(job));
    }

    private static void assertRunning(JobClient job) throws Exception {
        JobStatus status = job.getJobStatus().get(10, TimeUnit.SECONDS);
        if (status.isGloballyTerminalState()) {
            try {
                job.getJobExecutionResult().get(10, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                throw new AssertionError("the job " + status + ": " + e.getCause(), e.getCause());
            }
            throw new AssertionError("the job ended early: " + status);
        }
    }

    // ------------------------------------------------------------ assertions

    /** Guards the test itself: the data set must exercise every case it claims to. */
    private static void assertDataSetCoversEveryCase(Expected expected, RunTopics topics) {
        Map<String, Set<String>> reasonsPerTopic = new TreeMap<>();
        expected.deadLetters()
                .forEach(
                        d ->
                                reasonsPerTopic
                                        .computeIfAbsent(d.sourceTopic(), t -> new TreeSet<>())
                                        .add(d.reason()));
        assertThat(reasonsPerTopic.get(topics.of(Topics.SALES_ONLINE)))
                .contains(
                        RejectReason.UNKNOWN_PRODUCT.name(),
                        RejectReason.DELISTED_PRODUCT.name(),
                        RejectReason.NO_FX_RATE.name());
        assertThat(reasonsPerTopic.get(topics.of(Topics.SALES_STORE)))
                .contains(
                        RejectReason.UNKNOWN_PRODUCT.name(),
                        RejectReason.DELISTED_PRODUCT.name(),
                        RejectReason.NO_FX_RATE.name());
        Set<String> codecReasons = new TreeSet<>();
        expected.deadLetters().stream()
                .filter(d -> d.lineId() == null)
                .forEach(d -> codecReasons.add(d.reason()));
        assertThat(codecReasons)
                .as("malformed records of several kinds")
                .hasSizeGreaterThanOrEqualTo(5);
        Set<String> sales = Set.of(topics.of(Topics.SALES_ONLINE), topics.of(Topics.SALES_STORE));
        for (String topic : sales) {
            assertThat(reasonsPerTopic.get(topic))
                    .as("resends in %s", topic)
                    .contains(RejectReason.DUPLICATE.name());
        }
        assertThat(
                        expected.deadLetters().stream()
                                .filter(d -> d.reason().equals(RejectReason.DUPLICATE.name()))
                                .map(DeadLetter::lineId))
                .as("the lines of every resend, each once")
                .containsExactlyInAnyOrderElementsOf(DataSet.RESENT_LINE_IDS);
        assertThat(
                        expected.resends().stream()
                                .filter(l -> l.lineId().equals("r-resent-1#0"))
                                .map(Line::partition))
                .as("a receipt resent on another partition")
                .singleElement()
                .isNotEqualTo(
                        expected.lines().stream()
                                .filter(l -> l.lineId().equals("r-resent-1#0"))
                                .findFirst()
                                .orElseThrow()
                                .partition());
        assertThat(reasonsPerTopic.get(topics.of(Topics.PRODUCTS)))
                .containsExactly(RejectReason.INVALID_PRICE.name());
        assertThat(reasonsPerTopic.get(topics.of(Topics.FX_RATES)))
                .containsExactly(RejectReason.INVALID_RATE.name());
        assertThat(expected.fates().values())
                .filteredOn(fate -> fate == Fate.COUNTED)
                .hasSizeGreaterThan(2_000);
        assertThat(expected.regionTrend()).hasSizeGreaterThan(20);
        assertThat(expected.unitsPerProduct()).hasSizeGreaterThan(100);
    }

    /** Same keys and values in all five aggregates; on failure, the first differences of each. */
    private static void assertFiguresMatch(Expected expected, Published published) {
        List<String> report = new ArrayList<>();
        report.addAll(
                differences(
                        Topics.REVENUE_PER_SELLER_1M,
                        expected.revenuePerSeller(),
                        published.revenuePerSeller()));
        report.addAll(
                differences(
                        Topics.UNITS_PER_PRODUCT_5M,
                        expected.unitsPerProduct(),
                        published.unitsPerProduct()));
        report.addAll(
                differences(
                        Topics.REGION_TREND_1M, expected.regionTrend(), published.regionTrend()));
        report.addAll(
                differences(
                        Topics.REVENUE_PER_PRODUCT,
                        expected.revenuePerProduct(),
                        published.revenuePerProduct()));
        report.addAll(
                differences(
                        Topics.SALES_PER_REGION,
                        expected.salesPerRegion(),
                        published.salesPerRegion()));
        assertThat(report)
                .as("figures differing from the reference model:%n%s", String.join("\n", report))
                .isEmpty();
    }

    private static <T> List<String> differences(
            String output, Map<String, T> expected, Map<String, T> actual) {
        Set<String> keys = new TreeSet<>(expected.keySet());
        keys.addAll(actual.keySet());
        List<String> differences = new ArrayList<>();
        for (String key : keys) {
            T want = expected.get(key);
            T got = actual.get(key);
            if (!Objects.equals(want, got)) {
                differences.add("  " + key + ":\n    expected " + want + "\n    but was  " + got);
            }
        }
        if (differences.isEmpty()) {
            return List.of();
        }
        List<String> report = new ArrayList<>();
        report.add(output + ": " + differences.size() + " of " + keys.size() + " keys differ");
        report.addAll(differences.subList(0, Math.min(8, differences.size())));
        return report;
    }

    private static void assertDeadLettersMatch(
            Expected expected, Published published, List<InputRecord> produced) {
        Comparator<DeadLetter> order =
                Comparator.comparing(DeadLetter::sourceTopic)
                        .thenComparingInt(DeadLetter::partition)
                        .thenComparingLong(DeadLetter::offset)
                        .thenComparing(
                                DeadLetter::lineId,
                                Comparator.nullsFirst(Comparator.naturalOrder()));
        List<DeadLetter> want = expected.deadLetters().stream().sorted(order).toList();
        List<DeadLetter> got = published.deadLetters().stream().map(Dlq::id).sorted(order).toList();
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
        for (Dlq dlq : published.deadLetters()) {
            DeadLetter id = dlq.id();
            String position = id.sourceTopic() + ":" + id.partition() + ":" + id.offset();
            assertThat(dlq.key())
                    .as("key of the dead letter for %s", position)
                    .isEqualTo(id.lineId() == null ? position : position + ":" + id.lineId());
            assertThat(dlq.message()).as("message of %s", dlq.key()).isNotBlank();
            InputRecord source = byPosition.get(position);
            assertThat(dlq.sourceKey()).as("source key in %s", dlq.key()).isEqualTo(source.key());
            if (id.lineId() == null) {
                assertThat(dlq.sourceValue())
                        .as("source value in %s", dlq.key())
                        .isEqualTo(source.value());
            }
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
        }
    }

    /**
     * Every sales record is split into lines or dead-lettered whole, and every line ends in exactly
     * one place, judged from what was published: sales-dlq, sales-late, or (the rest) the
     * aggregates, whose units add up to exactly the rest.
     */
    private static void assertEveryLineAccountedForOnce(
            Expected expected, Published published, RunTopics topics, List<InputRecord> produced) {
        Set<String> sales = Set.of(topics.of(Topics.SALES_ONLINE), topics.of(Topics.SALES_STORE));
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
                        .map(Dlq::id)
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
                        .map(Dlq::id)
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
                        .map(Dlq::id)
                        .filter(d -> !duplicates.contains(d))
                        .map(DeadLetter::lineId)
                        .filter(Objects::nonNull)
                        .toList();
        assertThat(deadLines).doesNotHaveDuplicates();
        assertThat(lines.keySet()).containsAll(deadLines).containsAll(published.late().keySet());
        Set<String> elsewhere = new HashSet<>(deadLines);
        assertThat(published.late().keySet())
                .as("late lines that were also dead-lettered")
                .doesNotContainAnyElementsOf(elsewhere);
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
    private static void assertOutputsAddUp(Published published) {
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

    /** At the end no output partition holds an open transaction: every write was committed. */
    private static void assertNoTransactionLeftOpen(RunTopics topics) throws Exception {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (String output : OUTPUTS) {
            for (TopicPartition partition : topics.partitionsOf(output)) {
                latest.put(partition, OffsetSpec.latest());
            }
        }
        Map<TopicPartition, Long> committed = new HashMap<>();
        admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED))
                .all()
                .get(WAIT.toSeconds(), TimeUnit.SECONDS)
                .forEach((tp, info) -> committed.put(tp, info.offset()));
        Map<TopicPartition, Long> written = new HashMap<>();
        admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_UNCOMMITTED))
                .all()
                .get(WAIT.toSeconds(), TimeUnit.SECONDS)
                .forEach((tp, info) -> written.put(tp, info.offset()));
        assertThat(committed).as("last stable offsets = high watermarks").isEqualTo(written);
    }

    private static <T> long sum(Collection<T> values, Function<T, Long> units) {
        return values.stream().mapToLong(units::apply).sum();
    }

    private static <T> BigDecimal money(Collection<T> values, Function<T, BigDecimal> amount) {
        BinaryOperator<BigDecimal> add = BigDecimal::add;
        return values.stream().map(amount).reduce(BigDecimal.ZERO.setScale(2), add);
    }

    private static long millisSince(long nanos) {
        return (System.nanoTime() - nanos) / 1_000_000;
    }

    // ------------------------------------------------------------ Kafka

    private static Properties producerProps() {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return props;
    }

    /** Produces {@code records} in order; returns them as the broker stored them. */
    private static List<InputRecord> produce(RunTopics topics, List<Planned> records)
            throws Exception {
        List<Future<RecordMetadata>> sent = new ArrayList<>(records.size());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProps())) {
            for (Planned record : records) {
                sent.add(
                        producer.send(
                                new ProducerRecord<>(
                                        topics.of(record.topic()),
                                        record.partition(),
                                        record.timestamp(),
                                        record.key(),
                                        record.value())));
            }
            producer.flush();
        }
        List<InputRecord> stored = new ArrayList<>(records.size());
        for (int i = 0; i < records.size(); i++) {
            RecordMetadata meta = sent.get(i).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            Planned record = records.get(i);
            stored.add(
                    new InputRecord(
                            meta.topic(),
                            meta.partition(),
                            meta.offset(),
                            record.key(),
                            record.value(),
                            meta.timestamp()));
        }
        return stored;
    }

    /** The topics of one run: every topic of the job, with a prefix of the run's own. */
    private record RunTopics(String prefix, Map<String, Integer> partitions) {

        static RunTopics create(String prefix) {
            List<TopicDefinition> definitions = new ArrayList<>();
            Map<String, Integer> partitions = new HashMap<>();
            for (TopicDefinition d : TopicDefinitions.load()) {
                definitions.add(
                        new TopicDefinition(
                                prefix + d.name(), d.partitions(), d.replicas(), d.config()));
                partitions.put(d.name(), d.partitions());
            }
            assertThat(new TopicCreator(admin, true).createMissing(definitions))
                    .hasSameSizeAs(definitions);
            return new RunTopics(prefix, partitions);
        }

        String of(String topic) {
            return prefix + topic;
        }

        InputTopics inputs() {
            return new InputTopics(
                    of(Topics.SALES_ONLINE),
                    of(Topics.SALES_STORE),
                    of(Topics.PRODUCTS),
                    of(Topics.FX_RATES));
        }

        List<TopicPartition> partitionsOf(String topic) {
            List<TopicPartition> list = new ArrayList<>();
            for (int p = 0; p < partitions.get(topic); p++) {
                list.add(new TopicPartition(of(topic), p));
            }
            return list;
        }
    }

    /**
     * Reads every output topic of a run from the start with {@code read_committed}, without a
     * consumer group.
     */
    private static final class OutputReader implements AutoCloseable {
        private final RunTopics topics;
        private final KafkaConsumer<byte[], byte[]> consumer;
        private final List<TopicPartition> partitions = new ArrayList<>();

        /** Per output (logical name): every record, in offset order per partition. */
        private final Map<String, List<ConsumerRecord<byte[], byte[]>>> records = new HashMap<>();

        OutputReader(RunTopics topics) {
            this.topics = topics;
            Properties props = new Properties();
            props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
            props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
            props.put(
                    ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
                    ByteArrayDeserializer.class.getName());
            props.put(
                    ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                    ByteArrayDeserializer.class.getName());
            consumer = new KafkaConsumer<>(props);
            for (String output : OUTPUTS) {
                partitions.addAll(topics.partitionsOf(output));
                records.put(output, new ArrayList<>());
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
        }

        void poll() {
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                records.get(record.topic().substring(topics.prefix().length())).add(record);
            }
        }

        /** Reads up to the last stable offset of every partition (the job has finished). */
        void readToEnd() {
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, WAIT);
            await("every output read to its end")
                    .atMost(WAIT)
                    .pollInSameThread()
                    .pollInterval(Duration.ofMillis(10))
                    .until(
                            () -> {
                                poll();
                                return partitions.stream()
                                        .allMatch(p -> consumer.position(p) >= ends.get(p));
                            });
        }

        /** The latest value per key of an output. */
        Map<String, JsonNode> latest(String output) {
            Map<String, JsonNode> latest = new HashMap<>();
            for (ConsumerRecord<byte[], byte[]> record : records.get(output)) {
                latest.put(text(record.key()), parse(record.value()));
            }
            return latest;
        }

        /** Every key of an output, repeated as often as published. */
        List<String> keys(String output) {
            return records.get(output).stream().map(r -> text(r.key())).toList();
        }

        Published published() {
            List<Dlq> deadLetters = new ArrayList<>();
            for (ConsumerRecord<byte[], byte[]> record : records.get(Topics.SALES_DLQ)) {
                deadLetters.add(Dlq.of(text(record.key()), parse(record.value())));
            }
            Map<String, LateLine> late = new HashMap<>();
            for (ConsumerRecord<byte[], byte[]> record : records.get(Topics.SALES_LATE)) {
                JsonNode value = parse(record.value());
                LateLine line =
                        new LateLine(
                                value.path("line_id").asText(),
                                value.path("product_name").asText(),
                                value.path("revenue_eur").decimalValue(),
                                value.path("window_start").asText(),
                                value.path("window_end").asText());
                assertThat(text(record.key())).isEqualTo(line.lineId());
                assertThat(late.put(line.lineId(), line))
                        .as("late line %s published once", line.lineId())
                        .isNull();
            }
            return new Published(
                    rows(
                            Topics.REVENUE_PER_SELLER_1M,
                            Set.of(
                                    "seller_id",
                                    "window_start",
                                    "window_end",
                                    "orders",
                                    "units",
                                    "revenue_eur"),
                            v ->
                                    new SellerMinute(
                                            v.path("seller_id").asText(),
                                            v.path("window_start").asText(),
                                            v.path("window_end").asText(),
                                            v.path("orders").asLong(),
                                            v.path("units").asLong(),
                                            v.path("revenue_eur").decimalValue())),
                    rows(
                            Topics.UNITS_PER_PRODUCT_5M,
                            Set.of(
                                    "product_id",
                                    "name",
                                    "category",
                                    "window_start",
                                    "window_end",
                                    "units"),
                            v ->
                                    new ProductWindow(
                                            v.path("product_id").asText(),
                                            v.path("name").asText(),
                                            v.path("category").asText(),
                                            v.path("window_start").asText(),
                                            v.path("window_end").asText(),
                                            v.path("units").asLong())),
                    rows(
                            Topics.REGION_TREND_1M,
                            Set.of("region", "window_start", "window_end", "units", "revenue_eur"),
                            v ->
                                    new RegionMinute(
                                            v.path("region").asText(),
                                            v.path("window_start").asText(),
                                            v.path("window_end").asText(),
                                            v.path("units").asLong(),
                                            v.path("revenue_eur").decimalValue())),
                    rows(
                            Topics.REVENUE_PER_PRODUCT,
                            Set.of("product_id", "name", "units", "revenue_eur", "margin_eur"),
                            v ->
                                    new ProductTotal(
                                            v.path("product_id").asText(),
                                            v.path("name").asText(),
                                            v.path("units").asLong(),
                                            v.path("revenue_eur").decimalValue(),
                                            v.path("margin_eur").decimalValue())),
                    rows(
                            Topics.SALES_PER_REGION,
                            Set.of("region", "units", "revenue_eur"),
                            v ->
                                    new RegionTotal(
                                            v.path("region").asText(),
                                            v.path("units").asLong(),
                                            v.path("revenue_eur").decimalValue())),
                    deadLetters,
                    late);
        }

        private <T> Map<String, T> rows(
                String output, Set<String> fields, Function<JsonNode, T> row) {
            Map<String, T> rows = new HashMap<>();
            latest(output)
                    .forEach(
                            (key, value) -> {
                                Set<String> names = new TreeSet<>();
                                value.fieldNames().forEachRemaining(names::add);
                                assertThat(names)
                                        .as("fields of %s %s", output, key)
                                        .isEqualTo(new TreeSet<>(fields));
                                rows.put(key, row.apply(value));
                            });
            return rows;
        }

        @Override
        public void close() {
            consumer.close();
        }
    }

    private static String text(byte[] bytes) {
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }

    private static JsonNode parse(byte[] value) {
        try {
            return JSON.readTree(value);
        } catch (IOException e) {
            throw new UncheckedIOException("output value is not JSON: " + text(value), e);
        }
    }

    /** A published dead letter: what identifies it, plus the source record it carries. */
    private record Dlq(
            DeadLetter id, String key, byte[] sourceKey, byte[] sourceValue, String message) {

        static Dlq of(String key, JsonNode value) {
            return new Dlq(
                    new DeadLetter(
                            value.path("source_topic").asText(),
                            value.path("partition").asInt(),
                            value.path("offset").asLong(),
                            value.hasNonNull("line_id") ? value.path("line_id").asText() : null,
                            value.path("reason").asText()),
                    key,
                    bytes(value, "key"),
                    bytes(value, "value"),
                    value.path("message").asText());
        }

        private static byte[] bytes(JsonNode value, String field) {
            if (!value.hasNonNull(field)) {
                return null;
            }
            String text = value.path(field).asText();
            return "base64".equals(value.path(field + "_encoding").asText())
                    ? Base64.getDecoder().decode(text)
                    : text.getBytes(StandardCharsets.UTF_8);
        }

        Dlq withoutTopicPrefix(String prefix) {
            DeadLetter unprefixed =
                    new DeadLetter(
                            id.sourceTopic().substring(prefix.length()),
                            id.partition(),
                            id.offset(),
                            id.lineId(),
                            id.reason());
            return new Dlq(
                    unprefixed, key.substring(prefix.length()), sourceKey, sourceValue, message);
        }

        @Override
        public boolean equals(Object o) {
            // Byte arrays by content, so that runs can be compared.
            return o instanceof Dlq other
                    && id.equals(other.id)
                    && key.equals(other.key)
                    && Arrays.equals(sourceKey, other.sourceKey)
                    && Arrays.equals(sourceValue, other.sourceValue)
                    && message.equals(other.message);
        }

        @Override
        public int hashCode() {
            return Objects.hash(id, key, message);
        }

        @Override
        public String toString() {
            return key + " " + id.reason() + " (" + message + ")";
        }
    }

    /** The final state of every output of a run. */
    private record Published(
            Map<String, SellerMinute> revenuePerSeller,
            Map<String, ProductWindow> unitsPerProduct,
            Map<String, RegionMinute> regionTrend,
            Map<String, ProductTotal> revenuePerProduct,
            Map<String, RegionTotal> salesPerRegion,
            List<Dlq> deadLetters,
            Map<String, LateLine> late) {

        /** For comparing runs on differently prefixed topics: DLQ entries sorted, unprefixed. */
        Published withoutTopicPrefix(String prefix) {
            return new Published(
                    revenuePerSeller,
                    unitsPerProduct,
                    regionTrend,
                    revenuePerProduct,
                    salesPerRegion,
                    deadLetters.stream()
                            .map(d -> d.withoutTopicPrefix(prefix))
                            .sorted(Comparator.comparing(Dlq::key))
                            .toList(),
                    late);
        }
    }

    // ------------------------------------------------------------ the data set

    /** One input record to produce: logical topic, optional explicit partition. */
    private record Planned(
            String topic, Integer partition, byte[] key, byte[] value, long timestamp) {}

    /**
     * The deterministic input of every run. Event time starts at {@link #START}, a whole minute an
     * hour ago (brokers reject timestamps more than an hour ahead). The main data covers the five
     * minutes [START, MAIN_END): bulk sales from {@link SalesGenerator} (both channels, four
     * currencies, out of order by up to 20 s, rate updates every minute, catalog changes, planned
     * defects) with hand-made special cases merged in at their event time. Trailing sales at
     * MAIN_END + 45 s in every sales partition then move the watermark past MAIN_END (and no
     * further than MAIN_END + 15 s), so every main-data minute fires; the drain fires the rest.
     */
    private static final class DataSet {

        static final long START =
                Instant.now()
                        .truncatedTo(ChronoUnit.MINUTES)
                        .minus(Duration.ofHours(1))
                        .toEpochMilli();
        static final long MAIN_END = START + minutes(5);
        static final long TRAILING = MAIN_END + seconds(45);

        private static final int BULK_SALES = 1_500;
        private static final String EUR_REGION = "eu-west";
        private static final String GBP_REGION = "uk";
        private static final EventCodec CODEC = EventCodec.withDefaults();

        /** The lines of every sale the data set delivers twice. */
        private static final Set<String> RESENT_LINE_IDS =
                Set.of(
                        "o-special-1",
                        "o-unknown-1",
                        "r-special-2#0",
                        "r-special-2#1",
                        "r-special-2#2",
                        "o-resent-1",
                        "r-resent-1#0",
                        "r-resent-1#1");

        /** Last: built from the constants above. */
        static final DataSet INSTANCE = new DataSet();

        private final List<Planned> main = new ArrayList<>();
        private final List<Planned> afterWindowsClosed = new ArrayList<>();
        private final Set<String> lateIds = new TreeSet<>();
        private final String stragglerRegionMinute;

        private DataSet() {
            handmadeReferenceData();
            List<Planned> specials = new ArrayList<>(handmadeSales());
            specials.sort(Comparator.comparingLong(Planned::timestamp));
            mergeWithBulk(specials);
            trailingSales();

            // Late on purpose: minutes 0 to 2 closed for over a minute by then (watermark at
            // least MAIN_END). EUR and single-version products, so their pricing is unambiguous.
            late(
                    online(
                            "o-late-1",
                            seconds(20),
                            "seller-901",
                            EUR_REGION,
                            "EUR",
                            "p-stable",
                            1,
                            "7.25"));
            late(
                    online(
                            "o-late-2",
                            seconds(95),
                            "seller-901",
                            EUR_REGION,
                            "EUR",
                            "p-penny",
                            2,
                            "0.125"));
            late(
                    receipt(
                            "r-late-1",
                            seconds(130),
                            "store-901",
                            "seller-901",
                            EUR_REGION,
                            "EUR",
                            new ReceiptLine("p-stable", 2, new BigDecimal("7.25")),
                            new ReceiptLine("p-penny", 1, new BigDecimal("0.135"))));
            lateIds.addAll(List.of("o-late-1", "o-late-2", "r-late-1#0", "r-late-1#1"));

            // Stragglers: minute 4 has fired (watermark >= MAIN_END - 1 ms) but is still within
            // the allowed lateness (watermark <= MAIN_END + 15 s); the same seller and region as
            // bulk sales, so already published figures must be re-emitted under the same keys.
            afterWindowsClosed.add(
                    online(
                            "o-straggler-1",
                            seconds(280),
                            "seller-000",
                            EUR_REGION,
                            "EUR",
                            "p-stable",
                            2,
                            "7.25"));
            afterWindowsClosed.add(
                    receipt(
                            "r-straggler-1",
                            seconds(290),
                            "store-904",
                            "seller-000",
                            EUR_REGION,
                            "EUR",
                            new ReceiptLine("p-stable", 1, new BigDecimal("7.25")),
                            new ReceiptLine("p-penny", 4, new BigDecimal("0.125"))));
            stragglerRegionMinute = EUR_REGION + "@" + ReferenceModel.iso(START + minutes(4));

            // Resends after their first delivery's minute fired: one within the allowed lateness
            // (same region and minute as the stragglers, so counting it would show there), one
            // long after and from another partition (counting it would make it late).
            afterWindowsClosed.add(resend(resentOrder(), minutes(1)));
            afterWindowsClosed.add(resendOn(1, resentReceipt(), minutes(2)));
        }

        List<Planned> main() {
            return main;
        }

        List<Planned> afterWindowsClosed() {
            return afterWindowsClosed;
        }

        Set<String> lateIds() {
            return lateIds;
        }

        Set<String> resentLineIds() {
            return RESENT_LINE_IDS;
        }

        String stragglerRegionMinute() {
            return stragglerRegionMinute;
        }

        private void late(Planned sale) {
            afterWindowsClosed.add(sale);
        }

        /** Catalog and rates, all produced before any sale. */
        private void handmadeReferenceData() {
            long listed = START - minutes(60);
            product("p-stable", "Stable Lamp", "home", "4.00", listed);
            product("p-penny", "Penny Sweet", "grocery", "0.0550", listed);
            // Cost change mid-stream, then delisted at minute 2:30.
            product("p-special", "Special Kettle", "home", "10.00", listed);
            product("p-special", "Special Kettle", "home", "11.50", START + seconds(75));
            main.add(
                    new Planned(
                            Topics.PRODUCTS, null, utf8("p-special"), null, START + seconds(150)));
            // Listed only at 4:58 and renamed at 5:03: a sale at 4:55 is of an unknown product.
            product("p-new", "New Drone", "toys", "20.00", START + seconds(298));
            product("p-new", "New Drone II", "toys", "21.00", START + seconds(303));
            // Rejected reference records.
            main.add(
                    new Planned(
                            Topics.PRODUCTS,
                            null,
                            utf8("p-broken"),
                            utf8(
                                    "{\"product_id\":\"p-broken\",\"name\":\"Broken\","
                                            + "\"category\":\"home\",\"unit_cost_eur\":-1.00,"
                                            + "\"updated_at\":\""
                                            + Instant.ofEpochMilli(listed)
                                            + "\"}"),
                            listed));
            main.add(
                    new Planned(
                            Topics.FX_RATES,
                            null,
                            utf8("CHF"),
                            utf8(
                                    "{\"currency\":\"CHF\",\"eur_per_unit\":0,"
                                            + "\"valid_from\":\""
                                            + Instant.ofEpochMilli(listed)
                                            + "\"}"),
                            listed));
        }

        private void product(String id, String name, String category, String cost, long at) {
            Product product =
                    new Product(id, name, category, new BigDecimal(cost), Instant.ofEpochMilli(at));
            main.add(new Planned(Topics.PRODUCTS, null, utf8(id), CODEC.encode(product), at));
        }

        private static List<Planned> handmadeSales() {
            List<Planned> sales = new ArrayList<>(handmadeFirstDeliveries());
            // Producer resends, each on the partition of its first delivery, a few seconds after
            // it: of a counted order, of an order dead-lettered for its product, and of a receipt
            // with counted and dead-lettered lines (dropped as a whole).
            sales.add(resend(byKey(sales, "o-special-1"), seconds(15)));
            sales.add(resend(byKey(sales, "o-unknown-1"), seconds(5)));
            sales.add(resend(byValue(sales, "r-special-2"), seconds(10)));
            return sales;
        }

        private static Planned byKey(List<Planned> sales, String key) {
            return sales.stream()
                    .filter(p -> Arrays.equals(p.key(), utf8(key)))
                    .findFirst()
                    .orElseThrow();
        }

        private static Planned byValue(List<Planned> sales, String id) {
            return sales.stream()
                    .filter(p -> new String(p.value(), StandardCharsets.UTF_8).contains(id))
                    .findFirst()
                    .orElseThrow();
        }

        /**
         * The same record sent again {@code delay} later (its Kafka timestamp), on {@code
         * original}'s partition (by key, or explicit).
         */
        private static Planned resend(Planned original, long delay) {
            return resendOn(original.partition(), original, delay);
        }

        private static Planned resendOn(Integer partition, Planned original, long delay) {
            return new Planned(
                    original.topic(),
                    partition,
                    original.key(),
                    original.value(),
                    original.timestamp() + delay);
        }

        /** An order in minute 4, resent once that minute has fired (within allowed lateness). */
        private static Planned resentOrder() {
            return online(
                    "o-resent-1",
                    seconds(285),
                    "seller-901",
                    EUR_REGION,
                    "EUR",
                    "p-stable",
                    1,
                    "7.25");
        }

        /**
         * A receipt in minute 1 on partition 0, resent on partition 1 long after that minute
         * closed: were it not a duplicate, it would be late.
         */
        private static Planned resentReceipt() {
            Planned receipt =
                    receipt(
                            "r-resent-1",
                            seconds(100),
                            "store-905",
                            "seller-903",
                            EUR_REGION,
                            "EUR",
                            new ReceiptLine("p-stable", 2, new BigDecimal("7.25")),
                            new ReceiptLine("p-penny", 3, new BigDecimal("0.125")));
            return resendOn(0, receipt, 0);
        }

        private static List<Planned> handmadeFirstDeliveries() {
            ReceiptLine stable = new ReceiptLine("p-stable", 3, new BigDecimal("7.25"));
            return List.of(
                    resentOrder(),
                    resentReceipt(),
                    // Half-even rounding, once per line: 0.125 -> 0.12, 0.135 -> 0.14,
                    // 3 x 0.0125 = 0.0375 -> 0.04 with margin 0.04 - 0.165 = -0.125 -> -0.12.
                    online(
                            "o-penny-1",
                            seconds(30),
                            "seller-901",
                            EUR_REGION,
                            "EUR",
                            "p-penny",
                            1,
                            "0.125"),
                    online(
                            "o-penny-2",
                            seconds(35),
                            "seller-901",
                            EUR_REGION,
                            "EUR",
                            "p-penny",
                            1,
                            "0.135"),
                    online(
                            "o-penny-3",
                            seconds(40),
                            "seller-901",
                            EUR_REGION,
                            "EUR",
                            "p-penny",
                            3,
                            "0.0125"),
                    // Product with a cost change at 1:15 and a delisting at 2:30 (inclusive).
                    online(
                            "o-special-1",
                            seconds(60),
                            "seller-901",
                            EUR_REGION,
                            "EUR",
                            "p-special",
                            2,
                            "19.99"),
                    online(
                            "o-special-2",
                            seconds(100),
                            "seller-902",
                            GBP_REGION,
                            "GBP",
                            "p-special",
                            1,
                            "24.50"),
                    receipt(
                            "r-special-1",
                            seconds(140),
                            "store-901",
                            "seller-901",
                            EUR_REGION,
                            "EUR",
                            new ReceiptLine("p-special", 1, new BigDecimal("19.99")),
                            stable),
                    online(
                            "o-special-3",
                            seconds(150),
                            "seller-901",
                            EUR_REGION,
                            "EUR",
                            "p-special",
                            1,
                            "19.99"),
                    online(
                            "o-special-4",
                            seconds(170),
                            "seller-902",
                            GBP_REGION,
                            "GBP",
                            "p-special",
                            1,
                            "24.50"),
                    receipt(
                            "r-special-2",
                            seconds(190),
                            "store-901",
                            "seller-901",
                            EUR_REGION,
                            "EUR",
                            new ReceiptLine("p-stable", 1, new BigDecimal("7.25")),
                            new ReceiptLine("p-special", 2, new BigDecimal("19.99")),
                            new ReceiptLine("p-00001", 1, new BigDecimal("5.00"))),
                    // Never in the catalog.
                    online(
                            "o-unknown-1",
                            seconds(90),
                            "seller-902",
                            GBP_REGION,
                            "GBP",
                            "p-unknown",
                            1,
                            "3.00"),
                    receipt(
                            "r-unknown-1",
                            seconds(210),
                            "store-902",
                            "seller-902",
                            GBP_REGION,
                            "GBP",
                            new ReceiptLine("p-unknown", 1, new BigDecimal("3.00")),
                            new ReceiptLine("p-stable", 2, new BigDecimal("6.20"))),
                    // A well-formed currency without any rate; the catalog is checked first.
                    online(
                            "o-xyz-1",
                            seconds(170),
                            "seller-903",
                            "atlantis",
                            "XYZ",
                            "p-stable",
                            1,
                            "9.00"),
                    receipt(
                            "r-xyz-1",
                            seconds(250),
                            "store-903",
                            "seller-903",
                            "atlantis",
                            "XYZ",
                            new ReceiptLine("p-stable", 1, new BigDecimal("9.00")),
                            new ReceiptLine("p-unknown", 1, new BigDecimal("9.00"))),
                    // Exactly at the GBP rate update of 2:00: the new rate applies.
                    online(
                            "o-rate-edge",
                            seconds(120),
                            "seller-902",
                            GBP_REGION,
                            "GBP",
                            "p-stable",
                            1,
                            "6.20"),
                    // Around a product listed mid-stream (versions at 4:58 and 5:03).
                    online(
                            "o-new-0",
                            seconds(295),
                            "seller-902",
                            GBP_REGION,
                            "GBP",
                            "p-new",
                            1,
                            "17.00"),
                    online(
                            "o-new-1",
                            seconds(301),
                            "seller-901",
                            EUR_REGION,
                            "EUR",
                            "p-new",
                            1,
                            "19.90"),
                    online(
                            "o-new-2",
                            seconds(308),
                            "seller-901",
                            EUR_REGION,
                            "EUR",
                            "p-new",
                            2,
                            "19.90"));
        }

        /**
         * The generator's records, with each special sale inserted once the generator's clock has
         * reached its event time, so that no partition sees it later than the bound.
         */
        private void mergeWithBulk(List<Planned> specials) {
            GeneratorConfig config =
                    new GeneratorConfig(
                            20_261_122L,
                            Instant.ofEpochMilli(START),
                            5,
                            30,
                            6,
                            8,
                            List.of(EUR_REGION, GBP_REGION, "us-east", "japan"),
                            List.of("EUR", "GBP", "USD", "JPY"),
                            0.5,
                            Duration.ofSeconds(20),
                            0,
                            Duration.ofMinutes(5),
                            0.02,
                            Duration.ofMinutes(1),
                            Duration.ofSeconds(40),
                            // The resends are hand-made, at known places.
                            0);
            SalesGenerator generator = new SalesGenerator(config);
            int index = 0;
            int sales = 0;
            while (sales < BULK_SALES) {
                SeedRecord record = generator.next();
                if (record.kind().isSale()) {
                    long clock = generator.clockAt(sales++);
                    while (index < specials.size() && specials.get(index).timestamp() <= clock) {
                        main.add(specials.get(index++));
                    }
                }
                main.add(
                        new Planned(
                                record.topic(),
                                null,
                                record.key(),
                                record.value(),
                                record.timestamp()));
            }
            main.addAll(specials.subList(index, specials.size()));
        }

        /** One sale at TRAILING as the last record of every partition of both sales topics. */
        private void trailingSales() {
            TopicDefinition online = definition(Topics.SALES_ONLINE);
            for (int p = 0; p < online.partitions(); p++) {
                Planned sale =
                        online(
                                "o-trail-" + p,
                                TRAILING - START,
                                "seller-903",
                                EUR_REGION,
                                "EUR",
                                "p-stable",
                                1,
                                "7.25");
                main.add(new Planned(sale.topic(), p, sale.key(), sale.value(), sale.timestamp()));
            }
            TopicDefinition store = definition(Topics.SALES_STORE);
            for (int p = 0; p < store.partitions(); p++) {
                Planned sale =
                        receipt(
                                "r-trail-" + p,
                                TRAILING - START,
                                "store-903",
                                "seller-903",
                                EUR_REGION,
                                "EUR",
                                new ReceiptLine("p-stable", 1, new BigDecimal("7.25")));
                main.add(new Planned(sale.topic(), p, sale.key(), sale.value(), sale.timestamp()));
            }
        }

        private static TopicDefinition definition(String topic) {
            return TopicDefinitions.load().stream()
                    .filter(d -> d.name().equals(topic))
                    .findFirst()
                    .orElseThrow();
        }

        private static Planned online(
                String orderId,
                long offsetFromStart,
                String seller,
                String region,
                String currency,
                String product,
                int quantity,
                String unitPrice) {
            Instant at = Instant.ofEpochMilli(START + offsetFromStart);
            OnlineOrder order =
                    new OnlineOrder(
                            orderId,
                            at,
                            seller,
                            "c-itcase",
                            product,
                            quantity,
                            new BigDecimal(unitPrice),
                            currency,
                            region);
            return new Planned(
                    Topics.SALES_ONLINE,
                    null,
                    utf8(orderId),
                    CODEC.encode(order),
                    at.toEpochMilli());
        }

        private static Planned receipt(
                String receiptId,
                long offsetFromStart,
                String store,
                String seller,
                String region,
                String currency,
                ReceiptLine... lines) {
            Instant at = Instant.ofEpochMilli(START + offsetFromStart);
            StoreReceipt receipt =
                    new StoreReceipt(
                            receiptId, at, store, seller, region, currency, List.of(lines));
            return new Planned(
                    Topics.SALES_STORE,
                    null,
                    utf8(store),
                    CODEC.encode(receipt),
                    at.toEpochMilli());
        }

        private static long seconds(long s) {
            return Duration.ofSeconds(s).toMillis();
        }

        private static long minutes(long m) {
            return Duration.ofMinutes(m).toMillis();
        }

        private static byte[] utf8(String text) {
            return text.getBytes(StandardCharsets.UTF_8);
        }
    }
}

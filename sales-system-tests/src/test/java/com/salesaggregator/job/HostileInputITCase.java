package com.salesaggregator.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.salesaggregator.codec.CodecLimits;
import com.salesaggregator.codec.EventCodec;
import com.salesaggregator.codec.RejectReason;
import com.salesaggregator.model.FxRate;
import com.salesaggregator.model.OnlineOrder;
import com.salesaggregator.model.Product;
import com.salesaggregator.model.ReceiptLine;
import com.salesaggregator.model.StoreReceipt;
import com.salesaggregator.testkit.CatalogHeartbeat;
import com.salesaggregator.testkit.CommittedOutputs;
import com.salesaggregator.testkit.DlqEntry;
import com.salesaggregator.testkit.ExactCheck;
import com.salesaggregator.testkit.ItKafka;
import com.salesaggregator.testkit.JobRestarts;
import com.salesaggregator.testkit.JobRunner;
import com.salesaggregator.testkit.Planned;
import com.salesaggregator.testkit.Published;
import com.salesaggregator.testkit.RunTopics;
import com.salesaggregator.topics.Topic;
import com.salesaggregator.topics.TopicDefinitions;
import com.salesaggregator.verify.ReferenceModel;
import com.salesaggregator.verify.ReferenceModel.DeadLetter;
import com.salesaggregator.verify.ReferenceModel.Expected;
import com.salesaggregator.verify.ReferenceModel.InputRecord;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.client.program.rest.RestClusterClient;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.InjectClusterClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.common.config.TopicConfig;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * No input record can take the job down: every hostile record of {@link #HOSTILE} is sent
 * mid-stream among valid sales, on the real broker, to the Kafka-wired job on a MiniCluster that
 * would restart a failing task. The job must never restart; each hostile record (malformed and
 * far-future reference heartbeats included) must reach {@code sales-dlq} exactly once, with the
 * reason of its row and its source topic, partition and offset; far-future timestamps must not move
 * the watermark (no valid line turns late); and after a drain the figures must equal the {@link
 * ReferenceModel}'s exactly.
 */
class HostileInputITCase {

    private static final Logger LOG = LoggerFactory.getLogger(HostileInputITCase.class);

    private static final int PARALLELISM = 2;
    private static final Duration WAIT = ItKafka.WAIT;

    /** Raised from the default 256 KiB so that the 10,000-line receipt is parsed, not skipped. */
    private static final int MAX_RECORD_BYTES = 1024 * 1024;

    /** The input topics accept records well over the job's limit (the broker's default is 1 MB). */
    private static final String TOPIC_MAX_MESSAGE_BYTES = String.valueOf(4 * 1024 * 1024);

    /** A whole minute an hour ago: brokers reject record timestamps over an hour ahead. */
    private static final long START =
            Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(Duration.ofHours(1)).toEpochMilli();

    private static final long MAIN_END = START + Duration.ofMinutes(5).toMillis();

    /** One sale per sales partition here moves every watermark past MAIN_END. */
    private static final long TRAILING = MAIN_END + Duration.ofSeconds(45).toMillis();

    private static final EventCodec CODEC = EventCodec.withDefaults();

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(PARALLELISM)
                            .setConfiguration(JobRestarts.clusterConfiguration())
                            .build());

    @TempDir static Path kafkaDir;

    private static ItKafka kafka;

    @BeforeAll
    static void startBroker() {
        kafka = ItKafka.start(kafkaDir);
    }

    @AfterAll
    static void stopBroker() {
        if (kafka != null) {
            kafka.close();
        }
    }

    // ------------------------------------------------------------ the table

    /**
     * One hostile record: what it is, where it goes (a partition, or null to partition by key), its
     * bytes, and the reason it must get in {@code sales-dlq}. {@code lineId} is set for rejections
     * of a decoded line (by the job), null for rejections of the whole record (by the codec).
     */
    record Hostile(
            String name,
            String topic,
            Integer partition,
            byte[] key,
            byte[] value,
            RejectReason reason,
            String lineId) {

        static Hostile record(
                String name, String topic, String key, byte[] value, RejectReason reason) {
            return new Hostile(name, topic, null, utf8(key), value, reason, null);
        }

        static Hostile record(
                String name, String topic, String key, String value, RejectReason reason) {
            return record(name, topic, key, value == null ? null : utf8(value), reason);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private static final long IN_A_YEAR = START + Duration.ofDays(365).toMillis();

    /** Every row: the table below, then far-future sales in every sales partition. */
    static final List<Hostile> HOSTILE;

    private static final List<Hostile> TABLE =
            List.of(
                    // Syntax and encoding.
                    Hostile.record(
                            "not JSON",
                            Topic.SALES_ONLINE.topicName(),
                            "o-h-notjson",
                            "hello, world",
                            RejectReason.MALFORMED_JSON),
                    Hostile.record(
                            "truncated JSON",
                            Topic.SALES_ONLINE.topicName(),
                            "o-h-trunc",
                            order("o-h-trunc", Map.of()).substring(0, 60),
                            RejectReason.MALFORMED_JSON),
                    Hostile.record(
                            "empty value",
                            Topic.SALES_ONLINE.topicName(),
                            "o-h-empty",
                            new byte[0],
                            RejectReason.EMPTY_VALUE),
                    Hostile.record(
                            "null value (tombstone) on sales-online",
                            Topic.SALES_ONLINE.topicName(),
                            "o-h-null",
                            (byte[]) null,
                            RejectReason.EMPTY_VALUE),
                    Hostile.record(
                            "null value (tombstone) on sales-store",
                            Topic.SALES_STORE.topicName(),
                            "store-h-null",
                            (byte[]) null,
                            RejectReason.EMPTY_VALUE),
                    Hostile.record(
                            "invalid UTF-8",
                            Topic.SALES_ONLINE.topicName(),
                            "o-h-utf8",
                            invalidUtf8(order("o-h-utf8", Map.of())),
                            RejectReason.INVALID_ENCODING),
                    Hostile.record(
                            "10,000-level nesting",
                            Topic.SALES_ONLINE.topicName(),
                            "o-h-nest",
                            "{\"order_id\":" + "[".repeat(10_000) + "]".repeat(10_000) + "}",
                            RejectReason.MALFORMED_JSON),
                    Hostile.record(
                            "duplicate JSON keys",
                            Topic.SALES_ONLINE.topicName(),
                            "o-h-dupkey",
                            order("o-h-dupkey", Map.of()).replace("{", "{\"quantity\":1,"),
                            RejectReason.DUPLICATE_FIELD),
                    Hostile.record(
                            "over the size limit (2 MiB)",
                            Topic.SALES_ONLINE.topicName(),
                            "o-h-oversized",
                            order(
                                    "o-h-oversized",
                                    Map.of(
                                            "customer_id",
                                            "\"" + "x".repeat(2 * MAX_RECORD_BYTES) + "\"")),
                            RejectReason.OVERSIZED_RECORD),
                    Hostile.record(
                            "900 KB of raw control characters (6x when escaped)",
                            Topic.SALES_ONLINE.topicName(),
                            "o-h-controls",
                            "{\"order_id\":\"" + "\u0001".repeat(900_000) + "\"}",
                            RejectReason.MALFORMED_JSON),
                    // Fields.
                    Hostile.record(
                            "wrong type: quantity as text",
                            Topic.SALES_ONLINE.topicName(),
                            "o-h-type",
                            order("o-h-type", Map.of("quantity", "\"2\"")),
                            RejectReason.WRONG_TYPE),
                    Hostile.record(
                            "missing field: no seller_id",
                            Topic.SALES_ONLINE.topicName(),
                            "o-h-missing",
                            order("o-h-missing", Map.of("seller_id", "")),
                            RejectReason.MISSING_FIELD),
                    Hostile.record(
                            "event time in year 9999",
                            Topic.SALES_ONLINE.topicName(),
                            "o-h-9999",
                            order("o-h-9999", Map.of("event_time", "\"9999-12-31T23:59:59Z\"")),
                            RejectReason.INVALID_TIMESTAMP),
                    Hostile.record(
                            "pre-1970 event time",
                            Topic.SALES_ONLINE.topicName(),
                            "o-h-1969",
                            order("o-h-1969", Map.of("event_time", "\"1969-07-20T20:17:40Z\"")),
                            RejectReason.INVALID_TIMESTAMP),
                    Hostile.record(
                            "NaN price",
                            Topic.SALES_ONLINE.topicName(),
                            "o-h-nan",
                            order("o-h-nan", Map.of("unit_price", "NaN")),
                            RejectReason.INVALID_PRICE),
                    Hostile.record(
                            "Infinity price",
                            Topic.SALES_ONLINE.topicName(),
                            "o-h-inf",
                            order("o-h-inf", Map.of("unit_price", "Infinity")),
                            RejectReason.INVALID_PRICE),
                    Hostile.record(
                            "-Infinity price on a receipt line",
                            Topic.SALES_STORE.topicName(),
                            "store-h-inf",
                            receipt("r-h-inf", Map.of(), line("p-1", "1", "-Infinity")),
                            RejectReason.INVALID_PRICE),
                    Hostile.record(
                            "1e400 price",
                            Topic.SALES_ONLINE.topicName(),
                            "o-h-1e400",
                            order("o-h-1e400", Map.of("unit_price", "1e400")),
                            RejectReason.INVALID_PRICE),
                    Hostile.record(
                            "zero quantity",
                            Topic.SALES_ONLINE.topicName(),
                            "o-h-zero",
                            order("o-h-zero", Map.of("quantity", "0")),
                            RejectReason.INVALID_QUANTITY),
                    Hostile.record(
                            "negative quantity on a receipt line",
                            Topic.SALES_STORE.topicName(),
                            "store-h-neg",
                            receipt(
                                    "r-h-neg",
                                    Map.of(),
                                    line("p-1", "1", "2.50"),
                                    line("p-2", "-3", "2.50")),
                            RejectReason.INVALID_QUANTITY),
                    Hostile.record(
                            "10,000-line receipt",
                            Topic.SALES_STORE.topicName(),
                            "store-h-10k",
                            receipt(
                                    "r-h-10k",
                                    Map.of(),
                                    Collections.nCopies(10_000, line("p-1", "1", "1"))
                                            .toArray(String[]::new)),
                            RejectReason.TOO_MANY_LINES),
                    Hostile.record(
                            "malformed currency",
                            Topic.SALES_ONLINE.topicName(),
                            "o-h-euro",
                            order("o-h-euro", Map.of("currency", "\"EURO\"")),
                            RejectReason.INVALID_CURRENCY),
                    new Hostile(
                            "unknown currency (well-formed, no rate)",
                            Topic.SALES_ONLINE.topicName(),
                            null,
                            utf8("o-h-xyz"),
                            utf8(order("o-h-xyz", Map.of("currency", "\"XYZ\""))),
                            RejectReason.NO_FX_RATE,
                            "o-h-xyz"),
                    Hostile.record(
                            "control characters in an id",
                            Topic.SALES_ONLINE.topicName(),
                            "o-h-ctrl",
                            order("o-h-ctrl", Map.of("seller_id", "\"seller\\u0000\\u001b[2J\"")),
                            RejectReason.INVALID_TEXT),
                    Hostile.record(
                            "unpaired surrogate in the order id",
                            Topic.SALES_ONLINE.topicName(),
                            "o-h-surrogate",
                            order("o-h-surrogate", Map.of("order_id", "\"o-h-\\ud800\"")),
                            RejectReason.INVALID_TEXT),
                    Hostile.record(
                            "product id of 100 KB",
                            Topic.SALES_ONLINE.topicName(),
                            "o-h-longid",
                            order(
                                    "o-h-longid",
                                    Map.of("product_id", "\"" + "p".repeat(100_000) + "\"")),
                            RejectReason.INVALID_TEXT),
                    // Reference data.
                    Hostile.record(
                            "product: not JSON",
                            Topic.PRODUCTS.topicName(),
                            "p-h-notjson",
                            "<product/>",
                            RejectReason.MALFORMED_JSON),
                    Hostile.record(
                            "product: id of 100 KB",
                            Topic.PRODUCTS.topicName(),
                            "p-h-longid",
                            product("p".repeat(100_000), "2.00", START),
                            RejectReason.INVALID_TEXT),
                    Hostile.record(
                            "product: NaN cost",
                            Topic.PRODUCTS.topicName(),
                            "p-1",
                            product("p-1", "NaN", START),
                            RejectReason.INVALID_PRICE),
                    Hostile.record(
                            "product: far-future version (in a year)",
                            Topic.PRODUCTS.topicName(),
                            "p-2",
                            product("p-2", "99.00", IN_A_YEAR),
                            RejectReason.FUTURE_TIMESTAMP),
                    Hostile.record(
                            // A compacted topic refuses a record without a key; an empty one
                            // names no product to delist.
                            "product: tombstone with an empty key",
                            Topic.PRODUCTS.topicName(),
                            "",
                            (byte[]) null,
                            RejectReason.MISSING_FIELD),
                    Hostile.record(
                            "fx rate: zero",
                            Topic.FX_RATES.topicName(),
                            "GBP",
                            rate("GBP", "0", START),
                            RejectReason.INVALID_RATE),
                    Hostile.record(
                            "fx rate: Infinity",
                            Topic.FX_RATES.topicName(),
                            "USD",
                            rate("USD", "Infinity", START),
                            RejectReason.INVALID_RATE),
                    Hostile.record(
                            "fx rate: lower-case currency",
                            Topic.FX_RATES.topicName(),
                            "gbp",
                            rate("gbp", "1.2", START),
                            RejectReason.INVALID_CURRENCY),
                    Hostile.record(
                            "fx rate: far-future validity (in a year)",
                            Topic.FX_RATES.topicName(),
                            "GBP",
                            rate("GBP", "9.99", IN_A_YEAR),
                            RejectReason.FUTURE_TIMESTAMP),
                    // Reference heartbeats (key __heartbeat-<partition>, on its partition).
                    heartbeat(
                            "heartbeat: heartbeat_time not an instant",
                            Topic.PRODUCTS.topicName(),
                            0,
                            0,
                            "{\"heartbeat_time\":\"yesterday\"}",
                            RejectReason.INVALID_TIMESTAMP),
                    heartbeat(
                            "heartbeat: no heartbeat_time",
                            Topic.FX_RATES.topicName(),
                            0,
                            0,
                            "{\"beat\":" + iso(START) + "}",
                            RejectReason.MISSING_FIELD),
                    heartbeat(
                            "heartbeat: not JSON",
                            Topic.PRODUCTS.topicName(),
                            1,
                            1,
                            "thump",
                            RejectReason.MALFORMED_JSON),
                    heartbeat(
                            "heartbeat: keyed for another partition",
                            Topic.PRODUCTS.topicName(),
                            2,
                            0,
                            "{\"heartbeat_time\":" + iso(START) + "}",
                            RejectReason.MISPLACED_HEARTBEAT));

    /** A heartbeat on {@code partition} keyed {@code __heartbeat-<keyPartition>}. */
    private static Hostile heartbeat(
            String name,
            String topic,
            int partition,
            int keyPartition,
            String value,
            RejectReason reason) {
        return new Hostile(
                name,
                topic,
                partition,
                utf8(EventCodec.heartbeatKey(keyPartition)),
                utf8(value),
                reason,
                null);
    }

    /**
     * A far-future heartbeat in every partition of both reference topics. Were one accepted, the
     * reference watermarks would stand a year ahead, and once the sales partitions went idle every
     * window would close at once.
     */
    private static List<Hostile> farFutureHeartbeatsInEveryReferencePartition() {
        Map<String, Integer> partitions = partitionCounts();
        List<Hostile> rows = new ArrayList<>();
        for (String topic : Topic.names(Topic.Role.REFERENCE)) {
            for (int p = 0; p < partitions.get(topic); p++) {
                rows.add(
                        heartbeat(
                                "far-future heartbeat (in a year), " + topic + " partition " + p,
                                topic,
                                p,
                                p,
                                "{\"heartbeat_time\":" + iso(IN_A_YEAR) + "}",
                                RejectReason.FUTURE_TIMESTAMP));
            }
        }
        return rows;
    }

    /**
     * A far-future sale in every partition of both sales topics. Were one accepted, every partition
     * would soon have pushed its watermark a year ahead, and every valid sale after that would turn
     * late, deterministically.
     */
    private static List<Hostile> farFutureInEveryPartition() {
        Map<String, Integer> partitions = partitionCounts();
        List<Hostile> rows = new ArrayList<>();
        for (int p = 0; p < partitions.get(Topic.SALES_ONLINE.topicName()); p++) {
            String id = "o-h-future-" + p;
            rows.add(
                    new Hostile(
                            "far-future event time (in a year), sales-online partition " + p,
                            Topic.SALES_ONLINE.topicName(),
                            p,
                            utf8(id),
                            utf8(order(id, Map.of("event_time", iso(IN_A_YEAR)))),
                            RejectReason.FUTURE_TIMESTAMP,
                            null));
        }
        for (int p = 0; p < partitions.get(Topic.SALES_STORE.topicName()); p++) {
            rows.add(
                    new Hostile(
                            "far-future receipt (2099), sales-store partition " + p,
                            Topic.SALES_STORE.topicName(),
                            p,
                            utf8("store-h-future"),
                            utf8(
                                    receipt(
                                            "r-h-future-" + p,
                                            Map.of("event_time", "\"2099-12-31T23:59:59Z\""),
                                            line("p-1", "1", "2.50"))),
                            RejectReason.FUTURE_TIMESTAMP,
                            null));
        }
        return rows;
    }

    static {
        List<Hostile> rows = new ArrayList<>(TABLE);
        rows.addAll(farFutureInEveryPartition());
        rows.addAll(farFutureHeartbeatsInEveryReferencePartition());
        HOSTILE = List.copyOf(rows);
    }

    // ------------------------------------------------------------ the test

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void everyHostileRecordIsDeadLetteredOnceWithoutARestart(
            @TempDir Path runDir, @InjectClusterClient RestClusterClient<?> cluster)
            throws Exception {
        long started = System.nanoTime();
        Map<String, Map<String, String>> topicConfig = new HashMap<>();
        for (String input : Topic.names(Topic.Role.SALES, Topic.Role.REFERENCE)) {
            topicConfig.put(
                    input, Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, TOPIC_MAX_MESSAGE_BYTES));
        }
        RunTopics topics = kafka.createTopics("hostile-", topicConfig);

        // Mid-stream: the hostile records spread evenly over the middle of the valid sales, each
        // with the timestamp of the sale before it.
        List<Planned> planned = new ArrayList<>(referenceData());
        List<Planned> sales = validSales();
        int lead = sales.size() / 10;
        int step = (sales.size() - 2 * lead) / HOSTILE.size();
        Map<Integer, Hostile> hostileAt = new HashMap<>();
        for (int i = 0; i < sales.size(); i++) {
            planned.add(sales.get(i));
            int row = (i - lead) / step;
            if (i >= lead && (i - lead) % step == 0 && row < HOSTILE.size()) {
                Hostile hostile = HOSTILE.get(row);
                hostileAt.put(planned.size(), hostile);
                planned.add(
                        new Planned(
                                hostile.topic(),
                                hostile.partition(),
                                hostile.key(),
                                hostile.value(),
                                sales.get(i).timestamp()));
            }
        }
        assertThat(hostileAt).hasSameSizeAs(HOSTILE);
        planned.addAll(trailingSales());
        List<InputRecord> produced = kafka.produce(topics, planned);

        // Where each hostile record landed, and the sales-dlq key it must appear under.
        Map<String, Hostile> expectedDlq = new HashMap<>();
        Map<String, String> positions = new HashMap<>();
        hostileAt.forEach(
                (index, row) -> {
                    InputRecord stored = produced.get(index);
                    String position =
                            stored.topic() + ":" + stored.partition() + ":" + stored.offset();
                    String key = row.lineId() == null ? position : position + ":" + row.lineId();
                    expectedDlq.put(key, row);
                    positions.put(key, position);
                });
        assertThat(expectedDlq).hasSameSizeAs(HOSTILE);

        CodecLimits limits = CodecLimits.defaults().withMaxRecordBytes(MAX_RECORD_BYTES);
        // No line is meant to be late: the reference model's figures, with no late lines.
        Expected expected = ReferenceModel.compute(produced, topics.inputs(), Set.of(), limits);
        Map<String, String> modelReasons = new TreeMap<>();
        expected.deadLetters()
                .forEach(
                        d -> {
                            String position =
                                    d.sourceTopic() + ":" + d.partition() + ":" + d.offset();
                            modelReasons.put(
                                    d.lineId() == null ? position : position + ":" + d.lineId(),
                                    d.reason());
                        });
        Map<String, String> tableReasons = new TreeMap<>();
        expectedDlq.forEach((key, row) -> tableReasons.put(key, row.reason().name()));
        assertThat(modelReasons)
                .as("the reference model rejects exactly the table's records, for its reasons")
                .isEqualTo(tableReasons);
        Set<String> minutesBeforeEnd =
                expected.regionTrend().entrySet().stream()
                        .filter(
                                e ->
                                        Instant.parse(e.getValue().windowStart()).toEpochMilli()
                                                < MAIN_END)
                        .map(Map.Entry::getKey)
                        .collect(Collectors.toCollection(TreeSet::new));
        assertThat(minutesBeforeEnd).hasSizeGreaterThan(10);

        JobRestarts restarts = new JobRestarts(cluster.getWebInterfaceURL());
        JobClient job =
                JobRunner.start(
                        kafka,
                        topics,
                        PARALLELISM,
                        Map.of(
                                SalesJobOptions.MAX_RECORD_BYTES.key(),
                                String.valueOf(MAX_RECORD_BYTES)));
        Published published;
        try (CommittedOutputs out = new CommittedOutputs(kafka, topics)) {
            LOG.info("job submitted after {} ms", millisSince(started));
            try {
                JobRunner.awaitWhileRunning(
                                job, "every hostile record in sales-dlq, every minute fired")
                        .until(
                                () -> {
                                    out.poll();
                                    Set<String> keys =
                                            new TreeSet<>(out.keys(Topic.SALES_DLQ.topicName()));
                                    return keys.containsAll(expectedDlq.keySet())
                                            && out.latestFinal(Topic.REGION_TREND_1M.topicName())
                                                    .keySet()
                                                    .containsAll(minutesBeforeEnd);
                                });
            } catch (ConditionTimeoutException e) {
                Set<String> missingDlq = new TreeSet<>(expectedDlq.keySet());
                missingDlq.removeAll(out.keys(Topic.SALES_DLQ.topicName()));
                Set<String> missingMinutes = new TreeSet<>(minutesBeforeEnd);
                missingMinutes.removeAll(
                        out.latestFinal(Topic.REGION_TREND_1M.topicName()).keySet());
                throw new AssertionError(
                        "still missing: dead letters "
                                + missingDlq
                                + "; final region minutes "
                                + missingMinutes,
                        e);
            }
            LOG.info("hostile records dead-lettered after {} ms", millisSince(started));
            JobRunner.awaitWhileRunning(job, "the numRestarts metric of the job")
                    .until(() -> restarts.numRestarts(job.getJobID()).isPresent());
            assertThat(restarts.numRestarts(job.getJobID()))
                    .as("restarts of the running job")
                    .isEqualTo(OptionalLong.of(0));

            try (CatalogHeartbeat heartbeat = CatalogHeartbeat.start(kafka, topics, TRAILING)) {
                JobRunner.awaitWhileRunning(job, "the job reading the catalog heartbeat")
                        .until(() -> heartbeat.readBy(JobRunner.groupId(topics)));
                JobRunner.drainWithSavepoint(job, runDir);
            }
            assertThat(job.getJobStatus().get(WAIT.toSeconds(), TimeUnit.SECONDS))
                    .isEqualTo(JobStatus.FINISHED);
            out.readToEnd();
            published = out.published();
        }
        assertThat(restarts.failures(job.getJobID())).as("failures of the job").isEmpty();
        LOG.info("drained and read after {} ms", millisSince(started));
        CommittedOutputs.assertNoTransactionLeftOpen(kafka.admin(), topics);

        // Each hostile record exactly once, with the reason of its row and its source position.
        Map<String, List<DlqEntry>> byKey =
                published.deadLetters().stream().collect(Collectors.groupingBy(DlqEntry::key));
        List<String> wrong = new ArrayList<>();
        expectedDlq.forEach(
                (key, row) -> {
                    List<DlqEntry> entries = byKey.getOrDefault(key, List.of());
                    if (entries.size() != 1) {
                        wrong.add(row + ": " + entries.size() + " entries under " + key);
                        return;
                    }
                    DeadLetter id = entries.get(0).id();
                    if (!id.reason().equals(row.reason().name())) {
                        wrong.add(row + ": " + entries.get(0) + ", expected " + row.reason());
                    }
                    String source = id.sourceTopic() + ":" + id.partition() + ":" + id.offset();
                    if (!source.equals(positions.get(key))) {
                        wrong.add(row + ": source position " + id + " under key " + key);
                    }
                });
        assertThat(wrong).as("hostile records in sales-dlq").isEmpty();

        // Far-future timestamps did not move the watermark: no valid line turned late.
        assertThat(published.late()).as("lines in sales-late").isEmpty();

        // The exact check of the good data, and of every dead letter's key and value.
        ExactCheck.assertFiguresMatch(expected, published);
        ExactCheck.assertDeadLettersMatch(expected, published, produced);
        ExactCheck.assertEveryLineAccountedForOnce(expected, published, topics, produced);
        ExactCheck.assertOutputsAddUp(published);
        LOG.info(
                "{} input records, {} hostile, {} lines; done in {} ms",
                produced.size(),
                HOSTILE.size(),
                expected.lines().size(),
                millisSince(started));
    }

    // ------------------------------------------------------------ valid data

    private static final List<String> PRODUCTS = List.of("p-1", "p-2", "p-3", "p-4", "p-5");
    private static final List<String> REGIONS = List.of("eu-west", "uk", "us-east");
    private static final List<String> CURRENCIES = List.of("EUR", "GBP", "USD");

    /** The catalog and the rates, an hour before the first sale. */
    private static List<Planned> referenceData() {
        long listed = START - Duration.ofHours(1).toMillis();
        List<Planned> records = new ArrayList<>();
        for (int i = 0; i < PRODUCTS.size(); i++) {
            String id = PRODUCTS.get(i);
            Product product =
                    new Product(
                            id,
                            "Product " + i,
                            i % 2 == 0 ? "home" : "toys",
                            new BigDecimal("1.25").multiply(BigDecimal.valueOf(i + 1)),
                            Instant.ofEpochMilli(listed));
            records.add(
                    new Planned(
                            Topic.PRODUCTS.topicName(),
                            null,
                            utf8(id),
                            CODEC.encode(product),
                            listed));
        }
        for (FxRate rate :
                List.of(
                        new FxRate("GBP", new BigDecimal("1.1700"), Instant.ofEpochMilli(listed)),
                        new FxRate(
                                "USD", new BigDecimal("0.9200"), Instant.ofEpochMilli(listed)))) {
            records.add(
                    new Planned(
                            Topic.FX_RATES.topicName(),
                            null,
                            utf8(rate.currency()),
                            CODEC.encode(rate),
                            listed));
        }
        return records;
    }

    /** Orders and receipts over the five minutes from START, a few seconds out of order. */
    private static List<Planned> validSales() {
        Random random = new Random(20_261_122L);
        List<Planned> sales = new ArrayList<>();
        int count = 300;
        for (int i = 0; i < count; i++) {
            long at = START + i * (MAIN_END - START) / count + random.nextInt(3_000);
            at = Math.min(at, MAIN_END - 1);
            String currency = CURRENCIES.get(random.nextInt(CURRENCIES.size()));
            String region = REGIONS.get(random.nextInt(REGIONS.size()));
            String seller = "seller-" + random.nextInt(6);
            if (i % 4 == 3) {
                List<ReceiptLine> lines = new ArrayList<>();
                for (int l = 0; l <= random.nextInt(3); l++) {
                    lines.add(
                            new ReceiptLine(
                                    PRODUCTS.get(random.nextInt(PRODUCTS.size())),
                                    1 + random.nextInt(4),
                                    price(random)));
                }
                StoreReceipt receipt =
                        new StoreReceipt(
                                "r-" + i,
                                Instant.ofEpochMilli(at),
                                "store-" + random.nextInt(8),
                                seller,
                                region,
                                currency,
                                lines);
                sales.add(
                        new Planned(
                                Topic.SALES_STORE.topicName(),
                                null,
                                utf8(receipt.storeId()),
                                CODEC.encode(receipt),
                                at));
            } else {
                OnlineOrder order =
                        new OnlineOrder(
                                "o-" + i,
                                Instant.ofEpochMilli(at),
                                seller,
                                "c-" + random.nextInt(50),
                                PRODUCTS.get(random.nextInt(PRODUCTS.size())),
                                1 + random.nextInt(5),
                                price(random),
                                currency,
                                region);
                sales.add(
                        new Planned(
                                Topic.SALES_ONLINE.topicName(),
                                null,
                                utf8(order.orderId()),
                                CODEC.encode(order),
                                at));
            }
        }
        return sales;
    }

    /** One sale at TRAILING as the last record of every partition of both sales topics. */
    private static List<Planned> trailingSales() {
        Map<String, Integer> partitions = partitionCounts();
        List<Planned> trailing = new ArrayList<>();
        Instant at = Instant.ofEpochMilli(TRAILING);
        for (int p = 0; p < partitions.get(Topic.SALES_ONLINE.topicName()); p++) {
            OnlineOrder order =
                    new OnlineOrder(
                            "o-trail-" + p,
                            at,
                            "seller-0",
                            "c-0",
                            "p-1",
                            1,
                            new BigDecimal("2.50"),
                            "EUR",
                            "eu-west");
            trailing.add(
                    new Planned(
                            Topic.SALES_ONLINE.topicName(),
                            p,
                            utf8(order.orderId()),
                            CODEC.encode(order),
                            TRAILING));
        }
        for (int p = 0; p < partitions.get(Topic.SALES_STORE.topicName()); p++) {
            StoreReceipt receipt =
                    new StoreReceipt(
                            "r-trail-" + p,
                            at,
                            "store-0",
                            "seller-0",
                            "eu-west",
                            "EUR",
                            List.of(new ReceiptLine("p-1", 1, new BigDecimal("2.50"))));
            trailing.add(
                    new Planned(
                            Topic.SALES_STORE.topicName(),
                            p,
                            utf8(receipt.storeId()),
                            CODEC.encode(receipt),
                            TRAILING));
        }
        return trailing;
    }

    private static Map<String, Integer> partitionCounts() {
        Map<String, Integer> partitions = new HashMap<>();
        TopicDefinitions.load().forEach(d -> partitions.put(d.name(), d.partitions()));
        return partitions;
    }

    private static BigDecimal price(Random random) {
        return BigDecimal.valueOf(50 + random.nextInt(5_000), 2);
    }

    // ------------------------------------------------------------ hostile values

    /**
     * A valid order's JSON with some fields replaced by raw JSON text (an empty text removes the
     * field), so that values a codec would never write can be planted.
     */
    private static String order(String orderId, Map<String, String> raw) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("order_id", quoted(orderId));
        fields.put("event_time", iso(START + Duration.ofMinutes(2).toMillis()));
        fields.put("seller_id", quoted("seller-1"));
        fields.put("customer_id", quoted("c-1"));
        fields.put("product_id", quoted("p-1"));
        fields.put("quantity", "2");
        fields.put("unit_price", "9.99");
        fields.put("currency", quoted("EUR"));
        fields.put("region", quoted("eu-west"));
        return object(fields, raw);
    }

    /** A valid receipt's JSON with some fields replaced by raw JSON text, and raw lines. */
    private static String receipt(String receiptId, Map<String, String> raw, String... lines) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("receipt_id", quoted(receiptId));
        fields.put("event_time", iso(START + Duration.ofMinutes(2).toMillis()));
        fields.put("store_id", quoted("store-1"));
        fields.put("seller_id", quoted("seller-1"));
        fields.put("region", quoted("uk"));
        fields.put("currency", quoted("GBP"));
        fields.put("lines", "[" + String.join(",", lines) + "]");
        return object(fields, raw);
    }

    private static String line(String productId, String quantity, String unitPrice) {
        return "{\"product_id\":"
                + quoted(productId)
                + ",\"quantity\":"
                + quantity
                + ",\"unit_price\":"
                + unitPrice
                + "}";
    }

    private static String product(String productId, String rawCost, long updatedAt) {
        return "{\"product_id\":"
                + quoted(productId)
                + ",\"name\":\"Hostile\",\"category\":\"home\",\"unit_cost_eur\":"
                + rawCost
                + ",\"updated_at\":"
                + iso(updatedAt)
                + "}";
    }

    private static String rate(String currency, String rawRate, long validFrom) {
        return "{\"currency\":"
                + quoted(currency)
                + ",\"eur_per_unit\":"
                + rawRate
                + ",\"valid_from\":"
                + iso(validFrom)
                + "}";
    }

    private static String object(Map<String, String> fields, Map<String, String> raw) {
        fields.putAll(raw);
        return fields.entrySet().stream()
                .filter(e -> !e.getValue().isEmpty())
                .map(e -> quoted(e.getKey()) + ":" + e.getValue())
                .collect(Collectors.joining(",", "{", "}"));
    }

    /** {@code json} with a lone continuation byte (0x80) inside its first string value. */
    private static byte[] invalidUtf8(String json) {
        byte[] bytes = utf8(json);
        int at = json.indexOf(":\"") + 3;
        ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length + 1);
        out.write(bytes, 0, at);
        out.write(0x80);
        out.write(bytes, at, bytes.length - at);
        return out.toByteArray();
    }

    private static String quoted(String text) {
        return "\"" + text + "\"";
    }

    private static String iso(long epochMillis) {
        return quoted(Instant.ofEpochMilli(epochMillis).toString());
    }

    private static byte[] utf8(String text) {
        return text == null ? null : text.getBytes(StandardCharsets.UTF_8);
    }

    private static long millisSince(long nanos) {
        return (System.nanoTime() - nanos) / 1_000_000;
    }
}

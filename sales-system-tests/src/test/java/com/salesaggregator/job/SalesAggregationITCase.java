package com.salesaggregator.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.salesaggregator.codec.RejectReason;
import com.salesaggregator.output.OutputFormat;
import com.salesaggregator.testkit.CatalogHeartbeat;
import com.salesaggregator.testkit.CommittedOutputs;
import com.salesaggregator.testkit.ExactCheck;
import com.salesaggregator.testkit.ItKafka;
import com.salesaggregator.testkit.JobRunner;
import com.salesaggregator.testkit.Published;
import com.salesaggregator.testkit.RunTopics;
import com.salesaggregator.topics.Topic;
import com.salesaggregator.verify.ReferenceModel;
import com.salesaggregator.verify.ReferenceModel.DeadLetter;
import com.salesaggregator.verify.ReferenceModel.Expected;
import com.salesaggregator.verify.ReferenceModel.Fate;
import com.salesaggregator.verify.ReferenceModel.InputRecord;
import com.salesaggregator.verify.ReferenceModel.Line;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
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
    private static final Duration WAIT = ItKafka.WAIT;

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(SLOTS)
                            .setConfiguration(JobRunner.clusterConfiguration())
                            .build());

    @TempDir static Path kafkaDir;

    private static ItKafka kafka;

    /** The published figures of each finished run, to compare the runs with each other. */
    private static final Map<Integer, Published> RUNS = new ConcurrentHashMap<>();

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

    @ParameterizedTest(name = "parallelism {0}")
    @ValueSource(ints = {2, 1, 4})
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void publishesExactlyTheReferenceFigures(int parallelism, @TempDir Path runDir)
            throws Exception {
        long started = System.nanoTime();
        RunTopics topics = kafka.createTopics("p" + parallelism + "-");
        EndToEndDataSet data = EndToEndDataSet.INSTANCE;
        List<InputRecord> produced = new ArrayList<>(kafka.produce(topics, data.main()));
        Expected mainOnly = ReferenceModel.compute(produced, topics.inputs(), Set.of());
        Set<String> mainMinutesClosed = new TreeSet<>();
        mainOnly.regionTrend()
                .forEach(
                        (key, minute) -> {
                            if (Instant.parse(minute.windowStart()).toEpochMilli()
                                    < EndToEndDataSet.MAIN_END) {
                                mainMinutesClosed.add(key);
                            }
                        });
        assertThat(mainMinutesClosed).hasSizeGreaterThan(10);

        // Provisional figures of the open minutes every 100 ms (and running totals as often),
        // so that the run publishes provisional values before the final ones.
        JobClient job =
                JobRunner.start(
                        kafka,
                        topics,
                        parallelism,
                        Map.of(SalesJobOptions.EMIT_INTERVAL.key(), "100ms"));
        Published published;
        try (CommittedOutputs out = new CommittedOutputs(kafka, topics)) {
            LOG.info("p{}: job submitted after {} ms", parallelism, millisSince(started));
            // 1. Every minute of the main data has fired and been committed.
            JobRunner.awaitWhileRunning(
                            job,
                            "every main-data minute in "
                                    + topics.of(Topic.REGION_TREND_1M.topicName()))
                    .until(
                            () -> {
                                out.poll();
                                return out.latestFinal(Topic.REGION_TREND_1M.topicName())
                                        .keySet()
                                        .containsAll(mainMinutesClosed);
                            });
            LOG.info("p{}: main windows closed after {} ms", parallelism, millisSince(started));

            try (CatalogHeartbeat heartbeat =
                    CatalogHeartbeat.start(kafka, topics, EndToEndDataSet.TRAILING)) {
                // 2. Lines whose minute closed long ago, and stragglers still within the allowed
                // lateness of a minute that has already fired.
                produced.addAll(kafka.produce(topics, data.afterWindowsClosed()));
                Expected planned =
                        ReferenceModel.compute(produced, topics.inputs(), data.lateIds());
                String stragglerKey = data.stragglerRegionMinute();
                long stragglerUnits = planned.regionTrend().get(stragglerKey).units();
                JobRunner.awaitWhileRunning(
                                job, "the late lines in sales-late and the stragglers counted")
                        .until(
                                () -> {
                                    out.poll();
                                    JsonNode minute =
                                            out.latest(Topic.REGION_TREND_1M.topicName())
                                                    .get(stragglerKey);
                                    // At least: a job that counts too much (a resend) fails
                                    // the exact check below, with the differences, not here.
                                    return out.keys(Topic.SALES_LATE.topicName())
                                                    .containsAll(data.lateIds())
                                            && minute != null
                                            && minute.path("units").asLong() >= stragglerUnits;
                                });
                LOG.info("p{}: late lines seen after {} ms", parallelism, millisSince(started));
                JobRunner.awaitWhileRunning(job, "the job reading the catalog heartbeat")
                        .until(() -> heartbeat.readBy(JobRunner.groupId(topics)));

                // 3. Drain: the end of event time fires every window and flushes every total.
                JobRunner.drainWithSavepoint(job, runDir);
            }
            assertThat(job.getJobStatus().get(WAIT.toSeconds(), TimeUnit.SECONDS))
                    .isEqualTo(JobStatus.FINISHED);
            out.readToEnd();
            LOG.info("p{}: drained and read after {} ms", parallelism, millisSince(started));
            published = out.published();
            // The trailing sales' minute stays open until the drain: published provisionally.
            assertThat(out.provisionalValues(OutputFormat.REGION_TREND))
                    .as("provisional values in region-trend-1m")
                    .isPositive();
            LOG.info(
                    "p{}: provisional values: {} revenue-per-seller-1m, {} units-per-product-5m,"
                            + " {} region-trend-1m",
                    parallelism,
                    out.provisionalValues(OutputFormat.REVENUE_PER_SELLER),
                    out.provisionalValues(OutputFormat.UNITS_PER_PRODUCT),
                    out.provisionalValues(OutputFormat.REGION_TREND));
        }

        CommittedOutputs.assertNoTransactionLeftOpen(kafka.admin(), topics);
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
        ExactCheck.assertFiguresMatch(expected, published);
        ExactCheck.assertDeadLettersMatch(expected, published, produced);
        assertThat(published.late())
                .as("sales-late holds exactly the lines made late on purpose, each once")
                .containsOnlyKeys(data.lateIds());
        assertThat(published.late()).isEqualTo(expected.late());
        ExactCheck.assertEveryLineAccountedForOnce(expected, published, topics, produced);
        ExactCheck.assertOutputsAddUp(published);

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
        assertThat(reasonsPerTopic.get(topics.of(Topic.SALES_ONLINE.topicName())))
                .contains(
                        RejectReason.UNKNOWN_PRODUCT.name(),
                        RejectReason.DELISTED_PRODUCT.name(),
                        RejectReason.NO_FX_RATE.name());
        assertThat(reasonsPerTopic.get(topics.of(Topic.SALES_STORE.topicName())))
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
        Set<String> sales =
                Set.of(
                        topics.of(Topic.SALES_ONLINE.topicName()),
                        topics.of(Topic.SALES_STORE.topicName()));
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
                .containsExactlyInAnyOrderElementsOf(EndToEndDataSet.RESENT_LINE_IDS);
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
        assertThat(reasonsPerTopic.get(topics.of(Topic.PRODUCTS.topicName())))
                .containsExactly(RejectReason.INVALID_PRICE.name());
        assertThat(reasonsPerTopic.get(topics.of(Topic.FX_RATES.topicName())))
                .containsExactly(RejectReason.INVALID_RATE.name());
        assertThat(expected.fates().values())
                .filteredOn(fate -> fate == Fate.COUNTED)
                .hasSizeGreaterThan(2_000);
        assertThat(expected.regionTrend()).hasSizeGreaterThan(20);
        assertThat(expected.unitsPerProduct()).hasSizeGreaterThan(100);
    }

    private static long millisSince(long nanos) {
        return (System.nanoTime() - nanos) / 1_000_000;
    }
}

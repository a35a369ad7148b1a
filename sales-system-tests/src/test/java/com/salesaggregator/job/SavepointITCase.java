package com.salesaggregator.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import com.salesaggregator.codec.DecodeResult;
import com.salesaggregator.codec.EventCodec;
import com.salesaggregator.model.OnlineOrder;
import com.salesaggregator.testkit.CommittedOutputs;
import com.salesaggregator.testkit.CommittedOutputs.Output;
import com.salesaggregator.testkit.DrainedRun;
import com.salesaggregator.testkit.FaultRig;
import com.salesaggregator.testkit.Feeder;
import com.salesaggregator.testkit.ItKafka;
import com.salesaggregator.testkit.JobRunner;
import com.salesaggregator.testkit.JobRunner.JobDefinition;
import com.salesaggregator.testkit.Planned;
import com.salesaggregator.testkit.RunTopics;
import com.salesaggregator.testkit.SeededSales;
import com.salesaggregator.topics.Topic;
import com.salesaggregator.verify.ReferenceModel.InputRecord;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.checkpoint.RestoredCheckpointStats;
import org.apache.flink.runtime.executiongraph.AccessExecutionJobVertex;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stop with a savepoint (no drain, as an upgrade or a rescale does) while sales keep arriving, once
 * some windows have fired and others are open, and restore: at the same parallelism, from 2 to 4,
 * from 4 to 1, and into the {@link NextJobVersion} (an added stateless operator, an added optional
 * output field). Every stateful operator has a stable uid, so its state maps to the restored job;
 * after a drain every output must equal the reference model's recomputation exactly. Sales of a
 * minute whose allowed lateness had passed before the savepoint come first after it: the restored
 * job must find them late although its watermarks start afresh. The upgrade also shows a change
 * that is not compatible: a source whose uid changed (an input topic renamed) cannot take its
 * state, and the restore is refused.
 */
class SavepointITCase {

    private static final Logger LOG = LoggerFactory.getLogger(SavepointITCase.class);

    /** One slot each: enough for the largest parallelism. */
    private static final int TASK_MANAGERS = 4;

    enum Restore {
        SAME_PARALLELISM(2, 2, false),
        SCALE_UP_2_TO_4(2, 4, false),
        SCALE_DOWN_4_TO_1(4, 1, false),
        NEXT_JOB_VERSION(2, 2, true);

        final int from;
        final int to;
        final boolean upgrade;

        Restore(int from, int to, boolean upgrade) {
            this.from = from;
            this.to = to;
            this.upgrade = upgrade;
        }
    }

    @RegisterExtension static final FaultRig RIG = new FaultRig(TASK_MANAGERS, 0);

    @ParameterizedTest(name = "{0}")
    @EnumSource(Restore.class)
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void restoresExactly(Restore restore, @TempDir Path runDir) throws Exception {
        RunTopics topics =
                RIG.kafka()
                        .createTopics(
                                "sp-"
                                        + restore.name().toLowerCase(Locale.ROOT).replace('_', '-')
                                        + "-");
        SeededSales sales = SeededSales.forTest(5_003L + restore.ordinal(), 5);
        JobClient first = JobRunner.start(RIG.kafka(), topics, restore.from);
        JobDefinition next = restore.upgrade ? NextJobVersion::define : SalesAggregationJob::define;
        JobClient restored;
        Map<TopicPartition, Long> upgradedAt = Map.of();
        List<InputRecord> produced = new ArrayList<>();
        List<String> stragglerIds;
        long stopMillis;
        long restoreMillis;
        try (CommittedOutputs out = new CommittedOutputs(RIG.kafka(), topics)) {
            String savepoint;
            try (Feeder feeder =
                    Feeder.start(RIG.kafka(), topics, sales, 10, Duration.ofMillis(100))) {
                // The savepoint holds fired windows, open ones, lines waiting for the watermark,
                // resend identities and running totals; and no more state of the minutes before
                // the last one fired: the watermark has passed their allowed lateness. (Three:
                // the first may hold only a few sales from before the data's start.)
                JobRunner.awaitWhileRunning(first, "three minutes fired and committed")
                        .until(
                                () -> {
                                    out.poll();
                                    return out
                                                    .latestFinal(Topic.REGION_TREND_1M.topicName())
                                                    .values()
                                                    .stream()
                                                    .map(v -> v.path("window_start").asText())
                                                    .distinct()
                                                    .count()
                                            >= 3;
                                });
                long stopping = System.nanoTime();
                savepoint = JobRunner.stopWithSavepoint(first, runDir, false);
                stopMillis = (System.nanoTime() - stopping) / 1_000_000;
                produced.addAll(feeder.stop());
            }
            // Sales of minutes that fired before the last one fired (so the watermark had passed
            // their allowed lateness), first in their partitions after the savepoint: the
            // restored job reads them before its watermarks have moved, yet they are late.
            List<Long> fired =
                    out.latestFinal(Topic.REGION_TREND_1M.topicName()).values().stream()
                            .map(v -> Instant.parse(v.path("window_start").asText()).toEpochMilli())
                            .sorted()
                            .toList();
            List<Planned> stragglers =
                    stragglers(produced, topics, fired.get(0), fired.get(fired.size() - 1));
            produced.addAll(RIG.kafka().produce(topics, stragglers));
            stragglerIds =
                    stragglers.stream()
                            .map(p -> new String(p.key(), StandardCharsets.UTF_8))
                            .toList();
            if (restore.upgrade) {
                assertRefusedWithRenamedSource(topics, savepoint);
                upgradedAt =
                        CommittedOutputs.endOffsets(
                                RIG.kafka().admin(), topics, IsolationLevel.READ_UNCOMMITTED);
            }

            long restoring = System.nanoTime();
            restored = JobRunner.start(RIG.kafka(), topics, restore.to, Map.of(), next, savepoint);
            try (Feeder feeder =
                    Feeder.start(RIG.kafka(), topics, sales, 10, Duration.ofMillis(100))) {
                RIG.cluster().awaitRunning(restored);
                restoreMillis = (System.nanoTime() - restoring) / 1_000_000;
                RestoredCheckpointStats[] from = new RestoredCheckpointStats[1];
                JobRunner.awaitWhileRunning(
                                restored, "the restore in the job's checkpoint statistics")
                        .until(
                                () ->
                                        (from[0] = RIG.cluster().restored(restored.getJobID()))
                                                != null);
                assertThat(from[0].getExternalPath()).isEqualTo(savepoint);
                if (restore.upgrade) {
                    assertThat(
                                    RIG
                                            .cluster()
                                            .executionGraph(restored.getJobID())
                                            .getAllVertices()
                                            .values()
                                            .stream()
                                            .map(AccessExecutionJobVertex::getName))
                            .anyMatch(name -> name.contains(NextJobVersion.AUDIT));
                }
                RIG.cluster().awaitCheckpoints(restored, 0, 2);
                produced.addAll(feeder.stop());
            }
        }

        Consumer<CommittedOutputs> reading =
                restore.upgrade
                        ? out ->
                                out.allowOptionalField(
                                        Topic.REVENUE_PER_PRODUCT.topicName(),
                                        NextJobVersion.AVERAGE_PRICE)
                        : out -> {};
        DrainedRun.Outcome outcome =
                DrainedRun.drainAndCheck(
                        RIG.kafka(),
                        topics,
                        restored,
                        produced,
                        sales.latestEventTime(),
                        runDir,
                        reading,
                        DrainedRun.LatePricing.ANY_KEPT_VERSION);
        assertThat(outcome.published().late().keySet())
                .as("sales of a minute closed before the savepoint, read first after the restore")
                .containsAll(stragglerIds);
        if (restore.upgrade) {
            assertOptionalFieldFromTheUpgradeOn(topics, upgradedAt);
        }
        LOG.info(
                "{}: stopped with a savepoint in {} ms, restored at parallelism {} and running in"
                        + " {} ms; exact check passed: {}",
                restore,
                stopMillis,
                restore.to,
                restoreMillis,
                outcome.summary());
    }

    /**
     * Copies of accepted orders of event time in [{@code from}, {@code until}), under new order
     * ids, one first in each {@code sales-online} partition from here on. In euros, of products
     * whose catalog entry has not changed since: a line this late is priced with the oldest
     * reference data the job still keeps (docs/semantics.md, Known limitations), which for these is
     * the data at their event time, so that they can be compared exactly.
     */
    private static List<Planned> stragglers(
            List<InputRecord> produced, RunTopics topics, long from, long until) {
        EventCodec codec = EventCodec.withDefaults();
        int partitions = topics.partitionsOf(Topic.SALES_ONLINE.topicName()).size();
        Set<String> changed = new HashSet<>();
        for (InputRecord record : produced) {
            if (record.topic().equals(topics.of(Topic.PRODUCTS.topicName()))
                    && record.timestamp() >= from) {
                changed.add(new String(record.key(), StandardCharsets.UTF_8));
            }
        }
        List<Planned> stragglers = new ArrayList<>();
        for (InputRecord record : produced) {
            if (stragglers.size() == partitions) {
                break;
            }
            if (!record.topic().equals(topics.of(Topic.SALES_ONLINE.topicName()))
                    || record.value() == null) {
                continue;
            }
            DecodeResult<OnlineOrder> decoded =
                    codec.decodeOrder(record.value(), record.timestamp());
            if (!decoded.isAccepted()) {
                continue;
            }
            OnlineOrder order = decoded.event();
            long eventTime = order.eventTime().toEpochMilli();
            if (eventTime < from
                    || eventTime >= until
                    || !order.currency().equals("EUR")
                    || changed.contains(order.productId())) {
                continue;
            }
            OnlineOrder late =
                    new OnlineOrder(
                            "o-straggler-" + stragglers.size(),
                            order.eventTime(),
                            order.sellerId(),
                            order.customerId(),
                            order.productId(),
                            order.quantity(),
                            order.unitPrice(),
                            order.currency(),
                            order.region());
            stragglers.add(
                    new Planned(
                            Topic.SALES_ONLINE.topicName(),
                            stragglers.size(),
                            late.orderId().getBytes(StandardCharsets.UTF_8),
                            codec.encode(late),
                            eventTime));
        }
        assertThat(stragglers).as("stragglers, one per partition").hasSize(partitions);
        return stragglers;
    }

    /**
     * Restoring into a job whose {@code sales-online} source has another uid (its topic option
     * renamed, and the uid contains the topic) fails: the savepoint holds state no operator takes.
     */
    private static void assertRefusedWithRenamedSource(RunTopics topics, String savepoint) {
        Throwable refused =
                catchThrowable(
                        () -> {
                            JobClient renamed =
                                    JobRunner.start(
                                            RIG.kafka(),
                                            topics,
                                            2,
                                            Map.of(
                                                    JobConfig.TOPIC_PREFIX
                                                            + Topic.SALES_ONLINE.topicName(),
                                                    topics.of("sales-online-renamed")),
                                            SalesAggregationJob::define,
                                            savepoint);
                            renamed.getJobExecutionResult()
                                    .get(ItKafka.WAIT.toSeconds(), TimeUnit.SECONDS);
                        });
        assertThat(refused).as("a restore into a job with a renamed source").isNotNull();
        StringWriter trace = new StringWriter();
        refused.printStackTrace(new PrintWriter(trace));
        assertThat(trace.toString()).contains("Cannot map checkpoint/savepoint state for operator");
    }

    /**
     * Every {@code revenue-per-product} value the next version wrote carries the added field, with
     * revenue over units; none written before the upgrade does.
     */
    private static void assertOptionalFieldFromTheUpgradeOn(
            RunTopics topics, Map<TopicPartition, Long> upgradedAt) {
        List<Output> records;
        try (CommittedOutputs out = new CommittedOutputs(RIG.kafka(), topics)) {
            out.readToEnd();
            records = out.records(Topic.REVENUE_PER_PRODUCT.topicName());
        }
        long before = 0;
        long after = 0;
        for (Output record : records) {
            JsonNode value = record.value();
            if (record.offset() < upgradedAt.get(record.partition())) {
                before++;
                assertThat(value.has(NextJobVersion.AVERAGE_PRICE))
                        .as("%s written before the upgrade", record.key())
                        .isFalse();
            } else {
                after++;
                assertThat(value.path(NextJobVersion.AVERAGE_PRICE).decimalValue())
                        .as("%s written after the upgrade", record.key())
                        .isEqualTo(
                                NextJobVersion.averagePrice(
                                        value.path("revenue_eur").decimalValue(),
                                        value.path("units").asLong()));
            }
        }
        assertThat(after).as("values written by the next version").isPositive();
        LOG.info(
                "revenue-per-product: {} values without {} before the upgrade, {} with it after",
                before,
                NextJobVersion.AVERAGE_PRICE,
                after);
    }
}

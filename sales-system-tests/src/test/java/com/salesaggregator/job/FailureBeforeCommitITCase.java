package com.salesaggregator.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.salesaggregator.codec.RejectReason;
import com.salesaggregator.testkit.CommittedOutputs;
import com.salesaggregator.testkit.DlqEntry;
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
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.checkpoint.AbstractCheckpointStats;
import org.apache.flink.runtime.checkpoint.CheckpointStatsStatus;
import org.apache.flink.runtime.executiongraph.AccessExecutionJobVertex;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The job fails between pre-commit and commit: a checkpoint that every output sink has already
 * taken (each flushed its transaction and handed it to its committer) is held open by a {@link
 * CheckpointGate}, and a TaskManager dies before the checkpoint can complete. The job restarts from
 * the checkpoint before, so the pre-committed transactions must be aborted; were they left open, a
 * {@code read_committed} reader would see nothing behind them until the transaction timeout (1 min
 * here). Pass: after recovery every transaction open at the kill is resolved and new data is
 * visible to a {@code read_committed} reader within the checkpoint interval plus a few seconds; the
 * exact check after a drain.
 */
class FailureBeforeCommitITCase {

    private static final Logger LOG = LoggerFactory.getLogger(FailureBeforeCommitITCase.class);

    private static final int TASK_MANAGERS = 2;
    private static final long SEED = 5_002L;

    /** The test job's checkpoint interval ({@link JobRunner#options}). */
    private static final Duration CHECKPOINT_INTERVAL = Duration.ofSeconds(1);

    /** "A few seconds" on a busy two-core machine; far below the 1 min transaction timeout. */
    private static final Duration VISIBLE_WITHIN = CHECKPOINT_INTERVAL.plusSeconds(8);

    @RegisterExtension static final FaultRig RIG = new FaultRig(TASK_MANAGERS, 3);

    /** The job, with a gate on the FX rates that can hold a checkpoint open. */
    private static final JobDefinition WITH_GATE =
            (env, config) -> {
                JobEnvironment.configure(env, config);
                SalesTopology.Sources sources = KafkaConnectors.sources(env, config);
                CheckpointGate.addTo(sources.fxRates());
                SalesTopology.build(sources, KafkaConnectors.sinks(config), config);
            };

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void readersSeeNewDataSoonAfterAFailureBetweenPreCommitAndCommit(@TempDir Path runDir)
            throws Exception {
        RunTopics topics = RIG.kafka().createTopics("pc-");
        String transactionalIds = "itcase-" + topics.prefix() + "tx-";
        // A fifth of the sales malformed: every checkpoint's sales-dlq transaction holds records.
        SeededSales sales = SeededSales.forTest(SEED, 5, 0.2);
        JobClient job =
                JobRunner.start(RIG.kafka(), topics, TASK_MANAGERS, Map.of(), WITH_GATE, null);
        List<InputRecord> produced = new ArrayList<>();
        try (Feeder feeder = Feeder.start(RIG.kafka(), topics, sales, 10, Duration.ofMillis(100));
                CommittedOutputs out = new CommittedOutputs(RIG.kafka(), topics)) {
            RIG.cluster().awaitCheckpoints(job, 0, 3);

            // 1. Hold a checkpoint: every output sink takes it (pre-commit), it never completes.
            CheckpointGate.arm();
            JobRunner.awaitWhileRunning(job, "the gate holding a checkpoint")
                    .until(() -> CheckpointGate.held() > 0);
            long held = CheckpointGate.held();
            JobRunner.awaitWhileRunning(job, "every output sink pre-committed checkpoint " + held)
                    .until(() -> outputSinksAcknowledged(job, topics, held));
            AbstractCheckpointStats pending =
                    RIG.cluster()
                            .checkpointStats(job.getJobID())
                            .getHistory()
                            .getCheckpointById(held);
            assertThat(pending.getStatus()).isEqualTo(CheckpointStatsStatus.IN_PROGRESS);
            Map<TopicPartition, Long> written =
                    CommittedOutputs.endOffsets(
                            RIG.kafka().admin(), topics, IsolationLevel.READ_UNCOMMITTED);
            Map<TopicPartition, Long> stable =
                    CommittedOutputs.endOffsets(
                            RIG.kafka().admin(), topics, IsolationLevel.READ_COMMITTED);
            Map<String, TransactionDescription> open = openTransactions(transactionalIds);
            Map<String, TransactionDescription> preCommitted = new TreeMap<>(open);
            preCommitted.keySet().removeIf(id -> !id.endsWith("-" + held));
            long heldBack =
                    written.keySet().stream().mapToLong(p -> written.get(p) - stable.get(p)).sum();
            LOG.info(
                    "Checkpoint {} pre-committed by every output sink, not completed ({} of {}"
                            + " subtasks acknowledged); open transactions {} ({} of checkpoint"
                            + " {}); {} records written and not yet visible to read_committed",
                    held,
                    pending.getNumberOfAcknowledgedSubtasks(),
                    pending.getNumberOfSubtasks(),
                    open.keySet(),
                    preCommitted.size(),
                    held,
                    heldBack);
            assertThat(preCommitted)
                    .as("transactions of checkpoint %d pre-committed with records in them", held)
                    .isNotEmpty();
            assertThat(heldBack).isPositive();

            // 2. A TaskManager dies inside the window.
            long killedAt = RIG.cluster().killTaskManager(0);
            CheckpointGate.disarm();
            RIG.cluster().awaitRunning(job);
            long runningAt = System.currentTimeMillis();
            assertThat(RIG.cluster().restored(job.getJobID()).getCheckpointId())
                    .as("restored from the checkpoint before the held one")
                    .isLessThan(held);

            // 3. New data: malformed sales, each a dead letter as soon as it is read.
            List<InputRecord> markers = RIG.kafka().produce(topics, markers());
            Set<String> markerKeys = new HashSet<>();
            markers.forEach(
                    m -> markerKeys.add(m.topic() + ":" + m.partition() + ":" + m.offset()));
            JobRunner.awaitWhileRunning(job, "the new data visible to a read_committed reader")
                    .atMost(Duration.ofMinutes(2))
                    .pollInterval(Duration.ofMillis(50))
                    .until(
                            () -> {
                                out.poll();
                                return out.deadLetters().stream()
                                        .map(DlqEntry::key)
                                        .collect(Collectors.toSet())
                                        .containsAll(markerKeys);
                            });
            long visibleAt = System.currentTimeMillis();
            // Everything written before the kill is decided: committed or aborted.
            Map<TopicPartition, Long> stableNow =
                    CommittedOutputs.endOffsets(
                            RIG.kafka().admin(), topics, IsolationLevel.READ_COMMITTED);
            assertThat(written.keySet())
                    .as(
                            "output partitions whose last stable offset is still before the kill's"
                                    + " writes")
                    .filteredOn(p -> stableNow.get(p) < written.get(p))
                    .isEmpty();
            // The restarted job may open a transaction under the same id again, with a new epoch.
            Map<String, TransactionDescription> openNow = openTransactions(transactionalIds);
            assertThat(preCommitted.keySet())
                    .as("pre-committed transactions still open")
                    .filteredOn(
                            id ->
                                    openNow.containsKey(id)
                                            && openNow.get(id).producerId()
                                                    == preCommitted.get(id).producerId()
                                            && openNow.get(id).producerEpoch()
                                                    == preCommitted.get(id).producerEpoch())
                    .isEmpty();
            Duration visibleAfter = Duration.ofMillis(visibleAt - runningAt);
            LOG.info(
                    "Killed at checkpoint {}: job running again {} ms after the kill; new data"
                            + " visible to read_committed {} ms later ({} ms after the kill);"
                            + " the pre-committed transactions {} aborted",
                    held,
                    runningAt - killedAt,
                    visibleAfter.toMillis(),
                    visibleAt - killedAt,
                    preCommitted.keySet());
            assertThat(visibleAfter)
                    .as("new data visible within the checkpoint interval plus a few seconds")
                    .isLessThanOrEqualTo(VISIBLE_WITHIN);

            RIG.cluster()
                    .awaitCheckpoints(job, RIG.cluster().completedCheckpoints(job.getJobID()), 1);
            produced.addAll(feeder.stop());
            produced.addAll(markers);
        }
        DrainedRun.Outcome outcome =
                DrainedRun.drainAndCheck(
                        RIG.kafka(), topics, job, produced, sales.latestEventTime(), runDir);
        LOG.info("Exact check passed: {}", outcome.summary());
    }

    /** Whether every output sink has acknowledged {@code checkpoint} on every subtask. */
    private static boolean outputSinksAcknowledged(JobClient job, RunTopics topics, long checkpoint)
            throws Exception {
        AbstractCheckpointStats stats =
                RIG.cluster()
                        .checkpointStats(job.getJobID())
                        .getHistory()
                        .getCheckpointById(checkpoint);
        if (stats == null) {
            return false;
        }
        int sinks = 0;
        for (AccessExecutionJobVertex vertex :
                RIG.cluster().executionGraph(job.getJobID()).getAllVertices().values()) {
            if (!vertex.getName().contains("Sink: " + topics.prefix())) {
                continue;
            }
            sinks++;
            var task = stats.getTaskStateStats(vertex.getJobVertexId());
            if (task == null || task.getNumberOfAcknowledgedSubtasks() < vertex.getParallelism()) {
                return false;
            }
        }
        assertThat(sinks).as("output sink vertices").isPositive();
        return true;
    }

    /** The job's transactions that the broker holds open with records in them, by id. */
    private static Map<String, TransactionDescription> openTransactions(String prefix)
            throws Exception {
        List<String> ids =
                RIG
                        .kafka()
                        .admin()
                        .listTransactions()
                        .all()
                        .get(ItKafka.WAIT.toSeconds(), TimeUnit.SECONDS)
                        .stream()
                        .filter(t -> t.state() == TransactionState.ONGOING)
                        .map(TransactionListing::transactionalId)
                        .filter(id -> id.startsWith(prefix))
                        .toList();
        Map<String, TransactionDescription> open = new TreeMap<>();
        if (ids.isEmpty()) {
            return open;
        }
        RIG.kafka()
                .admin()
                .describeTransactions(ids)
                .all()
                .get(ItKafka.WAIT.toSeconds(), TimeUnit.SECONDS)
                .forEach(
                        (id, description) -> {
                            if (description.state() == TransactionState.ONGOING
                                    && !description.topicPartitions().isEmpty()) {
                                open.put(id, description);
                            }
                        });
        return open;
    }

    /** Undecodable sales, two per sales-online partition. */
    private static List<Planned> markers() {
        List<Planned> markers = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            markers.add(
                    new Planned(
                            Topic.SALES_ONLINE.topicName(),
                            i % 6,
                            ("o-marker-" + i).getBytes(StandardCharsets.UTF_8),
                            ("not JSON: marker " + i + " (" + RejectReason.MALFORMED_JSON + ")")
                                    .getBytes(StandardCharsets.UTF_8),
                            System.currentTimeMillis()));
        }
        return markers;
    }
}

package com.salesaggregator.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.salesaggregator.testkit.DrainedRun;
import com.salesaggregator.testkit.FaultRig;
import com.salesaggregator.testkit.Feeder;
import com.salesaggregator.testkit.JobRestarts;
import com.salesaggregator.testkit.JobRunner;
import com.salesaggregator.testkit.RunTopics;
import com.salesaggregator.testkit.SeededSales;
import com.salesaggregator.verify.ReferenceModel.InputRecord;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.checkpoint.CheckpointStatsSnapshot;
import org.apache.flink.runtime.checkpoint.FailedCheckpointStats;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kafka broker stops and starts again on the same port and data directory mid-run, as a broker
 * pod restarts, while the job reads, writes and commits and sales keep arriving (the producer waits
 * for the broker). The job must recover by itself (its clients reconnect; a failed checkpoint or a
 * restart is allowed) and, after a drain, every output must equal the reference model's
 * recomputation exactly.
 */
class BrokerRestartITCase {

    private static final Logger LOG = LoggerFactory.getLogger(BrokerRestartITCase.class);

    private static final int TASK_MANAGERS = 2;
    private static final long SEED = 5_004L;

    @RegisterExtension static final FaultRig RIG = new FaultRig(TASK_MANAGERS, 5);

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void recoversExactlyFromABrokerRestart(@TempDir Path runDir) throws Exception {
        RunTopics topics = RIG.kafka().createTopics("br-");
        SeededSales sales = SeededSales.forTest(SEED, 5);
        JobClient job = JobRunner.start(RIG.kafka(), topics, TASK_MANAGERS);
        JobRestarts restarts = new JobRestarts(RIG.cluster().restUrl());
        List<InputRecord> produced;
        long down;
        long up;
        Duration recovery;
        try (Feeder feeder = Feeder.start(RIG.kafka(), topics, sales, 10, Duration.ofMillis(100))) {
            RIG.cluster().awaitCheckpoints(job, 0, 3);
            down = System.currentTimeMillis();
            RIG.kafka().restartBroker();
            up = System.currentTimeMillis();
            recovery = RIG.cluster().awaitRecovery(job, up, "the broker restart");
            int recordsAtRecovery = feeder.records();
            // Fresh input reaches the job after the restart.
            JobRunner.awaitWhileRunning(job, "more sales produced after the broker restart")
                    .until(() -> feeder.records() > recordsAtRecovery + 100);
            RIG.cluster()
                    .awaitCheckpoints(job, RIG.cluster().completedCheckpoints(job.getJobID()), 2);
            produced = feeder.stop();
        }
        CheckpointStatsSnapshot checkpoints = RIG.cluster().checkpointStats(job.getJobID());
        long failedCheckpoints = checkpoints.getCounts().getNumberOfFailedCheckpoints();
        FailedCheckpointStats lastFailed = checkpoints.getHistory().getLatestFailedCheckpoint();
        List<String> failures = restarts.failures(job.getJobID());
        DrainedRun.Outcome outcome =
                DrainedRun.drainAndCheck(
                        RIG.kafka(), topics, job, produced, sales.latestEventTime(), runDir);
        LOG.info(
                "Broker down for {} ms (stop and start on the same port and data directory); first"
                        + " checkpoint after it completed {} ms after it was back; {} failed"
                        + " checkpoints (the last: {}), {} restarts {}; exact check passed: {}",
                up - down,
                recovery.toMillis(),
                failedCheckpoints,
                lastFailed == null ? "none" : lastFailed.getFailureMessage(),
                failures.size(),
                failures,
                outcome.summary());
        assertThat(failures)
                .as("failures, each a restart within the strategy's 5")
                .hasSizeLessThan(5);
    }
}

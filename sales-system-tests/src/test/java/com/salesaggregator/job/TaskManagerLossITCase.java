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
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import org.apache.flink.core.execution.JobClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A TaskManager dies three times in one run, each time after a few completed checkpoints, while
 * sales keep arriving: it is terminated through the MiniCluster (its tasks die with it, not by an
 * exception of the job's code) and a replacement starts, as Kubernetes would replace a lost pod.
 * The job must restart from its latest checkpoint each time, once per loss, and after a drain every
 * output must equal the reference model's recomputation exactly.
 */
class TaskManagerLossITCase {

    private static final Logger LOG = LoggerFactory.getLogger(TaskManagerLossITCase.class);

    /** One slot each, the job on every slot: each loss takes part of the job with it. */
    private static final int TASK_MANAGERS = 2;

    private static final int LOSSES = 3;
    private static final long SEED = 5_001L;

    @RegisterExtension static final FaultRig RIG = new FaultRig(TASK_MANAGERS, 10);

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void recoversExactlyFromThreeTaskManagerLosses(@TempDir Path runDir) throws Exception {
        RunTopics topics = RIG.kafka().createTopics("tm-");
        // 20 s of event time per second: windows fire between the losses.
        SeededSales sales = SeededSales.forTest(SEED, 5);
        JobClient job = JobRunner.start(RIG.kafka(), topics, TASK_MANAGERS);
        JobRestarts restarts = new JobRestarts(RIG.cluster().restUrl());
        List<Duration> recoveries = new ArrayList<>();
        List<InputRecord> produced;
        try (Feeder feeder = Feeder.start(RIG.kafka(), topics, sales, 10, Duration.ofMillis(100))) {
            for (int loss = 1; loss <= LOSSES; loss++) {
                RIG.cluster()
                        .awaitCheckpoints(
                                job, RIG.cluster().completedCheckpoints(job.getJobID()), 3);
                long killedAt = RIG.cluster().killTaskManager(loss % TASK_MANAGERS);
                Duration recovery =
                        RIG.cluster().awaitRecovery(job, killedAt, "TaskManager loss " + loss);
                recoveries.add(recovery);
                LOG.info(
                        "TaskManager loss {}: first checkpoint after it completed {} ms after the"
                                + " kill",
                        loss,
                        recovery.toMillis());
                assertThat(RIG.cluster().taskManagers()).isEqualTo(TASK_MANAGERS);
            }
            RIG.cluster()
                    .awaitCheckpoints(job, RIG.cluster().completedCheckpoints(job.getJobID()), 2);
            produced = feeder.stop();
        }

        JobRunner.awaitWhileRunning(job, "one restart per TaskManager loss in numRestarts")
                .until(() -> restarts.numRestarts(job.getJobID()).equals(OptionalLong.of(LOSSES)));
        List<String> failures = restarts.failures(job.getJobID());
        assertThat(failures).as("the job's failures: the losses, nothing else").hasSize(LOSSES);
        long checkpoints = RIG.cluster().completedCheckpoints(job.getJobID());
        DrainedRun.Outcome outcome =
                DrainedRun.drainAndCheck(
                        RIG.kafka(), topics, job, produced, sales.latestEventTime(), runDir);
        LOG.info(
                "{} TaskManager losses, recovered (first checkpoint completed) after {} ms;"
                        + " {} restarts, {} checkpoints; failures {}; exact check passed: {}",
                LOSSES,
                recoveries.stream().map(Duration::toMillis).toList(),
                LOSSES,
                checkpoints,
                failures,
                outcome.summary());
    }
}

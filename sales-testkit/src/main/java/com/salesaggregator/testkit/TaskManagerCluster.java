package com.salesaggregator.testkit;

import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MetricOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.checkpoint.AbstractCheckpointStats;
import org.apache.flink.runtime.checkpoint.CheckpointStatsSnapshot;
import org.apache.flink.runtime.checkpoint.CheckpointStatsStatus;
import org.apache.flink.runtime.checkpoint.CompletedCheckpointStats;
import org.apache.flink.runtime.checkpoint.RestoredCheckpointStats;
import org.apache.flink.runtime.client.JobStatusMessage;
import org.apache.flink.runtime.execution.ExecutionState;
import org.apache.flink.runtime.executiongraph.AccessExecutionGraph;
import org.apache.flink.runtime.executiongraph.AccessExecutionVertex;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.util.TestStreamEnvironment;

/**
 * A Flink MiniCluster of several TaskManagers, one slot each, that a test can take TaskManagers
 * away from and give them back: {@link #killTaskManager} terminates one through {@link
 * MiniCluster#terminateTaskManager} (its tasks die with it, as with a lost pod) and starts a
 * replacement, as Kubernetes would. A job at a parallelism equal to the number of TaskManagers uses
 * every slot, so every TaskManager runs part of it and every kill hits the job. While open, {@code
 * StreamExecutionEnvironment.getExecutionEnvironment()} submits to this cluster.
 */
public final class TaskManagerCluster implements AutoCloseable {

    private final MiniCluster miniCluster;

    /** MiniCluster indexes of the running TaskManagers; a started one gets the next index. */
    private final List<Integer> live = new ArrayList<>();

    private int started;

    private TaskManagerCluster(MiniCluster miniCluster, int taskManagers) {
        this.miniCluster = miniCluster;
        for (int i = 0; i < taskManagers; i++) {
            live.add(i);
        }
        this.started = taskManagers;
    }

    /**
     * A cluster whose restart strategy restarts a failed job up to {@code restartAttempts} times, a
     * fifth of a second apart, then lets it fail.
     */
    public static Configuration configuration(int restartAttempts) {
        Configuration config = new Configuration();
        config.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        config.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, restartAttempts);
        config.set(
                RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(200));
        config.set(MetricOptions.METRIC_FETCHER_UPDATE_INTERVAL, Duration.ofMillis(200));
        return config;
    }

    /** As {@link #configuration(int)}, with checkpoints written to files under {@code dir}. */
    public static Configuration configuration(int restartAttempts, Path checkpointDir) {
        Configuration config = configuration(restartAttempts);
        config.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
        config.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpointDir.toUri().toString());
        return config;
    }

    /** Starts {@code taskManagers} TaskManagers of one slot each, REST on a free port. */
    public static TaskManagerCluster start(int taskManagers, Configuration config)
            throws Exception {
        Configuration withPorts = new Configuration(config);
        withPorts.set(RestOptions.BIND_PORT, "0");
        MiniCluster miniCluster =
                new MiniCluster(
                        new MiniClusterConfiguration.Builder()
                                .setConfiguration(withPorts)
                                .setNumTaskManagers(taskManagers)
                                .setNumSlotsPerTaskManager(1)
                                .withRandomPorts()
                                .build());
        miniCluster.start();
        TestStreamEnvironment.setAsContext(miniCluster, taskManagers);
        return new TaskManagerCluster(miniCluster, taskManagers);
    }

    /** The REST API's address, e.g. {@code http://localhost:41234}. */
    public String restUrl() throws Exception {
        URI uri = miniCluster.getRestAddress().get(10, TimeUnit.SECONDS);
        return uri.toString();
    }

    /** TaskManagers running now. */
    public synchronized int taskManagers() {
        return live.size();
    }

    /**
     * Terminates the running TaskManager at {@code position} (0 = the oldest) and starts a
     * replacement; returns when the old one has stopped. Returns the wall-clock time of the kill.
     */
    public long killTaskManager(int position) throws Exception {
        int index;
        synchronized (this) {
            index = live.remove(position);
        }
        long killedAt = System.currentTimeMillis();
        miniCluster.terminateTaskManager(index).get(ItKafka.WAIT.toSeconds(), TimeUnit.SECONDS);
        startTaskManager();
        return killedAt;
    }

    /** Starts or terminates TaskManagers until {@code taskManagers} run (between jobs). */
    public void resize(int taskManagers) throws Exception {
        while (taskManagers() < taskManagers) {
            startTaskManager();
        }
        while (taskManagers() > taskManagers) {
            int index;
            synchronized (this) {
                index = live.remove(live.size() - 1);
            }
            miniCluster.terminateTaskManager(index).get(ItKafka.WAIT.toSeconds(), TimeUnit.SECONDS);
        }
    }

    private void startTaskManager() throws Exception {
        miniCluster.startTaskManager();
        synchronized (this) {
            live.add(started++);
        }
    }

    // ------------------------------------------------------------ the job, as the JobManager sees
    // it

    public AccessExecutionGraph executionGraph(JobID job) throws Exception {
        return miniCluster.getExecutionGraph(job).get(10, TimeUnit.SECONDS);
    }

    public CheckpointStatsSnapshot checkpointStats(JobID job) throws Exception {
        return executionGraph(job).getCheckpointStatsSnapshot();
    }

    /** Checkpoints the job has completed so far, over all its restarts. */
    public long completedCheckpoints(JobID job) throws Exception {
        return checkpointStats(job).getCounts().getNumberOfCompletedCheckpoints();
    }

    /** The checkpoint or savepoint the job's current run restored, or null. */
    public RestoredCheckpointStats restored(JobID job) throws Exception {
        return checkpointStats(job).getLatestRestoredCheckpoint();
    }

    /** Whether every task of the job is running. */
    public boolean allTasksRunning(JobID job) throws Exception {
        for (AccessExecutionVertex vertex : executionGraph(job).getAllExecutionVertices()) {
            if (vertex.getExecutionState() != ExecutionState.RUNNING) {
                return false;
            }
        }
        return true;
    }

    /** The oldest completed checkpoint triggered at or after {@code millis}, or null. */
    public CompletedCheckpointStats firstCheckpointTriggeredAfter(JobID job, long millis)
            throws Exception {
        CompletedCheckpointStats first = null;
        for (AbstractCheckpointStats stats : checkpointStats(job).getHistory().getCheckpoints()) {
            if (stats.getStatus() == CheckpointStatsStatus.COMPLETED
                    && stats.getTriggerTimestamp() >= millis
                    && !stats.getProperties().isSavepoint()
                    && (first == null || stats.getCheckpointId() < first.getCheckpointId())) {
                first = (CompletedCheckpointStats) stats;
            }
        }
        return first;
    }

    /**
     * Waits until the job has completed a checkpoint triggered after {@code faultMillis} (so its
     * tasks run again and its outputs commit) and returns how long after the fault that checkpoint
     * completed.
     */
    public Duration awaitRecovery(JobClient job, long faultMillis, String fault) {
        CompletedCheckpointStats[] first = new CompletedCheckpointStats[1];
        JobRunner.awaitWhileRunning(job, "a checkpoint completed after " + fault)
                .atMost(Duration.ofMinutes(2))
                .until(
                        () ->
                                (first[0] =
                                                firstCheckpointTriggeredAfter(
                                                        job.getJobID(), faultMillis))
                                        != null);
        return Duration.ofMillis(first[0].getLatestAckTimestamp() - faultMillis);
    }

    /** Waits until the job has completed {@code count} more checkpoints than {@code since}. */
    public void awaitCheckpoints(JobClient job, long since, int count) {
        JobRunner.awaitWhileRunning(job, count + " more completed checkpoints")
                .until(() -> completedCheckpoints(job.getJobID()) >= since + count);
    }

    /** Waits until the job (after a restart or restore) has every task running. */
    public void awaitRunning(JobClient job) {
        await("every task of the job running")
                .atMost(Duration.ofMinutes(2))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> allTasksRunning(job.getJobID()));
    }

    /** Cancels every job still running (a failed test's), so that the next one gets the slots. */
    public void cancelJobs() throws Exception {
        for (JobStatusMessage job : miniCluster.listJobs().get(10, TimeUnit.SECONDS)) {
            if (!job.getJobState().isGloballyTerminalState()) {
                miniCluster.cancelJob(job.getJobId()).get(10, TimeUnit.SECONDS);
                await("job " + job.getJobName() + " cancelled")
                        .atMost(ItKafka.WAIT)
                        .until(
                                () ->
                                        miniCluster
                                                .getJobStatus(job.getJobId())
                                                .get(10, TimeUnit.SECONDS)
                                                .isGloballyTerminalState());
            }
        }
    }

    @Override
    public void close() throws Exception {
        TestStreamEnvironment.unsetAsContext();
        miniCluster.close();
    }
}

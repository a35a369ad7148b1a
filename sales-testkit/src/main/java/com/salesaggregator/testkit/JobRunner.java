package com.salesaggregator.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.salesaggregator.job.JobConfig;
import com.salesaggregator.job.SalesAggregationJob;
import com.salesaggregator.topics.Topic;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.awaitility.core.ConditionFactory;

/**
 * Starts the Kafka-wired job ({@link SalesAggregationJob#define}) on the test's MiniCluster against
 * a run's topics, waits on it while it runs, and drains it with a final savepoint.
 */
public final class JobRunner {

    private static final Duration WAIT = ItKafka.WAIT;

    private JobRunner() {}

    /** The MiniCluster's configuration: a failure fails the test at once. */
    public static Configuration clusterConfiguration() {
        Configuration config = new Configuration();
        // A failure fails the test at once instead of restarting forever.
        config.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        return config;
    }

    /**
     * Flink's settings of a test run, as a FlinkDeployment's {@code flinkConfiguration} would give
     * them: quick checkpoints (and commits), documented in the README.
     */
    public static Map<String, String> flinkSettings() {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put(CheckpointingOptions.CHECKPOINTING_INTERVAL.key(), "1s");
        settings.put(CheckpointingOptions.MIN_PAUSE_BETWEEN_CHECKPOINTS.key(), "100ms");
        settings.put(CheckpointingOptions.CHECKPOINTING_TIMEOUT.key(), "30s");
        return settings;
    }

    /** The consumer group of a run's job. */
    public static String groupId(RunTopics topics) {
        return "itcase-" + topics.prefix() + "group";
    }

    /** The job options of a test run; tuned for a quick test, documented in the README. */
    public static Map<String, String> options(ItKafka kafka, RunTopics topics) {
        Map<String, String> options = new LinkedHashMap<>();
        options.put("bootstrap-servers", kafka.bootstrapServers());
        options.put("group-id", groupId(topics));
        options.put("transactional-id-prefix", "itcase-" + topics.prefix() + "tx");
        options.put("starting-offsets", "earliest");
        // Long enough that a busy machine never marks a partition with backlog idle (its lines
        // would then turn late), short enough for a quick test.
        options.put("idleness", "5s");
        options.put("restart-budget", "0s");
        options.put("transaction-timeout", "1m");
        // Longer than a run: the last value of every running total is the one flushed at the end
        // of event time, by the drain.
        options.put("emit-interval", "1m");
        for (String topic : Topic.names()) {
            options.put(JobConfig.TOPIC_PREFIX + topic, topics.of(topic));
        }
        return options;
    }

    /** Submits the job with the test {@link #options} to the MiniCluster. */
    public static JobClient start(ItKafka kafka, RunTopics topics, int parallelism)
            throws Exception {
        return start(kafka, topics, parallelism, Map.of());
    }

    /**
     * Submits the job with the test {@link #options}, {@code overrides} replacing some. The job is
     * named {@link SalesAggregationJob#NAME}{@code -p<parallelism>}.
     */
    public static JobClient start(
            ItKafka kafka, RunTopics topics, int parallelism, Map<String, String> overrides)
            throws Exception {
        return start(kafka, topics, parallelism, overrides, SalesAggregationJob::define, null);
    }

    /**
     * How a test puts the job on an environment: {@link SalesAggregationJob#define} or a variant.
     */
    @FunctionalInterface
    public interface JobDefinition {
        void define(StreamExecutionEnvironment env, JobConfig config);
    }

    /**
     * Submits the job that {@code definition} puts on the environment, with the test {@link
     * #options} ({@code overrides} replacing some), restoring {@code savepoint} unless it is null.
     */
    public static JobClient start(
            ItKafka kafka,
            RunTopics topics,
            int parallelism,
            Map<String, String> overrides,
            JobDefinition definition,
            String savepoint)
            throws Exception {
        return start(kafka, topics, parallelism, overrides, Map.of(), definition, savepoint);
    }

    /**
     * Submits the job as {@link #start(ItKafka, RunTopics, int, Map, JobDefinition, String)} does,
     * with {@code flinkOverrides} replacing some of the {@link #flinkSettings}.
     */
    public static JobClient start(
            ItKafka kafka,
            RunTopics topics,
            int parallelism,
            Map<String, String> overrides,
            Map<String, String> flinkOverrides,
            JobDefinition definition,
            String savepoint)
            throws Exception {
        Map<String, String> options = options(kafka, topics);
        options.putAll(overrides);
        List<String> args = new ArrayList<>();
        options.forEach(
                (key, value) -> {
                    args.add("--" + key);
                    args.add(value);
                });
        JobConfig config = SalesAggregationJob.parse(args.toArray(String[]::new));

        // The MiniCluster's environment; the cluster's restart strategy applies. Flink's settings
        // go into its configuration, where a FlinkDeployment's flinkConfiguration puts them.
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        Map<String, String> flink = flinkSettings();
        flink.putAll(flinkOverrides);
        Configuration settings = Configuration.fromMap(flink);
        if (savepoint != null) {
            settings.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
        }
        env.configure(settings, JobRunner.class.getClassLoader());
        env.setParallelism(parallelism);
        definition.define(env, config);
        return env.executeAsync(SalesAggregationJob.NAME + "-p" + parallelism);
    }

    /** Awaitility that gives up at once, with the job's failure, when the job stops. */
    public static ConditionFactory awaitWhileRunning(JobClient job, String what) {
        return await(what)
                .atMost(WAIT)
                .pollInSameThread()
                .pollInterval(Duration.ofMillis(200))
                .failFast("the job stopped", () -> assertRunning(job));
    }

    public static void assertRunning(JobClient job) throws Exception {
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

    /**
     * Stops the job with a drain (the end of event time fires every window and flushes every total)
     * and a final savepoint, and waits until it has finished; returns the savepoint.
     */
    public static String drainWithSavepoint(JobClient job, Path runDir) throws Exception {
        return stopWithSavepoint(job, runDir, true);
    }

    /**
     * Stops the job with a savepoint, draining it or not (not: as for an upgrade or a rescale,
     * windows stay open in the savepoint), and waits until it has finished; returns the savepoint.
     */
    public static String stopWithSavepoint(JobClient job, Path runDir, boolean drain)
            throws Exception {
        String savepoint =
                job.stopWithSavepoint(
                                drain,
                                runDir.resolve("savepoints").toUri().toString(),
                                SavepointFormatType.CANONICAL)
                        .get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(savepoint).isNotBlank();
        job.getJobExecutionResult().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        return savepoint;
    }
}

package com.salesaggregator.job;

import java.time.Duration;
import java.util.List;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.environment.CheckpointConfig;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The execution settings the job's guarantees rest on. Flink's own settings (checkpoint interval,
 * timeout, minimum pause, tolerable failures, retention, maximum parallelism, state backend) come
 * from Flink's configuration, the FlinkDeployment's {@code flinkConfiguration} on Kubernetes; the
 * job's {@link #DEFAULTS} apply only where it sets none. Fixed, whatever the configuration says:
 * exactly-once and aligned checkpoints (which commit the Kafka transactions), no Kryo (a type that
 * would fall back to it fails the job at submission) and object reuse between chained operators.
 * docs/operations.md, "Checkpointing choices", and BENCHMARKS.md give the reason for each.
 */
public final class JobEnvironment {

    private JobEnvironment() {}

    /** One of Flink's settings and the job's value for it where Flink's configuration has none. */
    public record Default<T>(ConfigOption<T> option, T value) {
        /** Sets the value in {@code target} unless {@code present} has the option. */
        public void applyIfAbsent(ReadableConfig present, Configuration target) {
            if (present.getOptional(option).isEmpty()) {
                target.set(option, value);
            }
        }
    }

    /**
     * Checkpoint (and Kafka transaction commit) interval where Flink's configuration sets no {@code
     * execution.checkpointing.interval}: how soon results are visible.
     */
    public static final Duration CHECKPOINT_INTERVAL = Duration.ofSeconds(5);

    /**
     * The state backend where Flink's configuration names none: keyed state on the JVM heap,
     * snapshotted in full on each checkpoint. The chart sets {@code rocksdb} with incremental
     * checkpoints.
     */
    public static final String STATE_BACKEND = "hashmap";

    /** The job's values of Flink's settings, each applied only where the configuration has none. */
    public static final List<Default<?>> DEFAULTS =
            List.of(
                    new Default<>(CheckpointingOptions.CHECKPOINTING_INTERVAL, CHECKPOINT_INTERVAL),
                    new Default<>(
                            CheckpointingOptions.CHECKPOINTING_TIMEOUT, Duration.ofMinutes(2)),
                    new Default<>(
                            CheckpointingOptions.MIN_PAUSE_BETWEEN_CHECKPOINTS,
                            Duration.ofSeconds(1)),
                    new Default<>(CheckpointingOptions.TOLERABLE_FAILURE_NUMBER, 3),
                    new Default<>(
                            CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
                            ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION),
                    new Default<>(PipelineOptions.MAX_PARALLELISM, 128),
                    new Default<>(StateBackendOptions.STATE_BACKEND, STATE_BACKEND));

    /**
     * Applies the settings to {@code env}, whose configuration is Flink's (the cluster's in
     * application mode), and checks the Kafka transaction timeout against the checkpoint timeout.
     *
     * @throws IllegalArgumentException naming the keys when the transaction timeout is too short
     */
    public static void configure(StreamExecutionEnvironment env, JobConfig config) {
        configure(env);
        requireTransactionsOutliveCheckpoints(env.getCheckpointConfig(), config);
    }

    /**
     * Applies the settings to {@code env} (without the job's options: for peers that checkpoint as
     * the job does).
     */
    public static void configure(StreamExecutionEnvironment env) {
        Configuration settings = new Configuration();
        for (Default<?> setting : DEFAULTS) {
            setting.applyIfAbsent(env.getConfiguration(), settings);
        }
        // The Kafka sinks commit their transactions when a checkpoint completes: exactly once.
        settings.set(
                CheckpointingOptions.CHECKPOINTING_CONSISTENCY_MODE,
                CheckpointingMode.EXACTLY_ONCE);
        // Aligned: the state is small and the pipeline is not backpressured in normal operation,
        // so barriers align quickly and checkpoints hold no in-flight records.
        settings.set(CheckpointingOptions.ENABLE_UNALIGNED, false);
        settings.set(PipelineOptions.GENERIC_TYPES, false);
        // Chained operators hand records on instead of copying them: every record type is
        // immutable, and no function keeps or changes a record it was given by a chained operator.
        settings.set(PipelineOptions.OBJECT_REUSE, true);
        env.configure(settings, JobEnvironment.class.getClassLoader());
    }

    /**
     * A transaction pre-committed at a checkpoint must stay open until that checkpoint completes
     * and, if the job fails before committing it, until the restarted job commits it; the broker
     * would abort it sooner, losing committed figures.
     */
    static void requireTransactionsOutliveCheckpoints(
            CheckpointConfig checkpoints, JobConfig config) {
        Duration checkpointTimeout = Duration.ofMillis(checkpoints.getCheckpointTimeout());
        Duration needed = checkpointTimeout.plus(config.restartBudget());
        if (config.transactionTimeout().compareTo(needed) <= 0) {
            throw new IllegalArgumentException(
                    SalesJobOptions.TRANSACTION_TIMEOUT.key()
                            + " ("
                            + config.transactionTimeout()
                            + ") must be above Flink's "
                            + CheckpointingOptions.CHECKPOINTING_TIMEOUT.key()
                            + " + "
                            + SalesJobOptions.RESTART_BUDGET.key()
                            + " ("
                            + needed
                            + "): a transaction still open after a failure would be aborted"
                            + " before the job could commit it");
        }
    }
}

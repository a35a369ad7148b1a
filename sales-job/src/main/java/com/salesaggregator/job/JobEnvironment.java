package com.salesaggregator.job;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.environment.CheckpointConfig;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The execution settings the job's guarantees rest on: exactly-once, aligned checkpoints (which
 * commit the Kafka transactions), bounded checkpoint time, retained checkpoints, the heap state
 * backend, a fixed maximum parallelism (key groups), no Kryo (a type that would fall back to it
 * fails the job at submission) and object reuse between chained operators. README, "Checkpointing
 * choices" and "Performance", gives the reason for each.
 */
public final class JobEnvironment {

    private JobEnvironment() {}

    /**
     * The state backend where Flink's configuration names none: keyed state on the JVM heap,
     * snapshotted in full on each checkpoint. A configuration's {@code state.backend.type} (e.g.
     * {@code rocksdb} with {@code execution.checkpointing.incremental: true}, as on Kubernetes)
     * wins.
     */
    public static final String STATE_BACKEND = "hashmap";

    /** Applies the settings to {@code env}. */
    public static void configure(StreamExecutionEnvironment env, JobConfig config) {
        Configuration pipeline = new Configuration();
        pipeline.set(PipelineOptions.GENERIC_TYPES, false);
        // Chained operators hand records on instead of copying them: every record type is
        // immutable, and no function keeps or changes a record it was given by a chained operator.
        pipeline.set(PipelineOptions.OBJECT_REUSE, true);
        if (env.getConfiguration().getOptional(StateBackendOptions.STATE_BACKEND).isEmpty()) {
            pipeline.set(StateBackendOptions.STATE_BACKEND, STATE_BACKEND);
        }
        env.configure(pipeline, JobEnvironment.class.getClassLoader());
        env.setMaxParallelism(config.maxParallelism());

        env.enableCheckpointing(
                config.checkpointInterval().toMillis(), CheckpointingMode.EXACTLY_ONCE);
        CheckpointConfig checkpoints = env.getCheckpointConfig();
        checkpoints.setCheckpointTimeout(config.checkpointTimeout().toMillis());
        checkpoints.setMinPauseBetweenCheckpoints(config.minPauseBetweenCheckpoints().toMillis());
        checkpoints.setTolerableCheckpointFailureNumber(config.tolerableCheckpointFailures());
        // Aligned: the state is small and the pipeline is not backpressured in normal operation,
        // so barriers align quickly and checkpoints hold no in-flight records.
        checkpoints.enableUnalignedCheckpoints(false);
        checkpoints.setExternalizedCheckpointRetention(
                ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
    }
}

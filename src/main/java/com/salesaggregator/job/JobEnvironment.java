package com.salesaggregator.job;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.environment.CheckpointConfig;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The execution settings the job's guarantees rest on: exactly-once checkpoints (which commit the
 * Kafka transactions), bounded checkpoint time, retained checkpoints, a fixed maximum parallelism
 * (key groups), and no Kryo: a type that would fall back to it fails the job at submission.
 */
public final class JobEnvironment {

    private JobEnvironment() {}

    /** Applies the settings to {@code env}. */
    public static void configure(StreamExecutionEnvironment env, JobConfig config) {
        Configuration pipeline = new Configuration();
        pipeline.set(PipelineOptions.GENERIC_TYPES, false);
        env.configure(pipeline, JobEnvironment.class.getClassLoader());
        env.setMaxParallelism(config.maxParallelism());

        env.enableCheckpointing(
                config.checkpointInterval().toMillis(), CheckpointingMode.EXACTLY_ONCE);
        CheckpointConfig checkpoints = env.getCheckpointConfig();
        checkpoints.setCheckpointTimeout(config.checkpointTimeout().toMillis());
        checkpoints.setMinPauseBetweenCheckpoints(config.minPauseBetweenCheckpoints().toMillis());
        checkpoints.setTolerableCheckpointFailureNumber(config.tolerableCheckpointFailures());
        checkpoints.setExternalizedCheckpointRetention(
                ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
    }
}

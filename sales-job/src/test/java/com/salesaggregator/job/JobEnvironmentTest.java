package com.salesaggregator.job;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.environment.CheckpointConfig;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;

/** The checkpointing choices README documents are the ones {@link JobEnvironment} applies. */
class JobEnvironmentTest {

    @Test
    void defaultsGiveTheDocumentedCheckpointingChoices() {
        StreamExecutionEnvironment env = configured(new Configuration(), JobConfig.defaults());
        CheckpointConfig checkpoints = env.getCheckpointConfig();

        assertThat(env.getCheckpointingConsistencyMode()).isEqualTo(CheckpointingMode.EXACTLY_ONCE);
        assertThat(checkpoints.getCheckpointInterval()).isEqualTo(5_000);
        assertThat(checkpoints.getCheckpointTimeout()).isEqualTo(120_000);
        assertThat(checkpoints.getMinPauseBetweenCheckpoints()).isEqualTo(1_000);
        assertThat(checkpoints.getTolerableCheckpointFailureNumber()).isEqualTo(3);
        assertThat(checkpoints.getMaxConcurrentCheckpoints()).isEqualTo(1);
        assertThat(checkpoints.isUnalignedCheckpointsEnabled()).isFalse();
        assertThat(checkpoints.getExternalizedCheckpointRetention())
                .isEqualTo(ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        assertThat(env.getConfiguration().get(StateBackendOptions.STATE_BACKEND))
                .isEqualTo("hashmap");
        assertThat(env.getConfiguration().get(PipelineOptions.GENERIC_TYPES)).isFalse();
        assertThat(env.getConfiguration().get(PipelineOptions.OBJECT_REUSE)).isTrue();
        assertThat(env.getMaxParallelism()).isEqualTo(128);
    }

    @Test
    void theConfigurationChoosesTheStateBackendButCannotTurnOnUnalignedCheckpoints() {
        Configuration cluster = new Configuration();
        cluster.set(StateBackendOptions.STATE_BACKEND, "rocksdb");
        cluster.setString("execution.checkpointing.unaligned.enabled", "true");

        StreamExecutionEnvironment env = configured(cluster, JobConfig.defaults());

        assertThat(env.getConfiguration().get(StateBackendOptions.STATE_BACKEND))
                .isEqualTo("rocksdb");
        assertThat(env.getCheckpointConfig().isUnalignedCheckpointsEnabled()).isFalse();
    }

    @Test
    void checkpointOptionsReachTheEnvironment() {
        JobConfig config =
                SalesAggregationJob.parse(
                        new String[] {
                            "--checkpoint-interval", "30s",
                            "--checkpoint-timeout", "3m",
                            "--min-pause-between-checkpoints", "5s",
                            "--tolerable-checkpoint-failures", "7",
                            "--transaction-timeout", "9m"
                        });

        CheckpointConfig checkpoints =
                configured(new Configuration(), config).getCheckpointConfig();

        assertThat(checkpoints.getCheckpointInterval()).isEqualTo(30_000);
        assertThat(checkpoints.getCheckpointTimeout()).isEqualTo(180_000);
        assertThat(checkpoints.getMinPauseBetweenCheckpoints()).isEqualTo(5_000);
        assertThat(checkpoints.getTolerableCheckpointFailureNumber()).isEqualTo(7);
    }

    private static StreamExecutionEnvironment configured(Configuration cluster, JobConfig config) {
        StreamExecutionEnvironment env = new StreamExecutionEnvironment(cluster);
        JobEnvironment.configure(env, config);
        return env;
    }
}

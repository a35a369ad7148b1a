package com.salesaggregator.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.environment.CheckpointConfig;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;

/**
 * The checkpointing choices docs/operations.md documents are the ones {@link JobEnvironment}
 * applies, and Flink's configuration (the cluster's, where a FlinkDeployment's {@code
 * flinkConfiguration} lands) overrides every one of Flink's settings.
 */
class JobEnvironmentTest {

    @Test
    void defaultsGiveTheDocumentedCheckpointingChoices() {
        StreamExecutionEnvironment env = configured(Map.of(), JobConfig.defaults());
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
    void flinksConfigurationOverridesEveryDefault() {
        StreamExecutionEnvironment env =
                configured(
                        Map.of(
                                "execution.checkpointing.interval", "30s",
                                "execution.checkpointing.timeout", "3m",
                                "execution.checkpointing.min-pause", "5s",
                                "execution.checkpointing.tolerable-failed-checkpoints", "7",
                                "execution.checkpointing.externalized-checkpoint-retention",
                                        "DELETE_ON_CANCELLATION",
                                "pipeline.max-parallelism", "256",
                                "state.backend.type", "rocksdb"),
                        SalesAggregationJob.parse(new String[] {"--transaction-timeout", "9m"}));
        CheckpointConfig checkpoints = env.getCheckpointConfig();

        assertThat(checkpoints.getCheckpointInterval()).isEqualTo(30_000);
        assertThat(checkpoints.getCheckpointTimeout()).isEqualTo(180_000);
        assertThat(checkpoints.getMinPauseBetweenCheckpoints()).isEqualTo(5_000);
        assertThat(checkpoints.getTolerableCheckpointFailureNumber()).isEqualTo(7);
        assertThat(checkpoints.getExternalizedCheckpointRetention())
                .isEqualTo(ExternalizedCheckpointRetention.DELETE_ON_CANCELLATION);
        assertThat(env.getMaxParallelism()).isEqualTo(256);
        assertThat(env.getConfiguration().get(StateBackendOptions.STATE_BACKEND))
                .isEqualTo("rocksdb");
        // Every setting Flink's configuration can override was overridden above.
        assertThat(JobEnvironment.DEFAULTS).hasSize(7);
    }

    @Test
    void flinksConfigurationCannotTurnOffTheGuarantees() {
        StreamExecutionEnvironment env =
                configured(
                        Map.of(
                                "execution.checkpointing.unaligned.enabled", "true",
                                "execution.checkpointing.mode", "AT_LEAST_ONCE",
                                "pipeline.generic-types", "true"),
                        JobConfig.defaults());

        assertThat(env.getCheckpointConfig().isUnalignedCheckpointsEnabled()).isFalse();
        assertThat(env.getCheckpointingConsistencyMode()).isEqualTo(CheckpointingMode.EXACTLY_ONCE);
        assertThat(env.getConfiguration().get(PipelineOptions.GENERIC_TYPES)).isFalse();
    }

    @Test
    void transactionTimeoutMustBeAboveFlinksCheckpointTimeoutPlusRestartBudget() {
        // Defaults: checkpoint timeout 2m + restart budget 5m = 7m.
        assertThatThrownBy(() -> configured(Map.of(), jobWith("--transaction-timeout", "7m")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("transaction-timeout (PT7M)")
                .hasMessageContaining("execution.checkpointing.timeout + restart-budget (PT7M)");
        assertThat(
                        configured(Map.of(), jobWith("--transaction-timeout", "420001ms"))
                                .getCheckpointConfig()
                                .getCheckpointTimeout())
                .isEqualTo(120_000);
    }

    @Test
    void raisingFlinksCheckpointTimeoutOrTheRestartBudgetCanMakeTheDefaultTimeoutTooShort() {
        // The transaction timeout's default, 10m, against 6m + 5m.
        assertThatThrownBy(
                        () ->
                                configured(
                                        Map.of("execution.checkpointing.timeout", "6m"),
                                        JobConfig.defaults()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("transaction-timeout")
                .hasMessageContaining("execution.checkpointing.timeout");
        assertThatThrownBy(() -> configured(Map.of(), jobWith("--restart-budget", "8m")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("transaction-timeout");
    }

    private static JobConfig jobWith(String... args) {
        return SalesAggregationJob.parse(args);
    }

    /** The job's environment on a cluster whose configuration is {@code flinkConfiguration}. */
    static StreamExecutionEnvironment configured(
            Map<String, String> flinkConfiguration, JobConfig config) {
        StreamExecutionEnvironment env =
                new StreamExecutionEnvironment(Configuration.fromMap(flinkConfiguration));
        JobEnvironment.configure(env, config);
        return env;
    }
}

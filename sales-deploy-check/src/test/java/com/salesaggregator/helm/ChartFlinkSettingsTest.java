package com.salesaggregator.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.salesaggregator.job.JobConfig;
import com.salesaggregator.job.JobEnvironment;
import com.salesaggregator.job.SalesAggregationJob;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.JobManagerOptions;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessSpec;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessUtils;
import org.apache.flink.runtime.jobmanager.JobManagerProcessSpec;
import org.apache.flink.runtime.jobmanager.JobManagerProcessUtils;
import org.apache.flink.runtime.state.CheckpointStorage;
import org.apache.flink.runtime.state.CheckpointStorageLoader;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.runtime.state.StateBackendLoader;
import org.apache.flink.runtime.state.storage.FileSystemCheckpointStorage;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.environment.CheckpointConfig;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;

/**
 * Flink's settings of the job come from the chart's {@code flinkConfiguration}: the rendered
 * configuration, given to the job's environment builder as the cluster's configuration (which is
 * what application mode does), is what the job runs with, an override included; and the chart's
 * TaskManager and JobManager sizes split into Flink's memory components as the README states.
 */
class ChartFlinkSettingsTest {

    private static final double MIB = 1024 * 1024;

    @Test
    void theRenderedConfigurationHoldsCheckpointingStorageAndStateBackend() throws Exception {
        List<JsonNode> docs = Chart.render(Map.of());
        Map<String, String> conf = Chart.flinkConfiguration(docs);

        assertThat(conf)
                .containsEntry("execution.checkpointing.interval", "5s")
                .containsEntry("execution.checkpointing.storage", "filesystem")
                .containsEntry(
                        "state.checkpoints.dir", "file:///flink-state/sales-aggregator/checkpoints")
                .containsEntry("state.backend.type", "rocksdb")
                .containsEntry("execution.checkpointing.incremental", "true");
        // The chart's interval is the job's default: one figure, whichever applies.
        assertThat(Configuration.fromMap(conf).get(CheckpointingOptions.CHECKPOINTING_INTERVAL))
                .isEqualTo(JobEnvironment.CHECKPOINT_INTERVAL);

        // Flink loads from it what the keys say (so the keys are Flink 2.2's).
        Configuration flink = Configuration.fromMap(conf);
        StateBackend backend =
                StateBackendLoader.loadStateBackendFromConfig(
                        flink, getClass().getClassLoader(), null);
        assertThat(backend).isInstanceOf(EmbeddedRocksDBStateBackend.class);
        assertThat(((EmbeddedRocksDBStateBackend) backend).isIncrementalCheckpointsEnabled())
                .isTrue();
        CheckpointStorage storage =
                CheckpointStorageLoader.fromConfig(flink, getClass().getClassLoader(), null)
                        .orElseThrow();
        assertThat(storage).isInstanceOf(FileSystemCheckpointStorage.class);
        assertThat(((FileSystemCheckpointStorage) storage).getCheckpointPath().toString())
                .isEqualTo("file:/flink-state/sales-aggregator/checkpoints");
    }

    @Test
    void anIntervalOverriddenInTheChartReachesTheJobsCheckpointConfig() {
        List<JsonNode> docs =
                Chart.render(
                        Map.of(
                                "job.flinkConfiguration.execution\\.checkpointing\\.interval",
                                "42s",
                                "job.flinkConfiguration.execution\\.checkpointing\\.timeout",
                                "90s"));
        Map<String, String> conf = Chart.flinkConfiguration(docs);

        StreamExecutionEnvironment env = jobEnvironment(docs);
        CheckpointConfig checkpoints = env.getCheckpointConfig();

        assertThat(checkpoints.getCheckpointInterval()).isEqualTo(42_000);
        assertThat(checkpoints.getCheckpointTimeout()).isEqualTo(90_000);
        assertThat(settingsTheJobDoesNotTakeFrom(conf, env)).isEmpty();
    }

    @Test
    void everyFlinkSettingOfTheChartIsTheOneTheJobRunsWith() {
        List<JsonNode> docs = Chart.render(Map.of());

        assertThat(
                        settingsTheJobDoesNotTakeFrom(
                                Chart.flinkConfiguration(docs), jobEnvironment(docs)))
                .isEmpty();
    }

    @Test
    void aJobThatSetsCheckpointingInCodeFailsTheCheck() {
        // The defect: the job set the interval from its own option after reading the
        // configuration, so the chart's execution.checkpointing.* never took effect.
        List<JsonNode> docs =
                Chart.render(
                        Map.of(
                                "job.flinkConfiguration.execution\\.checkpointing\\.interval",
                                "42s"));
        StreamExecutionEnvironment env = jobEnvironment(docs);
        env.enableCheckpointing(JobEnvironment.CHECKPOINT_INTERVAL.toMillis());
        env.setMaxParallelism(128 * 2);

        assertThat(settingsTheJobDoesNotTakeFrom(Chart.flinkConfiguration(docs), env))
                .containsExactly(
                        "execution.checkpointing.interval: configured 42000, job runs 5000",
                        "pipeline.max-parallelism: configured 128, job runs 256");
    }

    @Test
    void theTaskManagerSplitsItsMemoryAsTheReadmeStates() {
        List<JsonNode> docs = Chart.render(Map.of());
        JsonNode flink = Manifests.find(docs, "FlinkDeployment");
        Configuration conf = Chart.flinkConfigurationOf(docs);
        // What the operator does with spec.taskManager.resource.memory (FlinkConfigBuilder).
        conf.set(
                TaskManagerOptions.TOTAL_PROCESS_MEMORY,
                MemorySize.parse(flink.at("/spec/taskManager/resource/memory").asText()));

        TaskExecutorProcessSpec spec = TaskExecutorProcessUtils.processSpecFromConfig(conf);

        // Reference: Flink's documented memory model, by hand. 2048 MiB of process memory;
        // metaspace 256 MiB; JVM overhead 10% of the process (within 192 MiB..1 GiB) = 204.8;
        // total Flink memory 1587.2; managed 0.4 of it = 634.88; network 0.1 of it = 158.72;
        // framework heap and off-heap 128 each; task heap the rest = 537.6.
        assertThat(spec.getJvmMetaspaceSize().getBytes() / MIB).isEqualTo(256);
        assertThat(spec.getJvmOverheadSize().getBytes() / MIB).isCloseTo(204.8, within(0.01));
        assertThat(spec.getManagedMemorySize().getBytes() / MIB).isCloseTo(634.88, within(0.01));
        assertThat(spec.getNetworkMemSize().getBytes() / MIB).isCloseTo(158.72, within(0.01));
        assertThat(spec.getTaskHeapSize().getBytes() / MIB).isCloseTo(537.6, within(0.01));
        assertThat(spec.getTotalProcessMemorySize().getBytes() / MIB).isEqualTo(2048);
        // RocksDB takes its budget from managed memory: one share per slot.
        assertThat(conf.get(StateBackendOptions.STATE_BACKEND)).isEqualTo("rocksdb");
        assertThat(spec.getManagedMemorySize().getBytes() / MIB / spec.getNumSlots())
                .isCloseTo(317.44, within(0.01));
    }

    @Test
    void theJobManagerSplitsItsMemory() {
        List<JsonNode> docs = Chart.render(Map.of());
        JsonNode flink = Manifests.find(docs, "FlinkDeployment");
        Configuration conf = Chart.flinkConfigurationOf(docs);
        conf.set(
                JobManagerOptions.TOTAL_PROCESS_MEMORY,
                MemorySize.parse(flink.at("/spec/jobManager/resource/memory").asText()));

        JobManagerProcessSpec spec = JobManagerProcessUtils.processSpecFromConfig(conf);

        // 1600 MiB: metaspace 256, overhead 10% = 160 raised to its 192 MiB minimum, off-heap
        // 128, heap the rest = 1024.
        assertThat(spec.getJvmHeapMemorySize().getBytes() / MIB).isEqualTo(1024);
        assertThat(spec.getJvmOverheadSize().getBytes() / MIB).isEqualTo(192);
    }

    // ---- the check

    /** The job's environment on a cluster configured by the rendered FlinkDeployment. */
    private static StreamExecutionEnvironment jobEnvironment(List<JsonNode> docs) {
        List<String> args = new ArrayList<>();
        Manifests.find(docs, "FlinkDeployment")
                .at("/spec/job/args")
                .forEach(a -> args.add(a.asText()));
        JobConfig config = SalesAggregationJob.parse(args.toArray(String[]::new));
        StreamExecutionEnvironment env =
                new StreamExecutionEnvironment(Chart.flinkConfigurationOf(docs));
        JobEnvironment.configure(env, config);
        return env;
    }

    /**
     * Each of Flink's settings the job relies on that {@code flinkConfiguration} sets to one value
     * and the job's environment runs with another (as read back from its CheckpointConfig and
     * execution config, what the job graph is built from).
     */
    static List<String> settingsTheJobDoesNotTakeFrom(
            Map<String, String> flinkConfiguration, StreamExecutionEnvironment env) {
        Configuration configured = Configuration.fromMap(flinkConfiguration);
        CheckpointConfig checkpoints = env.getCheckpointConfig();
        List<String> problems = new ArrayList<>();
        compare(
                problems,
                CheckpointingOptions.CHECKPOINTING_INTERVAL.key(),
                configured
                        .getOptional(CheckpointingOptions.CHECKPOINTING_INTERVAL)
                        .map(d -> d.toMillis()),
                checkpoints.getCheckpointInterval());
        compare(
                problems,
                CheckpointingOptions.CHECKPOINTING_TIMEOUT.key(),
                configured
                        .getOptional(CheckpointingOptions.CHECKPOINTING_TIMEOUT)
                        .map(d -> d.toMillis()),
                checkpoints.getCheckpointTimeout());
        compare(
                problems,
                CheckpointingOptions.MIN_PAUSE_BETWEEN_CHECKPOINTS.key(),
                configured
                        .getOptional(CheckpointingOptions.MIN_PAUSE_BETWEEN_CHECKPOINTS)
                        .map(d -> d.toMillis()),
                checkpoints.getMinPauseBetweenCheckpoints());
        compare(
                problems,
                CheckpointingOptions.TOLERABLE_FAILURE_NUMBER.key(),
                configured.getOptional(CheckpointingOptions.TOLERABLE_FAILURE_NUMBER),
                checkpoints.getTolerableCheckpointFailureNumber());
        compare(
                problems,
                CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION.key(),
                configured.getOptional(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION),
                checkpoints.getExternalizedCheckpointRetention());
        compare(
                problems,
                PipelineOptions.MAX_PARALLELISM.key(),
                configured.getOptional(PipelineOptions.MAX_PARALLELISM),
                env.getMaxParallelism());
        compare(
                problems,
                StateBackendOptions.STATE_BACKEND.key(),
                configured.getOptional(StateBackendOptions.STATE_BACKEND),
                env.getConfiguration().get(StateBackendOptions.STATE_BACKEND));
        compare(
                problems,
                CheckpointingOptions.INCREMENTAL_CHECKPOINTS.key(),
                configured.getOptional(CheckpointingOptions.INCREMENTAL_CHECKPOINTS),
                env.getConfiguration().get(CheckpointingOptions.INCREMENTAL_CHECKPOINTS));
        compare(
                problems,
                CheckpointingOptions.CHECKPOINT_STORAGE.key(),
                configured.getOptional(CheckpointingOptions.CHECKPOINT_STORAGE),
                env.getConfiguration().get(CheckpointingOptions.CHECKPOINT_STORAGE));
        return problems;
    }

    private static void compare(
            List<String> problems, String key, java.util.Optional<?> configured, Object running) {
        configured.ifPresent(
                value -> {
                    if (!value.equals(running)) {
                        problems.add(key + ": configured " + value + ", job runs " + running);
                    }
                });
    }
}

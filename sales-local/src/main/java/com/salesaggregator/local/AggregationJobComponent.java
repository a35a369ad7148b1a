package com.salesaggregator.local;

import com.salesaggregator.job.JobConfig;
import com.salesaggregator.job.SalesAggregationJob;
import com.salesaggregator.job.SalesJobOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The aggregation job on a Flink MiniCluster in this JVM, with the Flink web UI, checkpointing to a
 * local directory: the same job (and the same Kafka wiring) as on Kubernetes.
 */
final class AggregationJobComponent implements LocalComponent {

    private final int webPort;
    private final int parallelism;
    private final Path stateDir;
    private final Map<String, String> jobOptions;
    private StreamExecutionEnvironment env;
    private JobClient jobClient;

    /**
     * @param webPort port of the Flink web UI
     * @param parallelism job parallelism
     * @param stateDir where checkpoints go
     * @param jobOptions job options on top of the local defaults ({@link JobConfig} keys)
     */
    AggregationJobComponent(
            int webPort, int parallelism, Path stateDir, Map<String, String> jobOptions) {
        this.webPort = webPort;
        this.parallelism = parallelism;
        this.stateDir = stateDir;
        this.jobOptions = jobOptions;
    }

    @Override
    public String name() {
        return "aggregation job (Flink MiniCluster)";
    }

    @Override
    public String start(String bootstrapServers) throws Exception {
        Map<String, String> options = new HashMap<>();
        // Local default: a quick start once the catalog has been read. Checkpointing: the job's
        // defaults (JobEnvironment), as Flink's configuration below sets none.
        options.put(SalesJobOptions.IDLENESS.key(), "10s");
        options.putAll(jobOptions);
        options.put(SalesJobOptions.BOOTSTRAP_SERVERS.key(), bootstrapServers);
        JobConfig config = JobConfig.from(options);

        Configuration flink = new Configuration();
        flink.set(RestOptions.PORT, webPort);
        flink.set(RestOptions.ADDRESS, "localhost");
        flink.set(RestOptions.BIND_ADDRESS, "localhost");
        flink.set(TaskManagerOptions.NUM_TASK_SLOTS, parallelism);
        flink.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, stateDir.toUri().toString());
        env = StreamExecutionEnvironment.createLocalEnvironmentWithWebUI(flink);
        env.setParallelism(parallelism);
        SalesAggregationJob.define(env, config);
        jobClient = env.executeAsync(SalesAggregationJob.NAME);
        return "Flink web UI: http://localhost:" + webPort + " (job " + jobClient.getJobID() + ")";
    }

    /** The running job, for status in the view. */
    JobClient jobClient() {
        return jobClient;
    }

    @Override
    public void close() throws Exception {
        if (jobClient != null) {
            try {
                jobClient
                        .cancel()
                        .get(
                                Duration.ofSeconds(5).toMillis(),
                                java.util.concurrent.TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                // The cluster is closed next either way.
            }
        }
        if (env != null) {
            env.close();
        }
    }
}

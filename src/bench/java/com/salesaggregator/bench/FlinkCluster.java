package com.salesaggregator.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.DeploymentOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.WebOptions;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.util.MiniClusterPipelineExecutorServiceLoader;

/**
 * One Flink MiniCluster for every Flink run of the benchmark (the job and the SQL peer): one task
 * manager with a slot per parallel subtask, checkpoints on the local file system as a production
 * cluster keeps them on a volume, and its REST API for the checkpoint statistics. Started before
 * any measurement, so no run pays for the cluster's start.
 */
final class FlinkCluster implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final MiniCluster cluster;
    private final String restUrl;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    FlinkCluster(int slots, Path checkpointDir) throws Exception {
        Configuration config = new Configuration();
        config.set(RestOptions.BIND_PORT, "0");
        config.set(RestOptions.ADDRESS, "localhost");
        config.set(RestOptions.BIND_ADDRESS, "localhost");
        config.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpointDir.toUri().toString());
        // Every checkpoint of a run in the statistics (the default keeps the last 10).
        config.set(WebOptions.CHECKPOINTS_HISTORY_SIZE, 10_000);
        // A failure fails the run instead of retrying it on the clock.
        config.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        cluster =
                new MiniCluster(
                        new MiniClusterConfiguration.Builder()
                                .setConfiguration(config)
                                .setNumTaskManagers(1)
                                .setNumSlotsPerTaskManager(slots)
                                .build());
        cluster.start();
        restUrl = cluster.getRestAddress().get().toString();
    }

    /** An environment whose jobs run on this cluster. */
    StreamExecutionEnvironment environment(int parallelism) {
        Configuration config = new Configuration();
        config.set(DeploymentOptions.TARGET, MiniClusterPipelineExecutorServiceLoader.NAME);
        config.set(DeploymentOptions.ATTACHED, true);
        StreamExecutionEnvironment env =
                new StreamExecutionEnvironment(
                        new MiniClusterPipelineExecutorServiceLoader(cluster),
                        config,
                        FlinkCluster.class.getClassLoader());
        env.setParallelism(parallelism);
        return env;
    }

    /** The end-to-end durations of a job's completed checkpoints, from the REST API. */
    Result.Checkpoints checkpoints(JobID job) throws IOException, InterruptedException {
        JsonNode stats = get("/jobs/" + job + "/checkpoints");
        JsonNode duration = stats.path("summary").path("end_to_end_duration");
        return new Result.Checkpoints(
                stats.path("counts").path("completed").asInt(),
                Math.round(duration.path("p50").asDouble()),
                Math.round(duration.path("p99").asDouble()),
                duration.path("max").asLong());
    }

    private JsonNode get(String path) throws IOException, InterruptedException {
        HttpResponse<String> response =
                http.send(
                        HttpRequest.newBuilder(URI.create(restUrl + path))
                                .timeout(Duration.ofSeconds(10))
                                .GET()
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("GET " + path + ": HTTP " + response.statusCode());
        }
        return JSON.readTree(response.body());
    }

    @Override
    public void close() throws Exception {
        cluster.close();
    }
}

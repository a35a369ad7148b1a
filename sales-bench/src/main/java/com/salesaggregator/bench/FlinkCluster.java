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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
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
    private final Configuration settings;
    private final String restUrl;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    FlinkCluster(int slots, Path checkpointDir) throws Exception {
        this(slots, checkpointDir, new Configuration());
    }

    /** A cluster with {@code settings} added to its configuration (e.g. a memory size). */
    FlinkCluster(int slots, Path checkpointDir, Configuration settings) throws Exception {
        this.settings = new Configuration(settings);
        Configuration config = new Configuration(settings);
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

    /**
     * An environment whose jobs run on this cluster, configured with the cluster's settings (as a
     * job in application mode sees its cluster's Flink configuration).
     */
    StreamExecutionEnvironment environment(int parallelism) {
        return environment(parallelism, new Configuration());
    }

    /**
     * An environment whose jobs run on this cluster, with the cluster's settings and {@code
     * overrides} over them (e.g. the backend).
     */
    StreamExecutionEnvironment environment(int parallelism, Configuration overrides) {
        Configuration config = new Configuration(settings);
        config.addAll(overrides);
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

    /**
     * A job's completed checkpoints triggered between two times (epoch milliseconds): end-to-end
     * durations, bytes written (incremental where the backend writes increments) and full state
     * sizes, each sorted.
     */
    record CheckpointHistory(long[] durations, long[] checkpointedBytes, long[] stateBytes) {
        /** The {@code p}-th percentile of {@code sorted}, null if empty. */
        Long percentile(long[] sorted, int p) {
            if (sorted.length == 0) {
                return null;
            }
            int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
            return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
        }
    }

    CheckpointHistory checkpointHistory(JobID job, long from, long to)
            throws IOException, InterruptedException {
        List<long[]> rows = new ArrayList<>();
        for (JsonNode c : get("/jobs/" + job + "/checkpoints").path("history")) {
            long triggered = c.path("trigger_timestamp").asLong();
            if (c.path("status").asText().equals("COMPLETED")
                    && triggered >= from
                    && triggered <= to) {
                rows.add(
                        new long[] {
                            c.path("end_to_end_duration").asLong(),
                            c.path("checkpointed_size").asLong(),
                            c.path("state_size").asLong()
                        });
            }
        }
        long[][] columns = new long[3][rows.size()];
        for (int i = 0; i < rows.size(); i++) {
            for (int j = 0; j < 3; j++) {
                columns[j][i] = rows.get(i)[j];
            }
        }
        for (long[] column : columns) {
            Arrays.sort(column);
        }
        return new CheckpointHistory(columns[0], columns[1], columns[2]);
    }

    /**
     * Writes the job's checkpoint history and, for each completed checkpoint, its per-task details
     * (alignment, synchronous and asynchronous durations, bytes) as one JSON document.
     */
    void writeCheckpointDetails(JobID job, java.nio.file.Path file)
            throws IOException, InterruptedException {
        var root = JSON.createObjectNode();
        root.set("checkpoints", get("/jobs/" + job + "/checkpoints"));
        var details = root.putArray("details");
        for (JsonNode c : root.path("checkpoints").path("history")) {
            if (!c.path("status").asText().equals("COMPLETED")) {
                continue;
            }
            String id = c.path("id").asText();
            JsonNode detail = get("/jobs/" + job + "/checkpoints/details/" + id);
            var tasks = JSON.createArrayNode();
            detail.path("tasks").fieldNames().forEachRemaining(vertex -> tasks.add(vertex));
            var subtasks = JSON.createArrayNode();
            for (JsonNode vertex : tasks) {
                subtasks.add(
                        get(
                                "/jobs/"
                                        + job
                                        + "/checkpoints/details/"
                                        + id
                                        + "/subtasks/"
                                        + vertex.asText()));
            }
            details.add(JSON.createObjectNode().put("id", id).set("subtasks", subtasks));
        }
        java.nio.file.Files.writeString(
                file, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root));
    }

    /**
     * Records received by each subtask of every vertex whose input is partitioned by key (a hash
     * exchange), from the REST API: vertex name to records per subtask. Read after the job ended.
     */
    Map<String, long[]> keyedRecordsIn(JobID job) throws IOException, InterruptedException {
        Set<String> keyed = new HashSet<>();
        for (JsonNode node : get("/jobs/" + job + "/plan").path("plan").path("nodes")) {
            for (JsonNode input : node.path("inputs")) {
                if (input.path("ship_strategy")
                        .asText()
                        .toUpperCase(Locale.ROOT)
                        .contains("HASH")) {
                    keyed.add(node.path("id").asText());
                }
            }
        }
        Map<String, long[]> records = new LinkedHashMap<>();
        for (JsonNode vertex : get("/jobs/" + job).path("vertices")) {
            String id = vertex.path("id").asText();
            if (!keyed.contains(id)) {
                continue;
            }
            JsonNode subtasks = get("/jobs/" + job + "/vertices/" + id).path("subtasks");
            long[] in = new long[subtasks.size()];
            for (int i = 0; i < in.length; i++) {
                in[i] = subtasks.get(i).path("metrics").path("read-records").asLong();
            }
            records.put(vertex.path("name").asText(), in);
        }
        return records;
    }

    /** A GET of the REST API, e.g. {@code /jobs/<id>/checkpoints}. */
    JsonNode get(String path) throws IOException, InterruptedException {
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

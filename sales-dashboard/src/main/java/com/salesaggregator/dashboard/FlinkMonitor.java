package com.salesaggregator.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.salesaggregator.metrics.JobMetrics;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks the Flink REST API, now and then, how the job is doing: its state, its last completed
 * checkpoint and the event-time lag of its sources (the job's own {@code eventTimeLagMs} gauge,
 * found among each source vertex's metrics). Read-only GETs; the job is found by name.
 */
final class FlinkMonitor implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(FlinkMonitor.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(3);

    /**
     * A source vertex's metric id of the lag gauge, e.g. {@code
     * ...source.sales-online.eventTimeLagMs}.
     */
    private static final Pattern LAG_METRIC =
            Pattern.compile(
                    "\\."
                            + Pattern.quote(JobMetrics.SOURCE_GROUP)
                            + "\\.(.+)\\."
                            + Pattern.quote(JobMetrics.EVENT_TIME_LAG)
                            + "$");

    private final String baseUrl;
    private final String jobName;
    private final Duration interval;
    private final DashboardMetrics metrics;
    private final Runnable changed;
    private final HttpClient http;
    private volatile FlinkStatus status;
    private volatile boolean stopped;
    private Thread thread;

    /** Per job: the lag metric ids of each source vertex (topic by metric id). */
    private String lagMetricsJob;

    private final Map<String, Map<String, String>> lagMetrics = new HashMap<>();

    FlinkMonitor(
            String baseUrl,
            String jobName,
            Duration interval,
            DashboardMetrics metrics,
            Runnable changed) {
        this.baseUrl = baseUrl;
        this.jobName = jobName;
        this.interval = interval;
        this.metrics = metrics;
        this.changed = changed;
        this.http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
        this.status = baseUrl == null ? FlinkStatus.off() : null;
    }

    /** The latest status; null before the first answer. */
    FlinkStatus status() {
        return status;
    }

    void start() {
        if (baseUrl == null) {
            return;
        }
        thread = new Thread(this, "dashboard-flink-monitor");
        thread.setDaemon(true);
        thread.start();
    }

    void stop() {
        stopped = true;
        if (thread != null) {
            thread.interrupt();
        }
    }

    @Override
    public void run() {
        while (!stopped) {
            FlinkStatus next = check();
            if (!next.equals(status)) {
                status = next;
                changed.run();
            }
            try {
                Thread.sleep(interval.toMillis());
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** One round of questions; never throws. */
    FlinkStatus check() {
        String now = Instant.now().toString();
        try {
            JsonNode job = findJob(get("/jobs/overview"));
            if (job == null) {
                return FlinkStatus.problem("no-job", "no job named " + jobName, now);
            }
            String jobId = job.path("jid").asText();
            JsonNode checkpoints = get("/jobs/" + jobId + "/checkpoints");
            JsonNode completed = checkpoints.at("/latest/completed");
            FlinkStatus.Checkpoint last =
                    completed.isObject()
                            ? new FlinkStatus.Checkpoint(
                                    completed.path("id").asLong(),
                                    Instant.ofEpochMilli(
                                                    completed.path("latest_ack_timestamp").asLong())
                                            .toString(),
                                    completed.path("end_to_end_duration").asLong())
                            : null;
            JsonNode failed = checkpoints.at("/latest/failed");
            FlinkStatus.FailedCheckpoint lastFailed =
                    failed.isObject()
                            ? new FlinkStatus.FailedCheckpoint(
                                    failed.path("id").asLong(),
                                    Instant.ofEpochMilli(failed.path("failure_timestamp").asLong())
                                            .toString(),
                                    failed.path("failure_message").asText(null))
                            : null;
            return new FlinkStatus(
                    "ok",
                    null,
                    jobId,
                    job.path("state").asText(),
                    Instant.ofEpochMilli(job.path("start-time").asLong()).toString(),
                    last,
                    lastFailed,
                    checkpoints.at("/counts/completed").asLong(),
                    checkpoints.at("/counts/failed").asLong(),
                    eventTimeLag(jobId),
                    now);
        } catch (IOException e) {
            metrics.flinkRestError();
            LOG.debug("Flink REST API at {} did not answer", baseUrl, e);
            return FlinkStatus.problem(
                    "unreachable", "Flink REST API at " + baseUrl + ": " + e.getMessage(), now);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Objects.requireNonNullElse(status, FlinkStatus.off());
        }
    }

    /** The running job with this name, else the one started last. */
    private JsonNode findJob(JsonNode overview) {
        JsonNode best = null;
        for (JsonNode job : overview.path("jobs")) {
            if (!jobName.equals(job.path("name").asText())) {
                continue;
            }
            boolean running = "RUNNING".equals(job.path("state").asText());
            if (best == null
                    || (running && !"RUNNING".equals(best.path("state").asText()))
                    || (running == "RUNNING".equals(best.path("state").asText())
                            && job.path("start-time").asLong()
                                    > best.path("start-time").asLong())) {
                best = job;
            }
        }
        return best;
    }

    private Map<String, Double> eventTimeLag(String jobId)
            throws IOException, InterruptedException {
        if (!jobId.equals(lagMetricsJob)) {
            lagMetricsJob = jobId;
            lagMetrics.clear();
        }
        Map<String, Double> lag = new TreeMap<>();
        for (JsonNode vertex : get("/jobs/" + jobId).path("vertices")) {
            if (!vertex.path("name").asText().startsWith("Source")) {
                continue;
            }
            String vertexPath = "/jobs/" + jobId + "/vertices/" + vertex.path("id").asText();
            // A source registers its gauge with its first record: look until it is there.
            Map<String, String> ids = lagMetrics.get(vertexPath);
            if (ids == null || ids.isEmpty()) {
                ids = new HashMap<>();
                for (JsonNode metric : get(vertexPath + "/subtasks/metrics")) {
                    Matcher m = LAG_METRIC.matcher(metric.path("id").asText());
                    if (m.find()) {
                        ids.put(metric.path("id").asText(), m.group(1));
                    }
                }
                lagMetrics.put(vertexPath, ids);
            }
            if (ids.isEmpty()) {
                continue;
            }
            List<String> names = new ArrayList<>(ids.keySet());
            JsonNode values =
                    get(
                            vertexPath
                                    + "/subtasks/metrics?agg=max&get="
                                    + URLEncoder.encode(
                                            String.join(",", names), StandardCharsets.UTF_8));
            for (JsonNode value : values) {
                JsonNode max = value.path("max");
                if (max.isNumber() && !Double.isNaN(max.asDouble())) {
                    lag.put(ids.get(value.path("id").asText()), max.asDouble());
                }
            }
        }
        return lag;
    }

    private JsonNode get(String path) throws IOException, InterruptedException {
        HttpResponse<byte[]> response =
                http.send(
                        HttpRequest.newBuilder(URI.create(baseUrl + path))
                                .timeout(TIMEOUT)
                                .GET()
                                .build(),
                        HttpResponse.BodyHandlers.ofByteArray());
        if (response.statusCode() != 200) {
            throw new IOException("GET " + path + " answered " + response.statusCode());
        }
        return JSON.readTree(response.body());
    }
}

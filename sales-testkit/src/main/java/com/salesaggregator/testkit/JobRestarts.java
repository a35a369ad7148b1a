package com.salesaggregator.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MetricOptions;
import org.apache.flink.configuration.RestartStrategyOptions;

/**
 * How often a job on the MiniCluster restarted, from the cluster's REST API: the job's {@code
 * numRestarts} metric and its exception history (every failure, also those a region failover
 * absorbed). Use it with {@link #clusterConfiguration()}, whose restart strategy lets a failing
 * task restart, so that a failure shows up as a restart instead of ending the job.
 */
public final class JobRestarts {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final String restUrl;

    /** {@code restUrl}: the MiniCluster's REST address, e.g. {@code http://localhost:8081}. */
    public JobRestarts(String restUrl) {
        this.restUrl = restUrl.endsWith("/") ? restUrl.substring(0, restUrl.length() - 1) : restUrl;
    }

    /**
     * A MiniCluster that restarts a failed job a few times (so a failure is counted, not fatal) and
     * refreshes the metrics its REST API serves often enough for a test to read them.
     */
    public static Configuration clusterConfiguration() {
        Configuration config = new Configuration();
        config.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        config.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
        config.set(
                RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(200));
        config.set(MetricOptions.METRIC_FETCHER_UPDATE_INTERVAL, Duration.ofMillis(200));
        return config;
    }

    /** The job's {@code numRestarts} metric, or empty while the REST API has not fetched it yet. */
    public OptionalLong numRestarts(JobID job) throws IOException, InterruptedException {
        JsonNode metrics = get("/jobs/" + job + "/metrics?get=numRestarts");
        for (JsonNode metric : metrics) {
            if ("numRestarts".equals(metric.path("id").asText())) {
                return OptionalLong.of(Long.parseLong(metric.path("value").asText()));
            }
        }
        return OptionalLong.empty();
    }

    /** The job's exception history: one line per failure, empty if it never failed. */
    public List<String> failures(JobID job) throws IOException, InterruptedException {
        List<String> failures = new ArrayList<>();
        for (String trace : failureTraces(job)) {
            int newline = trace.indexOf('\n');
            failures.add(newline < 0 ? trace : trace.substring(0, newline));
        }
        return failures;
    }

    /** The job's exception history: the whole stack trace of each failure (causes included). */
    public List<String> failureTraces(JobID job) throws IOException, InterruptedException {
        List<String> traces = new ArrayList<>();
        for (JsonNode entry : history(job).path("entries")) {
            traces.add(entry.path("stacktrace").asText());
        }
        return traces;
    }

    /**
     * The failures the exception history grouped with its entries (other tasks failing at the same
     * time, before the job reacted): the whole stack trace of each.
     */
    public List<String> concurrentFailureTraces(JobID job)
            throws IOException, InterruptedException {
        List<String> traces = new ArrayList<>();
        for (JsonNode entry : history(job).path("entries")) {
            for (JsonNode concurrent : entry.path("concurrentExceptions")) {
                traces.add(concurrent.path("stacktrace").asText());
            }
        }
        return traces;
    }

    private JsonNode history(JobID job) throws IOException, InterruptedException {
        JsonNode history = get("/jobs/" + job + "/exceptions").path("exceptionHistory");
        if (!history.path("entries").isArray()) {
            // A changed response must fail the test, not pass it as "no failures".
            throw new IOException("no exceptionHistory.entries in the response: " + history);
        }
        return history;
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
}

package com.salesaggregator.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.salesaggregator.job.SalesAggregationJob;
import com.salesaggregator.job.SalesJobOptions;
import com.salesaggregator.metrics.JobMetrics;
import com.salesaggregator.output.OutputCodec;
import com.salesaggregator.seeder.GeneratorConfig;
import com.salesaggregator.seeder.SalesGenerator;
import com.salesaggregator.seeder.Seeder;
import com.salesaggregator.seeder.SeederMetrics;
import com.salesaggregator.seeder.SeederRunner;
import com.salesaggregator.testkit.GrafanaDashboard;
import com.salesaggregator.testkit.ItKafka;
import com.salesaggregator.testkit.JobRunner;
import com.salesaggregator.testkit.ProjectFiles;
import com.salesaggregator.testkit.RunTopics;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.apache.flink.client.program.rest.RestClusterClient;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.InjectClusterClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard beside the real job on a MiniCluster, fed by the seeder: its health strip reads the
 * job's state, its last completed checkpoint and the sources' event-time lag from Flink's REST API,
 * all four charts fill from the job's committed outputs, and Flink's Prometheus reporter (as the
 * chart configures it) exports every Flink metric the chart's Grafana dashboard queries, the job's
 * own with their labels.
 */
@Timeout(300)
class DashboardFlinkITCase {

    private static final Duration WAIT = Duration.ofSeconds(150);
    private static final int PARALLELISM = 2;
    private static final int PROMETHEUS_PORT = freePort();

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(PARALLELISM)
                            .setConfiguration(withPrometheusReporter())
                            .build());

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void healthStripChartsAndPrometheusMetricsComeFromTheRunningJob(
            @TempDir Path dir, @InjectClusterClient RestClusterClient<?> cluster) throws Exception {
        try (ItKafka kafka = ItKafka.start(dir.resolve("kafka"))) {
            RunTopics topics = kafka.createTopics("");
            seedFourMinutesOfSales(kafka);
            JobClient job =
                    JobRunner.start(
                            kafka,
                            topics,
                            PARALLELISM,
                            Map.of(
                                    SalesJobOptions.EMIT_INTERVAL.key(), "1s",
                                    SalesJobOptions.STARTING_OFFSETS.key(), "earliest"));
            DashboardConfig config =
                    new DashboardConfig(
                            kafka.bootstrapServers(),
                            new java.util.Properties(),
                            "localhost",
                            0,
                            cluster.getWebInterfaceURL(),
                            SalesAggregationJob.NAME + "-p" + PARALLELISM,
                            10,
                            Map.of(),
                            Duration.ofMillis(500));
            try (DashboardServer dashboard = DashboardServer.start(config)) {
                JsonNode snapshot = awaitEverythingShown(dashboard);
                JsonNode flink = snapshot.at("/health/flink");
                System.out.println("DashboardFlinkITCase: health " + flink);
                assertThat(flink.path("job_id").asText()).isEqualTo(job.getJobID().toString());
                assertThat(flink.at("/last_checkpoint/id").asLong()).isPositive();
                assertThat(flink.path("checkpoints_completed").asLong()).isPositive();
                // The seeder's newest sale is about now: the job reads close to real time.
                assertThat(flink.at("/event_time_lag_ms/sales-online").asDouble())
                        .isBetween(0.0, (double) WAIT.toMillis() + 60_000);

                assertPrometheusExportsWhatGrafanaQueries();
            } finally {
                job.cancel().get();
            }
        }
    }

    private JsonNode awaitEverythingShown(DashboardServer dashboard) {
        JsonNode[] last = new JsonNode[1];
        await("health strip and all four charts")
                .atMost(WAIT)
                .pollInterval(Duration.ofMillis(500))
                .untilAsserted(
                        () -> {
                            JsonNode s =
                                    OutputCodec.JSON.readTree(
                                            get(dashboard.url() + "/api/snapshot"));
                            last[0] = s;
                            JsonNode f = s.path("figures");
                            JsonNode flink = s.at("/health/flink");
                            assertThat(flink.path("status").asText()).isEqualTo("ok");
                            assertThat(flink.path("job_state").asText()).isEqualTo("RUNNING");
                            assertThat(flink.path("last_checkpoint").isObject()).isTrue();
                            assertThat(flink.path("event_time_lag_ms").has("sales-online"))
                                    .isTrue();
                            assertThat(flink.path("event_time_lag_ms").has("sales-store")).isTrue();
                            assertThat(f.path("revenue_per_product")).isNotEmpty();
                            assertThat(f.path("region_shares")).isNotEmpty();
                            assertThat(f.at("/region_trend/minutes")).isNotEmpty();
                            assertThat(f.at("/product_window/products")).isNotEmpty();
                            assertThat(f.path("dead_letters")).isNotEmpty();
                        });
        return last[0];
    }

    private void assertPrometheusExportsWhatGrafanaQueries() throws Exception {
        JsonNode grafana =
                OutputCodec.JSON.readTree(
                        Files.readString(
                                ProjectFiles.path(
                                        "helm",
                                        "sales-aggregator",
                                        "files",
                                        "grafana-dashboard.json")));
        List<String> flinkMetrics =
                GrafanaDashboard.metrics(grafana).stream()
                        .filter(m -> m.startsWith("flink_"))
                        .toList();
        assertThat(flinkMetrics).containsAll(GrafanaDashboard.FLINK_METRICS);
        await("the reporter exports every Flink metric the Grafana dashboard queries")
                .atMost(WAIT)
                .pollInterval(Duration.ofSeconds(1))
                .untilAsserted(
                        () -> {
                            String scrape = get("http://localhost:" + PROMETHEUS_PORT + "/metrics");
                            for (String metric : flinkMetrics) {
                                assertThat(scrape)
                                        .as(metric)
                                        .containsPattern("(?m)^" + metric + "\\{");
                            }
                            // The reporter writes label values with '_' for '-'.
                            assertThat(scrape)
                                    .containsPattern(
                                            JobMetrics.PROMETHEUS_RECORDS_OUT
                                                    + "\\{[^}]*output=\"revenue_per_product\"")
                                    .containsPattern(
                                            JobMetrics.PROMETHEUS_DEAD_LETTERS
                                                    + "\\{[^}]*reason=\"[A-Z_]+\"")
                                    .containsPattern(
                                            JobMetrics.PROMETHEUS_EVENT_TIME_LAG
                                                    + "\\{[^}]*source=\"sales_online\"");
                        });
    }

    /** Four minutes of event time, ending now, sent as fast as the broker takes them. */
    private static void seedFourMinutesOfSales(ItKafka kafka) throws IOException {
        double rate = 20;
        long sales = (long) (4 * 60 * rate);
        Instant start = Instant.now().minus(Duration.ofMinutes(4)).truncatedTo(ChronoUnit.MILLIS);
        GeneratorConfig config = GeneratorConfig.defaults(7, start).withRatePerSecond(rate);
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(Seeder.producerProperties(kafka.bootstrapServers(), null))) {
            SeederRunner seeder =
                    new SeederRunner(
                            new SalesGenerator(config),
                            producer,
                            new SeederRunner.Settings(
                                    rate, true, sales, null, Duration.ofMinutes(5)),
                            new SeederMetrics(),
                            line -> {});
            seeder.run();
            assertThat(seeder.progress().salesSent()).isEqualTo(sales);
        }
    }

    private static Configuration withPrometheusReporter() {
        Configuration config = JobRunner.clusterConfiguration();
        // As the chart's flinkConfiguration sets it, on a free port.
        config.setString(
                "metrics.reporter.prom.factory.class",
                "org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
        config.setString("metrics.reporter.prom.port", String.valueOf(PROMETHEUS_PORT));
        return config;
    }

    private String get(String url) throws IOException, InterruptedException {
        HttpResponse<String> response =
                http.send(
                        HttpRequest.newBuilder(URI.create(url)).GET().build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(url).isEqualTo(200);
        return response.body();
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}

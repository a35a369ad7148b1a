package com.salesaggregator.seeder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Serves {@code /healthz} from the health supplier and {@code /metrics} from the registry. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class HealthServerTest {

    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(REQUEST_TIMEOUT).build();

    @Test
    void healthzAsksTheSupplierOnEveryRequest() throws Exception {
        AtomicBoolean healthy = new AtomicBoolean(true);
        try (HealthServer server =
                HealthServer.start(0, healthy::get, new SeederMetrics().registry())) {
            assertThat(server.port()).isPositive();

            HttpResponse<String> ok = get(server, "/healthz");
            assertThat(ok.statusCode()).isEqualTo(200);
            assertThat(ok.body()).isEqualTo("ok\n");

            healthy.set(false);
            HttpResponse<String> unhealthy = get(server, "/healthz");
            assertThat(unhealthy.statusCode()).isEqualTo(503);
            assertThat(unhealthy.body()).isEqualTo("unhealthy\n");
            assertThat(unhealthy.headers().firstValue("Content-Type"))
                    .hasValue("text/plain; charset=utf-8");

            healthy.set(true);
            assertThat(get(server, "/healthz").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void metricsAreThePrometheusTextOfTheSeederCounters() throws Exception {
        SeederMetrics metrics = new SeederMetrics();
        try (HealthServer server = HealthServer.start(0, () -> true, metrics.registry())) {
            metrics.recordsSent.labelValues("sales-online").inc(3);
            metrics.recordsSent.labelValues("fx-rates").inc();
            metrics.saleLinesSent.inc(7);
            metrics.plannedSales.labelValues("late").inc();
            metrics.plannedSales.labelValues("malformed").inc(2);
            metrics.sendErrors.inc();
            metrics.targetRate.set(250);

            HttpResponse<String> response = get(server, "/metrics");

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type"))
                    .hasValueSatisfying(type -> assertThat(type).startsWith("text/plain"));
            assertThat(response.body())
                    .contains("# TYPE seeder_records_sent_total counter")
                    .contains("seeder_records_sent_total{topic=\"sales-online\"} 3.0")
                    .contains("seeder_records_sent_total{topic=\"fx-rates\"} 1.0")
                    .contains("seeder_sale_lines_sent_total 7.0")
                    .contains("seeder_planned_sales_total{plan=\"late\"} 1.0")
                    .contains("seeder_planned_sales_total{plan=\"malformed\"} 2.0")
                    .contains("seeder_send_errors_total 1.0")
                    .contains("# TYPE seeder_target_rate gauge")
                    .contains("seeder_target_rate 250.0");

            // A scrape reads the live registry, not a snapshot taken at start.
            metrics.recordsSent.labelValues("sales-online").inc();
            assertThat(get(server, "/metrics").body())
                    .contains("seeder_records_sent_total{topic=\"sales-online\"} 4.0");
        }
    }

    @Test
    void closingStopsServing() throws Exception {
        HealthServer server = HealthServer.start(0, () -> true, new SeederMetrics().registry());
        assertThat(get(server, "/healthz").statusCode()).isEqualTo(200);

        server.close();

        assertThatThrownBy(() -> get(server, "/healthz")).isInstanceOf(IOException.class);
    }

    private HttpResponse<String> get(HealthServer server, String path)
            throws IOException, InterruptedException {
        HttpRequest request =
                HttpRequest.newBuilder(URI.create("http://localhost:" + server.port() + path))
                        .timeout(REQUEST_TIMEOUT)
                        .GET()
                        .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }
}

package com.salesaggregator.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.salesaggregator.dashboard.KnownFigures.Transactional;
import com.salesaggregator.output.OutputFormat;
import com.salesaggregator.testkit.ItKafka;
import com.salesaggregator.testkit.RunTopics;
import com.salesaggregator.topics.Topic;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard against the real broker: figures committed to the output topics in Kafka
 * transactions (as the job's sinks commit them) reach the Server-Sent Events stream within a second
 * and exactly as published; aborted and still-open transactions never show; a reconnecting browser
 * gets everything at once; the probes and the metrics answer.
 */
@Timeout(180)
class DashboardITCase {

    private static final Duration WAIT = ItKafka.WAIT;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir static Path dir;

    private static ItKafka kafka;
    private static int runs;

    /** This test's topics and the dashboard reading them. */
    private RunTopics topics;

    private DashboardServer dashboard;

    @BeforeAll
    static void startBroker() {
        kafka = ItKafka.start(dir.resolve("kafka"));
    }

    @AfterAll
    static void stopBroker() {
        if (kafka != null) {
            kafka.close();
        }
    }

    @BeforeEach
    void startDashboardOnTopicsOfItsOwn() {
        topics = kafka.createTopics("dash" + (++runs) + "-");
        dashboard = DashboardServer.start(config(kafka, topics));
    }

    @AfterEach
    void stopDashboard() {
        if (dashboard != null) {
            dashboard.close();
        }
    }

    /** A dashboard on a free port of localhost, reading the run's topics; no Flink. */
    static DashboardConfig config(ItKafka kafka, RunTopics topics) {
        Map<String, String> names = new HashMap<>();
        Topic.names().forEach(t -> names.put(t, topics.of(t)));
        return DashboardConfig.local(kafka.bootstrapServers(), "localhost", 0, null)
                .withTopics(names);
    }

    @Test
    void committedFiguresReachTheStreamWithinASecondExactlyAsPublished() throws Exception {
        try (SseStream stream = SseStream.open(dashboard.url())) {
            assertThat(stream.contentType()).startsWith("text/event-stream");
            // Whatever is there now comes first; the known figures come with a commit.
            stream.next(WAIT);

            long committedNanos;
            KnownFigures.publish(kafka.producerProps(), topics);
            committedNanos = System.nanoTime();
            SseStream.Event event = stream.awaitSnapshot(DashboardITCase::hasTheKnownFigures, WAIT);

            long millis = (event.receivedNanos() - committedNanos) / 1_000_000;
            System.out.printf("DashboardITCase: commit to SSE event in %d ms%n", millis);
            assertThat(millis).as("from the commit to the pushed snapshot").isLessThan(1000);
            assertKnownFigures(event.data());
        }
    }

    @Test
    void abortedAndOpenTransactionsNeverShow() throws Exception {
        try (SseStream stream = SseStream.open(dashboard.url());
                Transactional aborted = new Transactional(kafka.producerProps(), "aborting");
                Transactional open = new Transactional(kafka.producerProps(), "open");
                Transactional marker = new Transactional(kafka.producerProps(), "marker")) {
            stream.next(WAIT);
            aborted.abort(
                    List.of(
                            regionTotal("aborted-region", 0, "1.00"),
                            productTotal(0, "p-aborted", "99999.00")));
            // Partition 1 of each topic: the open transaction holds back only its own partition.
            open.leaveOpen(
                    List.of(
                            regionTotal("open-region", 1, "2.00"),
                            productTotal(1, "p-open", "88888.00")));
            marker.commit(List.of(regionTotal("marker-region", 2, "3.00")));

            JsonNode withMarker =
                    stream.awaitSnapshot(s -> regions(s).contains("marker-region"), WAIT).data();
            assertThat(regions(withMarker)).doesNotContain("aborted-region", "open-region");
            assertThat(productIds(withMarker)).doesNotContain("p-aborted", "p-open");

            open.commitOpen();
            JsonNode committed =
                    stream.awaitSnapshot(s -> regions(s).contains("open-region"), WAIT).data();
            assertThat(productIds(committed)).contains("p-open").doesNotContain("p-aborted");
            assertThat(regions(committed)).doesNotContain("aborted-region");
        }
    }

    @Test
    void aReconnectingBrowserGetsEverythingInItsFirstEvent() throws Exception {
        KnownFigures.publish(kafka.producerProps(), topics);
        try (SseStream first = SseStream.open(dashboard.url())) {
            first.awaitSnapshot(DashboardITCase::hasTheKnownFigures, WAIT);
        }
        try (SseStream again = SseStream.open(dashboard.url())) {
            SseStream.Event event = again.next(WAIT);
            assertThat(event.name()).isEqualTo("snapshot");
            assertThat(event.id()).isEqualTo(event.data().path("version").asText());
            assertThat(hasTheKnownFigures(event.data())).isTrue();
            assertKnownFigures(event.data());
        }
    }

    @Test
    void probesAndMetricsAnswer() throws Exception {
        await("ready once caught up").atMost(WAIT).until(() -> get("/readyz").statusCode() == 200);
        assertThat(get("/healthz").statusCode()).isEqualTo(200);
        KnownFigures.publish(kafka.producerProps(), topics);
        await("records counted")
                .atMost(WAIT)
                .untilAsserted(
                        () ->
                                assertThat(get("/metrics").body())
                                        .contains(
                                                DashboardMetrics.RECORDS_CONSUMED
                                                        + "{topic=\"revenue-per-product\"}")
                                        .contains(DashboardMetrics.CAUGHT_UP + " 1.0"));
        JsonNode snapshot = OutputFormat.JSON.readTree(get("/api/snapshot").body());
        assertThat(snapshot.at("/health/flink/status").asText()).isEqualTo("off");
        assertThat(snapshot.at("/health/caught_up").asBoolean()).isTrue();
    }

    @Test
    void thePageLoadsChartJsFromTheDashboardItself() throws Exception {
        HttpResponse<String> page = get("/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Security-Policy").orElseThrow())
                .contains("default-src 'self'")
                .contains("connect-src 'self'");
        List<String> sources = new ArrayList<>();
        java.util.regex.Matcher m =
                java.util.regex.Pattern.compile("(?:src|href)=\"([^\"]+)\"").matcher(page.body());
        while (m.find()) {
            sources.add(m.group(1));
        }
        assertThat(sources)
                .contains("/static/dashboard.js", "/static/dashboard.css")
                .anyMatch(s -> s.matches("/webjars/chart\\.js/[0-9.]+/dist/chart\\.umd\\.min\\.js"))
                .allMatch(s -> s.startsWith("/") || s.startsWith("data:"));
        for (String source : sources) {
            if (source.startsWith("/")) {
                assertThat(get(source).statusCode()).as(source).isEqualTo(200);
            }
        }
        assertThat(
                        get(sources.stream().filter(s -> s.contains("chart.umd")).findFirst().get())
                                .body())
                .contains("Chart.js v");
    }

    // ---- the known figures, as the page must show them

    static boolean hasTheKnownFigures(JsonNode snapshot) {
        JsonNode f = snapshot.path("figures");
        return f.path("revenue_per_product").size() == 10
                && f.at("/revenue_per_product/0/revenue_eur")
                                .decimalValue()
                                .compareTo(new BigDecimal("1900.00"))
                        == 0
                && f.at("/region_trend/minutes").size() == 10
                && f.at("/region_trend/regions/0/units/9").asLong() == 140
                && f.at("/product_window/window_start")
                        .asText()
                        .equals(KnownFigures.minute(1).toString())
                && f.at("/seller_minute/sellers").size() == 2
                && f.at("/late_lines").asLong() >= KnownFigures.LATE_LINES;
    }

    static void assertKnownFigures(JsonNode snapshot) {
        JsonNode f = snapshot.path("figures");
        List<List<Object>> products = new ArrayList<>();
        for (JsonNode p : f.path("revenue_per_product")) {
            products.add(
                    List.of(
                            p.path("product_id").asText(),
                            p.path("name").asText(),
                            p.path("units").asLong(),
                            p.path("revenue_eur").decimalValue().toPlainString(),
                            p.path("margin_eur").decimalValue().toPlainString()));
        }
        assertThat(products).isEqualTo(KnownFigures.TOP_PRODUCTS);

        List<List<Object>> regions = new ArrayList<>();
        List<Double> shares = new ArrayList<>();
        for (JsonNode r : f.path("region_shares")) {
            if (KnownFigures.REGIONS.stream()
                    .anyMatch(k -> k.get(0).equals(r.path("region").asText()))) {
                regions.add(
                        List.of(
                                r.path("region").asText(),
                                r.path("units").asLong(),
                                r.path("revenue_eur").decimalValue().toPlainString()));
                shares.add(r.path("share").asDouble());
            }
        }
        assertThat(regions).isEqualTo(KnownFigures.REGIONS);
        if (f.path("region_shares").size() == KnownFigures.REGIONS.size()) {
            assertThat(shares).containsExactly(0.4, 0.3, 0.2, 0.1);
        }

        List<String> minutes = new ArrayList<>();
        f.at("/region_trend/minutes").forEach(m -> minutes.add(m.asText()));
        List<String> expectedMinutes = new ArrayList<>();
        for (int m = 2; m <= 11; m++) {
            expectedMinutes.add(KnownFigures.minute(m).toString());
        }
        assertThat(minutes).isEqualTo(expectedMinutes);
        Map<String, List<Long>> trend = new HashMap<>();
        for (JsonNode series : f.at("/region_trend/regions")) {
            List<Long> units = new ArrayList<>();
            series.path("units").forEach(u -> units.add(u.asLong()));
            trend.put(series.path("region").asText(), units);
        }
        assertThat(trend).isEqualTo(KnownFigures.TREND);
        List<Boolean> provisional = new ArrayList<>();
        f.at("/region_trend/provisional").forEach(p -> provisional.add(p.asBoolean()));
        assertThat(provisional)
                .as("only minute 11 is open")
                .containsExactly(
                        false, false, false, false, false, false, false, false, false, true);

        JsonNode window = f.path("product_window");
        assertThat(window.path("window_start").asText())
                .isEqualTo(KnownFigures.minute(1).toString());
        assertThat(window.path("window_end").asText()).isEqualTo(KnownFigures.minute(6).toString());
        List<List<Object>> units = new ArrayList<>();
        for (JsonNode p : window.path("products")) {
            units.add(
                    List.of(
                            p.path("product_id").asText(),
                            p.path("name").asText(),
                            p.path("category").asText(),
                            p.path("units").asLong()));
        }
        assertThat(units).isEqualTo(KnownFigures.LATEST_WINDOW);
        assertThat(window.path("provisional").asBoolean(true))
                .as("the window has closed")
                .isFalse();

        List<List<Object>> sellers = new ArrayList<>();
        for (JsonNode s : f.at("/seller_minute/sellers")) {
            sellers.add(
                    List.of(
                            s.path("seller_id").asText(),
                            s.path("orders").asLong(),
                            s.path("units").asLong(),
                            s.path("revenue_eur").decimalValue().toPlainString()));
        }
        assertThat(sellers).isEqualTo(KnownFigures.SELLERS);
        assertThat(f.at("/seller_minute/provisional").asBoolean())
                .as("minute 11 is still open")
                .isTrue();
    }

    // ---- helpers

    private ProducerRecord<byte[], byte[]> regionTotal(
            String region, int partition, String revenue) {
        return new ProducerRecord<>(
                topics.of(Topic.SALES_PER_REGION.topicName()),
                partition,
                region.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                com.salesaggregator.job.kafka.OutputJson.regionTotal(
                        new com.salesaggregator.job.records.RunningTotal(
                                region, null, 0, 1, KnownFigures.cents(revenue), 0)));
    }

    private ProducerRecord<byte[], byte[]> productTotal(
            int partition, String productId, String revenue) {
        return new ProducerRecord<>(
                topics.of(Topic.REVENUE_PER_PRODUCT.topicName()),
                partition,
                productId.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                com.salesaggregator.job.kafka.OutputJson.productTotal(
                        new com.salesaggregator.job.records.RunningTotal(
                                productId, "name", 0, 1, KnownFigures.cents(revenue), 0)));
    }

    private static List<String> regions(JsonNode snapshot) {
        List<String> names = new ArrayList<>();
        snapshot.at("/figures/region_shares").forEach(r -> names.add(r.path("region").asText()));
        return names;
    }

    private static List<String> productIds(JsonNode snapshot) {
        List<String> ids = new ArrayList<>();
        snapshot.at("/figures/revenue_per_product")
                .forEach(p -> ids.add(p.path("product_id").asText()));
        return ids;
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create(dashboard.url() + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }
}

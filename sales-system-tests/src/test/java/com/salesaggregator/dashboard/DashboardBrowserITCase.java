package com.salesaggregator.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.salesaggregator.dashboard.KnownFigures.Transactional;
import com.salesaggregator.job.kafka.OutputJson;
import com.salesaggregator.job.records.RunningTotal;
import com.salesaggregator.output.OutputFormat;
import com.salesaggregator.testkit.ItKafka;
import com.salesaggregator.testkit.RunTopics;
import com.salesaggregator.topics.Topic;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * The page in a real browser: Debian's headless Chromium, driven through its own chromedriver by
 * Selenium (nothing is downloaded). Against known committed figures, each of the four charts holds
 * exactly those values and each table view shows them; the page requests nothing outside the
 * dashboard (Chrome's performance log lists every request) and logs no error; after the dashboard
 * restarts, the page reconnects by itself and shows new figures. Saves screenshots under {@code
 * target/}.
 *
 * <p>Skipped, saying so, where {@code /usr/bin/chromium} or {@code /usr/bin/chromedriver} is
 * missing (install Debian's {@code chromium} and {@code chromium-driver}; CI's {@code .ci/run}
 * does).
 */
@Timeout(240)
class DashboardBrowserITCase {

    /** Debian's paths; the environment variables CHROMIUM and CHROMEDRIVER point elsewhere. */
    static final Path CHROMIUM =
            Path.of(System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium"));

    static final Path CHROMEDRIVER =
            Path.of(System.getenv().getOrDefault("CHROMEDRIVER", "/usr/bin/chromedriver"));
    private static final Duration WAIT = ItKafka.WAIT;
    private static final Path SCREENSHOTS = Path.of("target");

    @TempDir static Path dir;

    private static ItKafka kafka;
    private static RunTopics topics;
    private static DashboardServer dashboard;
    private static ChromeDriver browser;

    private static final boolean BROWSER_PRESENT =
            Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
    private static final String SKIPPED =
            "DashboardBrowserITCase SKIPPED: no Chromium at "
                    + CHROMIUM
                    + " or no chromedriver at "
                    + CHROMEDRIVER
                    + "; install Debian's chromium and chromium-driver (apt-get install -y"
                    + " chromium chromium-driver) to run the browser test, as CI does";

    @BeforeAll
    static void startEverything() {
        if (!BROWSER_PRESENT) {
            // Said where make test's output shows it, not only in the test report.
            System.out.println(SKIPPED);
            return;
        }
        kafka = ItKafka.start(dir.resolve("kafka"));
        topics = kafka.createTopics("browser-");
        dashboard = DashboardServer.start(DashboardITCase.config(kafka, topics));
        KnownFigures.publish(kafka.producerProps(), topics);
        browser = chromium(dir.resolve("chromium-profile"));
    }

    @BeforeEach
    void needsTheBrowser() {
        Assumptions.assumeTrue(BROWSER_PRESENT, SKIPPED);
    }

    @AfterAll
    static void stopEverything() {
        if (browser != null) {
            browser.quit();
        }
        if (dashboard != null) {
            dashboard.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    /** Headless Chromium with a fresh profile and nothing of its own going online. */
    static ChromeDriver chromium(Path profile) {
        ChromeDriverService service =
                new ChromeDriverService.Builder()
                        .usingDriverExecutable(CHROMEDRIVER.toFile())
                        .usingAnyFreePort()
                        .build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments(
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
                "--lang=en-US",
                "--window-size=1400,1250",
                "--user-data-dir=" + profile.toAbsolutePath());
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.PERFORMANCE, Level.ALL);
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        return new ChromeDriver(service, options);
    }

    @Test
    void eachChartAndTableShowsExactlyTheCommittedFiguresAndNothingLeavesTheMachine()
            throws Exception {
        browser.get(dashboard.url());
        awaitFigures(DashboardITCase::hasTheKnownFigures);

        assertChartsHoldTheKnownFigures();
        screenshot("dashboard-browser.png");
        assertTablesShowTheKnownFigures();
        screenshot("dashboard-browser-tables.png");
        assertHealthStrip();

        List<String> requested = requestedUrls();
        System.out.println("DashboardBrowserITCase: the page requested " + requested);
        assertThat(requested)
                .as("every request the page made")
                .anyMatch(
                        u -> u.matches(".*/webjars/chart\\.js/[0-9.]+/dist/chart\\.umd\\.min\\.js"))
                .anyMatch(u -> u.endsWith("/events"))
                .allMatch(
                        u -> u.startsWith(dashboard.url() + "/") || u.startsWith("data:"),
                        "on the dashboard itself (" + dashboard.url() + ")");
        assertThat(browser.manage().logs().get(LogType.BROWSER).getAll())
                .as("errors in the browser console (CSP violations, script errors)")
                .filteredOn(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
                .isEmpty();
    }

    @Test
    void thePageReconnectsByItselfWhenTheDashboardRestarts() throws Exception {
        browser.get(dashboard.url());
        awaitFigures(DashboardITCase::hasTheKnownFigures);
        int port = dashboard.port();

        dashboard.close();
        await("the page notices")
                .atMost(WAIT)
                .until(() -> "reconnecting".equals(text(By.id("stream"))));
        dashboard =
                DashboardServer.start(
                        new DashboardConfig(
                                kafka.bootstrapServers(),
                                new java.util.Properties(),
                                "localhost",
                                port,
                                null,
                                "sales-aggregator",
                                10,
                                DashboardITCase.config(kafka, topics).topics(),
                                Duration.ofSeconds(2)));
        try (Transactional producer = new Transactional(kafka.producerProps(), "after-restart")) {
            producer.commit(
                    List.of(
                            new ProducerRecord<>(
                                    topics.of(Topic.SALES_PER_REGION.topicName()),
                                    "switzerland".getBytes(StandardCharsets.UTF_8),
                                    OutputJson.regionTotal(
                                            new RunningTotal(
                                                    "switzerland", null, 0, 5, 50_000, 0)))));
        }

        awaitFigures(s -> s.toString().contains("\"switzerland\""));
        assertThat(chart("region-share").path("labels").toString()).contains("switzerland");
        assertThat(text(By.id("stream"))).isEqualTo("live");
    }

    // ---- what the page shows

    private void assertChartsHoldTheKnownFigures() {
        JsonNode products = chart("revenue-per-product");
        assertThat(strings(products.path("labels")))
                .isEqualTo(column(KnownFigures.TOP_PRODUCTS, 1));
        assertThat(numbers(products.at("/datasets/0/data")))
                .isEqualTo(
                        KnownFigures.TOP_PRODUCTS.stream()
                                .map(p -> Double.valueOf((String) p.get(3)))
                                .toList());

        JsonNode regions = chart("region-share");
        assertThat(strings(regions.path("labels"))).isEqualTo(column(KnownFigures.REGIONS, 0));
        assertThat(numbers(regions.at("/datasets/0/data")))
                .containsExactly(4000.0, 3000.0, 2000.0, 1000.0);

        JsonNode trend = chart("region-trend");
        List<String> minutes = new ArrayList<>();
        for (int m = 2; m <= 10; m++) {
            minutes.add(String.format("10:%02d", m));
        }
        minutes.add("10:11 provisional");
        assertThat(strings(trend.path("labels"))).isEqualTo(minutes);
        assertThat(trend.path("datasets")).hasSize(2);
        for (JsonNode series : trend.path("datasets")) {
            assertThat(numbers(series.path("data")))
                    .as(series.path("label").asText())
                    .isEqualTo(
                            KnownFigures.TREND.get(series.path("label").asText()).stream()
                                    .map(Long::doubleValue)
                                    .toList());
        }

        JsonNode units = chart("units-per-product-5m");
        assertThat(strings(units.path("labels"))).isEqualTo(column(KnownFigures.LATEST_WINDOW, 1));
        assertThat(numbers(units.at("/datasets/0/data"))).containsExactly(30.0, 25.0, 10.0);
    }

    private void assertTablesShowTheKnownFigures() {
        for (String card :
                List.of(
                        "revenue-per-product",
                        "region-share",
                        "region-trend",
                        "units-per-product-5m")) {
            WebElement toggle = browser.findElement(By.cssSelector("#" + card + " .toggle"));
            toggle.click();
            assertThat(toggle.getText()).isEqualTo("Chart");
            assertThat(browser.findElement(By.cssSelector("#" + card + " canvas")).isDisplayed())
                    .isFalse();
            assertThat(browser.findElement(By.cssSelector("#" + card + " table")).isDisplayed())
                    .isTrue();
        }
        assertThat(rows("revenue-per-product"))
                .hasSize(10)
                .startsWith(
                        List.of("1", "p-07", "Solar Lamp", "12", "1,900.00", "700.00"),
                        List.of("2", "p-03", "Oak Desk", "3", "1,500.50", "600.25"))
                .endsWith(List.of("10", "p-06", "Bright Speaker", "1", "400.00", "80.00"));
        assertThat(rows("region-share"))
                .containsExactly(
                        List.of("eu-west", "40", "4,000.00", "40.0 %"),
                        List.of("japan", "30", "3,000.00", "30.0 %"),
                        List.of("nordics", "20", "2,000.00", "20.0 %"),
                        List.of("uk", "10", "1,000.00", "10.0 %"));
        assertThat(headers("region-trend")).containsExactly("Minute (UTC)", "eu-west", "uk");
        List<List<String>> trend = rows("region-trend");
        assertThat(trend).hasSize(10);
        assertThat(trend.get(0)).containsExactly("10:02", "5", "2");
        assertThat(trend.get(1)).containsExactly("10:03", "6", "0");
        assertThat(trend.get(9)).containsExactly("10:11 provisional", "140", "11");
        assertThat(rows("units-per-product-5m"))
                .containsExactly(
                        List.of("1", "p-03", "Oak Desk", "office", "30"),
                        List.of("2", "p-07", "Solar Lamp", "home", "25"),
                        List.of("3", "p-01", "Rapid Chair", "office", "10"));
        assertThat(text(By.cssSelector("#units-per-product-5m [data-field=window]")))
                .isEqualTo("5-minute window 10:01–10:06 UTC, top 3 of 3");
        assertThat(text(By.cssSelector("#top-sellers [data-field=minute]")))
                .isEqualTo("minute 10:11 UTC, provisional");
        assertThat(rows("top-sellers"))
                .containsExactly(
                        List.of("1", "seller-02", "4", "9", "310.00"),
                        List.of("2", "seller-01", "2", "3", "120.50"));
    }

    private void assertHealthStrip() {
        assertThat(text(By.cssSelector("#health-dlq .value"))).isEqualTo("3");
        assertThat(text(By.cssSelector("#health-dlq .detail")))
                .isEqualTo("MALFORMED_JSON 2, NO_FX_RATE 1");
        assertThat(text(By.cssSelector("#health-late .value"))).isEqualTo("2");
        // No Flink in this test: the strip says so instead of showing stale figures.
        assertThat(text(By.cssSelector("#health-job .value"))).isEqualTo("off");
        assertThat(text(By.id("stream"))).isEqualTo("live");
    }

    // ---- reading the page

    /** The data of the Chart.js chart drawn on the card's canvas, from Chart.js itself. */
    private JsonNode chart(String card) {
        Object json =
                ((JavascriptExecutor) browser)
                        .executeScript(
                                "const chart = Chart.getChart(document.querySelector('#' +"
                                        + " arguments[0] + ' canvas'));"
                                        + " return chart ? JSON.stringify({labels:"
                                        + " chart.data.labels, datasets:"
                                        + " chart.data.datasets.map(d => ({label: d.label, data:"
                                        + " d.data}))}) : null;",
                                card);
        assertThat(json).as("a chart on " + card).isNotNull();
        return read((String) json);
    }

    private void awaitFigures(java.util.function.Predicate<JsonNode> test) {
        await("the page shows the figures")
                .atMost(WAIT)
                .pollInterval(Duration.ofMillis(200))
                .until(
                        () -> {
                            Object json =
                                    ((JavascriptExecutor) browser)
                                            .executeScript(
                                                    "const s = window.salesDashboard &&"
                                                            + " window.salesDashboard.snapshot();"
                                                            + " return s ? JSON.stringify(s) :"
                                                            + " null;");
                            return json != null && test.test(read((String) json));
                        });
    }

    private List<List<String>> rows(String card) {
        List<List<String>> rows = new ArrayList<>();
        for (WebElement row : browser.findElements(By.cssSelector("#" + card + " tbody tr"))) {
            List<String> cells = new ArrayList<>();
            row.findElements(By.tagName("td")).forEach(td -> cells.add(td.getText()));
            rows.add(cells);
        }
        return rows;
    }

    private List<String> headers(String card) {
        return browser.findElements(By.cssSelector("#" + card + " thead th")).stream()
                .map(WebElement::getText)
                .toList();
    }

    private String text(By by) {
        return browser.findElement(by).getText();
    }

    /**
     * Every URL the dashboard's page asked for (requests whose document is the page), from Chrome's
     * performance log (DevTools network events); the browser's own pages are not the page's.
     */
    private List<String> requestedUrls() {
        List<String> urls = new ArrayList<>();
        for (LogEntry entry : browser.manage().logs().get(LogType.PERFORMANCE)) {
            JsonNode message = read(entry.getMessage()).path("message");
            if (message.path("method").asText().equals("Network.requestWillBeSent")
                    && message.at("/params/documentURL").asText().startsWith(dashboard.url())) {
                urls.add(message.at("/params/request/url").asText());
            }
        }
        return urls;
    }

    private void screenshot(String name) throws Exception {
        Files.createDirectories(SCREENSHOTS);
        byte[] png = ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES);
        Files.write(SCREENSHOTS.resolve(name), png);
        System.out.println("DashboardBrowserITCase: screenshot " + SCREENSHOTS.resolve(name));
    }

    private static JsonNode read(String json) {
        try {
            return OutputFormat.JSON.readTree(json);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(v -> values.add(v.asText()));
        return values;
    }

    private static List<Double> numbers(JsonNode array) {
        List<Double> values = new ArrayList<>();
        array.forEach(v -> values.add(v.asDouble()));
        return values;
    }

    private static List<Object> column(List<List<Object>> rows, int index) {
        return rows.stream().map(r -> r.get(index)).toList();
    }
}

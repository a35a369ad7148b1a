package com.salesaggregator.dashboard;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.staticfiles.Location;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live dashboard: reads the committed outputs ({@link OutputTopicsReader}), asks Flink how the
 * job is doing ({@link FlinkMonitor}) and serves one page that gets every change by Server-Sent
 * Events ({@link SnapshotBroadcaster}). Chart.js comes from its WebJar on the classpath, so the
 * page makes no request beyond this server.
 *
 * <p>Routes: {@code /} the page, {@code /static/*} its script and style, {@code /webjars/*}
 * Chart.js, {@code /events} the live stream, {@code /api/snapshot} the current snapshot as JSON,
 * {@code /healthz} and {@code /readyz} for probes, {@code /metrics} in Prometheus text format.
 */
public final class DashboardServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DashboardServer.class);

    private static final String CHART_JS_POM =
            "META-INF/maven/org.webjars.npm/chart.js/pom.properties";

    /** Nothing but this server: the page works offline and cannot leak a request elsewhere. */
    private static final String CONTENT_SECURITY_POLICY =
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
                    + " connect-src 'self'; object-src 'none'; base-uri 'none';"
                    + " frame-ancestors 'none'";

    private final DashboardConfig config;
    private final DashboardState state;
    private final InputRate inputRate = new InputRate(10_000);
    private final DashboardMetrics metrics = new DashboardMetrics();
    private final AtomicLong versions = new AtomicLong();
    private final SnapshotBroadcaster broadcaster;
    private final OutputTopicsReader reader;
    private final FlinkMonitor flink;
    private final Thread readerThread;
    private final Javalin app;

    private DashboardServer(DashboardConfig config) {
        this.config = config;
        this.state = new DashboardState(config.topN());
        this.broadcaster = new SnapshotBroadcaster(this::snapshot, metrics);
        this.reader =
                new OutputTopicsReader(config, state, inputRate, metrics, broadcaster::changed);
        this.flink =
                new FlinkMonitor(
                        config.flinkRestUrl(),
                        config.flinkJobName(),
                        config.healthInterval(),
                        metrics,
                        broadcaster::changed);
        this.readerThread = new Thread(reader, "dashboard-reader");
        this.readerThread.setDaemon(true);
        String page = page();
        this.app =
                Javalin.create(
                        javalin -> {
                            javalin.startup.showJavalinBanner = false;
                            javalin.startup.showOldJavalinVersionWarning = false;
                            javalin.jetty.host = config.host();
                            javalin.jetty.port = config.port();
                            javalin.staticFiles.enableWebjars();
                            javalin.staticFiles.add(
                                    files -> {
                                        files.hostedPath = "/static";
                                        files.directory = "/dashboard/static";
                                        files.location = Location.CLASSPATH;
                                    });
                            javalin.routes.before(
                                    ctx ->
                                            ctx.header(
                                                    "Content-Security-Policy",
                                                    CONTENT_SECURITY_POLICY));
                            javalin.routes.get("/", ctx -> ctx.html(page));
                            javalin.routes.sse("/events", broadcaster::connect);
                            javalin.routes.get(
                                    "/api/snapshot",
                                    ctx ->
                                            ctx.contentType("application/json")
                                                    .result(broadcaster.currentJson()));
                            javalin.routes.get("/healthz", this::healthz);
                            javalin.routes.get("/readyz", this::readyz);
                            javalin.routes.get("/metrics", this::prometheus);
                        });
    }

    /**
     * Starts reading, monitoring and serving; returns once the HTTP port is open.
     *
     * @throws PortInUseException if the port is taken
     */
    public static DashboardServer start(DashboardConfig config) {
        DashboardServer server = new DashboardServer(config);
        try {
            server.app.start();
        } catch (RuntimeException e) {
            server.app.stop();
            if (causedByBindFailure(e)) {
                throw new PortInUseException(config.port(), e);
            }
            throw e;
        }
        server.broadcaster.start();
        server.readerThread.start();
        server.flink.start();
        LOG.info("Dashboard serving {}", server.url());
        return server;
    }

    /** The HTTP port (the chosen one when started on port 0). */
    public int port() {
        return app.port();
    }

    /** Where to open the page, e.g. {@code http://localhost:8088}. */
    public String url() {
        String host = config.host();
        if (host == null || host.equals("0.0.0.0") || host.equals("::")) {
            host = "localhost";
        }
        return "http://" + host + ":" + port();
    }

    /** The snapshot the page would get now. */
    public Snapshot snapshot() {
        FlinkStatus flinkStatus = flink.status();
        return new Snapshot(
                versions.incrementAndGet(),
                Instant.now().toString(),
                state.figures(),
                new Snapshot.Health(
                        flinkStatus,
                        inputRate.total(),
                        inputRate.perTopic(),
                        reader.caughtUp(),
                        reader.problem()));
    }

    /** The dashboard's Prometheus metrics. */
    public DashboardMetrics metrics() {
        return metrics;
    }

    private void healthz(Context ctx) {
        boolean healthy = reader.fatal() == null && readerThread.isAlive();
        ctx.status(healthy ? 200 : 503)
                .result(healthy ? "ok\n" : "unhealthy: " + reader.problem() + "\n");
    }

    private void readyz(Context ctx) {
        boolean ready = reader.caughtUp() && reader.fatal() == null;
        ctx.status(ready ? 200 : 503)
                .result(ready ? "ready\n" : "not ready: " + reader.problem() + "\n");
    }

    private void prometheus(Context ctx) throws IOException {
        metrics.caughtUp(reader.caughtUp());
        PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        writer.write(body, metrics.registry().scrape());
        ctx.contentType(writer.getContentType()).result(body.toByteArray());
    }

    /** The page, pointing at the Chart.js of the WebJar on the classpath. */
    private static String page() {
        String version;
        try (InputStream in =
                DashboardServer.class.getClassLoader().getResourceAsStream(CHART_JS_POM)) {
            if (in == null) {
                throw new IllegalStateException(
                        "the Chart.js WebJar (org.webjars.npm:chart.js) is not on the classpath");
            }
            Properties pom = new Properties();
            pom.load(in);
            version = pom.getProperty("version");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try (InputStream in =
                DashboardServer.class
                        .getClassLoader()
                        .getResourceAsStream("dashboard/index.html")) {
            if (in == null) {
                throw new IllegalStateException("dashboard/index.html is not on the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8)
                    .replace(
                            "{{chart.js}}",
                            "/webjars/chart.js/" + version + "/dist/chart.umd.min.js");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        reader.stop();
        flink.stop();
        broadcaster.stop();
        app.stop();
        try {
            readerThread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static boolean causedByBindFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.net.BindException) {
                return true;
            }
        }
        return false;
    }

    /** The requested dashboard port is taken by another process. */
    public static final class PortInUseException extends RuntimeException {
        PortInUseException(int port, Throwable cause) {
            super(
                    "dashboard port "
                            + port
                            + " is already in use (an earlier run still running?); stop that"
                            + " process or choose another port",
                    cause);
        }
    }
}

package com.salesaggregator.seeder;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.function.BooleanSupplier;

/** {@code /healthz} for Kubernetes probes and {@code /metrics} in Prometheus text format. */
public final class HealthServer implements AutoCloseable {

    private final HttpServer server;

    private HealthServer(HttpServer server) {
        this.server = server;
    }

    /** Serves on all interfaces at {@code port} (0 picks a free one). */
    public static HealthServer start(int port, BooleanSupplier healthy, PrometheusRegistry registry)
            throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(port), 0);
        PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
        server.createContext(
                "/healthz",
                exchange -> {
                    boolean ok = healthy.getAsBoolean();
                    respond(
                            exchange,
                            ok ? 200 : 503,
                            "text/plain; charset=utf-8",
                            (ok ? "ok\n" : "unhealthy\n").getBytes(StandardCharsets.UTF_8));
                });
        server.createContext(
                "/metrics",
                exchange -> {
                    ByteArrayOutputStream body = new ByteArrayOutputStream();
                    writer.write(body, registry.scrape());
                    respond(exchange, 200, writer.getContentType(), body.toByteArray());
                });
        server.start();
        return new HealthServer(server);
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private static void respond(HttpExchange exchange, int status, String type, byte[] body)
            throws IOException {
        try (exchange) {
            exchange.getResponseHeaders().set("Content-Type", type);
            exchange.sendResponseHeaders(status, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}

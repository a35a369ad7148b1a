package com.salesaggregator.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.salesaggregator.output.OutputCodec;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A Server-Sent Events client of the dashboard's {@code /events}, as a browser's EventSource reads
 * it: each {@code snapshot} event becomes a JSON tree with the time it arrived.
 */
final class SseStream implements AutoCloseable {

    /** Decimals as published, scale kept (money has exactly two places). */
    private static final ObjectMapper JSON = OutputCodec.JSON;

    /** One event: its name, id, parsed data and when its last line arrived (nanoTime). */
    record Event(String name, String id, JsonNode data, long receivedNanos) {}

    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final InputStream body;
    private final Thread reader;
    private final String contentType;

    private SseStream(InputStream body, String contentType) {
        this.body = body;
        this.contentType = contentType;
        this.reader = new Thread(this::read, "sse-test-reader");
        this.reader.setDaemon(true);
        this.reader.start();
    }

    /** Connects to {@code baseUrl}/events. */
    static SseStream open(String baseUrl) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<InputStream> response =
                http.send(
                        HttpRequest.newBuilder(URI.create(baseUrl + "/events"))
                                .header("Accept", "text/event-stream")
                                .GET()
                                .build(),
                        HttpResponse.BodyHandlers.ofInputStream());
        if (response.statusCode() != 200) {
            throw new IOException("/events answered " + response.statusCode());
        }
        return new SseStream(
                response.body(), response.headers().firstValue("Content-Type").orElse(""));
    }

    String contentType() {
        return contentType;
    }

    /** The next event, waiting at most {@code timeout}. */
    Event next(Duration timeout) throws InterruptedException {
        Event event = events.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (event == null) {
            throw new AssertionError("no event within " + timeout);
        }
        return event;
    }

    /**
     * The first snapshot (from now on) that {@code test} accepts, waiting at most {@code timeout}.
     */
    Event awaitSnapshot(Predicate<JsonNode> test, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            Event event =
                    events.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (event == null) {
                break;
            }
            if (event.name().equals("snapshot")) {
                last = event.data();
                if (test.test(event.data())) {
                    return event;
                }
            }
        }
        throw new AssertionError(
                "no matching snapshot within " + timeout + "; the last one was " + last);
    }

    private void read() {
        try (BufferedReader lines =
                new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
            String name = "message";
            String id = null;
            StringBuilder data = new StringBuilder();
            String line;
            while ((line = lines.readLine()) != null) {
                if (line.isEmpty()) {
                    if (!data.isEmpty()) {
                        events.add(
                                new Event(
                                        name,
                                        id,
                                        JSON.readTree(data.toString()),
                                        System.nanoTime()));
                    }
                    name = "message";
                    id = null;
                    data.setLength(0);
                } else if (line.startsWith("event:")) {
                    name = line.substring(6).trim();
                } else if (line.startsWith("id:")) {
                    id = line.substring(3).trim();
                } else if (line.startsWith("data:")) {
                    if (!data.isEmpty()) {
                        data.append('\n');
                    }
                    data.append(line.substring(5).stripLeading());
                }
                // Lines starting with ':' are comments (keep-alives).
            }
        } catch (IOException e) {
            // Closed by close(), or the server went away.
        }
    }

    @Override
    public void close() {
        try {
            body.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        reader.interrupt();
    }
}

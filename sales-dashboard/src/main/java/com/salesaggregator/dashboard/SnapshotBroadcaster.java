package com.salesaggregator.dashboard;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.javalin.http.sse.SseClient;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pushes a whole {@link Snapshot} to every connected browser whenever something changed, at most
 * once per {@link #MIN_GAP} (a burst of commits makes one push), and a keep-alive comment when
 * nothing did for a while. A browser that (re)connects gets the current snapshot at once.
 */
final class SnapshotBroadcaster implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(SnapshotBroadcaster.class);

    /** Shortest time between two pushes: bounds the work under a stream of commits. */
    static final Duration MIN_GAP = Duration.ofMillis(200);

    private static final Duration KEEP_ALIVE = Duration.ofSeconds(15);

    /** Snapshots as JSON: snake case like the outputs, money as plain decimals. */
    static final ObjectMapper JSON =
            JsonMapper.builder()
                    .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                    .enable(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN)
                    .build();

    private final Supplier<Snapshot> snapshots;
    private final DashboardMetrics metrics;
    private final Set<SseClient> clients = ConcurrentHashMap.newKeySet();
    private final Object signal = new Object();
    private boolean dirty;
    private volatile boolean stopped;
    private Thread thread;

    SnapshotBroadcaster(Supplier<Snapshot> snapshots, DashboardMetrics metrics) {
        this.snapshots = snapshots;
        this.metrics = metrics;
    }

    void start() {
        thread = new Thread(this, "dashboard-broadcaster");
        thread.setDaemon(true);
        thread.start();
    }

    void stop() {
        stopped = true;
        if (thread != null) {
            thread.interrupt();
        }
        clients.forEach(SseClient::close);
        clients.clear();
    }

    /** Says that the snapshot changed; the push follows within {@link #MIN_GAP}. */
    void changed() {
        synchronized (signal) {
            dirty = true;
            signal.notifyAll();
        }
    }

    /** A new browser: the current snapshot now, then every change. */
    void connect(SseClient client) {
        client.keepAlive();
        client.onClose(
                () -> {
                    clients.remove(client);
                    metrics.sseClients(clients.size());
                });
        Snapshot snapshot = snapshots.get();
        send(client, snapshot.version(), json(snapshot));
        clients.add(client);
        metrics.sseClients(clients.size());
    }

    /** The current snapshot as JSON. */
    String currentJson() {
        return json(snapshots.get());
    }

    @Override
    public void run() {
        long lastSent = System.nanoTime();
        while (!stopped) {
            try {
                boolean push;
                synchronized (signal) {
                    if (!dirty) {
                        signal.wait(KEEP_ALIVE.toMillis());
                    }
                    push = dirty;
                    dirty = false;
                }
                if (push) {
                    Snapshot snapshot = snapshots.get();
                    String json = json(snapshot);
                    int sent = 0;
                    for (SseClient client : clients) {
                        sent += send(client, snapshot.version(), json) ? 1 : 0;
                    }
                    metrics.snapshotsPushed(sent);
                    lastSent = System.nanoTime();
                    Thread.sleep(MIN_GAP.toMillis());
                } else if (System.nanoTime() - lastSent >= KEEP_ALIVE.toNanos()) {
                    // Keeps proxies (kubectl port-forward, ingress) from closing a quiet stream.
                    for (SseClient client : clients) {
                        synchronized (client) {
                            if (!client.terminated()) {
                                client.sendComment("keep-alive " + Instant.now());
                            }
                        }
                    }
                    lastSent = System.nanoTime();
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.warn("Pushing a snapshot failed", e);
            }
        }
    }

    private boolean send(SseClient client, long version, String json) {
        // One writer at a time per stream: the broadcaster and a connect may meet.
        synchronized (client) {
            if (client.terminated()) {
                clients.remove(client);
                return false;
            }
            try {
                client.sendEvent("snapshot", json, Long.toString(version));
                return true;
            } catch (RuntimeException e) {
                LOG.debug("A browser went away", e);
                clients.remove(client);
                return false;
            }
        }
    }

    private static String json(Snapshot snapshot) {
        try {
            return JSON.writeValueAsString(snapshot);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}

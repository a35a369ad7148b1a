package com.salesaggregator.testkit;

import com.salesaggregator.verify.ReferenceModel.InputRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;

/**
 * Produces {@link SeededSales} in the background, a slice every tick (at a fixed rate: after a
 * stall, the broker away, it catches up), while a test injects faults: the job always has fresh
 * input while it fails and recovers. Each slice ends with a reference heartbeat on every partition
 * of {@code products} and {@code fx-rates}, as the seeder publishes them (PRODUCT.md, "Reference
 * heartbeats"): no reference partition is ever idle while the feed runs, so the job releases a line
 * only once it has read every reference change up to the line's time, whichever consumer reconnects
 * first after a fault. (Without heartbeats, a catalog partition is idle between changes, and after
 * a broker restart the rates alone could move the reference watermark past a catalog change not
 * read yet: the figures would then depend on which consumer fetched first.) Keeps every record as
 * the broker stored it, for the reference model. A produce that fails (the broker gone for longer
 * than the producer's delivery timeout) fails the test at {@link #stop()}.
 */
public final class Feeder implements AutoCloseable {

    private final RunTopics topics;
    private final SeededSales sales;
    private final int salesPerTick;
    private final KafkaProducer<byte[], byte[]> producer;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final List<InputRecord> produced = new ArrayList<>();
    private Throwable failure;
    private boolean stopped;

    private Feeder(ItKafka kafka, RunTopics topics, SeededSales sales, int salesPerTick) {
        this.topics = topics;
        this.sales = sales;
        this.salesPerTick = salesPerTick;
        this.producer = new KafkaProducer<>(kafka.producerProps());
    }

    /**
     * Starts producing {@code salesPerTick} sales (and what comes with them) every {@code tick}.
     */
    public static Feeder start(
            ItKafka kafka, RunTopics topics, SeededSales sales, int salesPerTick, Duration tick) {
        Feeder feeder = new Feeder(kafka, topics, sales, salesPerTick);
        feeder.timer.scheduleAtFixedRate(feeder::tick, 0, tick.toMillis(), TimeUnit.MILLISECONDS);
        return feeder;
    }

    private void tick() {
        synchronized (this) {
            if (stopped || failure != null) {
                return;
            }
        }
        try {
            List<Planned> slice = new ArrayList<>(sales.next(salesPerTick));
            slice.addAll(CatalogHeartbeat.planned(topics, sales.heartbeatTime()));
            List<InputRecord> stored = ItKafka.produce(producer, topics, slice);
            synchronized (this) {
                produced.addAll(stored);
            }
        } catch (Exception | AssertionError e) {
            synchronized (this) {
                failure = e;
            }
        }
    }

    /** Records produced so far. */
    public synchronized int records() {
        return produced.size();
    }

    /**
     * Stops after the slice in flight; returns every record produced, in order. Throws if a produce
     * failed.
     */
    public List<InputRecord> stop() throws InterruptedException {
        synchronized (this) {
            stopped = true;
        }
        timer.shutdown();
        if (!timer.awaitTermination(ItKafka.WAIT.toSeconds() * 3, TimeUnit.SECONDS)) {
            throw new AssertionError("the feeder did not stop");
        }
        producer.close();
        synchronized (this) {
            if (failure != null) {
                throw new AssertionError("producing the input failed: " + failure, failure);
            }
            return List.copyOf(produced);
        }
    }

    @Override
    public void close() throws InterruptedException {
        timer.shutdownNow();
        timer.awaitTermination(ItKafka.WAIT.toSeconds(), TimeUnit.SECONDS);
        producer.close(Duration.ZERO);
    }
}

package com.salesaggregator.seeder;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Publishes a {@link SalesGenerator}'s records to Kafka at a steady rate (or as fast as possible in
 * bulk mode) until a sale count or duration is reached or {@link #stop()} is called, then flushes.
 * Publishes a reference heartbeat on every partition of {@code products} and {@code fx-rates} every
 * heartbeat interval (of wall-clock time when paced, at {@code now}; of the generated event time in
 * bulk mode, at the event clock) and a last one at the end, never later than the reference data
 * still to come ({@link SalesGenerator#referenceSettledUntil()}). Reports progress every few
 * seconds.
 */
public final class SeederRunner implements Runnable {

    /**
     * How the runner paces and ends.
     *
     * @param ratePerSecond sales per second when paced
     * @param bulk send as fast as possible, ignoring the rate
     * @param maxSales stop after this many sales; 0 for no limit
     * @param maxDuration stop after this long; null for no limit
     * @param progressInterval time between progress lines
     * @param heartbeatInterval time between reference heartbeats: wall-clock time when paced,
     *     generated event time in bulk mode
     */
    public record Settings(
            double ratePerSecond,
            boolean bulk,
            long maxSales,
            Duration maxDuration,
            Duration progressInterval,
            Duration heartbeatInterval) {

        /** The seeder's default heartbeat interval. */
        public static final Duration DEFAULT_HEARTBEAT_INTERVAL = Duration.ofSeconds(1);

        public Settings {
            if (heartbeatInterval == null || !heartbeatInterval.isPositive()) {
                throw new IllegalArgumentException(
                        "heartbeat interval must be positive, was " + heartbeatInterval);
            }
        }

        /** Settings with the default heartbeat interval. */
        public Settings(
                double ratePerSecond,
                boolean bulk,
                long maxSales,
                Duration maxDuration,
                Duration progressInterval) {
            this(
                    ratePerSecond,
                    bulk,
                    maxSales,
                    maxDuration,
                    progressInterval,
                    DEFAULT_HEARTBEAT_INTERVAL);
        }
    }

    /**
     * A snapshot of what the runner has done.
     *
     * @param salesSent orders and receipts acknowledged
     * @param linesSent sale lines in them
     * @param referenceSent catalog and rate records acknowledged
     * @param heartbeatsSent reference heartbeats acknowledged (one per reference partition a beat)
     * @param plannedLate sales sent that were planned to be late
     * @param plannedMalformed sales sent with a planned defect
     * @param errors records Kafka did not acknowledge
     * @param elapsed time since the runner started
     */
    public record Progress(
            long salesSent,
            long linesSent,
            long referenceSent,
            long heartbeatsSent,
            long plannedLate,
            long plannedMalformed,
            long errors,
            Duration elapsed) {

        /** Sales per second over the whole run. */
        public double salesPerSecond() {
            double seconds = elapsed.toNanos() / 1e9;
            return seconds <= 0 ? 0 : salesSent / seconds;
        }

        @Override
        public String toString() {
            return String.format(
                    "sent %,d sales (%,d lines) + %,d reference records + %,d heartbeats |"
                            + " %,.1f sales/s | planned late %,d, malformed %,d | errors %,d",
                    salesSent,
                    linesSent,
                    referenceSent,
                    heartbeatsSent,
                    salesPerSecond(),
                    plannedLate,
                    plannedMalformed,
                    errors);
        }
    }

    private final SalesGenerator generator;
    private final Producer<byte[], byte[]> producer;
    private final Settings settings;
    private final SeederMetrics metrics;
    private final Consumer<String> progressOut;
    private final ReferenceHeartbeats heartbeats;

    private final AtomicLong salesSent = new AtomicLong();
    private final AtomicLong linesSent = new AtomicLong();
    private final AtomicLong referenceSent = new AtomicLong();
    private final AtomicLong heartbeatsSent = new AtomicLong();
    private final AtomicLong plannedLate = new AtomicLong();
    private final AtomicLong plannedMalformed = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final AtomicReference<Exception> fatalError = new AtomicReference<>();
    private volatile boolean stopRequested;
    private volatile boolean finished;
    private volatile long startNanos;
    private long lastHeartbeatTime = Long.MIN_VALUE;
    private long nextHeartbeatNanos;
    private long nextHeartbeatClock;

    public SeederRunner(
            SalesGenerator generator,
            Producer<byte[], byte[]> producer,
            Settings settings,
            SeederMetrics metrics,
            Consumer<String> progressOut) {
        this.generator = generator;
        this.producer = producer;
        this.settings = settings;
        this.metrics = metrics;
        this.progressOut = progressOut;
        this.heartbeats = new ReferenceHeartbeats(producer);
        metrics.targetRate.set(settings.bulk() ? 0 : settings.ratePerSecond());
    }

    /**
     * Asks the runner to stop after the record in flight; {@link #run()} then flushes and returns.
     */
    public void stop() {
        stopRequested = true;
    }

    /** Healthy until a fatal Kafka error (authentication, authorization) stops it. */
    public boolean healthy() {
        return fatalError.get() == null;
    }

    /** The fatal error that stopped the runner, or null. */
    public Exception fatalError() {
        return fatalError.get();
    }

    /** Whether {@link #run()} has returned. */
    public boolean finished() {
        return finished;
    }

    public Progress progress() {
        long start = startNanos;
        return new Progress(
                salesSent.get(),
                linesSent.get(),
                referenceSent.get(),
                heartbeatsSent.get(),
                plannedLate.get(),
                plannedMalformed.get(),
                errors.get(),
                Duration.ofNanos(start == 0 ? 0 : System.nanoTime() - start));
    }

    @Override
    public void run() {
        startNanos = System.nanoTime();
        double nanosPerSale = 1e9 / settings.ratePerSecond();
        long deadline =
                settings.maxDuration() == null
                        ? Long.MAX_VALUE
                        : startNanos + settings.maxDuration().toNanos();
        long progressEvery = settings.progressInterval().toNanos();
        long nextProgress = startNanos + progressEvery;
        long salesQueued = 0;
        nextHeartbeatNanos = startNanos;
        nextHeartbeatClock = generator.eventClock() + 1;
        try {
            while (!stopRequested && fatalError.get() == null) {
                if (settings.maxSales() > 0 && salesQueued >= settings.maxSales()) {
                    break;
                }
                long now = System.nanoTime();
                if (now >= deadline) {
                    break;
                }
                if (now >= nextProgress) {
                    progressOut.accept("seeder: " + progress());
                    nextProgress = now + progressEvery;
                }
                SeedRecord record = generator.next();
                if (record.kind().isSale()) {
                    if (!settings.bulk()) {
                        pace(startNanos + (long) (salesQueued * nanosPerSale), deadline);
                        if (stopRequested) {
                            break;
                        }
                    }
                    salesQueued++;
                }
                send(record);
                heartbeatIfDue();
            }
            if (fatalError.get() == null) {
                // The end of the data: the reference partitions are settled up to its last sale.
                heartbeat();
            }
        } finally {
            producer.flush();
            finished = true;
        }
        progressOut.accept("seeder: done, " + progress());
    }

    /** Waits for a sale's time, beating meanwhile, so that slow rates keep the cadence. */
    private void pace(long targetNanos, long deadline) {
        long wait;
        while (!stopRequested && (wait = Math.min(targetNanos, deadline) - System.nanoTime()) > 0) {
            heartbeatIfDue();
            long untilHeartbeat = Math.max(0, nextHeartbeatNanos - System.nanoTime());
            LockSupport.parkNanos(Math.min(Math.min(wait, untilHeartbeat), 100_000_000L));
        }
    }

    /** A heartbeat once the interval has passed: of wall-clock time, or of event time in bulk. */
    private void heartbeatIfDue() {
        if (settings.bulk()) {
            long clock = generator.eventClock();
            if (clock >= nextHeartbeatClock) {
                heartbeat();
                nextHeartbeatClock = clock + settings.heartbeatInterval().toMillis();
            }
        } else {
            long now = System.nanoTime();
            if (now >= nextHeartbeatNanos) {
                heartbeat();
                nextHeartbeatNanos = now + settings.heartbeatInterval().toNanos();
            }
        }
    }

    /**
     * A heartbeat on every reference partition at now (paced) or the event clock (bulk), but never
     * later than a reference change still to be published, and never earlier than the last one.
     */
    private void heartbeat() {
        long time = settings.bulk() ? generator.eventClock() : System.currentTimeMillis();
        time = Math.min(time, generator.referenceSettledUntil());
        lastHeartbeatTime = Math.max(lastHeartbeatTime, time);
        try {
            heartbeats.publish(
                    lastHeartbeatTime,
                    (topic, exception) -> {
                        if (exception != null) {
                            onError(exception);
                        } else {
                            heartbeatsSent.incrementAndGet();
                            metrics.heartbeatsSent.labelValues(topic).inc();
                        }
                    });
        } catch (KafkaException e) {
            // The topic metadata could not be had (partitionsFor): counted like a failed send.
            onError(e);
        }
    }

    private void send(SeedRecord record) {
        RecordHeaders headers = new RecordHeaders();
        if (record.fault() != null) {
            headers.add(Fault.HEADER, record.fault().name().getBytes(StandardCharsets.UTF_8));
        }
        ProducerRecord<byte[], byte[]> producerRecord =
                new ProducerRecord<>(
                        record.topic(),
                        null,
                        record.timestamp(),
                        record.key(),
                        record.value(),
                        headers);
        producer.send(
                producerRecord,
                (metadata, exception) -> {
                    if (exception != null) {
                        onError(exception);
                    } else {
                        onAcknowledged(record);
                    }
                });
    }

    private void onAcknowledged(SeedRecord record) {
        metrics.recordsSent.labelValues(record.topic()).inc();
        if (!record.kind().isSale()) {
            referenceSent.incrementAndGet();
            return;
        }
        salesSent.incrementAndGet();
        linesSent.addAndGet(record.lines());
        metrics.saleLinesSent.inc(record.lines());
        if (record.late()) {
            plannedLate.incrementAndGet();
            metrics.plannedSales.labelValues("late").inc();
        }
        if (record.fault() != null) {
            plannedMalformed.incrementAndGet();
            metrics.plannedSales.labelValues("malformed").inc();
        }
        if (record.resend()) {
            metrics.plannedSales.labelValues("resend").inc();
        }
    }

    private void onError(Exception exception) {
        metrics.sendErrors.inc();
        if (errors.incrementAndGet() <= 5) {
            progressOut.accept("seeder: send failed: " + exception);
        }
        if (exception instanceof AuthenticationException
                || exception instanceof AuthorizationException
                || exception instanceof UnsupportedVersionException) {
            fatalError.compareAndSet(null, exception);
        }
    }
}

package com.salesaggregator.seeder;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Publishes a {@link SalesGenerator}'s records to Kafka at a steady rate (or as fast as possible in
 * bulk mode) until a sale count or duration is reached or {@link #stop()} is called, then flushes.
 * Reports progress every few seconds.
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
     */
    public record Settings(
            double ratePerSecond,
            boolean bulk,
            long maxSales,
            Duration maxDuration,
            Duration progressInterval) {}

    /**
     * A snapshot of what the runner has done.
     *
     * @param salesSent orders and receipts acknowledged
     * @param linesSent sale lines in them
     * @param referenceSent catalog and rate records acknowledged
     * @param plannedLate sales sent that were planned to be late
     * @param plannedMalformed sales sent with a planned defect
     * @param errors records Kafka did not acknowledge
     * @param elapsed time since the runner started
     */
    public record Progress(
            long salesSent,
            long linesSent,
            long referenceSent,
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
                    "sent %,d sales (%,d lines) + %,d reference records | %,.1f sales/s |"
                            + " planned late %,d, malformed %,d | errors %,d",
                    salesSent,
                    linesSent,
                    referenceSent,
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

    private final AtomicLong salesSent = new AtomicLong();
    private final AtomicLong linesSent = new AtomicLong();
    private final AtomicLong referenceSent = new AtomicLong();
    private final AtomicLong plannedLate = new AtomicLong();
    private final AtomicLong plannedMalformed = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final AtomicReference<Exception> fatalError = new AtomicReference<>();
    private volatile boolean stopRequested;
    private volatile boolean finished;
    private volatile long startNanos;

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
            }
        } finally {
            producer.flush();
            finished = true;
        }
        progressOut.accept("seeder: done, " + progress());
    }

    private void pace(long targetNanos, long deadline) {
        long wait;
        while (!stopRequested && (wait = Math.min(targetNanos, deadline) - System.nanoTime()) > 0) {
            LockSupport.parkNanos(Math.min(wait, 100_000_000L));
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

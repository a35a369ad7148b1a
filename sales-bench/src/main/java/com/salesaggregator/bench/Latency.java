package com.salesaggregator.bench;

import com.salesaggregator.bench.LatencyMeasures.Measure;
import com.salesaggregator.bench.LatencyMeasures.Seen;
import com.salesaggregator.bench.LatencyMeasures.TotalMeasures;
import com.salesaggregator.bench.LatencyMeasures.WindowMeasures;
import com.salesaggregator.codec.DecodeResult;
import com.salesaggregator.codec.EventCodec;
import com.salesaggregator.model.OnlineOrder;
import com.salesaggregator.model.ReceiptLine;
import com.salesaggregator.model.StoreReceipt;
import com.salesaggregator.seeder.SalesGenerator;
import com.salesaggregator.seeder.Seeder;
import com.salesaggregator.seeder.SeederMetrics;
import com.salesaggregator.seeder.SeederRunner;
import com.salesaggregator.topics.Topic;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * End-to-end latency in streaming mode, side by side: the production job (unbounded sources, every
 * option at its default) and then the Kafka Streams peer (committing at the job's checkpoint
 * interval), each on fresh topics of its own, fed by the seeder paced at a fixed rate with event
 * time following the wall clock, while a {@code read_committed} reader notes when each result
 * becomes visible. {@link LatencyMeasures} says what is measured from that; the job's checkpoint
 * durations in the measured period come from the REST API.
 */
final class Latency {

    /** The latency percentiles per contender and output, as Markdown and CSV rows. */
    record Report(String markdown, String csv) {}

    /**
     * A contender run unbounded for a latency measurement: started on the run's topics, read until
     * it has caught up with the feed, then stopped.
     */
    interface Subject {
        /** Short name, also in topic names and the CSV. */
        String id();

        /** As the report names it. */
        String label();

        /** The outputs it publishes (logical names). */
        List<String> outputs();

        /** The consumer group whose committed offsets on the sales topics say what it has read. */
        String groupId();

        /** How often its results become visible (checkpoint or commit interval). */
        Duration commitInterval();

        /**
         * Whether a windowed result without the {@code final} field is the window's final figure
         * (published once the window has closed), rather than one of its updates.
         */
        boolean missingFinalMeansFinal();

        /** Starts it on the topics named with {@code prefix}, writing to {@code outputs}. */
        void start(String prefix, Outputs outputs) throws Exception;

        /** Its checkpoints triggered between the two times, or null where it has none. */
        FlinkCluster.CheckpointHistory checkpoints(long from, long to) throws Exception;

        /**
         * Writes what the REST API says of its checkpoints (per task: alignment, synchronous and
         * asynchronous parts) to {@code file}, for a closer look; nothing where it has none.
         */
        default void writeCheckpointDetails(java.nio.file.Path file) throws Exception {}

        void stop() throws Exception;
    }

    /**
     * Results are measured from this long after the start ({@code latency-warmup}, 60 s by
     * default): by then the job has read the catalog and its first watermarks have passed.
     */
    private final Duration settle;

    /**
     * Sales keep coming this long after the measured period, so that every window ending in it can
     * close (out-of-orderness 30 s, and the reference watermark) and be published.
     */
    private static final Duration DRAIN = Duration.ofSeconds(60);

    private static final List<LatencyMeasures.Windowed> WINDOWED =
            List.of(
                    new LatencyMeasures.Windowed(
                            Topic.REVENUE_PER_SELLER_1M.topicName(),
                            60_000,
                            AckLog.Dimension.SELLER),
                    new LatencyMeasures.Windowed(
                            Topic.REGION_TREND_1M.topicName(), 60_000, AckLog.Dimension.REGION),
                    new LatencyMeasures.Windowed(
                            Topic.UNITS_PER_PRODUCT_5M.topicName(),
                            300_000,
                            AckLog.Dimension.PRODUCT));

    private static final List<LatencyMeasures.Total> TOTALS =
            List.of(
                    new LatencyMeasures.Total(
                            Topic.SALES_PER_REGION.topicName(), AckLog.Dimension.REGION),
                    new LatencyMeasures.Total(
                            Topic.REVENUE_PER_PRODUCT.topicName(), AckLog.Dimension.PRODUCT));

    private final BenchKafka kafka;
    private final long seed;
    private final Duration duration;
    private final java.nio.file.Path outDir;
    private final List<Phase> phases = new ArrayList<>();

    Latency(
            BenchKafka kafka,
            long seed,
            Duration warmup,
            Duration duration,
            java.nio.file.Path outDir) {
        this.kafka = kafka;
        this.seed = seed;
        this.settle = warmup;
        this.duration = duration;
        this.outDir = outDir;
    }

    /** What one subject's run measured. */
    private record Phase(
            Subject subject,
            double linesPerSecond,
            double salesPerSecond,
            long behind,
            Map<String, WindowMeasures> windows,
            Map<String, TotalMeasures> totals,
            FlinkCluster.CheckpointHistory checkpoints) {}

    /** Measures {@code subject} fed about {@code linesPerSecond}. */
    void measure(Subject subject, double linesPerSecond) throws Exception {
        String prefix = "latency-" + subject.id() + ".";
        List<String> all = new ArrayList<>(DataSet.INPUT_TOPICS);
        all.addAll(subject.outputs());
        kafka.createTopics(prefix, all);
        Outputs outputs = new Outputs(kafka, prefix, subject.outputs());
        subject.start(prefix, outputs);

        double salesPerSecond = linesPerSecond / 1.8;
        Progress.line(
                "latency: %s in streaming mode, fed %,.0f sales/s (about %,.0f lines/s) for %d s:"
                        + " %d s of warm-up, %d s measured, %d s for the last windows to close",
                subject.label(),
                salesPerSecond,
                linesPerSecond,
                settle.plus(duration).plus(DRAIN).toSeconds(),
                settle.toSeconds(),
                duration.toSeconds(),
                DRAIN.toSeconds());
        AckLog ingested = new AckLog();
        List<Seen> seen = new ArrayList<>();
        AtomicBoolean reading = new AtomicBoolean(true);
        long start = System.currentTimeMillis();
        Thread reader =
                Thread.ofPlatform()
                        .name("bench-latency-reader")
                        .start(() -> read(outputs, prefix, reading, seen));
        SeederRunner.Progress sent;
        try {
            try (Producer<byte[], byte[]> producer =
                    new AckRecorder(
                            new KafkaProducer<>(
                                    Seeder.producerProperties(kafka.bootstrapServers(), null)),
                            prefix,
                            ingested)) {
                SeederRunner runner =
                        new SeederRunner(
                                new SalesGenerator(
                                        DataSet.generatorConfig(
                                                seed, Instant.now(), salesPerSecond)),
                                producer,
                                new SeederRunner.Settings(
                                        salesPerSecond,
                                        false,
                                        0,
                                        settle.plus(duration).plus(DRAIN),
                                        Duration.ofSeconds(30)),
                                new SeederMetrics(),
                                line -> Progress.line("latency: %s", line));
                runner.run();
                sent = runner.progress();
            }
            // A contender that fell behind the feed catches up first (its late results count,
            // with their latency); the last results become visible a commit later.
            long behind = awaitCaughtUp(prefix, subject.groupId(), Duration.ofMinutes(3));
            if (behind > 0) {
                Progress.line(
                        "latency: %s is still %,d sales records behind the feed after 3 min",
                        subject.label(), behind);
            }
            Thread.sleep(subject.commitInterval().toMillis());
            reading.set(false);
            reader.join();

            long from = start + settle.toMillis();
            long to = from + duration.toMillis();
            FlinkCluster.CheckpointHistory checkpoints = subject.checkpoints(from, to);
            subject.writeCheckpointDetails(
                    outDir.resolve("latency-checkpoints-" + subject.id() + ".json"));
            AckLog lines = ingested;
            Map<String, WindowMeasures> windows = new LinkedHashMap<>();
            for (LatencyMeasures.Windowed w : WINDOWED) {
                windows.put(
                        w.output(),
                        LatencyMeasures.windowed(
                                w, seen, lines, from, to, subject.missingFinalMeansFinal()));
            }
            Map<String, TotalMeasures> totals = new LinkedHashMap<>();
            for (LatencyMeasures.Total t : TOTALS) {
                totals.put(t.output(), LatencyMeasures.total(t, seen, lines, from, to));
            }
            double seconds = sent.elapsed().toNanos() / 1e9;
            phases.add(
                    new Phase(
                            subject,
                            sent.linesSent() / seconds,
                            sent.salesPerSecond(),
                            behind,
                            windows,
                            totals,
                            checkpoints));
            Progress.line("latency: %s measured", subject.label());
        } finally {
            reading.set(false);
            reader.join();
            subject.stop();
        }
    }

    /**
     * Waits until the group has committed the sales topics to their ends, at most {@code timeout};
     * returns how many records it is still behind.
     */
    private long awaitCaughtUp(String prefix, String groupId, Duration timeout) throws Exception {
        List<TopicPartition> sales = new ArrayList<>();
        for (String topic : Topic.names(Topic.Role.SALES)) {
            sales.addAll(kafka.partitionsOf(prefix + topic, kafka.partitions(topic)));
        }
        Map<TopicPartition, Long> ends = kafka.committedEnds(sales);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Map<TopicPartition, org.apache.kafka.clients.consumer.OffsetAndMetadata> committed =
                    kafka.admin()
                            .listConsumerGroupOffsets(groupId)
                            .partitionsToOffsetAndMetadata()
                            .get(1, TimeUnit.MINUTES);
            long behind = 0;
            for (TopicPartition p : sales) {
                var at = committed.get(p);
                behind += Math.max(0, ends.get(p) - (at == null ? 0 : at.offset()));
            }
            if (behind == 0 || System.nanoTime() > deadline) {
                return behind;
            }
            Thread.sleep(500);
        }
    }

    private void read(Outputs outputs, String prefix, AtomicBoolean reading, List<Seen> seen) {
        List<TopicPartition> partitions = outputs.partitions();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(kafka.consumerProps())) {
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            while (reading.get()) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(100));
                long now = System.currentTimeMillis();
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    seen.add(
                            new Seen(
                                    now,
                                    r.topic().substring(prefix.length()),
                                    r.key() == null
                                            ? ""
                                            : new String(r.key(), StandardCharsets.UTF_8),
                                    r.value()));
                }
            }
        }
    }

    /** The side-by-side report of every subject measured. */
    Report report() {
        StringBuilder md = new StringBuilder();
        StringBuilder csv = new StringBuilder();
        if (phases.isEmpty()) {
            return new Report("", "");
        }
        md.append(
                String.format(
                        Locale.ROOT,
                        "Latency in streaming mode: each contender on topics of its own, fed by the"
                                + " seeder (in the same JVM) with event time following the wall"
                                + " clock; results of the %d s after a %d s warm-up (the feed goes"
                                + " on for %d s more, so that their windows can close), seen by a"
                                + " read_committed reader. Results become visible at a commit:"
                                + " %s.%n%n",
                        duration.toSeconds(),
                        settle.toSeconds(),
                        DRAIN.toSeconds(),
                        String.join("; ", phases.stream().map(Latency::feed).toList())));
        md.append("| output | measure");
        StringBuilder rule = new StringBuilder("|---|---");
        for (Phase p : phases) {
            md.append(" | ")
                    .append(p.subject().label())
                    .append(": measured | p50 s | p99 s | max s");
            rule.append("|---:|---:|---:|---:");
        }
        md.append(" |\n").append(rule).append("|\n");
        for (LatencyMeasures.Windowed w : WINDOWED) {
            row(
                    md,
                    csv,
                    w.output(),
                    "first visible, per sale",
                    "sales (key-windows, window ends)",
                    p -> p.windows().get(w.output()).firstVisible());
            row(
                    md,
                    csv,
                    w.output(),
                    "final, per window",
                    "key-windows (window ends)",
                    p -> p.windows().get(w.output()).fin());
        }
        for (LatencyMeasures.Total t : TOTALS) {
            row(
                    md,
                    csv,
                    t.output(),
                    "running total, per figure",
                    "figures (keys)",
                    p -> p.totals().get(t.output()).perFigure());
            row(
                    md,
                    csv,
                    t.output(),
                    "running total, per sale",
                    "sales (keys)",
                    p -> p.totals().get(t.output()).firstVisible());
        }
        md.append('\n');
        for (Phase p : phases) {
            for (LatencyMeasures.Windowed w : WINDOWED) {
                WindowMeasures m = p.windows().get(w.output());
                if (!m.finalField().equals("present")) {
                    md.append(
                            String.format(
                                    Locale.ROOT,
                                    "%s, %s: field `final` %s.%n",
                                    p.subject().label(),
                                    w.output(),
                                    m.finalField()));
                }
            }
            FlinkCluster.CheckpointHistory c = p.checkpoints();
            if (c != null) {
                md.append(
                        String.format(
                                Locale.ROOT,
                                "%s: %d checkpoints triggered in the measured period, end to end"
                                        + " p50 %s ms, p99 %s ms, max %s ms; checkpointed size"
                                        + " p50 %s MiB (full state p50 %s MiB).%n",
                                p.subject().label(),
                                c.durations().length,
                                text(c.percentile(c.durations(), 50)),
                                text(c.percentile(c.durations(), 99)),
                                text(c.percentile(c.durations(), 100)),
                                mib(c.percentile(c.checkpointedBytes(), 50)),
                                mib(c.percentile(c.stateBytes(), 50))));
                csv.append(
                        String.format(
                                Locale.ROOT,
                                "latency-checkpoints:%s,%d,,,,,,,,,%s,%s,%n",
                                p.subject().id(),
                                c.durations().length,
                                text(c.percentile(c.durations(), 50)),
                                text(c.percentile(c.durations(), 99))));
            }
        }
        md.append(
                "\n"
                    + "First visible, per sale: the first result of the sale's key (and window)"
                    + " whose units reach the key's cumulative units up to the sale, in the order"
                    + " the broker acknowledged the sales, minus the sale's acknowledgement (a"
                    + " provisional figure where the output publishes them). Final, per window: the"
                    + " first result marked final (or the first result where the field is missing"
                    + " and the contender publishes a window once closed) minus the window end."
                    + " Running total, per figure: each total seen minus the acknowledgement of the"
                    + " newest sale it includes. Unmatched: sales or windows of the measured period"
                    + " for which no such result was seen by the end.\n");
        return new Report(md.toString(), csv.toString());
    }

    private static String feed(Phase p) {
        return String.format(
                Locale.ROOT,
                "%s fed %,.0f lines/s, commits every %d s%s",
                p.subject().label(),
                p.linesPerSecond(),
                p.subject().commitInterval().toSeconds(),
                p.behind() > 0
                        ? String.format(
                                Locale.ROOT, " (still %,d records behind after 3 min)", p.behind())
                        : "");
    }

    private void row(
            StringBuilder md,
            StringBuilder csv,
            String output,
            String measure,
            String counted,
            java.util.function.Function<Phase, Measure> of) {
        md.append("| ")
                .append(output)
                .append(" | ")
                .append(measure)
                .append("; n = ")
                .append(counted);
        for (Phase p : phases) {
            Measure m = of.apply(p);
            if (!m.measured()) {
                md.append(" | - | - | - | -");
                continue;
            }
            String count =
                    counted.startsWith("sales (key-windows")
                            ? String.format(
                                    Locale.ROOT,
                                    "%,d (%,d, %,d)",
                                    m.values().length,
                                    m.windows(),
                                    m.windowEnds())
                            : counted.startsWith("key-windows")
                                    ? String.format(
                                            Locale.ROOT,
                                            "%,d (%,d)",
                                            m.values().length,
                                            m.windowEnds())
                                    : String.format(
                                            Locale.ROOT,
                                            "%,d (%,d)",
                                            m.values().length,
                                            m.windows());
            if (m.unmatched() > 0) {
                count += String.format(Locale.ROOT, ", %,d unmatched", m.unmatched());
            }
            md.append(" | ")
                    .append(count)
                    .append(" | ")
                    .append(seconds(m.percentile(50)))
                    .append(" | ")
                    .append(seconds(m.percentile(99)))
                    .append(" | ")
                    .append(seconds(m.max()));
            csv.append(
                    String.format(
                            Locale.ROOT,
                            "latency:%s:%s:%s,%d,,,,,,,,,%s,%s,%n",
                            p.subject().id(),
                            output,
                            measure.replace(", ", "-").replace(' ', '-'),
                            m.values().length,
                            text(m.percentile(50)),
                            text(m.percentile(99))));
        }
        md.append(" |\n");
    }

    private static String seconds(Long millis) {
        return millis == null ? "-" : String.format(Locale.ROOT, "%.1f", millis / 1000.0);
    }

    private static String text(Long value) {
        return value == null ? "" : String.valueOf(value);
    }

    private static String mib(Long bytes) {
        return bytes == null ? "-" : String.format(Locale.ROOT, "%.1f", bytes / 1048576.0);
    }

    /**
     * The seeder's producer, noting when the broker acknowledged each sale line that will count (a
     * resend, repeating an id already sent, counts nowhere) and when each product was delisted.
     * Topics get the run's prefix.
     */
    private static final class AckRecorder implements Producer<byte[], byte[]> {
        private final Producer<byte[], byte[]> delegate;
        private final String prefix;
        private final AckLog ingested;
        private final EventCodec codec = EventCodec.withDefaults();
        private final Set<String> sentIds = new HashSet<>();

        AckRecorder(Producer<byte[], byte[]> delegate, String prefix, AckLog ingested) {
            this.delegate = delegate;
            this.prefix = prefix;
            this.ingested = ingested;
        }

        @Override
        public Future<RecordMetadata> send(
                ProducerRecord<byte[], byte[]> record, Callback callback) {
            List<Line> lines = lines(record);
            if (record.topic().equals(Topic.PRODUCTS.topicName())
                    && record.value() == null
                    && record.key() != null
                    && record.timestamp() != null) {
                ingested.delisted(
                        new String(record.key(), StandardCharsets.UTF_8), record.timestamp());
            }
            ProducerRecord<byte[], byte[]> renamed =
                    new ProducerRecord<>(
                            prefix + record.topic(),
                            record.partition(),
                            record.timestamp(),
                            record.key(),
                            record.value(),
                            record.headers());
            return delegate.send(
                    renamed,
                    (metadata, exception) -> {
                        if (exception == null) {
                            long now = System.currentTimeMillis();
                            for (Line line : lines) {
                                ingested.add(
                                        now,
                                        line.eventTime(),
                                        line.sellerId(),
                                        line.region(),
                                        line.productId(),
                                        line.quantity());
                            }
                        }
                        callback.onCompletion(metadata, exception);
                    });
        }

        /** A sale line about to be sent. */
        private record Line(
                long eventTime, String sellerId, String region, String productId, int quantity) {}

        private List<Line> lines(ProducerRecord<byte[], byte[]> record) {
            List<Line> lines = new ArrayList<>();
            if (record.topic().equals(Topic.SALES_ONLINE.topicName())) {
                DecodeResult<OnlineOrder> r = codec.decodeOrder(record.value());
                if (r.isAccepted() && sentIds.add("o:" + r.event().orderId())) {
                    OnlineOrder o = r.event();
                    lines.add(
                            new Line(
                                    o.eventTime().toEpochMilli(),
                                    o.sellerId(),
                                    o.region(),
                                    o.productId(),
                                    o.quantity()));
                }
            } else if (record.topic().equals(Topic.SALES_STORE.topicName())) {
                DecodeResult<StoreReceipt> r = codec.decodeReceipt(record.value());
                if (r.isAccepted() && sentIds.add("r:" + r.event().receiptId())) {
                    StoreReceipt receipt = r.event();
                    for (ReceiptLine l : receipt.lines()) {
                        lines.add(
                                new Line(
                                        receipt.eventTime().toEpochMilli(),
                                        receipt.sellerId(),
                                        receipt.region(),
                                        l.productId(),
                                        l.quantity()));
                    }
                }
            }
            return lines;
        }

        @Override
        public Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record) {
            return send(record, (m, e) -> {});
        }

        @Override
        public void flush() {
            delegate.flush();
        }

        @Override
        public void close() {
            delegate.close();
        }

        @Override
        public void close(Duration timeout) {
            delegate.close(timeout);
        }

        // The seeder uses none of the rest.
        @Override
        public void initTransactions() {
            throw new UnsupportedOperationException();
        }

        @Override
        public void beginTransaction() {
            throw new UnsupportedOperationException();
        }

        @Override
        public void sendOffsetsToTransaction(
                Map<TopicPartition, org.apache.kafka.clients.consumer.OffsetAndMetadata> offsets,
                org.apache.kafka.clients.consumer.ConsumerGroupMetadata groupMetadata) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void commitTransaction() {
            throw new UnsupportedOperationException();
        }

        @Override
        public void abortTransaction() {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<org.apache.kafka.common.PartitionInfo> partitionsFor(String topic) {
            return delegate.partitionsFor(prefix + topic);
        }

        @Override
        public Map<org.apache.kafka.common.MetricName, ? extends org.apache.kafka.common.Metric>
                metrics() {
            return delegate.metrics();
        }

        @Override
        public void registerMetricForSubscription(
                org.apache.kafka.common.metrics.KafkaMetric metric) {}

        @Override
        public void unregisterMetricFromSubscription(
                org.apache.kafka.common.metrics.KafkaMetric metric) {}

        @Override
        public org.apache.kafka.common.Uuid clientInstanceId(Duration timeout) {
            return delegate.clientInstanceId(timeout);
        }
    }
}

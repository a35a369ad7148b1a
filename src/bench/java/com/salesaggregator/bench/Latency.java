package com.salesaggregator.bench;

import com.salesaggregator.codec.DecodeResult;
import com.salesaggregator.codec.EventCodec;
import com.salesaggregator.job.JobConfig;
import com.salesaggregator.job.JobEnvironment;
import com.salesaggregator.job.KafkaConnectors;
import com.salesaggregator.job.SalesAggregationJob;
import com.salesaggregator.job.SalesTopology;
import com.salesaggregator.model.OnlineOrder;
import com.salesaggregator.model.ReceiptLine;
import com.salesaggregator.model.StoreReceipt;
import com.salesaggregator.seeder.SalesGenerator;
import com.salesaggregator.seeder.Seeder;
import com.salesaggregator.seeder.SeederMetrics;
import com.salesaggregator.seeder.SeederRunner;
import com.salesaggregator.topics.Topics;
import com.salesaggregator.verify.OutputFormat;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
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
 * The job's end-to-end latency in streaming mode: the production job (unbounded sources, every
 * option at its default) on fresh topics, fed by the seeder paced at a fixed rate (half the job's
 * measured throughput, event time following the wall clock), while a {@code read_committed} reader
 * notes when each result becomes visible.
 *
 * <ul>
 *   <li>Windowed outputs: seen minus window end, for the first result of each window.
 *   <li>Running totals: seen minus the time the broker acknowledged the newest sale line the total
 *       includes (the line at which the cumulative units of its key, in acknowledgement order,
 *       reach the published total).
 * </ul>
 */
final class Latency {

    /** The latency percentiles per output, as Markdown and CSV rows. */
    record Report(String markdown, String csv) {}

    /**
     * Results are measured from this long after the start: by then the job has read the catalog and
     * its first watermarks have passed (the initial catalog, valid from an hour before the first
     * sale, holds the watermark back until its partitions go idle, a minute in).
     */
    private static final Duration SETTLE = Duration.ofSeconds(60);

    /**
     * Sales keep coming this long after the measured period, so that every window ending in it can
     * close: windows close when the watermark of every input has passed them, and FX rates (a
     * version every 30 s, 30 s of out-of-orderness) hold it back by up to a minute.
     */
    private static final Duration DRAIN = Duration.ofSeconds(60);

    private final BenchKafka kafka;
    private final FlinkCluster flink;
    private final int parallelism;
    private final long seed;
    private volatile boolean reading = true;

    Latency(BenchKafka kafka, FlinkCluster flink, int parallelism, long seed) {
        this.kafka = kafka;
        this.flink = flink;
        this.parallelism = parallelism;
        this.seed = seed;
    }

    /** A sale line acknowledged by the broker at {@code ackedAt}. */
    private record Ingested(long ackedAt, String region, String productId, int quantity) {}

    /** A result a read_committed reader saw at {@code seenAt}. */
    private record Seen(long seenAt, String topic, String key, byte[] value) {}

    Report run(double linesPerSecond, Duration duration) throws Exception {
        String prefix = "latency.";
        List<String> all = new ArrayList<>(DataSet.INPUT_TOPICS);
        all.addAll(Outputs.JOB_OUTPUTS);
        kafka.createTopics(prefix, all);
        Outputs outputs = new Outputs(kafka, prefix, Outputs.JOB_OUTPUTS);
        Map<String, String> options = JobContender.options(kafka, "latency", outputs);
        for (String input : DataSet.INPUT_TOPICS) {
            options.put(JobConfig.TOPIC_PREFIX + input, prefix + input);
        }
        JobConfig config = JobContender.config(options);
        StreamExecutionEnvironment env = flink.environment(parallelism);
        JobEnvironment.configure(env, config);
        SalesTopology.build(
                KafkaConnectors.sources(env, config), KafkaConnectors.sinks(config), config);
        JobClient job = env.executeAsync(SalesAggregationJob.NAME + " latency");

        double salesPerSecond = linesPerSecond / 1.8;
        Progress.line(
                "latency: the job in streaming mode, fed %,.0f sales/s (about %,.0f lines/s) for"
                        + " %d s: %d s of warm-up, %d s measured, %d s for the last windows to"
                        + " close",
                salesPerSecond,
                linesPerSecond,
                SETTLE.plus(duration).plus(DRAIN).toSeconds(),
                SETTLE.toSeconds(),
                duration.toSeconds(),
                DRAIN.toSeconds());
        ConcurrentLinkedQueue<Ingested> ingested = new ConcurrentLinkedQueue<>();
        List<Seen> seen = new ArrayList<>();
        long start = System.currentTimeMillis();
        Thread reader =
                Thread.ofPlatform().name("bench-latency-reader").start(() -> read(outputs, seen));
        SeederRunner.Progress sent;
        try (Producer<byte[], byte[]> producer =
                new AckRecorder(
                        new KafkaProducer<>(
                                Seeder.producerProperties(kafka.bootstrapServers(), null)),
                        prefix,
                        ingested)) {
            SeederRunner runner =
                    new SeederRunner(
                            new SalesGenerator(
                                    DataSet.generatorConfig(seed, Instant.now(), salesPerSecond)),
                            producer,
                            new SeederRunner.Settings(
                                    salesPerSecond,
                                    false,
                                    0,
                                    SETTLE.plus(duration).plus(DRAIN),
                                    Duration.ofSeconds(30)),
                            new SeederMetrics(),
                            line -> Progress.line("latency: %s", line));
            runner.run();
            sent = runner.progress();
        }
        // The measured period; the drain after it is not measured.
        long end = start + SETTLE.plus(duration).toMillis();
        // A job that fell behind the feed catches up first (its late results count, with their
        // latency); the last results become visible a checkpoint later.
        long behind = awaitCaughtUp(prefix, "bench-latency", Duration.ofMinutes(3));
        if (behind > 0) {
            Progress.line(
                    "latency: the job is still %,d sales records behind the feed after 3 min",
                    behind);
        }
        // Offsets and outputs are committed by the same checkpoint; one interval more covers the
        // commit of the results of the last lines read.
        Thread.sleep(config.checkpointInterval().toMillis());
        reading = false;
        reader.join();
        job.cancel().get(1, TimeUnit.MINUTES);

        Map<String, List<Long>> latencies = new LinkedHashMap<>();
        long from = start + SETTLE.toMillis();
        long lastWindowEnd = end;
        windowLatencies(
                seen,
                prefix + Topics.REVENUE_PER_SELLER_1M,
                60_000,
                from,
                lastWindowEnd,
                latencies);
        windowLatencies(
                seen, prefix + Topics.REGION_TREND_1M, 60_000, from, lastWindowEnd, latencies);
        windowLatencies(
                seen,
                prefix + Topics.UNITS_PER_PRODUCT_5M,
                300_000,
                from,
                lastWindowEnd,
                latencies);
        totalLatencies(
                seen,
                prefix + Topics.SALES_PER_REGION,
                new ArrayList<>(ingested),
                Ingested::region,
                from,
                end,
                latencies);
        totalLatencies(
                seen,
                prefix + Topics.REVENUE_PER_PRODUCT,
                new ArrayList<>(ingested),
                Ingested::productId,
                from,
                end,
                latencies);
        return report(latencies, sent, duration, config.checkpointInterval());
    }

    /**
     * Waits until the job's consumer group has committed the sales topics to their ends (it commits
     * on checkpoints), at most {@code timeout}; returns how many records it is still behind.
     */
    private long awaitCaughtUp(String prefix, String groupId, Duration timeout) throws Exception {
        List<TopicPartition> sales = new ArrayList<>();
        for (String topic : List.of(Topics.SALES_ONLINE, Topics.SALES_STORE)) {
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

    private void read(Outputs outputs, List<Seen> seen) {
        List<TopicPartition> partitions = outputs.partitions();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(kafka.consumerProps())) {
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            while (reading) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(100));
                long now = System.currentTimeMillis();
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    seen.add(
                            new Seen(
                                    now,
                                    r.topic(),
                                    new String(r.key(), StandardCharsets.UTF_8),
                                    r.value()));
                }
            }
        }
    }

    /** Seen minus window end, for the first final result of each window ending in the range. */
    private static void windowLatencies(
            List<Seen> seen,
            String topic,
            long windowMillis,
            long from,
            long lastWindowEnd,
            Map<String, List<Long>> latencies)
            throws Exception {
        Set<String> first = new HashSet<>();
        List<Long> values = new ArrayList<>();
        for (Seen s : seen) {
            if (!s.topic().equals(topic)
                    || !OutputFormat.JSON.readTree(s.value()).path(OutputFormat.FINAL).asBoolean()
                    || !first.add(s.key())) {
                continue;
            }
            long windowStart =
                    Instant.parse(s.key().substring(s.key().indexOf('@') + 1)).toEpochMilli();
            long windowEnd = windowStart + windowMillis;
            if (windowEnd >= from && windowEnd <= lastWindowEnd) {
                values.add(s.seenAt() - windowEnd);
            }
        }
        latencies.put(topic.substring(topic.indexOf('.') + 1), values);
    }

    /**
     * Seen minus the acknowledgement of the line at which the key's cumulative units reach the
     * published total.
     */
    private static void totalLatencies(
            List<Seen> seen,
            String topic,
            List<Ingested> ingested,
            Function<Ingested, String> key,
            long from,
            long end,
            Map<String, List<Long>> latencies)
            throws Exception {
        ingested.sort(Comparator.comparingLong(Ingested::ackedAt));
        Map<String, List<long[]>> cumulative = new HashMap<>();
        Map<String, Long> units = new HashMap<>();
        for (Ingested i : ingested) {
            long total = units.merge(key.apply(i), (long) i.quantity(), Long::sum);
            cumulative
                    .computeIfAbsent(key.apply(i), k -> new ArrayList<>())
                    .add(new long[] {total, i.ackedAt()});
        }
        List<Long> values = new ArrayList<>();
        for (Seen s : seen) {
            if (!s.topic().equals(topic) || s.seenAt() < from || s.seenAt() > end) {
                continue;
            }
            long total = OutputFormat.JSON.readTree(s.value()).path("units").asLong();
            List<long[]> steps = cumulative.get(s.key());
            if (steps == null) {
                continue;
            }
            int lo = 0;
            int hi = steps.size() - 1;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (steps.get(mid)[0] >= total) {
                    hi = mid;
                } else {
                    lo = mid + 1;
                }
            }
            if (steps.get(lo)[0] >= total) {
                values.add(s.seenAt() - steps.get(lo)[1]);
            }
        }
        latencies.put(topic.substring(topic.indexOf('.') + 1), values);
    }

    private static Report report(
            Map<String, List<Long>> latencies,
            SeederRunner.Progress sent,
            Duration duration,
            Duration checkpointInterval) {
        StringBuilder md = new StringBuilder();
        md.append(
                String.format(
                        Locale.ROOT,
                        "Latency of the job in streaming mode, fed %,.0f lines/s (%,.0f sales/s):"
                                + " results of the %d s after a %d s warm-up (the feed goes on for"
                                + " %d s more, so that their windows can close). Checkpoints (and"
                                + " commits) every %d s; out-of-orderness 30 s. Windowed outputs:"
                                + " seen by a read_committed reader minus window end. Running"
                                + " totals: seen minus broker acknowledgement of the newest line"
                                + " included.%n%n",
                        sent.linesSent() / (sent.elapsed().toNanos() / 1e9),
                        sent.salesPerSecond(),
                        duration.toSeconds(),
                        SETTLE.toSeconds(),
                        DRAIN.toSeconds(),
                        checkpointInterval.toSeconds()));
        md.append("| output | results | p50 s | p99 s | max s |\n|---|---:|---:|---:|---:|\n");
        StringBuilder csv = new StringBuilder();
        latencies.forEach(
                (output, values) -> {
                    List<Long> sorted = new ArrayList<>(values);
                    sorted.sort(Long::compare);
                    md.append(
                            String.format(
                                    Locale.ROOT,
                                    "| %s | %,d | %s | %s | %s |%n",
                                    output,
                                    sorted.size(),
                                    seconds(percentile(sorted, 50)),
                                    seconds(percentile(sorted, 99)),
                                    seconds(sorted.isEmpty() ? null : sorted.getLast())));
                    csv.append(
                            String.format(
                                    Locale.ROOT,
                                    "latency:%s,%d,,,,,,,,,%s,%s,%n",
                                    output,
                                    sorted.size(),
                                    millis(percentile(sorted, 50)),
                                    millis(percentile(sorted, 99))));
                });
        return new Report(md.toString(), csv.toString());
    }

    private static Long percentile(List<Long> sorted, int p) {
        if (sorted.isEmpty()) {
            return null;
        }
        int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }

    private static String seconds(Long millis) {
        return millis == null ? "-" : String.format(Locale.ROOT, "%.1f", millis / 1000.0);
    }

    private static String millis(Long millis) {
        return millis == null ? "" : String.valueOf(millis);
    }

    /**
     * The seeder's producer, noting when the broker acknowledged each sale line that will count (a
     * resend, repeating an id already sent, counts nowhere). Topics get the run's prefix.
     */
    private static final class AckRecorder implements Producer<byte[], byte[]> {
        private final Producer<byte[], byte[]> delegate;
        private final String prefix;
        private final ConcurrentLinkedQueue<Ingested> ingested;
        private final EventCodec codec = EventCodec.withDefaults();
        private final Set<String> sentIds = new HashSet<>();

        AckRecorder(
                Producer<byte[], byte[]> delegate,
                String prefix,
                ConcurrentLinkedQueue<Ingested> ingested) {
            this.delegate = delegate;
            this.prefix = prefix;
            this.ingested = ingested;
        }

        @Override
        public Future<RecordMetadata> send(
                ProducerRecord<byte[], byte[]> record, Callback callback) {
            List<Ingested> lines = lines(record);
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
                            for (Ingested line : lines) {
                                ingested.add(
                                        new Ingested(
                                                now,
                                                line.region(),
                                                line.productId(),
                                                line.quantity()));
                            }
                        }
                        callback.onCompletion(metadata, exception);
                    });
        }

        private List<Ingested> lines(ProducerRecord<byte[], byte[]> record) {
            List<Ingested> lines = new ArrayList<>();
            if (record.topic().equals(Topics.SALES_ONLINE)) {
                DecodeResult<OnlineOrder> r = codec.decodeOrder(record.value());
                if (r.isAccepted() && sentIds.add("o:" + r.event().orderId())) {
                    OnlineOrder o = r.event();
                    lines.add(new Ingested(0, o.region(), o.productId(), o.quantity()));
                }
            } else if (record.topic().equals(Topics.SALES_STORE)) {
                DecodeResult<StoreReceipt> r = codec.decodeReceipt(record.value());
                if (r.isAccepted() && sentIds.add("r:" + r.event().receiptId())) {
                    for (ReceiptLine l : r.event().lines()) {
                        lines.add(new Ingested(0, r.event().region(), l.productId(), l.quantity()));
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

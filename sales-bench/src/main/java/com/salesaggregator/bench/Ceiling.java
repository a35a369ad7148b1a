package com.salesaggregator.bench;

import com.salesaggregator.codec.DecodeResult;
import com.salesaggregator.codec.EventCodec;
import com.salesaggregator.model.OnlineOrder;
import com.salesaggregator.model.StoreReceipt;
import com.salesaggregator.topics.Topic;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * The consume-and-parse ceiling: plain {@link KafkaConsumer} loops that read every sale record of
 * the data set ({@code read_committed}, the consumer's defaults) and decode it with the project's
 * codec, then discard it. No contender can publish figures faster than it can do this, on the same
 * broker and in the same JVM.
 */
final class Ceiling {

    private final BenchKafka kafka;
    private final int threads;

    Ceiling(BenchKafka kafka, int threads) {
        this.kafka = kafka;
        this.threads = threads;
    }

    String name() {
        return "ceiling, " + threads + (threads == 1 ? " thread" : " threads");
    }

    /** What the loops decoded: lines of accepted records, and rejected records. */
    record Decoded(long lines, long rejected) {}

    Result run(DataSet data) throws Exception {
        List<TopicPartition> partitions = new ArrayList<>();
        partitions.addAll(
                kafka.partitionsOf(
                        Topic.SALES_ONLINE.topicName(),
                        kafka.partitions(Topic.SALES_ONLINE.topicName())));
        partitions.addAll(
                kafka.partitionsOf(
                        Topic.SALES_STORE.topicName(),
                        kafka.partitions(Topic.SALES_STORE.topicName())));
        Map<TopicPartition, Long> ends = kafka.committedEnds(partitions);
        List<List<TopicPartition>> shares = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            shares.add(new ArrayList<>());
        }
        for (int i = 0; i < partitions.size(); i++) {
            shares.get(i % threads).add(partitions.get(i));
        }

        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            Meter meter = Meter.start();
            List<Future<Decoded>> futures = new ArrayList<>();
            for (List<TopicPartition> share : shares) {
                futures.add(pool.submit(() -> consume(share, ends)));
            }
            long lines = 0;
            long rejected = 0;
            for (Future<Decoded> f : futures) {
                Decoded d = f.get();
                lines += d.lines();
                rejected += d.rejected();
            }
            Meter.Cost cost = meter.stop();
            // The ceiling publishes no figures; it is right if it decoded what the reference
            // model decoded.
            long expectedLines = data.decodedLines();
            List<String> problems = new ArrayList<>();
            if (rejected != data.rejectedRecords()) {
                problems.add(
                        "rejected " + rejected + " records, expected " + data.rejectedRecords());
            }
            if (lines != expectedLines) {
                problems.add("decoded " + lines + " lines, expected " + expectedLines);
            }
            return Result.of(cost, problems, null);
        } finally {
            pool.shutdownNow();
        }
    }

    private Decoded consume(List<TopicPartition> share, Map<TopicPartition, Long> ends) {
        EventCodec codec = EventCodec.withDefaults();
        long lines = 0;
        long rejected = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(kafka.consumerProps())) {
            consumer.assign(share);
            consumer.seekToBeginning(share);
            List<TopicPartition> open = new ArrayList<>(share);
            while (!open.isEmpty()) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.topic().equals(Topic.SALES_ONLINE.topicName())) {
                        DecodeResult<OnlineOrder> order =
                                codec.decodeOrder(r.value(), r.timestamp());
                        if (order.isAccepted()) {
                            lines++;
                        } else {
                            rejected++;
                        }
                    } else {
                        DecodeResult<StoreReceipt> receipt =
                                codec.decodeReceipt(r.value(), r.timestamp());
                        if (receipt.isAccepted()) {
                            lines += receipt.event().lines().size();
                        } else {
                            rejected++;
                        }
                    }
                }
                open.removeIf(p -> consumer.position(p) >= ends.get(p));
            }
        }
        return new Decoded(lines, rejected);
    }
}

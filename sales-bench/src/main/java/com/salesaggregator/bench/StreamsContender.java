package com.salesaggregator.bench;

import com.salesaggregator.bench.streams.SalesStreamsTopology;
import com.salesaggregator.job.JobEnvironment;
import com.salesaggregator.topics.Topic;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The Kafka Streams peer ({@link SalesStreamsTopology}) on the data set, with {@code
 * exactly_once_v2}: one application (and state directory) per run, as many stream threads as the
 * job's parallelism. Kafka Streams has no bounded mode: the run ends when the application's group
 * has committed every input and repartition partition to its end and no output transaction is open,
 * which is when its last output was committed.
 */
final class StreamsContender {

    /**
     * Windows accept records this far behind stream time: the event-time span of the replayed
     * backlog, plus an hour. Kafka Streams has no watermarks; a window closes when stream time (the
     * newest timestamp its task has seen) passes its end plus the grace. Replaying a backlog, the
     * upstream tasks read their partitions at uneven speeds, so records of a minute can reach a
     * window long after another partition's records have moved stream time on, by up to the whole
     * backlog (with a grace of an hour, half the windows of a 3-hour backlog lost records). A
     * careful user replaying a backlog sizes the grace to it; the data set has no late lines, so
     * nothing should be dropped.
     */
    static Duration grace(DataSet data) {
        return data.eventSpan().plus(Duration.ofHours(1));
    }

    private final BenchKafka kafka;
    private final int threads;
    private final Path stateDir;

    StreamsContender(BenchKafka kafka, int threads, Path stateDir) {
        this.kafka = kafka;
        this.threads = threads;
        this.stateDir = stateDir;
    }

    Result run(String runId, DataSet data, Duration limit) throws Exception {
        Outputs outputs = new Outputs(kafka, runId + ".", Outputs.AGGREGATES).create();
        String appId = "bench-" + runId;
        StreamsBuilder builder = new StreamsBuilder();
        SalesStreamsTopology.build(
                builder,
                new SalesStreamsTopology.Topics(
                        Topic.SALES_ONLINE.topicName(),
                        Topic.SALES_STORE.topicName(),
                        Topic.PRODUCTS.topicName(),
                        Topic.FX_RATES.topicName(),
                        outputs.topic(Topic.REVENUE_PER_SELLER_1M.topicName()),
                        outputs.topic(Topic.UNITS_PER_PRODUCT_5M.topicName()),
                        outputs.topic(Topic.REVENUE_PER_PRODUCT.topicName()),
                        outputs.topic(Topic.SALES_PER_REGION.topicName()),
                        outputs.topic(Topic.REGION_TREND_1M.topicName())),
                grace(data));
        Properties props = properties(appId, runId, JobEnvironment.CHECKPOINT_INTERVAL);
        KafkaStreams streams = new KafkaStreams(builder.build(props), props);
        try {
            Meter meter = Meter.start();
            streams.start();
            if (!awaitDone(
                    streams, appId, outputs, limit == null ? Duration.ofMinutes(30) : limit)) {
                if (limit != null) {
                    meter.discard();
                    return null;
                }
                throw new IllegalStateException("Kafka Streams did not finish within 30 minutes");
            }
            Meter.Cost cost = meter.stop();
            streams.close(Duration.ofSeconds(30));
            return Result.of(cost, outputs.check(data.expected(), 0), null);
        } finally {
            streams.close(Duration.ofSeconds(30));
            streams.cleanUp();
        }
    }

    /**
     * The application's settings: {@code exactly_once_v2}, one stream thread per parallel subtask
     * of the job, and results committed at the job's cadence (its checkpoint interval):
     * exactly-once output becomes visible at a commit in both, so both are measured at the same
     * freshness. The exactly-once default (100 ms) would commit a transaction 100 times as often.
     */
    private Properties properties(String appId, String runId, Duration commitInterval) {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, appId);
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, threads);
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.resolve(runId).toString());
        props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, 1);
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, commitInterval.toMillis());
        props.put(
                StreamsConfig.producerPrefix(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG),
                (int) commitInterval.multipliedBy(6).toMillis());
        props.put(
                StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
        // The same producer settings as the job's sinks.
        props.put(StreamsConfig.producerPrefix(ProducerConfig.COMPRESSION_TYPE_CONFIG), "lz4");
        props.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), 10);
        return props;
    }

    /**
     * The peer unbounded for a latency run, committing at {@code commitInterval} (the job's
     * checkpoint interval). Its windows accept records 5 minutes behind stream time: the feed is
     * live, not a backlog, and every window is published as it grows (no suppression), so the grace
     * decides only what is dropped, not when results appear.
     */
    Latency.Subject unbounded(Duration commitInterval) {
        String runId = "latency-streams";
        String appId = "bench-" + runId;
        return new Latency.Subject() {
            private KafkaStreams streams;

            @Override
            public String id() {
                return "streams";
            }

            @Override
            public String label() {
                return "Kafka Streams peer";
            }

            @Override
            public List<String> outputs() {
                return Outputs.AGGREGATES;
            }

            @Override
            public String groupId() {
                return appId;
            }

            @Override
            public Duration commitInterval() {
                return commitInterval;
            }

            @Override
            public boolean missingFinalMeansFinal() {
                return false;
            }

            @Override
            public void start(String prefix, Outputs outputs) {
                StreamsBuilder builder = new StreamsBuilder();
                SalesStreamsTopology.build(
                        builder,
                        new SalesStreamsTopology.Topics(
                                prefix + Topic.SALES_ONLINE.topicName(),
                                prefix + Topic.SALES_STORE.topicName(),
                                prefix + Topic.PRODUCTS.topicName(),
                                prefix + Topic.FX_RATES.topicName(),
                                outputs.topic(Topic.REVENUE_PER_SELLER_1M.topicName()),
                                outputs.topic(Topic.UNITS_PER_PRODUCT_5M.topicName()),
                                outputs.topic(Topic.REVENUE_PER_PRODUCT.topicName()),
                                outputs.topic(Topic.SALES_PER_REGION.topicName()),
                                outputs.topic(Topic.REGION_TREND_1M.topicName())),
                        Duration.ofMinutes(5));
                Properties props = properties(appId, runId, commitInterval);
                streams = new KafkaStreams(builder.build(props), props);
                streams.start();
            }

            @Override
            public FlinkCluster.CheckpointHistory checkpoints(long from, long to) {
                return null;
            }

            @Override
            public void stop() {
                if (streams != null) {
                    streams.close(Duration.ofSeconds(30));
                    streams.cleanUp();
                    streams = null;
                }
            }
        };
    }

    /**
     * Waits until the application's group has committed every partition it reads (the inputs and
     * its repartition topics) at its end, with no transaction open on them or on the outputs.
     */
    private boolean awaitDone(KafkaStreams streams, String appId, Outputs outputs, Duration timeout)
            throws Exception {
        List<TopicPartition> inputs = new ArrayList<>();
        for (String topic : Topic.names(Topic.Role.SALES)) {
            inputs.addAll(kafka.partitionsOf(topic, kafka.partitions(topic)));
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        long nextReport = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            if (streams.state() == KafkaStreams.State.ERROR
                    || streams.state() == KafkaStreams.State.NOT_RUNNING) {
                throw new IllegalStateException("Kafka Streams stopped: " + streams.state());
            }
            List<TopicPartition> read = new ArrayList<>(inputs);
            int repartitions = 0;
            for (String topic : kafka.admin().listTopics().names().get(60, TimeUnit.SECONDS)) {
                if (topic.startsWith(appId + "-") && topic.endsWith("-repartition")) {
                    read.addAll(kafka.partitionsOf(topic, partitionsOf(topic)));
                    repartitions++;
                }
            }
            Map<TopicPartition, OffsetAndMetadata> committed =
                    kafka.admin()
                            .listConsumerGroupOffsets(appId)
                            .partitionsToOffsetAndMetadata()
                            .get(60, TimeUnit.SECONDS);
            Map<TopicPartition, Long> ends = kafka.committedEnds(read);
            boolean done = repartitions == SalesStreamsTopology.REPARTITIONS;
            List<String> behind = new ArrayList<>();
            for (TopicPartition p : read) {
                OffsetAndMetadata at = committed.get(p);
                long end = ends.get(p);
                if (end > 0 && (at == null || at.offset() < end)) {
                    done = false;
                    behind.add(p + " " + (at == null ? "-" : at.offset()) + "/" + end);
                }
            }
            if (System.nanoTime() > nextReport) {
                Progress.line(
                        "streams: waiting, %d partitions behind: %s",
                        behind.size(), behind.stream().limit(8).toList());
                nextReport = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            }
            List<TopicPartition> written = new ArrayList<>(read);
            written.addAll(outputs.partitions());
            if (done && kafka.allCommitted(written)) {
                return true;
            }
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(100);
        }
    }

    private final Map<String, Integer> partitionCounts = new HashMap<>();

    private int partitionsOf(String topic) throws Exception {
        Integer known = partitionCounts.get(topic);
        if (known == null) {
            known =
                    kafka.admin()
                            .describeTopics(List.of(topic))
                            .allTopicNames()
                            .get(60, TimeUnit.SECONDS)
                            .get(topic)
                            .partitions()
                            .size();
            partitionCounts.put(topic, known);
        }
        return known;
    }
}

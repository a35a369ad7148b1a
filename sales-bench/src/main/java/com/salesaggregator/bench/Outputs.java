package com.salesaggregator.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.salesaggregator.output.OutputCodec;
import com.salesaggregator.topics.Topic;
import com.salesaggregator.verify.FigureDifferences;
import com.salesaggregator.verify.ReferenceModel.Expected;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * The outputs of one run, read from the start with {@code read_committed} (as any downstream reader
 * would) and checked key by key against the reference model: the latest value per key of each of
 * the five aggregates must equal the expected figure, with no key missing or extra.
 */
final class Outputs {

    /** The five aggregates every contender publishes (logical topic names). */
    static final List<String> AGGREGATES = Topic.names(Topic.Role.FIGURES);

    /** The job's outputs: the aggregates, the dead letters and the late lines. */
    static final List<String> JOB_OUTPUTS = Topic.names(Topic.Role.FIGURES, Topic.Role.REJECTS);

    private final BenchKafka kafka;
    private final String prefix;
    private final List<String> outputs;

    private final String suffix;

    Outputs(BenchKafka kafka, String prefix, List<String> outputs) {
        this(kafka, prefix, outputs, "");
    }

    /** Outputs named {@code prefix + name + suffix}: a backfill's, whose topics carry a suffix. */
    Outputs(BenchKafka kafka, String prefix, List<String> outputs, String suffix) {
        this.kafka = kafka;
        this.prefix = prefix;
        this.outputs = outputs;
        this.suffix = suffix;
    }

    /** Creates the run's output topics, as declared. */
    Outputs create() {
        kafka.createTopics(prefix, outputs, suffix);
        return this;
    }

    String topic(String logicalName) {
        return prefix + logicalName + suffix;
    }

    List<TopicPartition> partitions() {
        List<TopicPartition> partitions = new ArrayList<>();
        for (String output : outputs) {
            partitions.addAll(kafka.partitionsOf(topic(output), kafka.partitions(output)));
        }
        return partitions;
    }

    /**
     * The differences from the reference model, at most a few per output; empty if every figure is
     * right. Also reports records of transactions left open.
     */
    List<String> check(Expected expected, long expectedDeadLetters) throws Exception {
        List<String> problems = new ArrayList<>();
        List<TopicPartition> partitions = partitions();
        Map<TopicPartition, Long> committed = kafka.committedEnds(partitions);
        if (!committed.equals(kafka.writtenEnds(partitions))) {
            problems.add("an output transaction is still open after the run");
        }
        Map<String, Map<String, JsonNode>> latest = new HashMap<>();
        Map<String, Long> counts = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(kafka.consumerProps())) {
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            List<TopicPartition> open = new ArrayList<>(partitions);
            open.removeIf(p -> committed.get(p) == 0);
            while (!open.isEmpty()) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    String output =
                            r.topic()
                                    .substring(
                                            prefix.length(), r.topic().length() - suffix.length());
                    counts.merge(output, 1L, Long::sum);
                    if (output.equals(Topic.SALES_DLQ.topicName())
                            || output.equals(Topic.SALES_LATE.topicName())) {
                        continue;
                    }
                    Map<String, JsonNode> values =
                            latest.computeIfAbsent(output, k -> new HashMap<>());
                    String key = new String(r.key(), StandardCharsets.UTF_8);
                    if (r.value() == null) {
                        values.remove(key);
                    } else {
                        values.put(key, OutputCodec.JSON.readTree(r.value()));
                    }
                }
                open.removeIf(p -> consumer.position(p) >= committed.get(p));
            }
        }
        // The job marks each window figure final or provisional; the peers publish final ones.
        boolean job = outputs.contains(Topic.SALES_DLQ.topicName());
        compare(
                problems,
                job ? OutputCodec.REVENUE_PER_SELLER : OutputCodec.REVENUE_PER_SELLER.finalOnly(),
                expected.revenuePerSeller(),
                latest);
        compare(
                problems,
                job ? OutputCodec.UNITS_PER_PRODUCT : OutputCodec.UNITS_PER_PRODUCT.finalOnly(),
                expected.unitsPerProduct(),
                latest);
        compare(
                problems,
                job ? OutputCodec.REGION_TREND : OutputCodec.REGION_TREND.finalOnly(),
                expected.regionTrend(),
                latest);
        compare(problems, OutputCodec.REVENUE_PER_PRODUCT, expected.revenuePerProduct(), latest);
        compare(problems, OutputCodec.SALES_PER_REGION, expected.salesPerRegion(), latest);
        if (outputs.contains(Topic.SALES_DLQ.topicName())) {
            long deadLetters = counts.getOrDefault(Topic.SALES_DLQ.topicName(), 0L);
            if (deadLetters != expectedDeadLetters) {
                problems.add(
                        "sales-dlq: " + deadLetters + " entries, expected " + expectedDeadLetters);
            }
            long late = counts.getOrDefault(Topic.SALES_LATE.topicName(), 0L);
            if (late != 0) {
                problems.add("sales-late: " + late + " lines, expected none");
            }
        }
        return problems;
    }

    private static <T> void compare(
            List<String> problems,
            OutputCodec<T> format,
            Map<String, T> expected,
            Map<String, Map<String, JsonNode>> latest) {
        Map<String, T> published = new HashMap<>();
        long provisional = 0;
        try {
            for (Map.Entry<String, JsonNode> e :
                    latest.getOrDefault(format.topic(), Map.of()).entrySet()) {
                published.put(e.getKey(), format.read(e.getKey(), e.getValue()));
                provisional += format.isFinal(e.getValue()) ? 0 : 1;
            }
        } catch (IllegalArgumentException e) {
            problems.add(format.topic() + ": " + e.getMessage());
            return;
        }
        if (provisional > 0) {
            problems.add(
                    format.topic()
                            + ": "
                            + provisional
                            + " windows whose last value is provisional");
        }
        problems.addAll(FigureDifferences.report(format.topic(), expected, published, 3));
    }
}

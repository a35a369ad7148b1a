package com.salesaggregator.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.salesaggregator.output.OutputFormat;
import com.salesaggregator.topics.Topic;
import com.salesaggregator.verify.FinalFigures;
import com.salesaggregator.verify.ReferenceModel.LateLine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads every output topic of a run from the start with {@code read_committed}, without a consumer
 * group, and turns what was committed into {@link Published} figures.
 */
public final class CommittedOutputs implements AutoCloseable {

    /** The job's output topics (logical names). */
    public static final List<String> OUTPUTS = Topic.names(Topic.Role.FIGURES, Topic.Role.REJECTS);

    private static final Duration WAIT = ItKafka.WAIT;
    private static final ObjectMapper JSON = OutputFormat.JSON;

    private final RunTopics topics;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final List<TopicPartition> partitions = new ArrayList<>();

    /** Per output (logical name): every record, in offset order per partition. */
    private final Map<String, List<ConsumerRecord<byte[], byte[]>>> records = new HashMap<>();

    /** Per output (logical name): fields a newer job version adds, left out of the strict read. */
    private final Map<String, Set<String>> optionalFields = new HashMap<>();

    public CommittedOutputs(ItKafka kafka, RunTopics topics) {
        this.topics = topics;
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
                ByteArrayDeserializer.class.getName());
        props.put(
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                ByteArrayDeserializer.class.getName());
        consumer = new KafkaConsumer<>(props);
        for (String output : OUTPUTS) {
            partitions.addAll(topics.partitionsOf(output));
            records.put(output, new ArrayList<>());
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
    }

    public void poll() {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
            records.get(record.topic().substring(topics.prefix().length())).add(record);
        }
    }

    /** Reads up to the last stable offset of every partition (the job has finished). */
    public void readToEnd() {
        Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, WAIT);
        await("every output read to its end")
                .atMost(WAIT)
                .pollInSameThread()
                .pollInterval(Duration.ofMillis(10))
                .until(
                        () -> {
                            poll();
                            return partitions.stream()
                                    .allMatch(p -> consumer.position(p) >= ends.get(p));
                        });
    }

    /** The latest value per key of an output. */
    public Map<String, JsonNode> latest(String output) {
        Map<String, JsonNode> latest = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> record : records.get(output)) {
            latest.put(text(record.key()), parse(record.value()));
        }
        return latest;
    }

    /**
     * The latest value per key of a windowed output whose latest value is final: the windows the
     * job's watermark has closed.
     */
    public Map<String, JsonNode> latestFinal(String output) {
        Map<String, JsonNode> latest = latest(output);
        latest.values().removeIf(v -> !v.path(OutputFormat.FINAL).asBoolean());
        return latest;
    }

    /** How many provisional values a windowed output has published so far. */
    public long provisionalValues(OutputFormat<?> format) {
        return finalFigures(format).provisionalValues();
    }

    /** Every value of a windowed output read so far, for the provisional and final rules. */
    private FinalFigures finalFigures(OutputFormat<?> format) {
        FinalFigures figures = new FinalFigures(format);
        for (ConsumerRecord<byte[], byte[]> record : records.get(format.topic())) {
            figures.add(text(record.key()), parse(record.value()));
        }
        return figures;
    }

    /** Every key of an output, repeated as often as published. */
    public List<String> keys(String output) {
        return records.get(output).stream().map(r -> text(r.key())).toList();
    }

    /** Every dead letter read so far, in offset order per partition. */
    public List<DlqEntry> deadLetters() {
        List<DlqEntry> deadLetters = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> record : records.get(Topic.SALES_DLQ.topicName())) {
            deadLetters.add(DlqEntry.of(text(record.key()), parse(record.value())));
        }
        return deadLetters;
    }

    /**
     * The final state of every output of a finished run (every window closed), with what breaks the
     * rules of provisional and final window figures ({@link FinalFigures}).
     */
    public Published published() {
        Map<String, LateLine> late = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> record : records.get(Topic.SALES_LATE.topicName())) {
            JsonNode value = parse(record.value());
            LateLine line =
                    new LateLine(
                            value.path("line_id").asText(),
                            value.path("product_name").asText(),
                            value.path("revenue_eur").decimalValue(),
                            value.path("window_start").asText(),
                            value.path("window_end").asText());
            assertThat(text(record.key())).isEqualTo(line.lineId());
            assertThat(late.put(line.lineId(), line))
                    .as("late line %s published once", line.lineId())
                    .isNull();
        }
        // Every window of a finished run has closed.
        List<String> windowRules = new ArrayList<>();
        for (OutputFormat<?> format :
                List.of(
                        OutputFormat.REVENUE_PER_SELLER,
                        OutputFormat.UNITS_PER_PRODUCT,
                        OutputFormat.REGION_TREND)) {
            windowRules.addAll(finalFigures(format).problems(value -> true, 8));
        }
        return new Published(
                rows(OutputFormat.REVENUE_PER_SELLER),
                rows(OutputFormat.UNITS_PER_PRODUCT),
                rows(OutputFormat.REGION_TREND),
                rows(OutputFormat.REVENUE_PER_PRODUCT),
                rows(OutputFormat.SALES_PER_REGION),
                deadLetters(),
                late,
                windowRules);
    }

    /**
     * Every record of an output read so far, in offset order per partition, with its value parsed.
     */
    public List<Output> records(String output) {
        return records.get(output).stream()
                .map(
                        r ->
                                new Output(
                                        new TopicPartition(r.topic(), r.partition()),
                                        r.offset(),
                                        text(r.key()),
                                        parse(r.value())))
                .toList();
    }

    /** One output record as read. */
    public record Output(TopicPartition partition, long offset, String key, JsonNode value) {}

    /**
     * Lets values of {@code output} carry {@code field}, an optional field that a newer job version
     * adds (a consumer that does not know it ignores it): {@link #published()} leaves it out before
     * reading each value strictly. The test that allows it checks its values itself.
     */
    public void allowOptionalField(String output, String field) {
        optionalFields.computeIfAbsent(output, o -> new HashSet<>()).add(field);
    }

    /** The latest figure per key of an output, each value read strictly. */
    private <T> Map<String, T> rows(OutputFormat<T> format) {
        Set<String> optional = optionalFields.getOrDefault(format.topic(), Set.of());
        Map<String, T> rows = new HashMap<>();
        latest(format.topic())
                .forEach(
                        (key, value) -> {
                            if (!optional.isEmpty()) {
                                ObjectNode known = value.deepCopy();
                                known.remove(optional);
                                value = known;
                            }
                            rows.put(key, format.read(key, value));
                        });
        return rows;
    }

    @Override
    public void close() {
        consumer.close();
    }

    /**
     * At the end no output partition holds an open transaction: every write was committed. The
     * transaction coordinator writes the commit and abort markers after it has answered the
     * producer, so a loaded broker may show the last stable offset behind for a moment; the check
     * allows 10 s for that, far less than the 1 min transaction timeout of the tests, after which
     * the broker itself would abort a transaction left open.
     */
    public static void assertNoTransactionLeftOpen(Admin admin, RunTopics topics) {
        await("no transaction left open")
                .atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(200))
                .untilAsserted(
                        () ->
                                assertThat(endOffsets(admin, topics, IsolationLevel.READ_COMMITTED))
                                        .as("last stable offsets = high watermarks")
                                        .isEqualTo(
                                                endOffsets(
                                                        admin,
                                                        topics,
                                                        IsolationLevel.READ_UNCOMMITTED)));
    }

    /**
     * The end offset of every output partition: with {@code READ_COMMITTED} the last stable offset
     * (a reader stops before the first record of a transaction still open), with {@code
     * READ_UNCOMMITTED} the high watermark (everything written).
     */
    public static Map<TopicPartition, Long> endOffsets(
            Admin admin, RunTopics topics, IsolationLevel isolation) throws Exception {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (String output : OUTPUTS) {
            for (TopicPartition partition : topics.partitionsOf(output)) {
                latest.put(partition, OffsetSpec.latest());
            }
        }
        Map<TopicPartition, Long> offsets = new HashMap<>();
        admin.listOffsets(latest, new ListOffsetsOptions(isolation))
                .all()
                .get(WAIT.toSeconds(), TimeUnit.SECONDS)
                .forEach((tp, info) -> offsets.put(tp, info.offset()));
        return offsets;
    }

    private static String text(byte[] bytes) {
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }

    private static JsonNode parse(byte[] value) {
        try {
            return JSON.readTree(value);
        } catch (IOException e) {
            throw new UncheckedIOException("output value is not JSON: " + text(value), e);
        }
    }
}

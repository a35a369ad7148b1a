package com.salesaggregator.verify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.salesaggregator.cli.DurationConverter;
import com.salesaggregator.cli.EnvironmentDefaults;
import com.salesaggregator.codec.CodecLimits;
import com.salesaggregator.output.OutputCodec;
import com.salesaggregator.topics.Topic;
import com.salesaggregator.verify.ReferenceModel.DeadLetter;
import com.salesaggregator.verify.ReferenceModel.Expected;
import com.salesaggregator.verify.ReferenceModel.InputRecord;
import com.salesaggregator.verify.ReferenceModel.InputTopics;
import com.salesaggregator.verify.ReferenceModel.Line;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Checks a running deployment's figures against the reference model recomputed from its input
 * topics ({@code make e2e} runs it in the cluster after each step):
 *
 * <ol>
 *   <li>notes the newest committed final {@code region-trend-1m} window end: the job's watermark
 *       had passed it, so every window that closed for good by then is final;
 *   <li>snapshots the input topics' end offsets and reads the inputs up to them;
 *   <li>waits until the job's consumer group has committed offsets at those ends: the checkpoint
 *       that committed them also committed every output of those records;
 *   <li>reads the outputs ({@code read_committed}) and compares the settled windows and dead
 *       letters with the {@link ReferenceModel}'s figures for the snapshot, key by key, and checks
 *       that the last value of every settled window is final and that no provisional value exceeded
 *       it ({@link FinalFigures}).
 * </ol>
 *
 * Reads by partition (no consumer group of its own) and writes nothing. Exit code 0 when every
 * settled figure matches, 1 when one differs or the job does not get there in time, 2 on a usage
 * error.
 */
@Command(
        name = "figure-check",
        mixinStandardHelpOptions = true,
        version = "sales-aggregator figure-check",
        sortOptions = false,
        description =
                "Recomputes the figures from the input topics with the reference model and"
                        + " compares them with what the job has published.",
        footer = {
            "",
            "Every option can also be set by an environment variable: FIGURE_CHECK_ and the option"
                    + " name in upper snake case, e.g. FIGURE_CHECK_BOOTSTRAP_SERVERS=kafka:9093."
        })
public final class FigureCheck implements Callable<Integer> {

    private static final ObjectMapper JSON = OutputCodec.JSON;
    private static final List<String> INPUTS = Topic.names(Topic.Role.SALES, Topic.Role.REFERENCE);

    @Option(
            names = "--bootstrap-servers",
            defaultValue = "localhost:9092",
            description = "Kafka bootstrap servers (default: ${DEFAULT-VALUE}).")
    String bootstrapServers;

    @Option(
            names = "--client-config",
            description = "Kafka client properties file (TLS, SASL), applied on top of defaults.")
    Path clientConfig;

    @Option(
            names = "--group-id",
            defaultValue = "sales-aggregator",
            description = "The job's consumer group (default: ${DEFAULT-VALUE}).")
    String groupId;

    @Option(
            names = "--settle-delay",
            defaultValue = "1m",
            converter = DurationConverter.class,
            description =
                    "The larger of the job's allowed-lateness and reference-grace (default:"
                            + " ${DEFAULT-VALUE}).")
    Duration settleDelay;

    @Option(
            names = "--timeout",
            defaultValue = "10m",
            converter = DurationConverter.class,
            description =
                    "How long to wait for a settled minute, then for the job to commit the input"
                            + " snapshot (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(
            names = "--suffix",
            description =
                    "Check a finished backfill: its outputs are the live topic names plus this"
                            + " suffix (e.g. .backfill); needs --from and --to.")
    String suffix;

    @Option(
            names = "--from",
            description = "The backfill's range start, an ISO-8601 instant (with --suffix).")
    String from;

    @Option(
            names = "--to",
            description = "The backfill's range end (exclusive), an ISO-8601 instant.")
    String to;

    public static void main(String[] args) {
        System.exit(
                new CommandLine(new FigureCheck())
                        .setDefaultValueProvider(
                                new EnvironmentDefaults("FIGURE_CHECK_", System.getenv()))
                        .execute(args));
    }

    @Override
    public Integer call() throws Exception {
        try {
            return check();
        } catch (IllegalStateException e) {
            System.out.println("figure-check: " + e.getMessage());
            return 1;
        }
    }

    /**
     * The backfill to check ({@code --suffix}, {@code --from}, {@code --to}), or {@code null} for
     * the live job.
     */
    private ReferenceModel.Range backfillRange() {
        if (suffix == null && from == null && to == null) {
            return null;
        }
        if (suffix == null || suffix.isBlank() || from == null || to == null) {
            throw new IllegalStateException(
                    "--suffix, --from and --to go together (a backfill's outputs and range)");
        }
        long start = instant("--from", from);
        long end = instant("--to", to);
        if (start >= end) {
            throw new IllegalStateException(
                    "--from (" + from + ") must be before --to (" + to + ")");
        }
        return new ReferenceModel.Range(start, end);
    }

    private static long instant(String option, String text) {
        try {
            return Instant.parse(text.trim()).toEpochMilli();
        } catch (java.time.format.DateTimeParseException e) {
            throw new IllegalStateException(
                    option
                            + " must be an ISO-8601 instant such as 2026-12-01T10:00:00Z, was '"
                            + text
                            + "'");
        }
    }

    /** The live topic whose records {@code topic} holds (the backfill's carry the suffix). */
    private String liveName(String topic) {
        return suffix != null && topic.endsWith(suffix)
                ? topic.substring(0, topic.length() - suffix.length())
                : topic;
    }

    private String outputName(String liveTopic) {
        return suffix == null ? liveTopic : liveTopic + suffix;
    }

    private int check() throws Exception {
        ReferenceModel.Range range = backfillRange();
        Properties props = clientProperties();
        try (Admin admin = Admin.create(props);
                KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
            // A finished backfill has published every window of its range: all of them settled.
            Instant cutoff =
                    range == null
                            ? awaitSettledMinute(consumer)
                            : Instant.ofEpochMilli(range.to()).plus(settleDelay);
            Map<TopicPartition, Long> snapshot = consumer.endOffsets(partitions(consumer, INPUTS));
            List<InputRecord> input = new ArrayList<>();
            for (ConsumerRecord<byte[], byte[]> r : read(consumer, snapshot)) {
                input.add(
                        new InputRecord(
                                r.topic(),
                                r.partition(),
                                r.offset(),
                                r.key(),
                                r.value(),
                                r.timestamp()));
            }
            System.out.printf(
                    "figure-check: %,d input records; windows settled by %s%n",
                    input.size(), cutoff.minus(settleDelay));
            if (range == null) {
                awaitCommitted(admin, snapshot);
            }

            List<String> outputs =
                    List.of(
                            Topic.REVENUE_PER_SELLER_1M.topicName(),
                            Topic.UNITS_PER_PRODUCT_5M.topicName(),
                            Topic.REGION_TREND_1M.topicName(),
                            Topic.SALES_DLQ.topicName(),
                            Topic.SALES_LATE.topicName());
            Map<String, Map<String, JsonNode>> latest = new HashMap<>();
            Map<String, FinalFigures> finality =
                    Map.of(
                            Topic.REVENUE_PER_SELLER_1M.topicName(),
                            new FinalFigures(OutputCodec.REVENUE_PER_SELLER),
                            Topic.UNITS_PER_PRODUCT_5M.topicName(),
                            new FinalFigures(OutputCodec.UNITS_PER_PRODUCT),
                            Topic.REGION_TREND_1M.topicName(),
                            new FinalFigures(OutputCodec.REGION_TREND));
            List<DeadLetter> deadLetters = new ArrayList<>();
            Set<String> lateIds = new HashSet<>();
            for (ConsumerRecord<byte[], byte[]> r :
                    read(
                            consumer,
                            consumer.endOffsets(
                                    partitions(
                                            consumer,
                                            outputs.stream().map(this::outputName).toList())))) {
                String key = r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8);
                JsonNode value = JSON.readTree(r.value());
                String topic = liveName(r.topic());
                switch (Topic.byName(topic).orElse(null)) {
                    case SALES_DLQ -> deadLetters.add(deadLetter(key, value));
                    case SALES_LATE ->
                            lateIds.add(OutputCodec.LATE_LINES.read(key, value).lineId());
                    case null, default -> {
                        latest.computeIfAbsent(topic, t -> new HashMap<>()).put(key, value);
                        finality.get(topic).add(key, value);
                    }
                }
            }

            InputTopics topics =
                    new InputTopics(
                            Topic.SALES_ONLINE.topicName(),
                            Topic.SALES_STORE.topicName(),
                            Topic.PRODUCTS.topicName(),
                            Topic.FX_RATES.topicName());
            // Late lines of records after the snapshot are not the reference model's business.
            Set<String> snapshotLines = new HashSet<>();
            ReferenceModel.Range modelRange = range == null ? ReferenceModel.Range.ALL : range;
            for (Line line :
                    ReferenceModel.compute(
                                    input, topics, Set.of(), CodecLimits.defaults(), modelRange)
                            .lines()) {
                snapshotLines.add(line.lineId());
            }
            lateIds.retainAll(snapshotLines);
            Expected expected =
                    ReferenceModel.compute(
                            input, topics, lateIds, CodecLimits.defaults(), modelRange);

            Map<String, Map<String, ?>> published = new HashMap<>();
            published.put(
                    Topic.REVENUE_PER_SELLER_1M.topicName(),
                    figures(latest, OutputCodec.REVENUE_PER_SELLER));
            published.put(
                    Topic.UNITS_PER_PRODUCT_5M.topicName(),
                    figures(latest, OutputCodec.UNITS_PER_PRODUCT));
            published.put(
                    Topic.REGION_TREND_1M.topicName(), figures(latest, OutputCodec.REGION_TREND));
            Map<String, Map<Integer, Long>> ends = new HashMap<>();
            snapshot.forEach(
                    (tp, end) ->
                            ends.computeIfAbsent(tp.topic(), t -> new HashMap<>())
                                    .put(tp.partition(), end));
            SettledComparison comparison = new SettledComparison(cutoff, settleDelay);
            SettledComparison.Result compared =
                    comparison.compare(expected, published, deadLetters, ends);
            // Settled windows have closed: their last values must be final, and no provisional
            // value above them.
            List<String> differences = new ArrayList<>(compared.differences());
            finality.values()
                    .forEach(
                            f ->
                                    differences.addAll(
                                            f.problems(
                                                    v ->
                                                            comparison.settled(
                                                                    v.path("window_end").asText()),
                                                    10)));
            SettledComparison.Result result =
                    new SettledComparison.Result(compared.compared(), differences);

            result.compared()
                    .forEach(
                            (topic, n) ->
                                    System.out.printf(
                                            "  %-24s %,8d settled keys compared%n", topic, n));
            if (result.matches()) {
                System.out.println(
                        "figure-check: every settled figure equals the reference model.");
                return 0;
            }
            result.differences().forEach(System.out::println);
            System.out.println(
                    result.differences().isEmpty()
                            ? "figure-check: an output has no settled figure yet; run again later."
                            : "figure-check: FIGURES DIFFER from the reference model.");
            return 1;
        }
    }

    private Properties clientProperties() throws IOException {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "sales-figure-check");
        if (clientConfig != null) {
            try (InputStream in = Files.newInputStream(clientConfig)) {
                props.load(in);
            }
        }
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, String.valueOf(4 << 20));
        props.put(
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
                ByteArrayDeserializer.class.getName());
        props.put(
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                ByteArrayDeserializer.class.getName());
        return props;
    }

    /**
     * Waits (up to the timeout) until a committed {@code region-trend-1m} minute has settled, and
     * returns the newest committed final window end: the job's watermark has passed it.
     */
    private Instant awaitSettledMinute(KafkaConsumer<byte[], byte[]> consumer) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<TopicPartition> partitions =
                partitions(consumer, List.of(Topic.REGION_TREND_1M.topicName()));
        while (true) {
            Instant oldest = null;
            Instant newest = null;
            for (ConsumerRecord<byte[], byte[]> r :
                    read(consumer, consumer.endOffsets(partitions))) {
                JsonNode value = JSON.readTree(r.value());
                // A provisional figure's window is still open: the watermark has not passed it.
                if (!OutputCodec.REGION_TREND.isFinal(value)) {
                    continue;
                }
                Instant end = Instant.parse(value.path("window_end").asText());
                oldest = oldest == null || end.isBefore(oldest) ? end : oldest;
                newest = newest == null || end.isAfter(newest) ? end : newest;
            }
            if (oldest != null && !oldest.plus(settleDelay).isAfter(newest)) {
                return newest;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(
                        "no region-trend-1m minute has settled after "
                                + timeout
                                + (newest == null
                                        ? " (none committed yet)"
                                        : " (newest window end " + newest + ")")
                                + ": is the job running and are sales flowing?");
            }
            System.out.printf(
                    "figure-check: waiting for a region-trend-1m minute to settle (%s)%n",
                    newest == null ? "none committed yet" : "newest window end " + newest);
            TimeUnit.SECONDS.sleep(10);
        }
    }

    private static List<TopicPartition> partitions(
            KafkaConsumer<byte[], byte[]> consumer, List<String> topics) {
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : topics) {
            consumer.partitionsFor(topic)
                    .forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
        }
        return partitions;
    }

    /** Every committed record of the partitions, from the start up to the given end offsets. */
    private static List<ConsumerRecord<byte[], byte[]>> read(
            KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> ends) {
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        consumer.assign(ends.keySet());
        consumer.seekToBeginning(ends.keySet());
        while (ends.entrySet().stream()
                .anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                if (r.offset() < ends.get(tp)) {
                    records.add(r);
                }
            }
        }
        consumer.assign(List.of());
        return records;
    }

    /** Waits until the job's group has committed offsets at or past every snapshot end. */
    private void awaitCommitted(Admin admin, Map<TopicPartition, Long> snapshot) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        long lastReport = 0;
        while (true) {
            Map<TopicPartition, OffsetAndMetadata> committed =
                    admin.listConsumerGroupOffsets(groupId)
                            .partitionsToOffsetAndMetadata()
                            .get(30, TimeUnit.SECONDS);
            long behind = 0;
            for (Map.Entry<TopicPartition, Long> e : snapshot.entrySet()) {
                OffsetAndMetadata at = committed.get(e.getKey());
                behind += Math.max(0, e.getValue() - (at == null ? 0 : at.offset()));
            }
            if (behind == 0) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(
                        "the job's group "
                                + groupId
                                + " is still "
                                + behind
                                + " records behind the input snapshot after "
                                + timeout
                                + ": is the job running and checkpointing?");
            }
            if (System.nanoTime() - lastReport > TimeUnit.SECONDS.toNanos(10)) {
                System.out.printf(
                        "figure-check: waiting for the job to commit the snapshot, %,d records"
                                + " to go%n",
                        behind);
                lastReport = System.nanoTime();
            }
            TimeUnit.SECONDS.sleep(1);
        }
    }

    /** What identifies a published dead letter, as the reference model predicts it. */
    private static DeadLetter deadLetter(String key, JsonNode value) {
        com.salesaggregator.output.DeadLetter published = OutputCodec.DEAD_LETTERS.read(key, value);
        return new DeadLetter(
                published.sourceTopic(),
                published.partition(),
                published.offset(),
                published.lineId(),
                published.reason().name());
    }

    private static <T> Map<String, T> figures(
            Map<String, Map<String, JsonNode>> latest, OutputCodec<T> format) {
        Map<String, T> figures = new HashMap<>();
        latest.getOrDefault(format.topic(), Map.of())
                .forEach((key, value) -> figures.put(key, format.read(key, value)));
        return figures;
    }
}

package com.salesaggregator.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.salesaggregator.broker.TopicCreator;
import com.salesaggregator.job.Backfill;
import com.salesaggregator.job.JobConfig;
import com.salesaggregator.job.SalesAggregationJob;
import com.salesaggregator.job.functions.LinesInRange;
import com.salesaggregator.topics.Topic;
import com.salesaggregator.topics.TopicDefinition;
import com.salesaggregator.topics.TopicDefinitions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
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
 * {@code make backfill}: recomputes an event-time range from the {@code make run} broker's inputs
 * with the aggregation job in backfill mode ({@link Backfill}) on a local Flink MiniCluster, into
 * the output topics plus a suffix, which it creates from {@code k8s/topics/topics.yaml}. Shows the
 * records read of the records to read per input (the backfill group's offsets, committed at each
 * checkpoint, against the start and end offsets) and a summary at the end.
 */
@Command(
        name = "local-backfill",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = "Recomputes [from, to) into suffixed topics of the make run broker.")
public final class LocalBackfill implements Callable<Integer> {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(
            names = "--kafka-port",
            defaultValue = "9092",
            description = "Port of the make run broker (default: ${DEFAULT-VALUE}).")
    int kafkaPort;

    @Option(names = "--from", required = true, description = "Start of the range (ISO-8601).")
    String from;

    @Option(names = "--to", required = true, description = "End of the range (ISO-8601).")
    String to;

    @Option(
            names = "--suffix",
            defaultValue = ".backfill",
            description = "Output topic suffix (default: ${DEFAULT-VALUE}).")
    String suffix;

    public static void main(String[] args) {
        System.exit(new CommandLine(new LocalBackfill()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        String bootstrap = "localhost:" + kafkaPort;
        JobConfig config;
        try {
            config =
                    SalesAggregationJob.parse(
                            new String[] {
                                "--bootstrap-servers", bootstrap,
                                "--backfill-from", from,
                                "--backfill-to", to,
                                "--backfill-suffix", suffix
                            });
        } catch (IllegalArgumentException e) {
            System.err.println("make backfill: " + e.getMessage());
            return 2;
        }
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "5000");
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        try (Admin admin = Admin.create(props)) {
            try {
                admin.describeCluster().clusterId().get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                System.err.println(
                        "make backfill: no Kafka broker answers on "
                                + bootstrap
                                + ". Start one with `make run` (in another terminal), or give its"
                                + " port: make backfill KAFKA_PORT=<port> FROM=... TO=...");
                return 1;
            }
            List<TopicDefinition> outputs =
                    TopicDefinitions.outputsWithSuffix(TopicDefinitions.load(), "", suffix);
            List<TopicDefinition> created = new TopicCreator(admin, true).createMissing(outputs);
            System.out.printf(
                    "Backfill of [%s, %s) into the outputs + '%s' (%d topics created)%n",
                    config.backfill().from(), config.backfill().to(), suffix, created.size());
            return run(admin, config);
        }
    }

    private int run(Admin admin, JobConfig config) throws Exception {
        Map<String, Map<TopicPartition, long[]>> ranges = inputRanges(admin, config);
        String dlq = config.topics().of(Topic.SALES_DLQ);
        String late = config.topics().of(Topic.SALES_LATE);
        Map<TopicPartition, Long> rejectsBefore = ends(admin, List.of(dlq, late));

        long started = System.nanoTime();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        SalesAggregationJob.define(env, config);
        JobClient job = env.executeAsync("sales-backfill");
        CompletableFuture<JobExecutionResult> result = job.getJobExecutionResult();
        while (!result.isDone()) {
            printProgress(admin, config.groupId(), ranges, started);
            try {
                result.get(2, TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException stillRunning) {
                // Print progress again.
            }
        }
        JobExecutionResult done;
        try {
            done = result.get();
        } catch (java.util.concurrent.ExecutionException e) {
            System.err.println("make backfill: the job failed: " + e.getCause());
            return 1;
        }
        printSummary(done, config.bootstrapServers(), dlq, late, rejectsBefore, started);
        return 0;
    }

    /** Per input topic: each partition's start and end offset (what the backfill reads). */
    private static Map<String, Map<TopicPartition, long[]>> inputRanges(
            Admin admin, JobConfig config) throws Exception {
        long salesStart =
                config.backfill()
                        .salesStartTimestamp(
                                config.outOfOrderness(),
                                config.allowedLateness(),
                                config.maxTimeAhead());
        Map<String, Map<TopicPartition, long[]>> ranges = new TreeMap<>();
        for (Topic input : Topic.inputs()) {
            String topic = config.topics().of(input);
            OffsetSpec start =
                    input.role() == Topic.Role.SALES
                            ? OffsetSpec.forTimestamp(salesStart)
                            : OffsetSpec.earliest();
            List<TopicPartition> partitions = partitions(admin, topic);
            Map<TopicPartition, Long> ends = offsets(admin, partitions, OffsetSpec.latest());
            Map<TopicPartition, Long> starts = offsets(admin, partitions, start);
            Map<TopicPartition, long[]> range = new HashMap<>();
            for (TopicPartition p : partitions) {
                long s = starts.get(p) < 0 ? ends.get(p) : starts.get(p);
                range.put(p, new long[] {s, ends.get(p)});
            }
            ranges.put(topic, range);
        }
        return ranges;
    }

    private static void printProgress(
            Admin admin,
            String groupId,
            Map<String, Map<TopicPartition, long[]>> ranges,
            long started)
            throws Exception {
        Map<TopicPartition, OffsetAndMetadata> committed =
                admin.listConsumerGroupOffsets(groupId)
                        .partitionsToOffsetAndMetadata()
                        .get(WAIT.toSeconds(), TimeUnit.SECONDS);
        StringBuilder line = new StringBuilder(String.format("%5ds ", seconds(started)));
        ranges.forEach(
                (topic, partitions) -> {
                    long read = 0;
                    long total = 0;
                    for (Map.Entry<TopicPartition, long[]> p : partitions.entrySet()) {
                        long[] range = p.getValue();
                        OffsetAndMetadata at = committed.get(p.getKey());
                        long position = at == null ? range[0] : Math.min(at.offset(), range[1]);
                        read += Math.max(0, position - range[0]);
                        total += range[1] - range[0];
                    }
                    line.append(String.format(" %s %,d/%,d", topic, read, total));
                });
        System.out.println(line + "  (records read as of the last checkpoint)");
    }

    private static void printSummary(
            JobExecutionResult done,
            String bootstrap,
            String dlq,
            String late,
            Map<TopicPartition, Long> before,
            long started)
            throws Exception {
        long inRange = accumulator(done, LinesInRange.IN_RANGE);
        long skipped = accumulator(done, LinesInRange.SKIPPED);
        long lineDeadLetters = 0;
        long recordDeadLetters = 0;
        long lateLines = 0;
        for (ConsumerRecord<byte[], byte[]> record : readNew(bootstrap, before)) {
            if (record.topic().equals(late)) {
                lateLines++;
            } else if (JSON.readTree(record.value()).path("line_id") instanceof JsonNode id
                    && id.isTextual()) {
                lineDeadLetters++;
            } else {
                recordDeadLetters++;
            }
        }
        System.out.printf(
                "Backfill FINISHED in %ds: %,d lines in the range: %,d counted, %,d dead letters,"
                        + " %,d late; %,d lines skipped (outside the range); %,d rejected records"
                        + " in %s%n",
                seconds(started),
                inRange,
                inRange - lineDeadLetters - lateLines,
                lineDeadLetters,
                lateLines,
                skipped,
                recordDeadLetters,
                dlq);
    }

    private static long accumulator(JobExecutionResult result, String name) {
        Object value = result.getAccumulatorResult(name);
        return value instanceof Long n ? n : 0;
    }

    /** The committed records written to the partitions of {@code before} since then. */
    private static List<ConsumerRecord<byte[], byte[]>> readNew(
            String bootstrap, Map<TopicPartition, Long> before) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
            consumer.assign(before.keySet());
            before.forEach(consumer::seek);
            Map<TopicPartition, Long> ends = consumer.endOffsets(before.keySet());
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (before.keySet().stream().anyMatch(p -> consumer.position(p) < ends.get(p))
                    && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        return records;
    }

    private static Map<TopicPartition, Long> ends(Admin admin, List<String> topics)
            throws Exception {
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : topics) {
            partitions.addAll(partitions(admin, topic));
        }
        return offsets(admin, partitions, OffsetSpec.latest());
    }

    private static List<TopicPartition> partitions(Admin admin, String topic) throws Exception {
        TopicDescription description =
                admin.describeTopics(List.of(topic))
                        .allTopicNames()
                        .get(WAIT.toSeconds(), TimeUnit.SECONDS)
                        .get(topic);
        return description.partitions().stream()
                .map(p -> new TopicPartition(topic, p.partition()))
                .toList();
    }

    private static Map<TopicPartition, Long> offsets(
            Admin admin, List<TopicPartition> partitions, OffsetSpec spec) throws Exception {
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        partitions.forEach(p -> request.put(p, spec));
        Map<TopicPartition, ListOffsetsResultInfo> found =
                admin.listOffsets(request).all().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        Map<TopicPartition, Long> offsets = new HashMap<>();
        found.forEach((p, info) -> offsets.put(p, info.offset()));
        return offsets;
    }

    private static long seconds(long startedNanos) {
        return (System.nanoTime() - startedNanos) / 1_000_000_000L;
    }
}

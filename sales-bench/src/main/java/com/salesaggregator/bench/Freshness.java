package com.salesaggregator.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.salesaggregator.topics.Topic;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * How fresh the per-minute regional trend is on a running deployment ({@code make run}): reads
 * {@code region-trend-1m} as a {@code read_committed} reader from its end for a while and reports,
 * per minute window, when its first (provisional) figure became visible after the window started,
 * and when its final figure became visible after the window ended. {@code make freshness}.
 *
 * <p>With sales every few milliseconds, a minute's first sale is within moments of its start, so
 * the first measure is the delay from the minute's first sale to its first figure.
 */
public final class Freshness {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Freshness() {}

    /** What was seen of one region's minute. */
    private static final class Window {
        long start;
        long end;
        Long firstSeen;
        Long finalSeen;
    }

    public static void main(String[] args) throws Exception {
        String bootstrap = "localhost:9092";
        Duration duration = Duration.ofMinutes(5);
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--bootstrap-servers" -> bootstrap = args[i + 1];
                case "--duration" ->
                        duration = com.salesaggregator.config.DurationText.parse(args[i + 1]);
                default -> {
                    System.err.println("freshness: unknown option " + args[i]);
                    System.exit(2);
                }
            }
        }
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        Map<String, Window> windows = new TreeMap<>();
        long started = System.currentTimeMillis();
        long until = started + duration.toMillis();
        System.out.printf(
                "freshness: reading %s at %s for %d s ...%n",
                Topic.REGION_TREND_1M.topicName(), bootstrap, duration.toSeconds());
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
            List<TopicPartition> partitions = new ArrayList<>();
            consumer.partitionsFor(Topic.REGION_TREND_1M.topicName())
                    .forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            while (System.currentTimeMillis() < until) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    long now = System.currentTimeMillis();
                    JsonNode figure = JSON.readTree(r.value());
                    long start = Instant.parse(figure.path("window_start").asText()).toEpochMilli();
                    if (start < started) {
                        continue; // a minute that began before the reader: its first figure unknown
                    }
                    Window w =
                            windows.computeIfAbsent(
                                    figure.path("region").asText() + " " + start,
                                    k -> new Window());
                    w.start = start;
                    w.end = Instant.parse(figure.path("window_end").asText()).toEpochMilli();
                    if (w.firstSeen == null) {
                        w.firstSeen = now;
                    }
                    if (figure.path("final").asBoolean(true) && w.finalSeen == null) {
                        w.finalSeen = now;
                    }
                }
            }
        }
        List<Long> first = new ArrayList<>();
        List<Long> fin = new ArrayList<>();
        System.out.println(
                "| region, minute | first figure after minute start s | final after minute end s"
                        + " |");
        System.out.println("|---|---:|---:|");
        windows.forEach(
                (key, w) -> {
                    first.add(w.firstSeen - w.start);
                    if (w.finalSeen != null) {
                        fin.add(w.finalSeen - w.end);
                    }
                    System.out.printf(
                            Locale.ROOT,
                            "| %s | %.1f | %s |%n",
                            key,
                            (w.firstSeen - w.start) / 1000.0,
                            w.finalSeen == null
                                    ? "not yet"
                                    : String.format(
                                            Locale.ROOT, "%.1f", (w.finalSeen - w.end) / 1000.0));
                });
        System.out.printf(
                Locale.ROOT,
                "first figure of a minute: %d windows, max %.1f s after its start; final: %d"
                        + " windows, max %.1f s after its end%n",
                first.size(),
                first.stream().mapToLong(Long::longValue).max().orElse(0) / 1000.0,
                fin.size(),
                fin.stream().mapToLong(Long::longValue).max().orElse(0) / 1000.0);
    }
}

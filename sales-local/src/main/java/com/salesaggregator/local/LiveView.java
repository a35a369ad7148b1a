package com.salesaggregator.local;

import com.salesaggregator.topics.Topic;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The terminal view of {@code make run}: per-topic record counts and rates, the latest committed
 * figures ({@link LiveFigures}) and the latest sales, read with {@code read_committed} like any
 * downstream consumer. Redraws in place on a terminal, prints a summary line now and then
 * otherwise.
 */
final class LiveView implements Runnable {

    private static final int RECENT = 4;
    private static final int VALUE_WIDTH = 96;
    private static final DateTimeFormatter CLOCK =
            DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);

    private final String bootstrapServers;
    private final PrintStream out;
    private final boolean redraw;
    private final Duration interval;
    private final Supplier<List<String>> footer;
    private final Map<String, TopicStats> stats = new LinkedHashMap<>();
    private final Deque<String> recent = new ArrayDeque<>();
    private final LiveFigures figures = new LiveFigures();
    private volatile KafkaConsumer<byte[], byte[]> consumer;
    private volatile boolean stopped;

    LiveView(
            String bootstrapServers,
            PrintStream out,
            boolean redraw,
            Duration interval,
            Supplier<List<String>> footer) {
        this.bootstrapServers = bootstrapServers;
        this.out = out;
        this.redraw = redraw;
        this.interval = interval;
        this.footer = footer;
        for (String topic : Topic.names()) {
            stats.put(topic, new TopicStats());
        }
    }

    /** Stops the view from another thread; {@link #run()} returns soon after. */
    void stop() {
        stopped = true;
        KafkaConsumer<byte[], byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
    }

    @Override
    public void run() {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "local-live-view");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(props)) {
            consumer = c;
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : Topic.names()) {
                for (PartitionInfo info : c.partitionsFor(topic)) {
                    partitions.add(new TopicPartition(topic, info.partition()));
                }
            }
            c.assign(partitions);
            c.seekToBeginning(partitions);
            long nextDraw = System.nanoTime();
            while (!stopped) {
                ConsumerRecords<byte[], byte[]> records = c.poll(Duration.ofMillis(200));
                for (ConsumerRecord<byte[], byte[]> record : records) {
                    stats.get(record.topic()).count++;
                    figures.accept(record);
                    if (record.topic().equals(Topic.SALES_ONLINE.topicName())
                            || record.topic().equals(Topic.SALES_STORE.topicName())) {
                        remember(record);
                    }
                }
                long now = System.nanoTime();
                if (now >= nextDraw) {
                    draw();
                    nextDraw = now + interval.toNanos();
                }
            }
        } catch (WakeupException e) {
            // stop() woke the consumer up: a normal end.
        }
    }

    private void remember(ConsumerRecord<byte[], byte[]> record) {
        String key = record.key() == null ? "-" : printable(record.key(), 24);
        String value =
                record.value() == null ? "(tombstone)" : printable(record.value(), VALUE_WIDTH);
        recent.addFirst(
                String.format(
                        "%s %-22s %-24s %s",
                        CLOCK.format(Instant.ofEpochMilli(record.timestamp())),
                        record.topic(),
                        key,
                        value));
        while (recent.size() > RECENT) {
            recent.removeLast();
        }
    }

    private void draw() {
        long now = System.nanoTime();
        StringBuilder screen = new StringBuilder();
        if (redraw) {
            screen.append("\033[H\033[2J");
            screen.append("sales-aggregator local platform  ")
                    .append(LocalTime.now().withNano(0))
                    .append("  (Ctrl-C stops everything)\n\n");
            screen.append(String.format("%-24s %12s %10s%n", "topic", "records", "per sec"));
            for (Map.Entry<String, TopicStats> entry : stats.entrySet()) {
                TopicStats s = entry.getValue();
                screen.append(
                        String.format(
                                "%-24s %,12d %10.1f%n", entry.getKey(), s.count, s.rate(now)));
            }
            screen.append('\n');
            for (String line : figures.render()) {
                screen.append(line).append('\n');
            }
            screen.append("\nlatest sales (event time UTC, topic, key, value)\n");
            for (String line : recent) {
                screen.append("  ").append(line).append('\n');
            }
            screen.append('\n');
            for (String line : footer.get()) {
                screen.append(line).append('\n');
            }
            out.print(screen);
        } else {
            screen.append("live: ");
            for (Map.Entry<String, TopicStats> entry : stats.entrySet()) {
                TopicStats s = entry.getValue();
                if (s.count > 0) {
                    screen.append(entry.getKey()).append('=').append(s.count).append(' ');
                }
                s.rate(now);
            }
            out.println(screen.toString().trim());
        }
        out.flush();
    }

    private static String printable(byte[] bytes, int width) {
        String text = new String(bytes, StandardCharsets.UTF_8);
        StringBuilder out = new StringBuilder(Math.min(text.length(), width));
        for (int i = 0; i < text.length() && out.length() < width; i++) {
            char c = text.charAt(i);
            out.append(Character.isISOControl(c) ? '?' : c);
        }
        if (text.length() > width) {
            out.setLength(width - 3);
            out.append("...");
        }
        return out.toString();
    }

    /**
     * Count and rate of one topic; the rate is over the last five seconds or more, since outputs
     * arrive in bursts, one per checkpoint.
     */
    private static final class TopicStats {
        long count;
        long countAtLastDraw;
        long lastDrawNanos = System.nanoTime();
        double rate;

        double rate(long now) {
            double seconds = (now - lastDrawNanos) / 1e9;
            if (seconds >= 5) {
                rate = (count - countAtLastDraw) / seconds;
                countAtLastDraw = count;
                lastDrawNanos = now;
            }
            return rate;
        }
    }
}

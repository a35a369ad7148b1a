package com.salesaggregator.dashboard;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the job's outputs as any downstream consumer should: {@code read_committed}, every
 * partition from the beginning, no consumer group (nothing to commit: the figures are rebuilt from
 * the topics at every start). Feeds each record to the {@link DashboardState} and says when the
 * figures changed. Once a second it also samples the end offsets of the input topics for the input
 * rate (which needs only Describe on them).
 */
final class OutputTopicsReader implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(OutputTopicsReader.class);

    /** The outputs the dashboard reads (default names). */
    static final List<String> OUTPUTS = DashboardConfig.READS;

    /** The inputs whose arrival rate the health strip shows (default names). */
    static final List<String> INPUTS = DashboardConfig.DESCRIBES;

    private static final Duration POLL = Duration.ofMillis(100);
    private static final Duration RATE_SAMPLE = Duration.ofSeconds(1);
    private static final Duration RETRY = Duration.ofSeconds(5);

    private final DashboardConfig config;
    private final DashboardState state;
    private final InputRate inputRate;
    private final DashboardMetrics metrics;
    private final Runnable changed;
    private volatile KafkaConsumer<byte[], byte[]> consumer;
    private volatile boolean stopped;
    private volatile boolean caughtUp;
    private volatile String problem = "starting";
    private volatile Throwable fatal;

    OutputTopicsReader(
            DashboardConfig config,
            DashboardState state,
            InputRate inputRate,
            DashboardMetrics metrics,
            Runnable changed) {
        this.config = config;
        this.state = state;
        this.inputRate = inputRate;
        this.metrics = metrics;
        this.changed = changed;
    }

    /** Whether everything committed before the start has been read. */
    boolean caughtUp() {
        return caughtUp;
    }

    /** What keeps the reader from its work right now (missing topics, an error), or null. */
    String problem() {
        return problem;
    }

    /** An authentication or authorization failure that stopped the reader, or null. */
    Throwable fatal() {
        return fatal;
    }

    /** Stops the reader from another thread; {@link #run()} returns soon after. */
    void stop() {
        stopped = true;
        KafkaConsumer<byte[], byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
    }

    @Override
    public void run() {
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(consumerProperties(config))) {
            consumer = c;
            if (stopped) {
                return;
            }
            Map<String, String> logicalNames = new HashMap<>();
            List<TopicPartition> outputs = partitions(c, OUTPUTS, logicalNames);
            List<TopicPartition> inputs = partitions(c, INPUTS, logicalNames);
            c.assign(outputs);
            c.seekToBeginning(outputs);
            Map<TopicPartition, Long> startEnds = c.endOffsets(outputs);
            problem = null;
            long nextRateSample = 0;
            while (!stopped) {
                ConsumerRecords<byte[], byte[]> records = c.poll(POLL);
                boolean any = false;
                for (ConsumerRecord<byte[], byte[]> record : records) {
                    String output = logicalNames.get(record.topic());
                    metrics.recordConsumed(output);
                    String key =
                            record.key() == null
                                    ? null
                                    : new String(record.key(), StandardCharsets.UTF_8);
                    any |= state.apply(output, key, record.value());
                }
                if (!caughtUp && reached(c, startEnds)) {
                    caughtUp = true;
                    any = true;
                    LOG.info("Read everything committed before the start; now following");
                }
                long now = System.currentTimeMillis();
                if (now >= nextRateSample && !inputs.isEmpty()) {
                    sampleInputRate(c, inputs, logicalNames, now);
                    nextRateSample = now + RATE_SAMPLE.toMillis();
                }
                if (any) {
                    changed.run();
                }
            }
        } catch (WakeupException | InterruptedException e) {
            // stop() woke the consumer up: a normal end.
        } catch (AuthenticationException | AuthorizationException e) {
            fail("Kafka refused the dashboard: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            // /healthz turns unhealthy, so that Kubernetes restarts the dashboard.
            fail("reading the outputs failed: " + e, e);
        }
    }

    private void fail(String message, Throwable cause) {
        fatal = cause;
        problem = message;
        LOG.error("Stopped reading: {}", message, cause);
        changed.run();
    }

    /**
     * The partitions of {@code topics} (default names), waiting until each exists; fills {@code
     * logicalNames} (actual name to default name).
     */
    private List<TopicPartition> partitions(
            KafkaConsumer<byte[], byte[]> c, List<String> topics, Map<String, String> logicalNames)
            throws InterruptedException {
        List<TopicPartition> partitions = new ArrayList<>();
        for (String logical : topics) {
            String actual = config.topic(logical);
            logicalNames.put(actual, logical);
            List<PartitionInfo> infos = c.partitionsFor(actual);
            while ((infos == null || infos.isEmpty()) && !stopped) {
                problem = "waiting for topic " + actual;
                LOG.warn("Topic {} does not exist (yet); retrying in {}", actual, RETRY);
                changed.run();
                Thread.sleep(RETRY.toMillis());
                infos = c.partitionsFor(actual);
            }
            if (infos != null) {
                infos.forEach(i -> partitions.add(new TopicPartition(actual, i.partition())));
            }
        }
        return partitions;
    }

    private static boolean reached(
            KafkaConsumer<byte[], byte[]> c, Map<TopicPartition, Long> ends) {
        for (Map.Entry<TopicPartition, Long> end : ends.entrySet()) {
            if (c.position(end.getKey()) < end.getValue()) {
                return false;
            }
        }
        return true;
    }

    private void sampleInputRate(
            KafkaConsumer<byte[], byte[]> c,
            List<TopicPartition> inputs,
            Map<String, String> logicalNames,
            long now) {
        Map<String, Long> totals = new HashMap<>();
        c.endOffsets(inputs)
                .forEach(
                        (partition, end) ->
                                totals.merge(logicalNames.get(partition.topic()), end, Long::sum));
        inputRate.sample(now, totals);
    }

    /** The consumer settings: the client file first, then what the dashboard relies on. */
    static Properties consumerProperties(DashboardConfig config) {
        Properties props = new Properties();
        props.putAll(config.clientProperties());
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "sales-dashboard");
        // Only committed figures: what the job's transactions made final.
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        // A commit is shown within a second: the broker answers a fetch as soon as records are
        // committed, or after this long without any.
        props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "100");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        return props;
    }
}

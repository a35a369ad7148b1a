package com.salesaggregator.job;

import static com.salesaggregator.job.SalesJobOptions.ALLOWED_LATENESS;
import static com.salesaggregator.job.SalesJobOptions.BOOTSTRAP_SERVERS;
import static com.salesaggregator.job.SalesJobOptions.CLIENT_CONFIG;
import static com.salesaggregator.job.SalesJobOptions.DEDUP_HORIZON;
import static com.salesaggregator.job.SalesJobOptions.EMIT_INTERVAL;
import static com.salesaggregator.job.SalesJobOptions.GROUP_ID;
import static com.salesaggregator.job.SalesJobOptions.IDLENESS;
import static com.salesaggregator.job.SalesJobOptions.MAX_RECEIPT_LINES;
import static com.salesaggregator.job.SalesJobOptions.MAX_RECORD_BYTES;
import static com.salesaggregator.job.SalesJobOptions.MAX_TIME_AHEAD;
import static com.salesaggregator.job.SalesJobOptions.OUT_OF_ORDERNESS;
import static com.salesaggregator.job.SalesJobOptions.REFERENCE_GRACE;
import static com.salesaggregator.job.SalesJobOptions.RESTART_BUDGET;
import static com.salesaggregator.job.SalesJobOptions.STARTING_OFFSETS;
import static com.salesaggregator.job.SalesJobOptions.TRANSACTIONAL_ID_PREFIX;
import static com.salesaggregator.job.SalesJobOptions.TRANSACTION_TIMEOUT;

import com.salesaggregator.codec.CodecLimits;
import com.salesaggregator.topics.Topic;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;

/**
 * Every option of the aggregation job, typed, with its default and a one-line description,
 * validated at start: a bad or unknown option fails fast with a message naming the key. Options
 * come as {@code --key value} job arguments (the FlinkDeployment's {@code job.args}). Flink's own
 * settings (checkpointing, state backend, max parallelism) are not job options: they come from
 * Flink's configuration ({@link JobEnvironment}).
 */
public record JobConfig(
        String bootstrapServers,
        String clientConfig,
        String groupId,
        String transactionalIdPrefix,
        String startingOffsets,
        TopicNames topics,
        Duration outOfOrderness,
        Duration idleness,
        Duration allowedLateness,
        Duration referenceGrace,
        Duration emitInterval,
        Duration dedupHorizon,
        Duration transactionTimeout,
        Duration restartBudget,
        int maxRecordBytes,
        int maxReceiptLines,
        Duration maxTimeAhead)
        implements Serializable {

    /**
     * The name each of the product's topics goes by for this job: its own name unless renamed with
     * {@code topic.<name>}.
     *
     * @param byTopic every {@link Topic} with the topic name to use
     */
    public record TopicNames(Map<Topic, String> byTopic) implements Serializable {

        public TopicNames {
            EnumMap<Topic, String> copy = new EnumMap<>(Topic.class);
            copy.putAll(byTopic);
            if (copy.size() != Topic.values().length) {
                throw new IllegalArgumentException(
                        "every topic needs a name; missing: "
                                + EnumSet.complementOf(EnumSet.copyOf(copy.keySet())));
            }
            byTopic = Collections.unmodifiableMap(copy);
        }

        /** Every topic under its own name. */
        public static TopicNames defaults() {
            EnumMap<Topic, String> names = new EnumMap<>(Topic.class);
            for (Topic topic : Topic.values()) {
                names.put(topic, topic.topicName());
            }
            return new TopicNames(names);
        }

        /** The name to use for {@code topic}. */
        public String of(Topic topic) {
            return byTopic.get(topic);
        }
    }

    public static final String TOPIC_PREFIX = SalesJobOptions.TOPIC_PREFIX;

    /** Former job options that Flink's configuration now owns, with the key to use instead. */
    private static final Map<String, String> MOVED_TO_FLINK =
            Map.of(
                    "checkpoint-interval", CheckpointingOptions.CHECKPOINTING_INTERVAL.key(),
                    "checkpoint-timeout", CheckpointingOptions.CHECKPOINTING_TIMEOUT.key(),
                    "min-pause-between-checkpoints",
                            CheckpointingOptions.MIN_PAUSE_BETWEEN_CHECKPOINTS.key(),
                    "tolerable-checkpoint-failures",
                            CheckpointingOptions.TOLERABLE_FAILURE_NUMBER.key(),
                    "max-parallelism", PipelineOptions.MAX_PARALLELISM.key());

    /** Every option but the topic renames, in declaration order (for help and documentation). */
    public static List<ConfigOption<?>> options() {
        return SalesJobOptions.ALL;
    }

    /** The defaults, as if started without arguments. */
    public static JobConfig defaults() {
        return from(Map.of());
    }

    /**
     * A configuration from {@code key -> value} pairs (keys without leading dashes).
     *
     * @throws IllegalArgumentException naming the key of an unknown or invalid option
     */
    public static JobConfig from(Map<String, String> values) {
        for (String key : values.keySet()) {
            String flinkKey = MOVED_TO_FLINK.get(key);
            if (flinkKey != null) {
                throw new IllegalArgumentException(
                        key
                                + " is a Flink setting, no longer a job option: set "
                                + flinkKey
                                + " in Flink's configuration (the chart's job.flinkConfiguration)");
            }
        }
        Set<String> known = new LinkedHashSet<>();
        SalesJobOptions.ALL.forEach(o -> known.add(o.key()));
        Set<String> unknown = new TreeSet<>(values.keySet());
        unknown.removeAll(known);
        Topic.names().forEach(name -> unknown.remove(TOPIC_PREFIX + name));
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException(
                    "unknown option(s) " + unknown + "; known: " + known + " and topic.<name>");
        }
        Reader r = new Reader(values);
        JobConfig config =
                new JobConfig(
                        r.text(BOOTSTRAP_SERVERS),
                        r.raw(CLIENT_CONFIG),
                        r.text(GROUP_ID),
                        r.text(TRANSACTIONAL_ID_PREFIX),
                        r.choice(STARTING_OFFSETS, SalesJobOptions.STARTING_OFFSETS_CHOICES),
                        r.topics(),
                        r.duration(OUT_OF_ORDERNESS, true),
                        r.duration(IDLENESS, false),
                        r.duration(ALLOWED_LATENESS, true),
                        r.duration(REFERENCE_GRACE, true),
                        r.duration(EMIT_INTERVAL, true),
                        r.duration(DEDUP_HORIZON, false),
                        r.duration(TRANSACTION_TIMEOUT, false),
                        r.duration(RESTART_BUDGET, true),
                        r.integer(MAX_RECORD_BYTES, 1),
                        r.integer(MAX_RECEIPT_LINES, 1),
                        r.duration(MAX_TIME_AHEAD, true));
        config.validate();
        return config;
    }

    /**
     * The transaction timeout is checked against Flink's checkpoint timeout when the environment is
     * configured ({@link JobEnvironment#configure}), since Flink's configuration holds it.
     */
    private void validate() {
        if (transactionTimeout.compareTo(Duration.ofMinutes(15)) > 0) {
            throw new IllegalArgumentException(
                    TRANSACTION_TIMEOUT.key()
                            + " ("
                            + transactionTimeout
                            + ") is above 15m, the brokers' default transaction.max.timeout.ms;"
                            + " producers would fail at InitProducerId. Raise the broker setting"
                            + " first, then this option");
        }
        requireDistinctTopics();
    }

    /**
     * Every topic option must name a topic of its own: two outputs on one topic would mix their
     * records and their sinks would share a transactional id prefix ({@link
     * #transactionalIdPrefix(String)}), fencing each other's transactions; an output on an input
     * topic would feed the job its own output.
     */
    private void requireDistinctTopics() {
        Map<String, String> keyByTopic = new LinkedHashMap<>();
        for (Map.Entry<String, String> entry : topicsByKey().entrySet()) {
            String key = entry.getKey();
            String topic = entry.getValue();
            String other = keyByTopic.putIfAbsent(topic, key);
            if (other != null) {
                boolean bothOutputs = isOutputKey(other) && isOutputKey(key);
                throw new IllegalArgumentException(
                        other
                                + " and "
                                + key
                                + " both name topic '"
                                + topic
                                + "'"
                                + (bothOutputs
                                        ? ": their sinks would share the transactional id prefix '"
                                                + transactionalIdPrefix(topic)
                                                + "' and fence each other's transactions"
                                        : "")
                                + "; give every topic option a topic of its own");
            }
        }
    }

    private static boolean isOutputKey(String key) {
        return Topic.byName(key.substring(TOPIC_PREFIX.length()))
                .map(Topic::isOutput)
                .orElse(false);
    }

    /** Every topic option ({@code topic.<name>}) with the topic it names, in declaration order. */
    private Map<String, String> topicsByKey() {
        Map<String, String> byKey = new LinkedHashMap<>();
        for (Topic topic : Topic.values()) {
            byKey.put(TOPIC_PREFIX + topic.topicName(), topics.of(topic));
        }
        return byKey;
    }

    /**
     * The transactional id prefix of the sink writing {@code topic}: one per output, since two
     * sinks sharing a prefix would fence each other.
     */
    public String transactionalIdPrefix(String topic) {
        return transactionalIdPrefix + "-" + topic;
    }

    /** The decoder limits these options set. */
    public CodecLimits codecLimits() {
        return CodecLimits.defaults()
                .withMaxRecordBytes(maxRecordBytes)
                .withMaxReceiptLines(maxReceiptLines)
                .withMaxTimeAhead(maxTimeAhead);
    }

    /** Kafka client properties from the client config file (TLS, SASL); empty if none. */
    public Properties clientProperties() {
        Properties props = new Properties();
        if (!clientConfig.isBlank()) {
            Path path = Path.of(clientConfig);
            try (InputStream in = Files.newInputStream(path)) {
                props.load(in);
            } catch (IOException e) {
                throw new IllegalArgumentException(
                        CLIENT_CONFIG.key() + ": cannot read " + path.toAbsolutePath() + ": " + e,
                        e);
            }
        }
        return props;
    }

    /**
     * Reads option values through their {@link ConfigOption}s (Flink's parsing of durations and
     * numbers) and checks them, naming the key in every error.
     */
    private static final class Reader {
        private final Map<String, String> values;
        private final Configuration configuration;

        Reader(Map<String, String> values) {
            this.values = values;
            Map<String, String> trimmed = new LinkedHashMap<>();
            values.forEach((k, v) -> trimmed.put(k, v.trim()));
            this.configuration = Configuration.fromMap(trimmed);
        }

        <T> T get(ConfigOption<T> option) {
            try {
                return configuration.get(option);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(
                        option.key()
                                + ": cannot parse '"
                                + values.get(option.key())
                                + "' ("
                                + e.getMessage()
                                + ")",
                        e);
            }
        }

        String raw(ConfigOption<String> option) {
            return get(option).trim();
        }

        String text(ConfigOption<String> option) {
            String value = raw(option);
            if (value.isEmpty()) {
                throw new IllegalArgumentException(option.key() + " must not be empty");
            }
            return value;
        }

        /** Every topic's name: its own unless renamed with {@code topic.<name>}. */
        TopicNames topics() {
            EnumMap<Topic, String> names = new EnumMap<>(Topic.class);
            for (Topic topic : Topic.values()) {
                names.put(topic, topic(topic.topicName()));
            }
            return new TopicNames(names);
        }

        String topic(String name) {
            String key = TOPIC_PREFIX + name;
            String value = values.getOrDefault(key, name).trim();
            if (value.isEmpty()) {
                throw new IllegalArgumentException(key + " must not be empty");
            }
            return value;
        }

        String choice(ConfigOption<String> option, List<String> allowed) {
            String value = text(option);
            if (!allowed.contains(value)) {
                throw new IllegalArgumentException(
                        option.key()
                                + " must be one of "
                                + String.join(", ", allowed)
                                + ", was '"
                                + value
                                + "'");
            }
            return value;
        }

        Duration duration(ConfigOption<Duration> option, boolean zeroAllowed) {
            String given = values.get(option.key());
            if (given != null && given.trim().matches("-?\\d+")) {
                // Flink would read a bare number as milliseconds: a horizon of 3600 would be 3.6 s.
                throw new IllegalArgumentException(
                        option.key()
                                + " needs a unit, e.g. "
                                + given.trim()
                                + " s or "
                                + given.trim()
                                + " min; was '"
                                + given.trim()
                                + "'");
            }
            Duration d = get(option);
            if (d.isNegative() || (!zeroAllowed && d.isZero())) {
                throw new IllegalArgumentException(
                        option.key()
                                + " must be "
                                + (zeroAllowed ? "zero or more" : "positive")
                                + ", was "
                                + d);
            }
            return d;
        }

        int integer(ConfigOption<Integer> option, int min) {
            int value = get(option);
            if (value < min) {
                throw new IllegalArgumentException(
                        option.key() + " must be at least " + min + ", was " + value);
            }
            return value;
        }
    }
}

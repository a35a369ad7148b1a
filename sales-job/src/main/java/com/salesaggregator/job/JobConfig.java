package com.salesaggregator.job;

import com.salesaggregator.codec.CodecLimits;
import com.salesaggregator.config.DurationText;
import com.salesaggregator.topics.Topics;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import org.apache.flink.configuration.CheckpointingOptions;
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
     * The topics the job reads and writes.
     *
     * @param online online orders
     * @param store store receipts
     * @param products catalog
     * @param fxRates FX rates
     * @param revenuePerSeller revenue per seller per minute
     * @param unitsPerProduct units per product per 5-minute window
     * @param revenuePerProduct running totals per product
     * @param salesPerRegion running totals per region
     * @param regionTrend per region per minute
     * @param deadLetters rejected records
     * @param late late lines
     */
    public record TopicNames(
            String online,
            String store,
            String products,
            String fxRates,
            String revenuePerSeller,
            String unitsPerProduct,
            String revenuePerProduct,
            String salesPerRegion,
            String regionTrend,
            String deadLetters,
            String late)
            implements Serializable {}

    /** One option: its key, default and description. */
    public record Option(String key, String defaultValue, String description) {}

    private static final Map<String, Option> OPTIONS = new LinkedHashMap<>();

    public static final String BOOTSTRAP_SERVERS =
            option("bootstrap-servers", "localhost:9092", "Kafka bootstrap servers");
    public static final String CLIENT_CONFIG =
            option("client-config", "", "Kafka client properties file (TLS, SASL); empty = none");
    public static final String GROUP_ID =
            option("group-id", "sales-aggregator", "consumer group of the input sources");
    public static final String TRANSACTIONAL_ID_PREFIX =
            option(
                    "transactional-id-prefix",
                    "sales-aggregator",
                    "prefix of the sinks' transactional ids; unique per deployment");
    public static final String STARTING_OFFSETS =
            option(
                    "starting-offsets",
                    "committed-or-earliest",
                    "where a fresh start reads from: committed-or-earliest, earliest or latest");
    public static final String TOPIC_PREFIX = "topic.";
    public static final String OUT_OF_ORDERNESS =
            option("out-of-orderness", "30s", "bounded out-of-orderness of the sales watermarks");
    public static final String IDLENESS =
            option("idleness", "1m", "after this, an idle partition stops holding back watermarks");
    public static final String ALLOWED_LATENESS =
            option("allowed-lateness", "1m", "how long a closed window still accepts lines");
    public static final String REFERENCE_GRACE =
            option(
                    "reference-grace",
                    "1m",
                    "how long a line waits for an unknown product or a missing rate");
    public static final String EMIT_INTERVAL =
            option(
                    "emit-interval",
                    "1s",
                    "running totals and open windows' provisional figures are emitted at most"
                            + " this often per key");
    public static final String DEDUP_HORIZON =
            option(
                    "dedup-horizon",
                    "1h",
                    "a sale delivered again within this time of its first delivery is a DUPLICATE");
    public static final String TRANSACTION_TIMEOUT =
            option(
                    "transaction-timeout",
                    "10m",
                    "Kafka transaction timeout; above Flink's execution.checkpointing.timeout +"
                        + " restart budget, at most the brokers' transaction.max.timeout.ms (15m by"
                        + " default)");
    public static final String RESTART_BUDGET =
            option(
                    "restart-budget",
                    "5m",
                    "longest expected recovery; an open transaction must outlive it");
    public static final String MAX_RECORD_BYTES =
            option(
                    "max-record-bytes",
                    String.valueOf(CodecLimits.DEFAULT_MAX_RECORD_BYTES),
                    "larger input records go to the dead letters as OVERSIZED_RECORD");
    public static final String MAX_RECEIPT_LINES =
            option(
                    "max-receipt-lines",
                    String.valueOf(CodecLimits.DEFAULT_MAX_RECEIPT_LINES),
                    "receipts with more lines go to the dead letters as TOO_MANY_LINES");
    public static final String MAX_TIME_AHEAD =
            option(
                    "max-time-ahead",
                    "1m",
                    "records whose event time lies further after their Kafka timestamp go to the"
                            + " dead letters as FUTURE_TIMESTAMP");

    private static final Map<String, String> TOPIC_DEFAULTS = new LinkedHashMap<>();

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

    /** The topic options of the outputs, each written by a transactional sink. */
    private static final Set<String> OUTPUT_TOPIC_KEYS =
            Set.of(
                    TOPIC_PREFIX + Topics.REVENUE_PER_SELLER_1M,
                    TOPIC_PREFIX + Topics.UNITS_PER_PRODUCT_5M,
                    TOPIC_PREFIX + Topics.REVENUE_PER_PRODUCT,
                    TOPIC_PREFIX + Topics.SALES_PER_REGION,
                    TOPIC_PREFIX + Topics.REGION_TREND_1M,
                    TOPIC_PREFIX + Topics.SALES_DLQ,
                    TOPIC_PREFIX + Topics.SALES_LATE);

    static {
        for (String topic : Topics.ALL) {
            TOPIC_DEFAULTS.put(TOPIC_PREFIX + topic, topic);
        }
    }

    private static String option(String key, String defaultValue, String description) {
        OPTIONS.put(key, new Option(key, defaultValue, description));
        return key;
    }

    /** Every option, in declaration order (for help and documentation). */
    public static Iterable<Option> options() {
        return OPTIONS.values();
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
        Set<String> unknown = new TreeSet<>(values.keySet());
        unknown.removeAll(OPTIONS.keySet());
        unknown.removeAll(TOPIC_DEFAULTS.keySet());
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException(
                    "unknown option(s) "
                            + unknown
                            + "; known: "
                            + OPTIONS.keySet()
                            + " and topic.<name>");
        }
        Reader r = new Reader(values);
        JobConfig config =
                new JobConfig(
                        r.text(BOOTSTRAP_SERVERS),
                        r.raw(CLIENT_CONFIG),
                        r.text(GROUP_ID),
                        r.text(TRANSACTIONAL_ID_PREFIX),
                        r.choice(STARTING_OFFSETS, "committed-or-earliest", "earliest", "latest"),
                        new TopicNames(
                                r.topic(Topics.SALES_ONLINE),
                                r.topic(Topics.SALES_STORE),
                                r.topic(Topics.PRODUCTS),
                                r.topic(Topics.FX_RATES),
                                r.topic(Topics.REVENUE_PER_SELLER_1M),
                                r.topic(Topics.UNITS_PER_PRODUCT_5M),
                                r.topic(Topics.REVENUE_PER_PRODUCT),
                                r.topic(Topics.SALES_PER_REGION),
                                r.topic(Topics.REGION_TREND_1M),
                                r.topic(Topics.SALES_DLQ),
                                r.topic(Topics.SALES_LATE)),
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
                    TRANSACTION_TIMEOUT
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
                boolean bothOutputs =
                        OUTPUT_TOPIC_KEYS.contains(other) && OUTPUT_TOPIC_KEYS.contains(key);
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

    /** Every topic option ({@code topic.<name>}) with the topic it names, in declaration order. */
    private Map<String, String> topicsByKey() {
        Map<String, String> byKey = new LinkedHashMap<>();
        byKey.put(TOPIC_PREFIX + Topics.SALES_ONLINE, topics.online());
        byKey.put(TOPIC_PREFIX + Topics.SALES_STORE, topics.store());
        byKey.put(TOPIC_PREFIX + Topics.PRODUCTS, topics.products());
        byKey.put(TOPIC_PREFIX + Topics.FX_RATES, topics.fxRates());
        byKey.put(TOPIC_PREFIX + Topics.REVENUE_PER_SELLER_1M, topics.revenuePerSeller());
        byKey.put(TOPIC_PREFIX + Topics.UNITS_PER_PRODUCT_5M, topics.unitsPerProduct());
        byKey.put(TOPIC_PREFIX + Topics.REVENUE_PER_PRODUCT, topics.revenuePerProduct());
        byKey.put(TOPIC_PREFIX + Topics.SALES_PER_REGION, topics.salesPerRegion());
        byKey.put(TOPIC_PREFIX + Topics.REGION_TREND_1M, topics.regionTrend());
        byKey.put(TOPIC_PREFIX + Topics.SALES_DLQ, topics.deadLetters());
        byKey.put(TOPIC_PREFIX + Topics.SALES_LATE, topics.late());
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
                        CLIENT_CONFIG + ": cannot read " + path.toAbsolutePath() + ": " + e, e);
            }
        }
        return props;
    }

    /** Reads and checks option values, naming the key in every error. */
    private static final class Reader {
        private final Map<String, String> values;

        Reader(Map<String, String> values) {
            this.values = values;
        }

        String raw(String key) {
            String value = values.get(key);
            return value != null ? value.trim() : OPTIONS.get(key).defaultValue();
        }

        String text(String key) {
            String value = raw(key);
            if (value.isEmpty()) {
                throw new IllegalArgumentException(key + " must not be empty");
            }
            return value;
        }

        String topic(String name) {
            String key = TOPIC_PREFIX + name;
            String value = values.getOrDefault(key, name).trim();
            if (value.isEmpty()) {
                throw new IllegalArgumentException(key + " must not be empty");
            }
            return value;
        }

        String choice(String key, String... allowed) {
            String value = text(key);
            for (String option : allowed) {
                if (option.equals(value)) {
                    return value;
                }
            }
            throw new IllegalArgumentException(
                    key
                            + " must be one of "
                            + String.join(", ", allowed)
                            + ", was '"
                            + value
                            + "'");
        }

        Duration duration(String key, boolean zeroAllowed) {
            Duration d = parse(key, raw(key), DurationText::parse);
            if (d.isNegative() || (!zeroAllowed && d.isZero())) {
                throw new IllegalArgumentException(
                        key
                                + " must be "
                                + (zeroAllowed ? "zero or more" : "positive")
                                + ", was "
                                + d);
            }
            return d;
        }

        int integer(String key, int min) {
            int value = parse(key, raw(key), Integer::parseInt);
            if (value < min) {
                throw new IllegalArgumentException(
                        key + " must be at least " + min + ", was " + value);
            }
            return value;
        }

        private static <T> T parse(String key, String value, Function<String, T> parser) {
            try {
                return parser.apply(value);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(
                        key + ": cannot parse '" + value + "' (" + e.getMessage() + ")", e);
            }
        }
    }
}

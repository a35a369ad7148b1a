package com.salesaggregator.job;

import com.salesaggregator.codec.CodecLimits;
import java.time.Duration;
import java.util.List;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.description.TextElement;
import org.apache.flink.util.TimeUtils;

/**
 * The aggregation job's own options, as Flink {@link ConfigOption}s: key, type, default and
 * description in one place. They come as {@code --key value} job arguments (the FlinkDeployment's
 * {@code job.args}) and are read and checked by {@link JobConfig#from}. Flink's own settings
 * (checkpointing, state backend, max parallelism) are not among them: they come from Flink's
 * configuration ({@link JobEnvironment}). Durations are in Flink's format ({@code 30 s}, {@code 1
 * min}, {@code 500 ms}, {@code 1h}); docs/operations.md lists every option ({@code JobConfigTest}
 * keeps the two in step).
 */
public final class SalesJobOptions {

    private SalesJobOptions() {}

    public static final ConfigOption<String> BOOTSTRAP_SERVERS =
            ConfigOptions.key("bootstrap-servers")
                    .stringType()
                    .defaultValue("localhost:9092")
                    .withDescription("Kafka bootstrap servers");

    public static final ConfigOption<String> CLIENT_CONFIG =
            ConfigOptions.key("client-config")
                    .stringType()
                    .defaultValue("")
                    .withDescription("Kafka client properties file (TLS, SASL); empty = none");

    public static final ConfigOption<String> GROUP_ID =
            ConfigOptions.key("group-id")
                    .stringType()
                    .defaultValue("sales-aggregator")
                    .withDescription("consumer group of the input sources");

    public static final ConfigOption<String> TRANSACTIONAL_ID_PREFIX =
            ConfigOptions.key("transactional-id-prefix")
                    .stringType()
                    .defaultValue("sales-aggregator")
                    .withDescription(
                            "prefix of the sinks' transactional ids; unique per deployment");

    /** The values {@link #STARTING_OFFSETS} accepts. */
    public static final List<String> STARTING_OFFSETS_CHOICES =
            List.of("committed-or-earliest", "earliest", "latest");

    public static final ConfigOption<String> STARTING_OFFSETS =
            ConfigOptions.key("starting-offsets")
                    .stringType()
                    .defaultValue("committed-or-earliest")
                    .withDescription(
                            "where a fresh start reads from: committed-or-earliest, earliest or"
                                    + " latest");

    public static final ConfigOption<Duration> OUT_OF_ORDERNESS =
            ConfigOptions.key("out-of-orderness")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(30))
                    .withDescription("bounded out-of-orderness of the sales watermarks");

    public static final ConfigOption<Duration> IDLENESS =
            ConfigOptions.key("idleness")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(1))
                    .withDescription("after this, an idle partition stops holding back watermarks");

    public static final ConfigOption<Duration> ALLOWED_LATENESS =
            ConfigOptions.key("allowed-lateness")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(1))
                    .withDescription("how long a closed window still accepts lines");

    public static final ConfigOption<Duration> REFERENCE_GRACE =
            ConfigOptions.key("reference-grace")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(1))
                    .withDescription(
                            "how long a line waits for an unknown product or a missing rate");

    public static final ConfigOption<Duration> EMIT_INTERVAL =
            ConfigOptions.key("emit-interval")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(1))
                    .withDescription(
                            "running totals and open windows' provisional figures are emitted at"
                                    + " most this often per key");

    public static final ConfigOption<Duration> DEDUP_HORIZON =
            ConfigOptions.key("dedup-horizon")
                    .durationType()
                    .defaultValue(Duration.ofHours(1))
                    .withDescription(
                            "a sale delivered again within this time of its first delivery is a"
                                    + " DUPLICATE");

    public static final ConfigOption<Duration> TRANSACTION_TIMEOUT =
            ConfigOptions.key("transaction-timeout")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(10))
                    .withDescription(
                            "Kafka transaction timeout; above Flink's"
                                    + " execution.checkpointing.timeout + restart budget, at most"
                                    + " the brokers' transaction.max.timeout.ms (15 min by"
                                    + " default)");

    public static final ConfigOption<Duration> RESTART_BUDGET =
            ConfigOptions.key("restart-budget")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(5))
                    .withDescription(
                            "longest expected recovery; an open transaction must outlive it");

    public static final ConfigOption<Integer> MAX_RECORD_BYTES =
            ConfigOptions.key("max-record-bytes")
                    .intType()
                    .defaultValue(CodecLimits.DEFAULT_MAX_RECORD_BYTES)
                    .withDescription(
                            "larger input records go to the dead letters as OVERSIZED_RECORD");

    public static final ConfigOption<Integer> MAX_RECEIPT_LINES =
            ConfigOptions.key("max-receipt-lines")
                    .intType()
                    .defaultValue(CodecLimits.DEFAULT_MAX_RECEIPT_LINES)
                    .withDescription(
                            "receipts with more lines go to the dead letters as TOO_MANY_LINES");

    public static final ConfigOption<Duration> MAX_TIME_AHEAD =
            ConfigOptions.key("max-time-ahead")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(1))
                    .withDescription(
                            "records whose event time lies further after their Kafka timestamp go"
                                    + " to the dead letters as FUTURE_TIMESTAMP");

    public static final ConfigOption<String> BACKFILL_FROM =
            ConfigOptions.key("backfill-from")
                    .stringType()
                    .defaultValue("")
                    .withDescription(
                            "start (inclusive, ISO-8601, e.g. 2026-12-01T00:00:00Z) of the"
                                    + " event-time range a backfill recomputes; with"
                                    + " backfill-to; empty = the live job");

    public static final ConfigOption<String> BACKFILL_TO =
            ConfigOptions.key("backfill-to")
                    .stringType()
                    .defaultValue("")
                    .withDescription(
                            "end (exclusive, ISO-8601) of the backfill's event-time range; with"
                                    + " backfill-from");

    public static final ConfigOption<String> BACKFILL_SUFFIX =
            ConfigOptions.key("backfill-suffix")
                    .stringType()
                    .defaultValue(".backfill")
                    .withDescription(
                            "a backfill writes to the output topic names plus this suffix"
                                    + " ([a-zA-Z0-9._-])");

    /** Renames a topic: {@code topic.<name> <topic>}, e.g. {@code --topic.sales-dlq my-dlq}. */
    public static final String TOPIC_PREFIX = "topic.";

    /** Every option but the topic renames, in the order the documentation lists them. */
    public static final List<ConfigOption<?>> ALL =
            List.of(
                    BOOTSTRAP_SERVERS,
                    CLIENT_CONFIG,
                    GROUP_ID,
                    TRANSACTIONAL_ID_PREFIX,
                    STARTING_OFFSETS,
                    OUT_OF_ORDERNESS,
                    IDLENESS,
                    ALLOWED_LATENESS,
                    REFERENCE_GRACE,
                    EMIT_INTERVAL,
                    DEDUP_HORIZON,
                    TRANSACTION_TIMEOUT,
                    RESTART_BUDGET,
                    MAX_RECORD_BYTES,
                    MAX_RECEIPT_LINES,
                    MAX_TIME_AHEAD,
                    BACKFILL_FROM,
                    BACKFILL_TO,
                    BACKFILL_SUFFIX);

    /** An option's description as plain text (for help and documentation). */
    public static String description(ConfigOption<?> option) {
        StringBuilder text = new StringBuilder();
        option.description()
                .getBlocks()
                .forEach(
                        block -> {
                            if (block instanceof TextElement t) {
                                text.append(t.getFormat());
                            }
                        });
        return text.toString();
    }

    /** An option's default as it is typed on the command line, e.g. {@code 30 s}. */
    public static String defaultText(ConfigOption<?> option) {
        Object value = option.defaultValue();
        return value instanceof Duration d ? TimeUtils.formatWithHighestUnit(d) : value.toString();
    }

    /** The options table of docs/operations.md, one Markdown row per option. */
    public static List<String> markdownRows() {
        List<String> rows = new java.util.ArrayList<>();
        for (ConfigOption<?> option : ALL) {
            String value = defaultText(option);
            rows.add(
                    "| `--"
                            + option.key()
                            + "` | "
                            + (value.isEmpty() ? "none" : "`" + value + "`")
                            + " | "
                            + description(option)
                            + " |");
        }
        rows.add(
                "| `--"
                        + TOPIC_PREFIX
                        + "<name>` | the name | rename a topic, e.g. `--topic.sales-dlq my-dlq`;"
                        + " every topic option must name a topic of its own |");
        return rows;
    }

    /** What {@code --help} prints: every option with its default and description. */
    public static String usage() {
        StringBuilder text =
                new StringBuilder(
                        "sales-aggregator job options (--key value; durations like 30 s, 1 min,"
                                + " 500 ms):\n");
        for (ConfigOption<?> option : ALL) {
            String value = defaultText(option);
            text.append(
                    String.format(
                            "  --%-26s %s (default: %s)%n",
                            option.key(), description(option), value.isEmpty() ? "none" : value));
        }
        text.append(
                String.format(
                        "  --%-26s %s%n",
                        TOPIC_PREFIX + "<name> <topic>",
                        "rename a topic; every topic option must name a topic of its own"));
        text.append(
                "Flink's settings (checkpointing, state backend, max parallelism) come from"
                        + " Flink's configuration, not from these options.\n");
        return text.toString();
    }
}

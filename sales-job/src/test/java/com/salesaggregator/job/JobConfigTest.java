package com.salesaggregator.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.salesaggregator.codec.CodecLimits;
import com.salesaggregator.topics.Topic;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Parsing and validation of the job's {@code --key value} options by {@link JobConfig}. */
class JobConfigTest {

    /** A value other than the default for every option. */
    private static final Map<String, String> EVERY_OPTION = new LinkedHashMap<>();

    static {
        EVERY_OPTION.put(SalesJobOptions.BOOTSTRAP_SERVERS.key(), "kafka-0:9093,kafka-1:9093");
        EVERY_OPTION.put(SalesJobOptions.CLIENT_CONFIG.key(), "/etc/sales/client.properties");
        EVERY_OPTION.put(SalesJobOptions.GROUP_ID.key(), "sales-green");
        EVERY_OPTION.put(SalesJobOptions.TRANSACTIONAL_ID_PREFIX.key(), "sales-green-tx");
        EVERY_OPTION.put(SalesJobOptions.STARTING_OFFSETS.key(), "earliest");
        EVERY_OPTION.put(SalesJobOptions.OUT_OF_ORDERNESS.key(), "45s");
        EVERY_OPTION.put(SalesJobOptions.IDLENESS.key(), "2m");
        EVERY_OPTION.put(SalesJobOptions.ALLOWED_LATENESS.key(), "90s");
        EVERY_OPTION.put(SalesJobOptions.REFERENCE_GRACE.key(), "3m");
        EVERY_OPTION.put(SalesJobOptions.EMIT_INTERVAL.key(), "500ms");
        EVERY_OPTION.put(SalesJobOptions.DEDUP_HORIZON.key(), "6h");
        EVERY_OPTION.put(SalesJobOptions.TRANSACTION_TIMEOUT.key(), "14m");
        EVERY_OPTION.put(SalesJobOptions.RESTART_BUDGET.key(), "10m");
        EVERY_OPTION.put(SalesJobOptions.MAX_RECORD_BYTES.key(), "2048");
        EVERY_OPTION.put(SalesJobOptions.MAX_RECEIPT_LINES.key(), "50");
        EVERY_OPTION.put(SalesJobOptions.MAX_TIME_AHEAD.key(), "5m");
    }

    @Test
    void defaultsAreThoseOfTheProductSpec() {
        JobConfig config = SalesAggregationJob.parse(new String[0]);

        assertThat(config.outOfOrderness()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.allowedLateness()).isEqualTo(Duration.ofMinutes(1));
        assertThat(config.emitInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(config.idleness()).isEqualTo(Duration.ofMinutes(1));
        assertThat(config.dedupHorizon()).isEqualTo(Duration.ofHours(1));
        assertThat(config).isEqualTo(JobConfig.defaults());
        assertThat(config.codecLimits()).isEqualTo(CodecLimits.defaults());
    }

    @Test
    void defaultTopicsAreTheTopicNames() {
        JobConfig.TopicNames topics = JobConfig.defaults().topics();

        assertThat(
                        List.of(
                                topics.of(Topic.SALES_ONLINE),
                                topics.of(Topic.SALES_STORE),
                                topics.of(Topic.PRODUCTS),
                                topics.of(Topic.FX_RATES),
                                topics.of(Topic.REVENUE_PER_SELLER_1M),
                                topics.of(Topic.UNITS_PER_PRODUCT_5M),
                                topics.of(Topic.REVENUE_PER_PRODUCT),
                                topics.of(Topic.SALES_PER_REGION),
                                topics.of(Topic.REGION_TREND_1M),
                                topics.of(Topic.SALES_DLQ),
                                topics.of(Topic.SALES_LATE)))
                .isEqualTo(Topic.names());
    }

    @Test
    void theOptionsTableInTheDocumentationIsTheOptionsClass() throws Exception {
        String doc = java.nio.file.Files.readString(projectFile("docs/operations.md"));
        List<String> tableRows = doc.lines().filter(l -> l.startsWith("| `--")).toList();

        assertThat(tableRows).containsExactlyElementsOf(SalesJobOptions.markdownRows());
    }

    /** {@code file} under the project's root (the nearest directory with it), from this module. */
    private static java.nio.file.Path projectFile(String file) {
        for (java.nio.file.Path dir = java.nio.file.Path.of("").toAbsolutePath();
                dir != null;
                dir = dir.getParent()) {
            if (java.nio.file.Files.isRegularFile(dir.resolve(file))) {
                return dir.resolve(file);
            }
        }
        throw new IllegalStateException(file + " not found above " + java.nio.file.Path.of(""));
    }

    @Test
    void helpListsEveryOptionWithItsDefault() {
        String usage = SalesJobOptions.usage();

        for (var option : SalesJobOptions.ALL) {
            assertThat(usage).contains("--" + option.key());
        }
        assertThat(usage).contains("(default: 30 s)").contains("(default: 1 h)");
    }

    @Test
    void aDurationWithoutAUnitIsRefusedNamingTheKey() {
        assertThatThrownBy(() -> JobConfig.from(Map.of("dedup-horizon", "3600")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("dedup-horizon needs a unit");
    }

    @Test
    void everyOptionHasAValueInThisTest() {
        // A new option must get a value here, so that the next test checks it parses.
        assertThat(
                        StreamSupport.stream(JobConfig.options().spliterator(), false)
                                .map(org.apache.flink.configuration.ConfigOption::key))
                .containsExactlyInAnyOrderElementsOf(EVERY_OPTION.keySet());
    }

    @Test
    void everyOptionParsesFromKeyValueArguments() {
        JobConfig config = SalesAggregationJob.parse(args(EVERY_OPTION));

        assertThat(config.bootstrapServers()).isEqualTo("kafka-0:9093,kafka-1:9093");
        assertThat(config.clientConfig()).isEqualTo("/etc/sales/client.properties");
        assertThat(config.groupId()).isEqualTo("sales-green");
        assertThat(config.transactionalIdPrefix()).isEqualTo("sales-green-tx");
        assertThat(config.startingOffsets()).isEqualTo("earliest");
        assertThat(config.outOfOrderness()).isEqualTo(Duration.ofSeconds(45));
        assertThat(config.idleness()).isEqualTo(Duration.ofMinutes(2));
        assertThat(config.allowedLateness()).isEqualTo(Duration.ofSeconds(90));
        assertThat(config.referenceGrace()).isEqualTo(Duration.ofMinutes(3));
        assertThat(config.emitInterval()).isEqualTo(Duration.ofMillis(500));
        assertThat(config.dedupHorizon()).isEqualTo(Duration.ofHours(6));
        assertThat(config.transactionTimeout()).isEqualTo(Duration.ofMinutes(14));
        assertThat(config.restartBudget()).isEqualTo(Duration.ofMinutes(10));
        assertThat(config.maxRecordBytes()).isEqualTo(2048);
        assertThat(config.maxReceiptLines()).isEqualTo(50);
        assertThat(config.maxTimeAhead()).isEqualTo(Duration.ofMinutes(5));
        assertThat(config.codecLimits())
                .isEqualTo(
                        CodecLimits.defaults()
                                .withMaxRecordBytes(2048)
                                .withMaxReceiptLines(50)
                                .withMaxTimeAhead(Duration.ofMinutes(5)));
    }

    @Test
    void unknownOptionIsRejectedByName() {
        assertThatThrownBy(() -> SalesAggregationJob.parse(new String[] {"--emit-intervall", "1s"}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("emit-intervall");
    }

    @ParameterizedTest
    @CsvSource({
        "emit-interval, soon",
        "emit-interval, 1 fortnight",
        "out-of-orderness, PT-5S",
        "idleness, 0",
        "dedup-horizon, 0s",
        "dedup-horizon, PT-1H",
        "dedup-horizon, a day",
        "max-record-bytes, 0",
        "max-receipt-lines, 1.5",
        "max-time-ahead, PT-1S",
        "starting-offsets, sometimes",
        "group-id, ' '",
        "bootstrap-servers, ' '",
        "topic.sales-online, ' '"
    })
    void badValueIsRejectedNamingTheKey(String key, String value) {
        assertThatThrownBy(() -> SalesAggregationJob.parse(new String[] {"--" + key, value}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(key);
    }

    @Test
    void optionWithoutAValueIsRejectedNamingTheKey() {
        // ParameterTool reads "--bootstrap-servers --group-id g" as a key without value.
        assertThatThrownBy(
                        () ->
                                SalesAggregationJob.parse(
                                        new String[] {"--bootstrap-servers", "--group-id", "g"}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bootstrap-servers");
    }

    @ParameterizedTest
    @CsvSource({
        "checkpoint-interval, 10s, execution.checkpointing.interval",
        "checkpoint-timeout, 2m, execution.checkpointing.timeout",
        "min-pause-between-checkpoints, 1s, execution.checkpointing.min-pause",
        "tolerable-checkpoint-failures, 3, execution.checkpointing.tolerable-failed-checkpoints",
        "max-parallelism, 128, pipeline.max-parallelism"
    })
    void flinksSettingsAreNoJobOptionsAndTheMessageNamesFlinksKey(
            String former, String value, String flinkKey) {
        assertThatThrownBy(() -> SalesAggregationJob.parse(new String[] {"--" + former, value}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(former)
                .hasMessageContaining(flinkKey);
    }

    @Test
    void transactionTimeoutAboveTheBrokerDefaultMaximumIsRejected() {
        assertThat(parse("--transaction-timeout", "15m").transactionTimeout())
                .isEqualTo(Duration.ofMinutes(15));
        assertThatThrownBy(() -> parse("--transaction-timeout", "900001ms"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("transaction-timeout")
                .hasMessageContaining("15m");
    }

    @Test
    void jobRefusesToStartWhenTheTransactionTimeoutIsTooShort() {
        // main() is what the FlinkDeployment runs: it must fail before running anything. Flink's
        // checkpoint timeout here is the job's default, 2m: 2m + 9m is above 10m.
        assertThatThrownBy(
                        () ->
                                SalesAggregationJob.main(
                                        new String[] {
                                            "--restart-budget", "9m",
                                            "--transaction-timeout", "10m"
                                        }))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("transaction-timeout (PT10M)")
                .hasMessageContaining("execution.checkpointing.timeout + restart-budget (PT11M)");
    }

    @Test
    void eachOutputSinkGetsATransactionalIdPrefixOfItsOwn() {
        JobConfig config = parse("--transactional-id-prefix", "blue");
        JobConfig.TopicNames t = config.topics();
        List<String> outputs =
                List.of(
                        t.of(Topic.REVENUE_PER_SELLER_1M),
                        t.of(Topic.UNITS_PER_PRODUCT_5M),
                        t.of(Topic.REVENUE_PER_PRODUCT),
                        t.of(Topic.SALES_PER_REGION),
                        t.of(Topic.REGION_TREND_1M),
                        t.of(Topic.SALES_DLQ),
                        t.of(Topic.SALES_LATE));

        assertThat(outputs.stream().map(config::transactionalIdPrefix))
                .doesNotHaveDuplicates()
                .contains("blue-sales-dlq", "blue-sales-late")
                .allSatisfy(prefix -> assertThat(prefix).startsWith("blue-"));
    }

    @Test
    void jobRefusesToStartWhenTwoSinksWouldShareATransactionalIdPrefix() {
        assertThatThrownBy(
                        () ->
                                SalesAggregationJob.main(
                                        new String[] {
                                            "--topic.sales-dlq", "rejects",
                                            "--topic.sales-late", "rejects"
                                        }))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(
                        "topic.sales-dlq and topic.sales-late both name topic 'rejects'")
                .hasMessageContaining("transactional id prefix 'sales-aggregator-rejects'");
    }

    @Test
    void outputRenamedOntoTheDefaultNameOfAnotherOutputIsRefused() {
        assertThatThrownBy(
                        () -> parse("--topic.region-trend-1m", Topic.SALES_PER_REGION.topicName()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("topic.sales-per-region")
                .hasMessageContaining("topic.region-trend-1m")
                .hasMessageContaining("transactional id prefix");
    }

    @Test
    void outputOnAnInputTopicIsRefused() {
        assertThatThrownBy(() -> parse("--topic.sales-dlq", Topic.SALES_ONLINE.topicName()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("topic.sales-online and topic.sales-dlq both name topic")
                .hasMessageNotContaining("transactional id");
    }

    @Test
    void swappingTwoTopicNamesIsAllowed() {
        JobConfig config =
                parse(
                        "--topic.sales-dlq", Topic.SALES_LATE.topicName(),
                        "--topic.sales-late", Topic.SALES_DLQ.topicName());

        assertThat(config.topics().of(Topic.SALES_DLQ)).isEqualTo(Topic.SALES_LATE.topicName());
        assertThat(config.topics().of(Topic.SALES_LATE)).isEqualTo(Topic.SALES_DLQ.topicName());
    }

    @Test
    void topicNamesAreOverriddenWithTopicPrefixedKeys() {
        JobConfig config =
                parse(
                        "--topic.sales-online", "blue.sales-online",
                        "--topic.sales-dlq", "blue.sales-dlq",
                        "--topic.units-per-product-5m", "blue.units");

        assertThat(config.topics().of(Topic.SALES_ONLINE)).isEqualTo("blue.sales-online");
        assertThat(config.topics().of(Topic.SALES_DLQ)).isEqualTo("blue.sales-dlq");
        assertThat(config.topics().of(Topic.UNITS_PER_PRODUCT_5M)).isEqualTo("blue.units");
        assertThat(config.topics().of(Topic.SALES_STORE)).isEqualTo(Topic.SALES_STORE.topicName());
    }

    @Test
    void topicOverrideForATopicThatDoesNotExistIsRejected() {
        assertThatThrownBy(() -> parse("--topic.sales-offline", "x"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("topic.sales-offline");
    }

    @Test
    void clientPropertiesAreReadFromTheClientConfigFile(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("client.properties");
        Files.writeString(file, "security.protocol=SASL_SSL\nsasl.mechanism=SCRAM-SHA-512\n");

        Properties props = parse("--client-config", file.toString()).clientProperties();

        assertThat(props)
                .containsOnly(
                        Map.entry("security.protocol", "SASL_SSL"),
                        Map.entry("sasl.mechanism", "SCRAM-SHA-512"));
    }

    @Test
    void noClientConfigMeansNoClientProperties() {
        assertThat(JobConfig.defaults().clientProperties()).isEmpty();
    }

    @Test
    void unreadableClientConfigFailsNamingTheKeyAndThePath(@TempDir Path dir) {
        Path missing = dir.resolve("missing.properties");
        JobConfig config = parse("--client-config", missing.toString());

        assertThatThrownBy(config::clientProperties)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("client-config")
                .hasMessageContaining(missing.toString());
    }

    private static JobConfig parse(String... args) {
        return SalesAggregationJob.parse(args);
    }

    private static String[] args(Map<String, String> options) {
        List<String> args = new ArrayList<>();
        options.forEach(
                (key, value) -> {
                    args.add("--" + key);
                    args.add(value);
                });
        return args.toArray(String[]::new);
    }
}

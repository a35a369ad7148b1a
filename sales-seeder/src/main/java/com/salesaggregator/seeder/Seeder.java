package com.salesaggregator.seeder;

import com.salesaggregator.cli.DurationConverter;
import com.salesaggregator.cli.EnvironmentDefaults;
import com.salesaggregator.cli.StopSignals;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The seeder's command line: realistic, reproducible sales, catalog and FX data into Kafka. */
@Command(
        name = "seeder",
        mixinStandardHelpOptions = true,
        version = "sales-aggregator seeder",
        sortOptions = false,
        description =
                "Publishes the catalog and FX rates, then sales on both channels (online orders,"
                        + " store receipts) with planned out-of-order, late and malformed records.",
        footer = {
            "",
            "Every option can also be set by an environment variable: SEEDER_ and the option name"
                + " in upper snake case, e.g. SEEDER_RATE=500, SEEDER_BOOTSTRAP_SERVERS=kafka:9093."
        })
public final class Seeder implements Callable<Integer> {

    /** The prefix of the environment variables that set options. */
    public static final String ENV_PREFIX = "SEEDER_";

    @Option(
            names = "--bootstrap-servers",
            defaultValue = "localhost:9092",
            description = "Kafka bootstrap servers (default: ${DEFAULT-VALUE}).")
    String bootstrapServers;

    @Option(
            names = "--client-config",
            description =
                    "Kafka client properties file (TLS, SASL), applied on top of the defaults.")
    Path clientConfig;

    @Option(
            names = "--rate",
            defaultValue = "100",
            description = "Sales (orders + receipts) per second (default: ${DEFAULT-VALUE}).")
    double rate;

    // arity 0..1 with a fallback of true: a bare --bulk means true even when SEEDER_BULK=true,
    // where picocli would otherwise toggle the flag to false, and --bulk=false can override it.
    @Option(
            names = "--bulk",
            defaultValue = "false",
            arity = "0..1",
            fallbackValue = "true",
            description = "Send as fast as possible; event time still advances at --rate.")
    boolean bulk;

    @Option(
            names = "--count",
            defaultValue = "0",
            description = "Stop after this many sales; 0 = no limit (default: ${DEFAULT-VALUE}).")
    long count;

    @Option(
            names = "--duration",
            converter = DurationConverter.class,
            description = "Stop after this long, e.g. 60s or 10m; default: no limit.")
    Duration duration;

    @Option(names = "--seed", description = "Random seed; same seed and options, same records.")
    Long seed;

    @Option(
            names = "--start-time",
            description = "Event time of the first sale (ISO-8601); default: now.")
    Instant startTime;

    @Option(
            names = "--catalog-size",
            defaultValue = "200",
            description = "Products in the catalog (default: ${DEFAULT-VALUE}).")
    int catalogSize;

    @Option(
            names = "--sellers",
            defaultValue = "20",
            description = "Distinct sellers (default: ${DEFAULT-VALUE}).")
    int sellers;

    @Option(
            names = "--stores",
            defaultValue = "30",
            description = "Distinct stores (default: ${DEFAULT-VALUE}).")
    int stores;

    @Option(
            names = "--regions",
            split = ",",
            defaultValue = "eu-west,uk,us-east,nordics,switzerland,japan",
            description = "Sales regions (default: ${DEFAULT-VALUE}).")
    List<String> regions;

    @Option(
            names = "--currencies",
            split = ",",
            defaultValue = "EUR,GBP,USD,SEK,CHF,JPY",
            description =
                    "Currencies; region i pays in currency i mod n (default: ${DEFAULT-VALUE}).")
    List<String> currencies;

    @Option(
            names = "--online-fraction",
            defaultValue = "0.6",
            description = "Share of sales that are online orders (default: ${DEFAULT-VALUE}).")
    double onlineFraction;

    @Option(
            names = "--max-out-of-orderness",
            defaultValue = "30s",
            converter = DurationConverter.class,
            description = "How far behind the clock an on-time sale may be (default: 30s).")
    Duration maxOutOfOrderness;

    @Option(
            names = "--out-of-order-fraction",
            defaultValue = "0.2",
            description =
                    "Share of on-time sales that are out of order, anywhere up to"
                            + " --max-out-of-orderness behind the clock; the others are published"
                            + " within 1 s of their event time (default: ${DEFAULT-VALUE}).")
    double outOfOrderFraction;

    @Option(
            names = "--late-fraction",
            defaultValue = "0.01",
            description = "Share of sales planned to arrive late (default: ${DEFAULT-VALUE}).")
    double lateFraction;

    @Option(
            names = "--late-by",
            defaultValue = "5m",
            converter = DurationConverter.class,
            description =
                    "How far behind the clock a late sale is, at least; keep it above the job's"
                            + " out-of-orderness + allowed lateness + 1 min (default: 5m).")
    Duration lateBy;

    @Option(
            names = "--malformed-fraction",
            defaultValue = "0.005",
            description =
                    "Share of sales published with a planned defect (default: ${DEFAULT-VALUE}).")
    double malformedFraction;

    @Option(
            names = "--fx-update-interval",
            defaultValue = "30s",
            converter = DurationConverter.class,
            description = "Event time between FX rate updates (default: 30s).")
    Duration fxUpdateInterval;

    @Option(
            names = "--catalog-change-interval",
            defaultValue = "2m",
            converter = DurationConverter.class,
            description = "Event time between catalog changes (default: 2m).")
    Duration catalogChangeInterval;

    @Option(
            names = "--heartbeat-interval",
            defaultValue = "1s",
            converter = DurationConverter.class,
            description =
                    "Time between reference heartbeats on every partition of products and"
                            + " fx-rates: wall-clock time, or event time with --bulk (default:"
                            + " 1s).")
    Duration heartbeatInterval;

    @Option(
            names = "--resend-fraction",
            defaultValue = "0.002",
            description =
                    "Share of valid sales published again up to 10 s later, as a producer resend"
                            + " (default: ${DEFAULT-VALUE}).")
    double resendFraction;

    @Option(
            names = "--http-port",
            defaultValue = "8080",
            description = "Port of /healthz and /metrics; -1 = off (default: ${DEFAULT-VALUE}).")
    int httpPort;

    @Option(
            names = "--progress-interval",
            defaultValue = "5s",
            converter = DurationConverter.class,
            description = "Time between progress lines (default: 5s).")
    Duration progressInterval;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine(System.getenv()).execute(args));
    }

    /** The command line, with options also read from {@code environment}. */
    static CommandLine commandLine(java.util.Map<String, String> environment) {
        return new CommandLine(new Seeder())
                .setDefaultValueProvider(new EnvironmentDefaults(ENV_PREFIX, environment));
    }

    /** The generator configuration these options describe. */
    GeneratorConfig generatorConfig() {
        long effectiveSeed = seed != null ? seed : new SecureRandom().nextLong();
        Instant start = startTime != null ? startTime : defaultStartTime(Instant.now());
        try {
            return new GeneratorConfig(
                    effectiveSeed,
                    start,
                    rate,
                    catalogSize,
                    sellers,
                    stores,
                    regions,
                    currencies,
                    onlineFraction,
                    maxOutOfOrderness,
                    outOfOrderFraction,
                    lateFraction,
                    lateBy,
                    malformedFraction,
                    fxUpdateInterval,
                    catalogChangeInterval,
                    resendFraction);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--" + e.getMessage());
        }
    }

    /**
     * Rejects runner options that would otherwise be misread: a negative count as "no limit", a
     * zero progress interval as a line per record, a bad port as a stack trace at bind time.
     */
    private void validateRunnerOptions() {
        requireOption(count >= 0, "--count must not be negative, was " + count);
        requireOption(
                duration == null || duration.isPositive(),
                "--duration must be positive, was " + duration);
        requireOption(
                progressInterval.isPositive(),
                "--progress-interval must be positive, was " + progressInterval);
        requireOption(
                heartbeatInterval.isPositive(),
                "--heartbeat-interval must be positive, was " + heartbeatInterval);
        requireOption(
                httpPort >= -1 && httpPort <= 65535,
                "--http-port must be -1 (off) or a port from 0 to 65535, was " + httpPort);
    }

    private void requireOption(boolean valid, String message) {
        if (!valid) {
            throw new CommandLine.ParameterException(spec.commandLine(), message);
        }
    }

    /**
     * Now, except for a bounded bulk run: that starts in the past so that its event clock ends
     * about now. Brokers reject record timestamps more than an hour ahead of their clock ({@code
     * log.message.timestamp.after.max.ms}), and a bulk run outpaces its event clock.
     */
    Instant defaultStartTime(Instant now) {
        Instant start = now.truncatedTo(ChronoUnit.MILLIS);
        if (bulk && count > 0 && rate > 0) {
            start = start.minusMillis((long) Math.ceil(count * 1000.0 / rate));
        }
        return start;
    }

    /** Producer settings: idempotent, acks=all, compressed and batched, plus the client file. */
    public static Properties producerProperties(String bootstrapServers, Path clientConfig)
            throws IOException {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "sales-seeder");
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "20");
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(256 * 1024));
        if (clientConfig != null) {
            try (InputStream in = Files.newInputStream(clientConfig)) {
                props.load(in);
            }
        }
        // Not overridable: the seeder's guarantees rest on these.
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return props;
    }

    @Override
    public Integer call() throws Exception {
        if (clientConfig != null && !Files.isReadable(clientConfig)) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(),
                    "--client-config: cannot read " + clientConfig.toAbsolutePath());
        }
        validateRunnerOptions();
        GeneratorConfig config = generatorConfig();
        SeederMetrics metrics = new SeederMetrics();
        System.out.printf(
                "seeder: seed %d, start %s, %s sales/s%s to %s%n",
                config.seed(), config.startTime(), rate, bulk ? " (bulk)" : "", bootstrapServers);
        try (Producer<byte[], byte[]> producer =
                new KafkaProducer<>(producerProperties(bootstrapServers, clientConfig))) {
            SeederRunner runner =
                    new SeederRunner(
                            new SalesGenerator(config),
                            producer,
                            new SeederRunner.Settings(
                                    rate,
                                    bulk,
                                    count,
                                    duration,
                                    progressInterval,
                                    heartbeatInterval),
                            metrics,
                            System.out::println);
            StopSignals.onStop(runner::stop);
            try (HealthServer health =
                    httpPort < 0
                            ? null
                            : HealthServer.start(httpPort, runner::healthy, metrics.registry())) {
                if (health != null) {
                    System.out.printf("seeder: /healthz and /metrics on port %d%n", health.port());
                }
                runner.run();
            }
            if (runner.fatalError() != null) {
                System.err.println(
                        "seeder: stopped by a fatal Kafka error: " + runner.fatalError());
                return 1;
            }
            return 0;
        }
    }
}

package com.salesaggregator.seeder;

import static org.assertj.core.api.Assertions.assertThat;

import com.salesaggregator.cli.EnvironmentDefaults;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/** Parses the seeder's command line: environment defaults, precedence, validation and help. */
// A validation gap would let execute() go on to connect to Kafka; the timeout turns that into a
// failure instead of a hung build.
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SeederCommandTest {

    private static final Instant START = Instant.parse("2026-11-22T09:00:00Z");

    @TempDir Path dir;

    @Test
    void builtInDefaultsAreTheGeneratorDefaults() {
        Seeder seeder = parse(Map.of(), "--seed", "5", "--start-time", START.toString());

        assertThat(seeder.generatorConfig()).isEqualTo(GeneratorConfig.defaults(5, START));
        assertThat(seeder.bootstrapServers).isEqualTo("localhost:9092");
        assertThat(seeder.clientConfig).isNull();
        assertThat(seeder.bulk).isFalse();
        assertThat(seeder.count).isZero();
        assertThat(seeder.duration).isNull();
        assertThat(seeder.httpPort).isEqualTo(8080);
        assertThat(seeder.progressInterval).isEqualTo(Duration.ofSeconds(5));
        assertThat(seeder.heartbeatInterval)
                .isEqualTo(Duration.ofSeconds(1))
                .isEqualTo(SeederRunner.Settings.DEFAULT_HEARTBEAT_INTERVAL);
    }

    @Test
    void everyOptionCanBeSetFromTheEnvironment() throws IOException {
        Map<String, String> env = fullEnvironment();

        Seeder seeder = parse(env);

        assertThat(seeder.generatorConfig())
                .isEqualTo(
                        new GeneratorConfig(
                                99,
                                START,
                                250.5,
                                50,
                                7,
                                9,
                                List.of("a", "b"),
                                List.of("EUR", "USD"),
                                0.25,
                                Duration.ofSeconds(45),
                                0.35,
                                0.1,
                                Duration.ofMinutes(2),
                                0.2,
                                Duration.ofMillis(500),
                                Duration.ofHours(1),
                                0.03));
        assertThat(seeder.bootstrapServers).isEqualTo("kafka:9093");
        assertThat(seeder.clientConfig).isEqualTo(dir.resolve("client.properties"));
        assertThat(seeder.bulk).isTrue();
        assertThat(seeder.count).isEqualTo(1000);
        assertThat(seeder.duration).isEqualTo(Duration.ofMinutes(10));
        assertThat(seeder.httpPort).isEqualTo(-1);
        assertThat(seeder.progressInterval).isEqualTo(Duration.ofSeconds(1));
        assertThat(seeder.heartbeatInterval).isEqualTo(Duration.ofMillis(250));

        // The map above must name every option, so a new option cannot escape this test.
        EnvironmentDefaults naming = new EnvironmentDefaults(Seeder.ENV_PREFIX, Map.of());
        Set<String> variables =
                settingOptions()
                        .map(o -> naming.variableFor(o.longestName()))
                        .collect(Collectors.toSet());
        assertThat(env.keySet()).containsExactlyInAnyOrderElementsOf(variables);
    }

    @Test
    void theCommandLineBeatsTheEnvironment() throws IOException {
        Seeder seeder =
                parse(
                        fullEnvironment(),
                        "--rate=50",
                        "--regions",
                        "x,y,z",
                        "--max-out-of-orderness",
                        "1s",
                        "--bootstrap-servers",
                        "cli:9092",
                        "--bulk=false",
                        "--seed",
                        "7");

        assertThat(seeder.rate).isEqualTo(50);
        assertThat(seeder.regions).containsExactly("x", "y", "z");
        assertThat(seeder.maxOutOfOrderness).isEqualTo(Duration.ofSeconds(1));
        assertThat(seeder.bootstrapServers).isEqualTo("cli:9092");
        assertThat(seeder.bulk).isFalse();
        assertThat(seeder.seed).isEqualTo(7L);
        // What the command line leaves out still comes from the environment.
        assertThat(seeder.currencies).containsExactly("EUR", "USD");
        assertThat(seeder.count).isEqualTo(1000);
    }

    @Test
    void aBareFlagMeansTrueWhateverTheEnvironmentSays() {
        // picocli toggles a flag whose default is true; --bulk must still mean bulk.
        assertThat(parse(Map.of("SEEDER_BULK", "true"), "--bulk").bulk).isTrue();
        assertThat(parse(Map.of("SEEDER_BULK", "false"), "--bulk").bulk).isTrue();
        assertThat(parse(Map.of(), "--bulk").bulk).isTrue();
        assertThat(parse(Map.of("SEEDER_BULK", "true")).bulk).isTrue();
    }

    @Test
    void unrelatedSeederVariablesAreIgnored() {
        // Kubernetes injects <SERVICE>_PORT etc. for a Service named "seeder", and an image may
        // carry SEEDER_VERSION: neither is an option, nor must either break or change the run.
        Map<String, String> env =
                Map.of(
                        "SEEDER_PORT", "tcp://10.0.0.7:8080",
                        "SEEDER_SERVICE_HOST", "10.0.0.7",
                        "SEEDER_SERVICE_PORT", "8080",
                        "SEEDER_PORT_8080_TCP_ADDR", "10.0.0.7",
                        "SEEDER_VERSION", "1.2.3",
                        "SEEDER_HELP", "true");
        CommandLine cmd = Seeder.commandLine(env);

        CommandLine.ParseResult result = cmd.parseArgs();

        assertThat(result.isUsageHelpRequested()).isFalse();
        assertThat(result.isVersionHelpRequested()).isFalse();
        Seeder seeder = cmd.getCommand();
        assertThat(seeder.httpPort).isEqualTo(8080);
        assertThat(seeder.rate).isEqualTo(100);
    }

    static Stream<Arguments> badValues() {
        return Stream.of(
                Arguments.of(Map.of(), List.of("--rate", "0"), "--rate must be positive"),
                Arguments.of(Map.of("SEEDER_RATE", "0"), List.of(), "--rate must be positive"),
                Arguments.of(Map.of(), List.of("--rate", "fast"), "'--rate'"),
                Arguments.of(Map.of(), List.of("--late-fraction", "2"), "--late-fraction"),
                Arguments.of(
                        Map.of(),
                        List.of("--late-fraction", "0.6", "--malformed-fraction", "0.5"),
                        "--late-fraction + malformed-fraction"),
                Arguments.of(Map.of(), List.of("--currencies", "EUR,eu"), "--currencies: 'eu'"),
                Arguments.of(
                        Map.of("SEEDER_MAX_OUT_OF_ORDERNESS", "soon"),
                        List.of(),
                        "'--max-out-of-orderness'"),
                Arguments.of(
                        Map.of(),
                        List.of("--late-by", "10s"),
                        "--late-by must exceed max-out-of-orderness"),
                Arguments.of(Map.of(), List.of("--catalog-size", "0"), "--catalog-size"),
                Arguments.of(Map.of(), List.of("--count", "-1"), "--count must not be negative"),
                Arguments.of(Map.of(), List.of("--progress-interval", "0s"), "--progress-interval"),
                Arguments.of(
                        Map.of(),
                        List.of("--heartbeat-interval", "0s"),
                        "--heartbeat-interval must be positive"),
                Arguments.of(
                        Map.of("SEEDER_HEARTBEAT_INTERVAL", "-PT1S"),
                        List.of(),
                        "--heartbeat-interval must be positive"),
                Arguments.of(
                        Map.of(),
                        List.of("--heartbeat-interval", "often"),
                        "'--heartbeat-interval'"),
                Arguments.of(Map.of(), List.of("--duration", "PT0S"), "--duration"),
                Arguments.of(Map.of(), List.of("--http-port", "70000"), "--http-port"),
                Arguments.of(Map.of(), List.of("--no-such-option"), "--no-such-option"));
    }

    @ParameterizedTest
    @MethodSource("badValues")
    void badValuesFailWithUsageExitCodeNamingTheOption(
            Map<String, String> env, List<String> args, String expectedMessage) {
        StringWriter err = new StringWriter();
        StringWriter out = new StringWriter();
        CommandLine cmd = Seeder.commandLine(env);
        cmd.setErr(new PrintWriter(err, true));
        cmd.setOut(new PrintWriter(out, true));

        int exitCode = cmd.execute(args.toArray(String[]::new));

        assertThat(exitCode).isEqualTo(CommandLine.ExitCode.USAGE).isEqualTo(2);
        assertThat(err.toString()).contains(expectedMessage).contains("Usage: seeder");
    }

    @Test
    void anUnreadableClientConfigFailsNamingTheOptionAndThePath() {
        Path missing = dir.resolve("no-such-client.properties");
        StringWriter err = new StringWriter();
        CommandLine cmd = Seeder.commandLine(Map.of("SEEDER_CLIENT_CONFIG", missing.toString()));
        cmd.setErr(new PrintWriter(err, true));

        int exitCode = cmd.execute();

        assertThat(exitCode).isEqualTo(2);
        assertThat(err.toString())
                .contains("--client-config: cannot read")
                .contains(missing.toAbsolutePath().toString());
    }

    @Test
    void helpListsEveryOptionAndTheEnvironmentVariables() {
        StringWriter out = new StringWriter();
        CommandLine cmd = Seeder.commandLine(Map.of());
        cmd.setOut(new PrintWriter(out, true));

        int exitCode = cmd.execute("--help");

        assertThat(exitCode).isZero();
        String help = out.toString();
        assertThat(cmd.getCommandSpec().options())
                .allSatisfy(
                        option -> {
                            assertThat(help).contains(option.longestName());
                            assertThat(option.description()).as(option.longestName()).isNotEmpty();
                        });
        assertThat(help)
                .contains("environment variable")
                .contains("SEEDER_RATE=500")
                .contains("upper snake case");
    }

    @Test
    void producerKeepsItsGuaranteesAndTakesSecurityFromTheClientConfig() throws IOException {
        Path file = dir.resolve("client.properties");
        Files.writeString(
                file,
                String.join(
                        "\n",
                        "acks=0",
                        "enable.idempotence=false",
                        "key.serializer=org.apache.kafka.common.serialization.StringSerializer",
                        "security.protocol=SASL_SSL",
                        "sasl.mechanism=SCRAM-SHA-512",
                        "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule"
                                + " required username=\"seeder\" password=\"secret\";",
                        "ssl.truststore.location=/etc/kafka/ca.p12",
                        "ssl.truststore.type=PKCS12",
                        "linger.ms=5"));

        Properties props = Seeder.producerProperties("kafka:9093", file);

        assertThat(props)
                .containsEntry(ProducerConfig.ACKS_CONFIG, "all")
                .containsEntry(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true")
                .containsEntry(
                        ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
                        ByteArraySerializer.class.getName())
                .containsEntry(
                        ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
                        ByteArraySerializer.class.getName())
                .containsEntry(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "kafka:9093")
                .containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                .containsEntry(
                        "sasl.jaas.config",
                        "org.apache.kafka.common.security.scram.ScramLoginModule required"
                                + " username=\"seeder\" password=\"secret\";")
                .containsEntry("ssl.truststore.location", "/etc/kafka/ca.p12")
                .containsEntry("ssl.truststore.type", "PKCS12")
                // Tuning defaults stay overridable.
                .containsEntry(ProducerConfig.LINGER_MS_CONFIG, "5")
                .containsEntry(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        // The client accepts the combination (idempotence needs acks=all and few in flight).
        ProducerConfig config = new ProducerConfig(props);
        assertThat(config.getBoolean(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG)).isTrue();
        assertThat(config.getString(ProducerConfig.ACKS_CONFIG)).isEqualTo("-1");
    }

    @Test
    void producerDefaultsWithoutAClientConfig() throws IOException {
        Properties props = Seeder.producerProperties("localhost:9092", null);

        assertThat(props)
                .containsEntry(ProducerConfig.ACKS_CONFIG, "all")
                .containsEntry(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true")
                .containsEntry(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:9092")
                .containsEntry(ProducerConfig.CLIENT_ID_CONFIG, "sales-seeder")
                .doesNotContainKey("security.protocol");
        assertThat(new ProducerConfig(props).getString("security.protocol")).isEqualTo("PLAINTEXT");
    }

    private Map<String, String> fullEnvironment() throws IOException {
        Path clientConfig = Files.writeString(dir.resolve("client.properties"), "linger.ms=1\n");
        Map<String, String> env = new HashMap<>();
        env.put("SEEDER_BOOTSTRAP_SERVERS", "kafka:9093");
        env.put("SEEDER_CLIENT_CONFIG", clientConfig.toString());
        env.put("SEEDER_RATE", "250.5");
        env.put("SEEDER_BULK", "true");
        env.put("SEEDER_COUNT", "1000");
        env.put("SEEDER_DURATION", "10m");
        env.put("SEEDER_SEED", "99");
        env.put("SEEDER_START_TIME", START.toString());
        env.put("SEEDER_CATALOG_SIZE", "50");
        env.put("SEEDER_SELLERS", "7");
        env.put("SEEDER_STORES", "9");
        env.put("SEEDER_REGIONS", "a,b");
        env.put("SEEDER_CURRENCIES", "EUR,USD");
        env.put("SEEDER_ONLINE_FRACTION", "0.25");
        env.put("SEEDER_MAX_OUT_OF_ORDERNESS", "45s");
        env.put("SEEDER_OUT_OF_ORDER_FRACTION", "0.35");
        env.put("SEEDER_LATE_FRACTION", "0.1");
        env.put("SEEDER_LATE_BY", "2m");
        env.put("SEEDER_MALFORMED_FRACTION", "0.2");
        env.put("SEEDER_FX_UPDATE_INTERVAL", "500ms");
        env.put("SEEDER_CATALOG_CHANGE_INTERVAL", "PT1H");
        env.put("SEEDER_HEARTBEAT_INTERVAL", "250ms");
        env.put("SEEDER_RESEND_FRACTION", "0.03");
        env.put("SEEDER_HTTP_PORT", "-1");
        env.put("SEEDER_PROGRESS_INTERVAL", "1s");
        return env;
    }

    /** The options that configure a run (not --help and --version). */
    @Test
    void boundedBulkRunsStartInThePastSoTheirEventClockEndsNow() {
        Instant now = Instant.parse("2026-11-22T12:00:00Z");

        assertThat(
                        parse(Map.of(), "--bulk", "--count", "36000", "--rate", "100")
                                .defaultStartTime(now))
                .isEqualTo(now.minusSeconds(360));
        assertThat(parse(Map.of(), "--count", "36000", "--rate", "100").defaultStartTime(now))
                .as("a paced run starts now")
                .isEqualTo(now);
        assertThat(parse(Map.of(), "--bulk", "--rate", "100").defaultStartTime(now))
                .as("an unbounded bulk run starts now")
                .isEqualTo(now);
    }

    private static Stream<OptionSpec> settingOptions() {
        return Seeder.commandLine(Map.of()).getCommandSpec().options().stream()
                .filter(o -> !o.usageHelp() && !o.versionHelp());
    }

    private static Seeder parse(Map<String, String> env, String... args) {
        CommandLine cmd = Seeder.commandLine(env);
        cmd.parseArgs(args);
        return cmd.getCommand();
    }
}

package com.salesaggregator.dashboard;

import com.salesaggregator.cli.DurationConverter;
import com.salesaggregator.cli.EnvironmentDefaults;
import com.salesaggregator.cli.StopSignals;
import com.salesaggregator.topics.Topic;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The dashboard's command line: serves the live page until SIGTERM or Ctrl-C. */
@Command(
        name = "dashboard",
        mixinStandardHelpOptions = true,
        version = "sales-aggregator dashboard",
        sortOptions = false,
        description =
                "Serves a live page of the job's committed figures (four charts) and the"
                        + " pipeline's health, pushed to the browser with Server-Sent Events.",
        footer = {
            "",
            "Every option can also be set by an environment variable: DASHBOARD_ and the option"
                    + " name in upper snake case, e.g. DASHBOARD_PORT=9000,"
                    + " DASHBOARD_TOPIC=sales-dlq=my-dlq,sales-late=my-late."
        })
public final class Dashboard implements Callable<Integer> {

    /** The prefix of the environment variables that set options. */
    public static final String ENV_PREFIX = "DASHBOARD_";

    @Option(
            names = "--bootstrap-servers",
            defaultValue = "localhost:9092",
            description = "Kafka bootstrap servers (default: ${DEFAULT-VALUE}).")
    String bootstrapServers;

    @Option(
            names = "--client-config",
            description = "Kafka client properties file (TLS, SASL), applied before the defaults.")
    Path clientConfig;

    @Option(
            names = "--host",
            defaultValue = "0.0.0.0",
            description = "Address to serve on (default: ${DEFAULT-VALUE}, every interface).")
    String host;

    @Option(
            names = "--port",
            defaultValue = "" + DashboardConfig.DEFAULT_PORT,
            description =
                    "HTTP port of the page, /events, /healthz and /metrics (default:"
                            + " ${DEFAULT-VALUE}).")
    int port;

    @Option(
            names = "--flink-rest-url",
            defaultValue = "",
            description =
                    "Flink REST API for the job's state, checkpoints and event-time lag, e.g."
                            + " http://sales-aggregator-rest:8081; empty = none.")
    String flinkRestUrl;

    @Option(
            names = "--flink-job-name",
            defaultValue = "sales-aggregator",
            description = "Name of the job whose health is shown (default: ${DEFAULT-VALUE}).")
    String flinkJobName;

    @Option(
            names = "--top-n",
            defaultValue = "10",
            description = "Products and sellers in the ranked charts (default: ${DEFAULT-VALUE}).")
    int topN;

    @Option(
            names = "--health-interval",
            defaultValue = "2s",
            converter = DurationConverter.class,
            description = "How often the Flink REST API is asked (default: 2s).")
    Duration healthInterval;

    @Option(
            names = "--topic",
            split = ",",
            description =
                    "A renamed topic as default-name=actual-name (repeatable), as the job's"
                            + " --topic.<name> options.")
    Map<String, String> topics = new HashMap<>();

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine(System.getenv()).execute(args));
    }

    /** The command line, with options also read from {@code environment}. */
    static CommandLine commandLine(Map<String, String> environment) {
        return new CommandLine(new Dashboard())
                .setDefaultValueProvider(new EnvironmentDefaults(ENV_PREFIX, environment));
    }

    /**
     * The configuration that {@code environment} and {@code args} describe, as the command would
     * run with it; fails with a {@link CommandLine.ParameterException} naming a bad option.
     */
    public static DashboardConfig parse(Map<String, String> environment, String... args) {
        CommandLine commandLine = commandLine(environment);
        commandLine.parseArgs(args);
        return ((Dashboard) commandLine.getCommand()).config();
    }

    /** The configuration these options describe; fails naming the option. */
    DashboardConfig config() {
        require(port >= 0 && port <= 65535, "--port must be from 0 to 65535, was " + port);
        require(topN >= 1, "--top-n must be at least 1, was " + topN);
        require(
                healthInterval.isPositive(),
                "--health-interval must be positive, was " + healthInterval);
        require(
                flinkRestUrl.isBlank() || flinkRestUrl.matches("https?://[^\\s/]+(/\\S*)?"),
                "--flink-rest-url must be an http(s) URL, was " + flinkRestUrl);
        for (String name : topics.keySet()) {
            require(
                    Topic.names().contains(name),
                    "--topic " + name + ": not a topic of the job; known: " + Topic.names());
        }
        Properties client = new Properties();
        if (clientConfig != null) {
            try (InputStream in = Files.newInputStream(clientConfig)) {
                client.load(in);
            } catch (IOException e) {
                throw new CommandLine.ParameterException(
                        spec.commandLine(),
                        "--client-config: cannot read " + clientConfig.toAbsolutePath() + ": " + e);
            }
        }
        return new DashboardConfig(
                bootstrapServers,
                client,
                host,
                port,
                flinkRestUrl,
                flinkJobName,
                topN,
                topics,
                healthInterval);
    }

    private void require(boolean valid, String message) {
        if (!valid) {
            throw new CommandLine.ParameterException(spec.commandLine(), message);
        }
    }

    @Override
    public Integer call() throws Exception {
        DashboardConfig config = config();
        CountDownLatch stop = new CountDownLatch(1);
        StopSignals.onStop(stop::countDown);
        try (DashboardServer server = DashboardServer.start(config)) {
            System.out.printf(
                    "dashboard: %s (Kafka %s, Flink %s)%n",
                    server.url(),
                    config.bootstrapServers(),
                    config.flinkRestUrl() == null ? "not configured" : config.flinkRestUrl());
            stop.await();
        } catch (DashboardServer.PortInUseException e) {
            System.err.println("dashboard: " + e.getMessage());
            return 2;
        }
        return 0;
    }
}

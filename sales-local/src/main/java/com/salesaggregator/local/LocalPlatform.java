package com.salesaggregator.local;

import com.salesaggregator.broker.EmbeddedKafkaBroker;
import com.salesaggregator.broker.TopicCreator;
import com.salesaggregator.cli.DurationConverter;
import com.salesaggregator.cli.EnvironmentDefaults;
import com.salesaggregator.cli.StopSignals;
import com.salesaggregator.seeder.GeneratorConfig;
import com.salesaggregator.seeder.SalesGenerator;
import com.salesaggregator.seeder.Seeder;
import com.salesaggregator.seeder.SeederMetrics;
import com.salesaggregator.seeder.SeederRunner;
import com.salesaggregator.topics.TopicDefinition;
import com.salesaggregator.topics.TopicDefinitions;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code make run}: the whole pipeline on one machine. A real Kafka broker (KRaft) in this JVM, the
 * topics from {@code k8s/topics/topics.yaml}, the seeder, the {@link LocalComponent}s (the
 * aggregation job plugs in here) and a live terminal view, until Ctrl-C stops it all.
 */
@Command(
        name = "local-platform",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = "Runs broker, topics, seeder and live view on this machine until Ctrl-C.",
        footer = {
            "",
            "Every option can also be set by an environment variable: LOCAL_ and the option name"
                    + " in upper snake case, e.g. LOCAL_KAFKA_PORT=19092."
        })
public final class LocalPlatform implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(LocalPlatform.class);

    @Option(
            names = "--kafka-port",
            defaultValue = "9092",
            description = "Port of the local Kafka broker (default: ${DEFAULT-VALUE}).")
    int kafkaPort;

    @Option(
            names = "--data-dir",
            defaultValue = "target/local",
            description = "Where broker data and logs live (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(
            names = "--keep-data",
            defaultValue = "false",
            description = "Reuse the previous run's broker data instead of starting empty.")
    boolean keepData;

    @Option(
            names = "--rate",
            defaultValue = "20",
            description = "Seeder sales per second (default: ${DEFAULT-VALUE}).")
    double rate;

    @Option(names = "--seed", description = "Seeder random seed; default: random.")
    Long seed;

    @Option(
            names = "--flink-ui-port",
            defaultValue = "8081",
            description = "Port of the Flink web UI (default: ${DEFAULT-VALUE}).")
    int flinkUiPort;

    @Option(
            names = "--dashboard-port",
            defaultValue = "8088",
            description = "Port of the live dashboard (default: ${DEFAULT-VALUE}).")
    int dashboardPort;

    @Option(
            names = "--parallelism",
            defaultValue = "2",
            description = "Parallelism of the aggregation job (default: ${DEFAULT-VALUE}).")
    int parallelism;

    @Option(
            names = "--job-option",
            description =
                    "A job option as key=value (repeatable), e.g. --job-option"
                            + " allowed-lateness=2m.")
    Map<String, String> jobOptions = new java.util.HashMap<>();

    @Option(
            names = "--view-interval",
            defaultValue = "1s",
            converter = DurationConverter.class,
            description = "Refresh interval of the live view (default: 1s).")
    Duration viewInterval;

    @Option(
            names = "--plain",
            defaultValue = "false",
            description = "Print summary lines instead of redrawing the screen.")
    boolean plain;

    private final List<LocalComponent> components = new ArrayList<>();
    private final PrintStream out = System.out;

    public static void main(String[] args) {
        System.exit(commandLine(System.getenv()).execute(args));
    }

    static CommandLine commandLine(Map<String, String> environment) {
        return new CommandLine(new LocalPlatform())
                .setDefaultValueProvider(new EnvironmentDefaults("LOCAL_", environment));
    }

    /**
     * The components started after the seeder: the aggregation job, then the dashboard that shows
     * its figures; each gets the broker address and reports where to look.
     */
    private List<LocalComponent> components() {
        if (components.isEmpty()) {
            components.add(
                    new AggregationJobComponent(
                            flinkUiPort, parallelism, dataDir.resolve("checkpoints"), jobOptions));
            components.add(new DashboardComponent(dashboardPort, flinkUiPort));
        }
        return components;
    }

    @Override
    public Integer call() throws Exception {
        CountDownLatch stop = new CountDownLatch(1);
        StopSignals.onStop(stop::countDown);
        long startNanos = System.nanoTime();
        List<String> notes = new ArrayList<>();
        // What has started, to be stopped in reverse order however far the start got.
        Deque<Running> running = new ArrayDeque<>();
        try {
            if (!portFree(flinkUiPort)) {
                System.err.println(
                        "error: port "
                                + flinkUiPort
                                + " for the Flink web UI is in use; stop what uses it or choose"
                                + " another: make run FLINK_UI_PORT="
                                + (flinkUiPort + 1));
                return 2;
            }
            if (!portFree(dashboardPort) || dashboardPort == flinkUiPort) {
                System.err.println(
                        "error: port "
                                + dashboardPort
                                + " for the live dashboard is in use; stop what uses it or choose"
                                + " another: make run DASHBOARD_PORT="
                                + (dashboardPort + 1));
                return 2;
            }
            prepareDataDir();
            stage(1, "Kafka broker (KRaft) on localhost:" + kafkaPort);
            EmbeddedKafkaBroker broker;
            try {
                broker = EmbeddedKafkaBroker.start(kafkaPort, dataDir.resolve("kafka"));
            } catch (EmbeddedKafkaBroker.PortInUseException e) {
                System.err.println();
                System.err.println("error: " + e.getMessage());
                return 2;
            }
            running.push(new Running("Kafka broker", broker));
            done("ready at " + broker.bootstrapServers(), startNanos);

            long topicsNanos = System.nanoTime();
            stage(2, "Topics from " + TopicDefinitions.RESOURCE);
            List<TopicDefinition> definitions = TopicDefinitions.load();
            try (Admin admin =
                    Admin.create(
                            Map.of(
                                    AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                                    broker.bootstrapServers()))) {
                List<TopicDefinition> created =
                        new TopicCreator(admin, true).createMissing(definitions);
                done(
                        created.size()
                                + " created, "
                                + (definitions.size() - created.size())
                                + " already there (1 replica each on this single broker)",
                        topicsNanos);
            }

            long seederNanos = System.nanoTime();
            stage(3, "Seeder at " + rate + " sales/s");
            GeneratorConfig config = seederConfig();
            KafkaProducer<byte[], byte[]> producer =
                    new KafkaProducer<>(Seeder.producerProperties(broker.bootstrapServers(), null));
            running.push(new Running("seeder's producer", () -> producer.close(STOP_WAIT)));
            SeederRunner seeder =
                    new SeederRunner(
                            new SalesGenerator(config),
                            producer,
                            new SeederRunner.Settings(rate, false, 0, null, Duration.ofSeconds(10)),
                            new SeederMetrics(),
                            LOG::info);
            Thread seederThread = new Thread(seeder, "seeder");
            seederThread.start();
            running.push(
                    new Running(
                            "seeder",
                            () -> {
                                seeder.stop();
                                seederThread.join(STOP_WAIT.toMillis());
                                out.println("  seeder: " + seeder.progress());
                            }));
            done("seed " + config.seed() + ", catalog and FX rates first", seederNanos);

            stage(4, "Components");
            out.println();
            for (LocalComponent component : components()) {
                long componentNanos = System.nanoTime();
                out.print("      " + component.name() + " ... ");
                out.flush();
                running.push(new Running(component.name(), component));
                notes.add(component.start(broker.bootstrapServers()));
                done("started", componentNanos);
            }

            out.printf("%nUp in %.1f s.%n", (System.nanoTime() - startNanos) / 1e9);
            notes.add(0, "Kafka: bootstrap.servers=" + broker.bootstrapServers());
            notes.add(
                    "Logs: "
                            + System.getProperty("local.log.file", "see the log4j2 configuration"));
            for (String note : notes) {
                out.println(note);
            }
            boolean redraw =
                    !plain && System.console() != null && !"dumb".equals(System.getenv("TERM"));
            List<String> footer = new ArrayList<>(notes);
            LiveView view =
                    new LiveView(
                            broker.bootstrapServers(),
                            out,
                            redraw,
                            redraw ? viewInterval : Duration.ofSeconds(5),
                            () -> {
                                List<String> lines = new ArrayList<>(footer);
                                lines.add("seeder: " + seeder.progress());
                                return lines;
                            });
            Thread viewThread = new Thread(view, "live-view");
            viewThread.start();
            running.push(
                    new Running(
                            "live view",
                            () -> {
                                view.stop();
                                viewThread.join(STOP_WAIT.toMillis());
                            }));
            stop.await();
            return 0;
        } finally {
            long stopNanos = System.nanoTime();
            out.println();
            while (!running.isEmpty()) {
                Running r = running.pop();
                try {
                    r.stop().close();
                } catch (Exception e) {
                    LOG.warn("{} did not stop cleanly", r.name(), e);
                }
            }
            out.printf("Stopped in %.1f s.%n", (System.nanoTime() - stopNanos) / 1e9);
        }
    }

    /** How long stopping waits for the seeder and the live view. */
    private static final Duration STOP_WAIT = Duration.ofSeconds(3);

    /** Something started, and how to stop it. */
    private record Running(String name, AutoCloseable stop) {}

    private GeneratorConfig seederConfig() {
        return GeneratorConfig.defaults(
                        seed != null ? seed : System.nanoTime(),
                        Instant.now().truncatedTo(ChronoUnit.MILLIS))
                .withRatePerSecond(rate);
    }

    private void prepareDataDir() throws IOException {
        if (!keepData) {
            for (String previous : new String[] {"kafka", "checkpoints"}) {
                org.apache.flink.util.FileUtils.deleteDirectory(dataDir.resolve(previous).toFile());
            }
        }
        Files.createDirectories(dataDir);
    }

    private static boolean portFree(int port) {
        try (java.net.ServerSocket socket =
                new java.net.ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private void stage(int number, String what) {
        out.printf("[%d/4] %s ...", number, what);
        out.flush();
    }

    private void done(String result, long sinceNanos) {
        out.printf(" %s (%.1f s)%n", result, (System.nanoTime() - sinceNanos) / 1e9);
    }
}

package com.salesaggregator.broker;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.properties.MetaPropertiesEnsemble;
import org.apache.kafka.metadata.storage.Formatter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The real Kafka server as one KRaft node (broker and controller combined) inside this JVM, for the
 * local platform and integration tests.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);

    private static final int NODE_ID = 1;
    private static final String HOST = "localhost";
    private static final String BROKER_LISTENER = "PLAINTEXT";
    private static final String CONTROLLER_LISTENER = "CONTROLLER";

    private final KafkaRaftServer server;
    private final int port;
    private final Path dataDir;
    private final AtomicBoolean closed = new AtomicBoolean();

    private EmbeddedKafkaBroker(KafkaRaftServer server, int port, Path dataDir) {
        this.server = server;
        this.port = port;
        this.dataDir = dataDir;
    }

    /**
     * Starts a broker and returns once it accepts clients. An existing data directory is reused as
     * is, so a broker restarted on the same directory keeps its topics, records and offsets.
     *
     * @param port the client port on localhost, or 0 for a free one
     * @param dataDir where the logs and metadata live; created and formatted if new
     * @throws PortInUseException if {@code port} is taken
     */
    public static EmbeddedKafkaBroker start(int port, Path dataDir) {
        long startNanos = System.nanoTime();
        int brokerPort = port == 0 ? freePort() : requireFree(port);
        // The controller port is internal and may change between restarts: with a static voter
        // set (controller.quorum.voters) nothing in the metadata log records it.
        int controllerPort = freePort();
        KafkaConfig config = KafkaConfig.fromProps(properties(brokerPort, controllerPort, dataDir));
        boolean formatted = formatIfNew(config, dataDir);

        KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
        try {
            // Returns after the broker has caught up with the metadata log and is unfenced.
            server.startup();
        } catch (RuntimeException e) {
            // Half-started servers hold threads, sockets and the data directory lock.
            try {
                stop(server);
            } catch (RuntimeException stopFailure) {
                e.addSuppressed(stopFailure);
            }
            if (causedByBindFailure(e)) {
                throw new PortInUseException(brokerPort, e);
            }
            throw e;
        }
        long millis = (System.nanoTime() - startNanos) / 1_000_000;
        LOG.info(
                "Kafka broker started on {}:{} in {} ms ({} data directory {})",
                HOST,
                brokerPort,
                millis,
                formatted ? "new" : "existing",
                dataDir);
        return new EmbeddedKafkaBroker(server, brokerPort, dataDir);
    }

    /** The {@code bootstrap.servers} value for clients. */
    public String bootstrapServers() {
        return HOST + ":" + port;
    }

    /** The client port. */
    public int port() {
        return port;
    }

    /** Shuts the broker down and waits until it has stopped; later calls do nothing. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            long startNanos = System.nanoTime();
            stop(server);
            LOG.info(
                    "Kafka broker on {}:{} stopped in {} ms (data kept in {})",
                    HOST,
                    port,
                    (System.nanoTime() - startNanos) / 1_000_000,
                    dataDir);
        }
    }

    private static Properties properties(int brokerPort, int controllerPort, Path dataDir) {
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", String.valueOf(NODE_ID));
        p.put(
                "listeners",
                BROKER_LISTENER
                        + "://"
                        + HOST
                        + ":"
                        + brokerPort
                        + ","
                        + CONTROLLER_LISTENER
                        + "://"
                        + HOST
                        + ":"
                        + controllerPort);
        p.put("advertised.listeners", BROKER_LISTENER + "://" + HOST + ":" + brokerPort);
        p.put(
                "listener.security.protocol.map",
                BROKER_LISTENER + ":PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        p.put("inter.broker.listener.name", BROKER_LISTENER);
        p.put("controller.listener.names", CONTROLLER_LISTENER);
        p.put("controller.quorum.voters", NODE_ID + "@" + HOST + ":" + controllerPort);
        p.put("log.dirs", dataDir.toAbsolutePath().toString());

        // One broker: internal topics cannot have more than one replica.
        p.put("offsets.topic.replication.factor", "1");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("default.replication.factor", "1");
        p.put("min.insync.replicas", "1");

        // Topics come from k8s/topics/topics.yaml only; a typo in a topic name must fail, not
        // create a stray topic.
        p.put("auto.create.topics.enable", "false");
        // Otherwise every new consumer group waits 3 s for more members.
        p.put("group.initial.rebalance.delay.ms", "0");
        // The exactly-once sink's transaction.timeout.ms must not exceed this (15 minutes).
        p.put("transaction.max.timeout.ms", "900000");
        // The log cleaner allocates its dedupe buffer up front (128 MiB by default) in the heap
        // this JVM shares with Flink; a local run's compacted topics need far less.
        p.put("log.cleaner.dedupe.buffer.size", String.valueOf(16 * 1024 * 1024));
        // Fail a stuck start instead of waiting forever (the default).
        p.put("server.max.startup.time.ms", "60000");
        return p;
    }

    /** Formats a new data directory; returns whether it did (false: already formatted). */
    private static boolean formatIfNew(KafkaConfig config, Path dataDir) {
        try {
            Files.createDirectories(dataDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create Kafka data directory " + dataDir, e);
        }
        // Reformatting would give the directory a new cluster id and lose what a restart needs.
        if (Files.exists(dataDir.resolve(MetaPropertiesEnsemble.META_PROPERTIES_NAME))) {
            return false;
        }
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        Formatter formatter =
                new Formatter()
                        .setPrintStream(new PrintStream(output, true, StandardCharsets.UTF_8))
                        .setNodeId(config.nodeId())
                        .setClusterId(Uuid.randomUuid().toString())
                        .setControllerListenerName(config.controllerListenerNames().get(0))
                        .setMetadataLogDirectory(config.metadataLogDir())
                        .setDirectories(config.logDirs())
                        // Static voters from controller.quorum.voters (kraft.version 0).
                        .setHasDynamicQuorum(false);
        try {
            formatter.run();
        } catch (Exception e) {
            throw new IllegalStateException("cannot format Kafka data directory " + dataDir, e);
        }
        LOG.debug("Formatted {}: {}", dataDir, output.toString(StandardCharsets.UTF_8).strip());
        return true;
    }

    private static void stop(KafkaRaftServer server) {
        server.shutdown();
        server.awaitShutdown();
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find a free port on " + HOST, e);
        }
    }

    /** Fails fast, before formatting or starting anything, if another process holds the port. */
    private static int requireFree(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getByName(HOST))) {
            return socket.getLocalPort();
        } catch (BindException e) {
            throw new PortInUseException(port, e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot check port " + port + " on " + HOST, e);
        }
    }

    private static boolean causedByBindFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BindException) {
                return true;
            }
        }
        return false;
    }

    /** The requested Kafka port is taken by another process. */
    public static final class PortInUseException extends RuntimeException {
        PortInUseException(int port, Throwable cause) {
            super(
                    "Kafka port "
                            + port
                            + " on "
                            + HOST
                            + " is already in use (another Kafka or an earlier run still"
                            + " running?). Stop that process or choose another port, e.g."
                            + " make run KAFKA_PORT="
                            + (port + 1),
                    cause);
        }
    }
}

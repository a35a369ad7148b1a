package com.salesaggregator.helm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.zip.ZipFile;
import org.apache.flink.configuration.BlobServerOptions;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.HighAvailabilityOptions;
import org.apache.flink.configuration.JMXServerOptions;
import org.apache.flink.configuration.JobManagerOptions;
import org.apache.flink.configuration.MetricOptions;
import org.apache.flink.configuration.NettyShuffleEnvironmentOptions;
import org.apache.flink.configuration.QueryableStateOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.runtime.jobmanager.HighAvailabilityMode;

/**
 * The ports Flink 2.2's JobManager and TaskManagers listen on for each other, as a configuration
 * sets them, read the way Flink's runtime reads them (file and line of each in the comments). Also
 * every port option Flink's configuration classes declare, so that a port option this model does
 * not know fails the test instead of being overlooked.
 */
final class FlinkPorts {

    /** Port options that open no port between a FlinkDeployment's pods, and why. */
    static final Map<String, String> NOT_BETWEEN_PODS =
            Map.of(
                    HighAvailabilityOptions.HA_JOB_MANAGER_PORT_RANGE.key(),
                    "read only with ZooKeeper HA (ClusterEntrypoint.getRPCPortRange); modelled"
                            + " there",
                    "historyserver.web.port",
                    "the HistoryServer is a process of its own, which the chart does not run",
                    "resourcemanager.rpc.port",
                    "read by no runtime code of Flink 2.2: the ResourceManager shares the"
                            + " JobManager's RPC service",
                    TaskManagerOptions.COLLECT_PORT.key(),
                    "opened only by a collect sink (executeAndCollect), which the job has not");

    private FlinkPorts() {}

    /**
     * The ports {@code conf} makes the Flink processes open to each other: option key to the port
     * (range) value, in the order a reader checks them.
     */
    static Map<String, String> opened(Configuration conf) {
        Map<String, String> ports = new LinkedHashMap<>();
        // RestServerEndpointConfiguration.fromConfiguration: rest.bind-port (falls back to
        // rest.port).
        ports.put(RestOptions.BIND_PORT.key(), conf.get(RestOptions.BIND_PORT));
        // ClusterEntrypoint.getRPCPortRange (lines 434-440) and its bind port (line 372).
        if (HighAvailabilityMode.fromConfig(conf) == HighAvailabilityMode.ZOOKEEPER) {
            ports.put(
                    HighAvailabilityOptions.HA_JOB_MANAGER_PORT_RANGE.key(),
                    conf.get(HighAvailabilityOptions.HA_JOB_MANAGER_PORT_RANGE));
        } else {
            put(ports, conf, JobManagerOptions.RPC_BIND_PORT, JobManagerOptions.PORT);
        }
        // BlobServer constructor (line 203).
        ports.put(BlobServerOptions.PORT.key(), conf.get(BlobServerOptions.PORT));
        // TaskManagerRunner.createRpcService (lines 707-709).
        put(ports, conf, TaskManagerOptions.RPC_BIND_PORT, TaskManagerOptions.RPC_PORT);
        // NettyShuffleEnvironmentConfiguration (lines 412-418).
        put(
                ports,
                conf,
                NettyShuffleEnvironmentOptions.DATA_BIND_PORT,
                NettyShuffleEnvironmentOptions.DATA_PORT);
        // MetricUtils.startRemoteMetricsRpcService (line 197), on the JobManager and on every
        // TaskManager: the JobManager's MetricFetcher asks each TaskManager's query service.
        ports.put(
                MetricOptions.QUERY_SERVICE_PORT.key(), conf.get(MetricOptions.QUERY_SERVICE_PORT));
        // JMXService.startInstance: only with a port set.
        conf.getOptional(JMXServerOptions.JMX_SERVER_PORT)
                .ifPresent(p -> ports.put(JMXServerOptions.JMX_SERVER_PORT.key(), p));
        // QueryableStateConfiguration.fromConfiguration: only when enabled.
        if (conf.get(QueryableStateOptions.ENABLE_QUERYABLE_STATE_PROXY_SERVER)) {
            ports.put(
                    QueryableStateOptions.PROXY_PORT_RANGE.key(),
                    conf.get(QueryableStateOptions.PROXY_PORT_RANGE));
            ports.put(
                    QueryableStateOptions.SERVER_PORT_RANGE.key(),
                    conf.get(QueryableStateOptions.SERVER_PORT_RANGE));
        }
        return ports;
    }

    /** The keys {@link #opened} reads, whether or not a given configuration opens them. */
    static final java.util.Set<String> MODELLED =
            java.util.Set.of(
                    RestOptions.BIND_PORT.key(),
                    RestOptions.PORT.key(),
                    JobManagerOptions.RPC_BIND_PORT.key(),
                    JobManagerOptions.PORT.key(),
                    BlobServerOptions.PORT.key(),
                    TaskManagerOptions.RPC_BIND_PORT.key(),
                    TaskManagerOptions.RPC_PORT.key(),
                    NettyShuffleEnvironmentOptions.DATA_BIND_PORT.key(),
                    NettyShuffleEnvironmentOptions.DATA_PORT.key(),
                    MetricOptions.QUERY_SERVICE_PORT.key(),
                    JMXServerOptions.JMX_SERVER_PORT.key(),
                    QueryableStateOptions.PROXY_PORT_RANGE.key(),
                    QueryableStateOptions.SERVER_PORT_RANGE.key());

    /** A bind port where set, else the advertised port it falls back to. */
    private static void put(
            Map<String, String> ports,
            Configuration conf,
            ConfigOption<?> bindPort,
            ConfigOption<?> port) {
        Optional<?> bind = conf.getOptional(bindPort);
        if (bind.isPresent()) {
            ports.put(bindPort.key(), String.valueOf(bind.get()));
        } else {
            ports.put(port.key(), String.valueOf(conf.get(port)));
        }
    }

    /**
     * Every option whose key names a port ({@code ...port}, {@code ...ports}) among the option
     * classes of Flink's {@code org.apache.flink.configuration} package (flink-core), key to the
     * class that declares it.
     */
    static Map<String, String> declaredPortOptions() {
        Map<String, String> found = new TreeMap<>();
        try (ZipFile jar = new ZipFile(jarOf(ConfigOption.class).toFile())) {
            for (String entry :
                    Collections.list(jar.entries()).stream().map(e -> e.getName()).toList()) {
                if (!entry.matches("org/apache/flink/configuration/[A-Za-z]+Options\\.class")) {
                    continue;
                }
                Class<?> type =
                        Class.forName(
                                entry.replace('/', '.').replace(".class", ""),
                                false,
                                FlinkPorts.class.getClassLoader());
                for (Field field : type.getFields()) {
                    if (Modifier.isStatic(field.getModifiers())
                            && ConfigOption.class.isAssignableFrom(field.getType())) {
                        String key = ((ConfigOption<?>) field.get(null)).key();
                        if (key.matches(".*[.-]ports?")) {
                            found.put(key, type.getSimpleName() + "." + field.getName());
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
        return found;
    }

    private static Path jarOf(Class<?> type) {
        try {
            return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}

package com.salesaggregator.dashboard;

import com.salesaggregator.topics.Topic;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * What a dashboard needs to run: where Kafka and Flink are, where to serve, and the topic names.
 *
 * @param bootstrapServers Kafka bootstrap servers
 * @param clientProperties extra Kafka client settings (TLS, SASL); may be empty
 * @param host the address to serve on (0.0.0.0 for all interfaces)
 * @param port the HTTP port (0 picks a free one)
 * @param flinkRestUrl the Flink REST API (e.g. http://localhost:8081), or null for none
 * @param flinkJobName the name of the job whose health is shown
 * @param topN how many products and sellers the ranked charts show
 * @param topics actual topic names by default name; a missing entry means the default name
 * @param healthInterval how often the Flink REST API is asked
 */
public record DashboardConfig(
        String bootstrapServers,
        Properties clientProperties,
        String host,
        int port,
        String flinkRestUrl,
        String flinkJobName,
        int topN,
        Map<String, String> topics,
        Duration healthInterval) {

    /** The default port of the dashboard. */
    public static final int DEFAULT_PORT = 8088;

    /**
     * The topics the dashboard reads (default names): the five outputs of figures, the dead letters
     * and the late lines. Its KafkaUser needs Read on these, and nothing else to read.
     */
    public static final List<String> READS = Topic.names(Topic.Role.FIGURES, Topic.Role.REJECTS);

    /** The topics whose end offsets give the input rate (default names): Describe is enough. */
    public static final List<String> DESCRIBES = Topic.names(Topic.Role.SALES);

    public DashboardConfig {
        clientProperties = (Properties) clientProperties.clone();
        topics = Map.copyOf(topics);
        if (flinkRestUrl != null && flinkRestUrl.isBlank()) {
            flinkRestUrl = null;
        }
        if (flinkRestUrl != null && flinkRestUrl.endsWith("/")) {
            flinkRestUrl = flinkRestUrl.substring(0, flinkRestUrl.length() - 1);
        }
    }

    /** A dashboard on {@code host:port} for a local broker without TLS and default topic names. */
    public static DashboardConfig local(
            String bootstrapServers, String host, int port, String flinkRestUrl) {
        return new DashboardConfig(
                bootstrapServers,
                new Properties(),
                host,
                port,
                flinkRestUrl,
                "sales-aggregator",
                10,
                Map.of(),
                Duration.ofSeconds(2));
    }

    /** The same, with other topic names. */
    public DashboardConfig withTopics(Map<String, String> names) {
        return new DashboardConfig(
                bootstrapServers,
                clientProperties,
                host,
                port,
                flinkRestUrl,
                flinkJobName,
                topN,
                names,
                healthInterval);
    }

    /** The actual name of the topic with this default name. */
    public String topic(String defaultName) {
        return topics.getOrDefault(defaultName, defaultName);
    }
}

package com.salesaggregator.topics;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * One topic as declared in {@code k8s/topics/topics.yaml}: name, partitions, replicas and topic
 * configs.
 *
 * @param name the topic name
 * @param partitions number of partitions
 * @param replicas replication factor
 * @param config topic-level configs, values as Kafka expects them (strings)
 */
public record TopicDefinition(
        String name, int partitions, int replicas, Map<String, String> config) {

    /** The config key that must not exceed the replication factor. */
    public static final String MIN_INSYNC_REPLICAS = "min.insync.replicas";

    public TopicDefinition {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("topic name must not be blank");
        }
        if (partitions < 1) {
            throw new IllegalArgumentException(
                    "topic " + name + ": partitions must be at least 1, was " + partitions);
        }
        if (replicas < 1) {
            throw new IllegalArgumentException(
                    "topic " + name + ": replicas must be at least 1, was " + replicas);
        }
        // Sorted so definitions print stably; Map.copyOf rejects null keys and values.
        config =
                Collections.unmodifiableMap(
                        new TreeMap<>(Map.copyOf(config == null ? Map.of() : config)));
    }

    /**
     * This topic adapted to a cluster of one broker: one replica and {@code min.insync.replicas} 1,
     * since a single broker can never hold more in-sync replicas and acks=all writes (which
     * transactions use) would otherwise be rejected.
     */
    public TopicDefinition forSingleBroker() {
        Map<String, String> adapted = new TreeMap<>(config);
        adapted.put(MIN_INSYNC_REPLICAS, "1");
        return new TopicDefinition(name, partitions, 1, adapted);
    }
}

package com.salesaggregator.bench;

import com.salesaggregator.broker.EmbeddedKafkaBroker;
import com.salesaggregator.broker.TopicCreator;
import com.salesaggregator.topics.TopicDefinition;
import com.salesaggregator.topics.TopicDefinitions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The benchmark's broker: the project's embedded KRaft broker on a free port, its admin client,
 * topics created from the project's declarations, and offsets.
 */
final class BenchKafka implements AutoCloseable {

    private final EmbeddedKafkaBroker broker;
    private final Admin admin;
    private final Map<String, TopicDefinition> declared = new HashMap<>();

    BenchKafka(Path dataDir) {
        this.broker = EmbeddedKafkaBroker.start(0, dataDir);
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        this.admin = Admin.create(props);
        for (TopicDefinition d : TopicDefinitions.load()) {
            declared.put(d.name(), d);
        }
    }

    String bootstrapServers() {
        return broker.bootstrapServers();
    }

    Admin admin() {
        return admin;
    }

    /** Partitions of a declared topic (by its logical name). */
    int partitions(String logicalName) {
        return declared.get(logicalName).partitions();
    }

    /**
     * Creates {@code prefix + name} for each declared topic {@code name}, as declared except that
     * nothing is deleted by age: the data set's event times are fixed, so its records (and the
     * outputs dated by them) would otherwise fall out of a 7-day retention at once.
     */
    void createTopics(String prefix, List<String> logicalNames) {
        createTopics(prefix, logicalNames, "");
    }

    /** As {@link #createTopics(String, List)}, each name also followed by {@code suffix}. */
    void createTopics(String prefix, List<String> logicalNames, String suffix) {
        List<TopicDefinition> definitions = new ArrayList<>();
        for (String name : logicalNames) {
            TopicDefinition d = declared.get(name);
            Map<String, String> config = new HashMap<>(d.config());
            config.put("retention.ms", "-1");
            definitions.add(new TopicDefinition(prefix + name + suffix, d.partitions(), 1, config));
        }
        new TopicCreator(admin, true).createMissing(definitions);
    }

    List<TopicPartition> partitionsOf(String topic, int partitions) {
        List<TopicPartition> list = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            list.add(new TopicPartition(topic, p));
        }
        return list;
    }

    /** End offsets as a read_committed reader sees them (the last stable offsets). */
    Map<TopicPartition, Long> committedEnds(List<TopicPartition> partitions) throws Exception {
        return offsets(partitions, IsolationLevel.READ_COMMITTED);
    }

    /** End offsets including records of open transactions (the high watermarks). */
    Map<TopicPartition, Long> writtenEnds(List<TopicPartition> partitions) throws Exception {
        return offsets(partitions, IsolationLevel.READ_UNCOMMITTED);
    }

    /** Whether no partition holds records of an open transaction. */
    boolean allCommitted(List<TopicPartition> partitions) throws Exception {
        return committedEnds(partitions).equals(writtenEnds(partitions));
    }

    private Map<TopicPartition, Long> offsets(
            List<TopicPartition> partitions, IsolationLevel isolation) throws Exception {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        partitions.forEach(p -> latest.put(p, OffsetSpec.latest()));
        Map<TopicPartition, Long> ends = new HashMap<>();
        admin.listOffsets(latest, new ListOffsetsOptions(isolation))
                .all()
                .get(60, TimeUnit.SECONDS)
                .forEach((tp, info) -> ends.put(tp, info.offset()));
        return ends;
    }

    /** A group-less read_committed consumer of byte arrays. */
    Properties consumerProps() {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
                ByteArrayDeserializer.class.getName());
        props.put(
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                ByteArrayDeserializer.class.getName());
        return props;
    }

    /** The seeder's producer settings (idempotent, acks=all, lz4, batching). */
    Properties producerProps() {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "20");
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(256 * 1024));
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return props;
    }

    static Duration timeout() {
        return Duration.ofMinutes(2);
    }

    @Override
    public void close() {
        admin.close();
        broker.close();
    }
}

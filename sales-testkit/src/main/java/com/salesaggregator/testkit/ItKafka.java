package com.salesaggregator.testkit;

import com.salesaggregator.broker.EmbeddedKafkaBroker;
import com.salesaggregator.verify.ReferenceModel.InputRecord;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The real broker of an ITCase class with its admin client: creates per-run topics and produces
 * planned input records, returning them as the broker stored them. The broker can be restarted on
 * its port and data directory, as a broker pod would be; clients reconnect by themselves.
 */
public final class ItKafka implements AutoCloseable {

    /** How long any single step against the broker or the job may take. */
    public static final Duration WAIT = Duration.ofSeconds(60);

    /** Above the broker's default, so a test can send records over its own topic-level limit. */
    static final int MAX_REQUEST_BYTES = 8 * 1024 * 1024;

    private final Path dataDir;
    private final Admin admin;
    private EmbeddedKafkaBroker broker;

    private ItKafka(EmbeddedKafkaBroker broker, Path dataDir) {
        this.broker = broker;
        this.dataDir = dataDir;
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        this.admin = Admin.create(props);
    }

    /** A broker on a free port with its data in {@code dataDir}. */
    public static ItKafka start(Path dataDir) {
        return new ItKafka(EmbeddedKafkaBroker.start(0, dataDir), dataDir);
    }

    /**
     * Stops the broker and starts it again on the same port and data directory (topics, records,
     * offsets and transaction state kept); returns when it accepts clients again.
     */
    public void restartBroker() {
        int port = broker.port();
        broker.close();
        broker = EmbeddedKafkaBroker.start(port, dataDir);
    }

    public String bootstrapServers() {
        return broker.bootstrapServers();
    }

    public Admin admin() {
        return admin;
    }

    /** Every topic of the job, with {@code prefix}, as declared. */
    public RunTopics createTopics(String prefix) {
        return RunTopics.create(admin, prefix, Map.of());
    }

    /** Every topic of the job, with {@code prefix}; {@code extraConfig} per logical topic name. */
    public RunTopics createTopics(String prefix, Map<String, Map<String, String>> extraConfig) {
        return RunTopics.create(admin, prefix, extraConfig);
    }

    /** Idempotent producer settings, byte-array keys and values. */
    public Properties producerProps() {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(MAX_REQUEST_BYTES));
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return props;
    }

    /** Produces {@code records} in order; returns them as the broker stored them. */
    public List<InputRecord> produce(RunTopics topics, List<Planned> records) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProps())) {
            return produce(producer, topics, records);
        }
    }

    /**
     * Produces {@code records} in order with {@code producer} (a producer made from {@link
     * #producerProps()}); returns them as the broker stored them.
     */
    public static List<InputRecord> produce(
            KafkaProducer<byte[], byte[]> producer, RunTopics topics, List<Planned> records)
            throws Exception {
        List<Future<RecordMetadata>> sent = new ArrayList<>(records.size());
        for (Planned record : records) {
            sent.add(
                    producer.send(
                            new ProducerRecord<>(
                                    topics.of(record.topic()),
                                    record.partition(),
                                    record.timestamp(),
                                    record.key(),
                                    record.value())));
        }
        producer.flush();
        List<InputRecord> stored = new ArrayList<>(records.size());
        for (int i = 0; i < records.size(); i++) {
            RecordMetadata meta = sent.get(i).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            Planned record = records.get(i);
            stored.add(
                    new InputRecord(
                            meta.topic(),
                            meta.partition(),
                            meta.offset(),
                            record.key(),
                            record.value(),
                            meta.timestamp()));
        }
        return stored;
    }

    @Override
    public void close() {
        admin.close();
        broker.close();
    }
}

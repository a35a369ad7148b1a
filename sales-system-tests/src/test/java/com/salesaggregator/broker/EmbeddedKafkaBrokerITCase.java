package com.salesaggregator.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.salesaggregator.testkit.DeclaredTopics;
import com.salesaggregator.topics.Topic;
import com.salesaggregator.topics.TopicDefinition;
import com.salesaggregator.topics.TopicDefinitions;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the real Kafka server in this JVM: creates the declared topics, passes a transactional
 * record through and finds it again after a restart on the same port and directory.
 */
class EmbeddedKafkaBrokerITCase {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @TempDir Path dataDir;

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void topicsAndCommittedRecordsSurviveARestart() throws Exception {
        List<TopicDefinition> declared = TopicDefinitions.load();
        String key = "order-1";
        String value = "{\"orderId\":\"order-1\"}";
        RecordMetadata written;
        int port;

        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(0, dataDir)) {
            port = broker.port();
            assertThat(broker.bootstrapServers()).isEqualTo("localhost:" + port);

            try (Admin admin = admin(broker)) {
                TopicCreator creator = new TopicCreator(admin, true);

                List<TopicDefinition> created = creator.createMissing(declared);

                assertThat(created)
                        .containsExactlyInAnyOrderElementsOf(
                                declared.stream().map(TopicDefinition::forSingleBroker).toList());
                DeclaredTopics.assertOnBroker(admin, declared);
                assertThat(creator.createMissing(declared))
                        .as("a second run finds every topic")
                        .isEmpty();
            }

            written = produceInTransaction(broker, Topic.SALES_ONLINE.topicName(), key, value);
            List<ConsumerRecord<String, String>> read =
                    readCommitted(broker, Topic.SALES_ONLINE.topicName(), "it-before-restart", 1);
            assertThat(read)
                    .singleElement()
                    .satisfies(
                            r -> {
                                assertThat(r.key()).isEqualTo(key);
                                assertThat(r.value()).isEqualTo(value);
                                assertThat(r.offset()).isEqualTo(written.offset());
                            });
        }

        try (EmbeddedKafkaBroker restarted = EmbeddedKafkaBroker.start(port, dataDir)) {
            assertThat(restarted.port()).isEqualTo(port);
            try (Admin admin = admin(restarted)) {
                assertThat(new TopicCreator(admin, true).createMissing(declared))
                        .as("topics survive the restart")
                        .isEmpty();
                DeclaredTopics.assertOnBroker(admin, declared);

                TopicPartition partition =
                        new TopicPartition(Topic.SALES_ONLINE.topicName(), written.partition());
                Map<TopicPartition, OffsetAndMetadata> committed =
                        admin.listConsumerGroupOffsets("it-before-restart")
                                .partitionsToOffsetAndMetadata()
                                .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                assertThat(committed.get(partition).offset())
                        .as("the group's committed offset survives the restart")
                        .isGreaterThan(written.offset());
            }

            List<ConsumerRecord<String, String>> reread =
                    readCommitted(restarted, Topic.SALES_ONLINE.topicName(), "it-after-restart", 1);
            assertThat(reread)
                    .singleElement()
                    .satisfies(
                            r -> {
                                assertThat(r.key()).isEqualTo(key);
                                assertThat(r.value()).isEqualTo(value);
                                assertThat(r.partition()).isEqualTo(written.partition());
                                assertThat(r.offset()).isEqualTo(written.offset());
                            });
        }
    }

    @Test
    @Timeout(value = 1, unit = TimeUnit.MINUTES)
    void takenPortFailsFastNamingTheMakeVariable() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("localhost"))) {
            int port = taken.getLocalPort();

            assertThatThrownBy(() -> EmbeddedKafkaBroker.start(port, dataDir))
                    .isInstanceOf(EmbeddedKafkaBroker.PortInUseException.class)
                    .hasMessageContaining("port " + port)
                    .hasMessageContaining("already in use")
                    .hasMessageContaining("KAFKA_PORT=");
        }
        assertThat(dataDir).as("nothing was formatted").isEmptyDirectory();
    }

    private static RecordMetadata produceInTransaction(
            EmbeddedKafkaBroker broker, String topic, String key, String value) throws Exception {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "it-" + topic);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props)) {
            // Fails unless the transaction coordinator can create __transaction_state with RF 1.
            producer.initTransactions();
            producer.beginTransaction();
            RecordMetadata metadata = producer.send(new ProducerRecord<>(topic, key, value)).get();
            producer.commitTransaction();
            return metadata;
        }
    }

    private static List<ConsumerRecord<String, String>> readCommitted(
            EmbeddedKafkaBroker broker, String topic, String group, int expected) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
            consumer.subscribe(Set.of(topic));
            await().atMost(TIMEOUT)
                    .pollDelay(Duration.ZERO)
                    .untilAsserted(
                            () -> {
                                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                                assertThat(records).hasSizeGreaterThanOrEqualTo(expected);
                            });
            consumer.commitSync(TIMEOUT);
        }
        return records;
    }

    private static Admin admin(EmbeddedKafkaBroker broker) {
        return Admin.create(
                Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()));
    }
}

package com.salesaggregator.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.salesaggregator.codec.EventCodec;
import com.salesaggregator.model.Product;
import com.salesaggregator.topics.Topics;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Keeps the catalog source active through the drain, so that the end of event time reaches every
 * operator. Flink 2.2 drops the final watermark of a source that is idle at drain (FLINK-40499:
 * {@code advanceToEndOfEventTime()} emits MAX_WATERMARK without re-announcing ACTIVE, and task
 * outputs drop watermarks while IDLE). When every source is idle by then, nothing would fire before
 * the final savepoint: the windows would fire after it, into a transaction that is never committed.
 * The heartbeat re-publishes one version of a product no sale names, valid from a given time (the
 * time of the run's last sales): it changes no output, and its watermark equals the one the sales
 * reach, so it neither holds event time back nor moves it further. Start it only after the data's
 * windows have fired, so that it cannot move the watermark while the sales are still being read.
 */
final class CatalogHeartbeat implements AutoCloseable {

    private static final String PRODUCT = "p-heartbeat";

    private final Admin admin;
    private final KafkaProducer<byte[], byte[]> producer;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
    private final List<RecordMetadata> first = new ArrayList<>();

    private CatalogHeartbeat(ItKafka kafka, RunTopics topics, long validFromMillis)
            throws Exception {
        admin = kafka.admin();
        producer = new KafkaProducer<>(kafka.producerProps());
        // While the sales partitions are idle this source alone sets the watermark, which must
        // stay where the sales left it.
        Instant validFrom = Instant.ofEpochMilli(validFromMillis);
        Product product = new Product(PRODUCT, "Heartbeat", "none", BigDecimal.ONE, validFrom);
        byte[] value = EventCodec.withDefaults().encode(product);
        // On every partition, so that every subtask of the catalog source stays active, however
        // the partitions are spread.
        for (TopicPartition partition : topics.partitionsOf(Topics.PRODUCTS)) {
            records.add(
                    new ProducerRecord<>(
                            partition.topic(),
                            partition.partition(),
                            validFrom.toEpochMilli(),
                            PRODUCT.getBytes(StandardCharsets.UTF_8),
                            value));
        }
        for (ProducerRecord<byte[], byte[]> record : records) {
            first.add(producer.send(record).get(ItKafka.WAIT.toSeconds(), TimeUnit.SECONDS));
        }
    }

    /** Publishes the heartbeat version now and every 200 ms until closed. */
    static CatalogHeartbeat start(ItKafka kafka, RunTopics topics, long validFromMillis)
            throws Exception {
        CatalogHeartbeat heartbeat = new CatalogHeartbeat(kafka, topics, validFromMillis);
        heartbeat.timer.scheduleAtFixedRate(
                () -> heartbeat.records.forEach(heartbeat.producer::send),
                200,
                200,
                TimeUnit.MILLISECONDS);
        return heartbeat;
    }

    /** Whether the job has checkpointed a position past the first heartbeat on every partition. */
    boolean readBy(String groupId) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> committed =
                admin.listConsumerGroupOffsets(groupId)
                        .partitionsToOffsetAndMetadata()
                        .get(ItKafka.WAIT.toSeconds(), TimeUnit.SECONDS);
        for (RecordMetadata sent : first) {
            OffsetAndMetadata at =
                    committed.get(new TopicPartition(sent.topic(), sent.partition()));
            if (at == null || at.offset() <= sent.offset()) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void close() throws InterruptedException {
        timer.shutdown();
        assertThat(timer.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        producer.close();
    }
}

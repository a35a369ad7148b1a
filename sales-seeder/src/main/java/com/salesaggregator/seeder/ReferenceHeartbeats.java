package com.salesaggregator.seeder;

import com.salesaggregator.codec.EventCodec;
import com.salesaggregator.model.ReferenceHeartbeat;
import com.salesaggregator.topics.Topic;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.function.BiConsumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;

/**
 * Publishes a reference heartbeat on every partition of {@code products} and {@code fx-rates}: key
 * {@code __heartbeat-<partition>}, value {@code {"heartbeat_time": ...}}, sent to that partition
 * explicitly, with the heartbeat time as record timestamp. The caller chooses a time no reference
 * change still to be published takes effect at or before; the producer keeps each partition's
 * order, so the promise holds on every partition.
 */
final class ReferenceHeartbeats {

    /** The reference topics, each heartbeat on every one of their partitions. */
    static final List<String> TOPICS = Topic.names(Topic.Role.REFERENCE);

    private final Producer<byte[], byte[]> producer;
    private final EventCodec codec = EventCodec.withDefaults();

    ReferenceHeartbeats(Producer<byte[], byte[]> producer) {
        this.producer = producer;
    }

    /**
     * Sends a heartbeat at {@code heartbeatTime} to every partition (as the producer's metadata
     * knows them now, so that added partitions get theirs), reporting each outcome to {@code
     * acknowledged} (topic, and null or the error).
     */
    void publish(long heartbeatTime, BiConsumer<String, Exception> acknowledged) {
        Instant at = Instant.ofEpochMilli(heartbeatTime);
        for (String topic : TOPICS) {
            for (PartitionInfo partition : producer.partitionsFor(topic)) {
                int p = partition.partition();
                producer.send(
                        new ProducerRecord<>(
                                topic,
                                p,
                                heartbeatTime,
                                EventCodec.heartbeatKey(p).getBytes(StandardCharsets.UTF_8),
                                codec.encode(new ReferenceHeartbeat(p, at))),
                        (metadata, exception) -> acknowledged.accept(topic, exception));
            }
        }
    }
}

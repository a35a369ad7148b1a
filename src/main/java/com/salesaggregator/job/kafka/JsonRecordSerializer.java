package com.salesaggregator.job.kafka;

import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.util.function.SerializableFunction;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Writes one output type to its topic with a key and a JSON value from {@link OutputJson}. Records
 * carry their event-time timestamp, except those emitted at the end of event time (the flush of a
 * drain or of a bounded run, stamped {@code Long.MAX_VALUE}): brokers reject timestamps more than
 * {@code log.message.timestamp.after.max.ms} (1 h by default) ahead, so those get the send time.
 */
public final class JsonRecordSerializer<T> implements KafkaRecordSerializationSchema<T> {

    private final String topic;
    private final SerializableFunction<T, byte[]> key;
    private final SerializableFunction<T, byte[]> value;

    public JsonRecordSerializer(
            String topic,
            SerializableFunction<T, byte[]> key,
            SerializableFunction<T, byte[]> value) {
        this.topic = topic;
        this.key = key;
        this.value = value;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(
            T element, KafkaSinkContext context, Long timestamp) {
        Long recordTimestamp = timestamp == null || timestamp == Long.MAX_VALUE ? null : timestamp;
        return new ProducerRecord<>(
                topic, null, recordTimestamp, key.apply(element), value.apply(element));
    }
}

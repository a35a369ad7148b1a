package com.salesaggregator.job.kafka;

import com.salesaggregator.job.metrics.OutputCounters;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.util.function.SerializableFunction;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Writes one output type to its topic with a key and a JSON value, both from sales-model's {@code
 * OutputCodec} (through {@link OutputRecords}). Records carry their event-time timestamp, except
 * those stamped after the wall clock: brokers reject timestamps more than {@code
 * log.message.timestamp.after.max.ms} (1 h by default) ahead, which would fail the sink and restart
 * the job on the same data. So the flush at the end of event time (a drain or a bounded run,
 * stamped {@code Long.MAX_VALUE}) and results of events dated ahead (an input producer whose clock
 * runs fast) get the send time.
 */
public final class JsonRecordSerializer<T> implements KafkaRecordSerializationSchema<T> {

    private final String topic;
    private final SerializableFunction<T, byte[]> key;
    private final SerializableFunction<T, byte[]> value;
    private final OutputCounters<T> counters;

    public JsonRecordSerializer(
            String topic,
            SerializableFunction<T, byte[]> key,
            SerializableFunction<T, byte[]> value) {
        this(topic, key, value, OutputCounters.figures(topic));
    }

    public JsonRecordSerializer(
            String topic,
            SerializableFunction<T, byte[]> key,
            SerializableFunction<T, byte[]> value,
            OutputCounters<T> counters) {
        this.topic = topic;
        this.key = key;
        this.value = value;
        this.counters = counters;
    }

    @Override
    public void open(
            SerializationSchema.InitializationContext context, KafkaSinkContext sinkContext) {
        counters.open(context.getMetricGroup());
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(
            T element, KafkaSinkContext context, Long timestamp) {
        Long recordTimestamp =
                timestamp == null || timestamp > System.currentTimeMillis() ? null : timestamp;
        counters.count(element);
        return new ProducerRecord<>(
                topic, null, recordTimestamp, key.apply(element), value.apply(element));
    }
}

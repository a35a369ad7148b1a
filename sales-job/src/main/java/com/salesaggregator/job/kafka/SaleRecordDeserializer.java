package com.salesaggregator.job.kafka;

import com.salesaggregator.codec.CodecLimits;
import com.salesaggregator.codec.DecodeResult;
import com.salesaggregator.codec.EventCodec;
import com.salesaggregator.job.metrics.EventTimeLag;
import com.salesaggregator.job.records.SaleInput;
import com.salesaggregator.model.Channel;
import com.salesaggregator.model.OnlineOrder;
import com.salesaggregator.model.ReferenceHeartbeat;
import com.salesaggregator.model.SaleLine;
import com.salesaggregator.model.StoreReceipt;
import com.salesaggregator.output.DeadLetter;
import java.util.function.Function;
import java.util.function.LongFunction;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Turns every sales record into sale lines (a receipt into one line per entry) or into one dead
 * letter. Never throws on bad input, so no record can fail or restart the job.
 */
public final class SaleRecordDeserializer implements KafkaRecordDeserializationSchema<SaleInput> {

    private final Channel channel;
    private final CodecLimits limits;
    private transient EventCodec codec;
    private transient EventTimeLag lag;

    public SaleRecordDeserializer(Channel channel, CodecLimits limits) {
        this.channel = channel;
        this.limits = limits;
    }

    @Override
    public void open(DeserializationSchema.InitializationContext context) {
        codec = new EventCodec(limits);
        lag = new EventTimeLag(context.getMetricGroup());
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<SaleInput> out) {
        if (codec == null) {
            codec = new EventCodec(limits);
        }
        if (channel == Channel.ONLINE) {
            DecodeResult<OnlineOrder> result =
                    codec.decodeOrder(record.value(), record.timestamp());
            if (result.isAccepted()) {
                observe(record, result.event().eventTime().toEpochMilli());
                out.collect(
                        SaleInput.of(
                                SaleLine.of(result.event(), record.partition(), record.offset())));
            } else {
                out.collect(SaleInput.rejected(deadLetter(record, result)));
            }
        } else {
            DecodeResult<StoreReceipt> result =
                    codec.decodeReceipt(record.value(), record.timestamp());
            if (result.isAccepted()) {
                observe(record, result.event().eventTime().toEpochMilli());
                for (SaleLine line :
                        SaleLine.of(result.event(), record.partition(), record.offset())) {
                    out.collect(SaleInput.of(line));
                }
            } else {
                out.collect(SaleInput.rejected(deadLetter(record, result)));
            }
        }
    }

    /**
     * A reference heartbeat record ({@link EventCodec#isHeartbeatKey}) as the input type of a
     * reference source: its time in epoch millis, or the dead letter of a bad one.
     */
    static <T> T heartbeat(
            EventCodec codec,
            ConsumerRecord<byte[], byte[]> record,
            LongFunction<T> beat,
            Function<DeadLetter, T> rejected) {
        DecodeResult<ReferenceHeartbeat> heartbeat =
                codec.decodeHeartbeat(
                        record.key(), record.partition(), record.value(), record.timestamp());
        return heartbeat.isAccepted()
                ? beat.apply(heartbeat.event().heartbeatTime().toEpochMilli())
                : rejected.apply(deadLetter(record, heartbeat));
    }

    static DeadLetter deadLetter(ConsumerRecord<byte[], byte[]> record, DecodeResult<?> result) {
        return DeadLetter.of(
                record.topic(),
                record.partition(),
                record.offset(),
                null,
                record.key(),
                record.value(),
                result.rejection().reason(),
                result.rejection().message());
    }

    @Override
    public TypeInformation<SaleInput> getProducedType() {
        return TypeInformation.of(SaleInput.class);
    }

    /** Feeds the event-time lag gauge (when opened by a source). */
    private void observe(ConsumerRecord<byte[], byte[]> record, long eventTime) {
        if (lag != null) {
            lag.observe(record.topic(), eventTime);
        }
    }
}

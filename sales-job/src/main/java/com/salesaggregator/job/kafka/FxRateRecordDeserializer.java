package com.salesaggregator.job.kafka;

import com.salesaggregator.codec.CodecLimits;
import com.salesaggregator.codec.DecodeResult;
import com.salesaggregator.codec.EventCodec;
import com.salesaggregator.job.metrics.EventTimeLag;
import com.salesaggregator.job.records.FxRateInput;
import com.salesaggregator.model.FxRate;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Turns every {@code fx-rates} record into a rate, a reference heartbeat (key {@code
 * __heartbeat-<partition>}) or a dead letter.
 */
public final class FxRateRecordDeserializer
        implements KafkaRecordDeserializationSchema<FxRateInput> {

    private final CodecLimits limits;
    private transient EventCodec codec;
    private transient EventTimeLag lag;

    public FxRateRecordDeserializer(CodecLimits limits) {
        this.limits = limits;
    }

    @Override
    public void open(DeserializationSchema.InitializationContext context) {
        codec = new EventCodec(limits);
        lag = new EventTimeLag(context.getMetricGroup());
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<FxRateInput> out) {
        if (codec == null) {
            codec = new EventCodec(limits);
        }
        if (EventCodec.isHeartbeatKey(record.key())) {
            out.collect(
                    SaleRecordDeserializer.heartbeat(
                            codec,
                            record,
                            FxRateInput::heartbeat,
                            rejected -> new FxRateInput(null, rejected)));
            return;
        }
        DecodeResult<FxRate> result = codec.decodeFxRate(record.value(), record.timestamp());
        if (result.isAccepted()) {
            observe(record, result.event().validFrom().toEpochMilli());
        }
        out.collect(
                result.isAccepted()
                        ? new FxRateInput(result.event(), null)
                        : new FxRateInput(null, SaleRecordDeserializer.deadLetter(record, result)));
    }

    @Override
    public TypeInformation<FxRateInput> getProducedType() {
        return TypeInformation.of(FxRateInput.class);
    }

    /** Feeds the event-time lag gauge (when opened by a source). */
    private void observe(ConsumerRecord<byte[], byte[]> record, long eventTime) {
        if (lag != null) {
            lag.observe(record.topic(), eventTime);
        }
    }
}

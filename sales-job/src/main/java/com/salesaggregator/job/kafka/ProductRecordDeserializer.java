package com.salesaggregator.job.kafka;

import com.salesaggregator.codec.CodecLimits;
import com.salesaggregator.codec.DecodeResult;
import com.salesaggregator.codec.EventCodec;
import com.salesaggregator.codec.RejectReason;
import com.salesaggregator.job.metrics.EventTimeLag;
import com.salesaggregator.job.records.ProductChange;
import com.salesaggregator.job.records.ProductInput;
import com.salesaggregator.model.Product;
import com.salesaggregator.output.DeadLetter;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Turns every {@code products} record into a catalog change (a tombstone delists the product from
 * its record timestamp on), a reference heartbeat (key {@code __heartbeat-<partition>}) or a dead
 * letter.
 */
public final class ProductRecordDeserializer
        implements KafkaRecordDeserializationSchema<ProductInput> {

    private final CodecLimits limits;
    private transient EventCodec codec;
    private transient EventTimeLag lag;

    public ProductRecordDeserializer(CodecLimits limits) {
        this.limits = limits;
    }

    @Override
    public void open(DeserializationSchema.InitializationContext context) {
        codec = new EventCodec(limits);
        lag = new EventTimeLag(context.getMetricGroup());
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<ProductInput> out) {
        if (codec == null) {
            codec = new EventCodec(limits);
        }
        if (EventCodec.isHeartbeatKey(record.key())) {
            out.collect(
                    SaleRecordDeserializer.heartbeat(
                            codec,
                            record,
                            ProductInput::heartbeat,
                            rejected -> new ProductInput(null, rejected)));
            return;
        }
        if (record.value() == null) {
            if (record.key() == null || record.key().length == 0) {
                out.collect(
                        new ProductInput(
                                null,
                                DeadLetter.of(
                                        record.topic(),
                                        record.partition(),
                                        record.offset(),
                                        null,
                                        record.key(),
                                        null,
                                        RejectReason.MISSING_FIELD,
                                        "tombstone without a key: no product to delist")));
                return;
            }
            String productId = new String(record.key(), StandardCharsets.UTF_8);
            out.collect(
                    new ProductInput(
                            new ProductChange(
                                    productId, null, null, null, record.timestamp(), true),
                            null));
            return;
        }
        DecodeResult<Product> result = codec.decodeProduct(record.value(), record.timestamp());
        if (result.isAccepted()) {
            Product p = result.event();
            observe(record, p.updatedAt().toEpochMilli());
            out.collect(
                    new ProductInput(
                            new ProductChange(
                                    p.productId(),
                                    p.name(),
                                    p.category(),
                                    p.unitCostEur(),
                                    p.updatedAt().toEpochMilli(),
                                    false),
                            null));
        } else {
            out.collect(new ProductInput(null, SaleRecordDeserializer.deadLetter(record, result)));
        }
    }

    @Override
    public TypeInformation<ProductInput> getProducedType() {
        return TypeInformation.of(ProductInput.class);
    }

    /** Feeds the event-time lag gauge (when opened by a source). */
    private void observe(ConsumerRecord<byte[], byte[]> record, long eventTime) {
        if (lag != null) {
            lag.observe(record.topic(), eventTime);
        }
    }
}

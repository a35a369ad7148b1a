package com.salesaggregator.job.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import com.salesaggregator.codec.CodecLimits;
import com.salesaggregator.codec.EventCodec;
import com.salesaggregator.codec.RejectReason;
import com.salesaggregator.job.records.FxRateInput;
import com.salesaggregator.job.records.ProductInput;
import com.salesaggregator.job.records.SaleInput;
import com.salesaggregator.model.Channel;
import com.salesaggregator.model.FxRate;
import com.salesaggregator.model.OnlineOrder;
import com.salesaggregator.model.Product;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.flink.api.common.functions.util.ListCollector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

/**
 * The deserializers check each event's time against its Kafka record's timestamp, so that a record
 * far ahead becomes a FUTURE_TIMESTAMP dead letter instead of moving the watermark, and the same
 * value with a matching timestamp is accepted.
 */
class FutureTimestampDeserializerTest {

    private static final EventCodec CODEC = EventCodec.withDefaults();
    private static final CodecLimits LIMITS = CodecLimits.defaults();
    private static final Instant NOW = Instant.parse("2026-11-22T10:00:00Z");
    private static final Instant IN_A_YEAR = NOW.plus(Duration.ofDays(365));

    @Test
    void anOrderAYearAheadOfItsRecordIsADeadLetter() {
        byte[] value =
                CODEC.encode(
                        new OnlineOrder(
                                "o-1",
                                IN_A_YEAR,
                                "s-1",
                                "c-1",
                                "p-1",
                                1,
                                new BigDecimal("2.50"),
                                "EUR",
                                "uk"));
        SaleRecordDeserializer deserializer = new SaleRecordDeserializer(Channel.ONLINE, LIMITS);

        List<SaleInput> ahead = new ArrayList<>();
        deserializer.deserialize(record("sales-online", value, NOW), new ListCollector<>(ahead));
        List<SaleInput> onTime = new ArrayList<>();
        deserializer.deserialize(
                record("sales-online", value, IN_A_YEAR), new ListCollector<>(onTime));

        assertThat(ahead).hasSize(1);
        assertThat(ahead.get(0).line()).isNull();
        assertThat(ahead.get(0).rejected().reason()).isEqualTo(RejectReason.FUTURE_TIMESTAMP);
        assertThat(ahead.get(0).rejected().offset()).isEqualTo(7);
        assertThat(onTime).hasSize(1);
        assertThat(onTime.get(0).line()).isNotNull();
    }

    @Test
    void referenceVersionsAYearAheadOfTheirRecordsAreDeadLetters() {
        byte[] product =
                CODEC.encode(new Product("p-1", "Lamp", "home", new BigDecimal("4.00"), IN_A_YEAR));
        byte[] rate = CODEC.encode(new FxRate("GBP", new BigDecimal("1.17"), IN_A_YEAR));

        List<ProductInput> products = new ArrayList<>();
        new ProductRecordDeserializer(LIMITS)
                .deserialize(record("products", product, NOW), new ListCollector<>(products));
        List<FxRateInput> rates = new ArrayList<>();
        new FxRateRecordDeserializer(LIMITS)
                .deserialize(record("fx-rates", rate, NOW), new ListCollector<>(rates));

        assertThat(products.get(0).change()).isNull();
        assertThat(products.get(0).rejected().reason()).isEqualTo(RejectReason.FUTURE_TIMESTAMP);
        assertThat(rates.get(0).rate()).isNull();
        assertThat(rates.get(0).rejected().reason()).isEqualTo(RejectReason.FUTURE_TIMESTAMP);
    }

    private static ConsumerRecord<byte[], byte[]> record(
            String topic, byte[] value, Instant timestamp) {
        byte[] key = "k".getBytes(StandardCharsets.UTF_8);
        return new ConsumerRecord<>(
                topic,
                0,
                7,
                timestamp.toEpochMilli(),
                TimestampType.CREATE_TIME,
                key.length,
                value.length,
                key,
                value,
                new RecordHeaders(),
                Optional.empty());
    }
}

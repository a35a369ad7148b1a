package com.salesaggregator.codec;

import static org.assertj.core.api.Assertions.assertThat;

import com.salesaggregator.model.FxRate;
import com.salesaggregator.model.OnlineOrder;
import com.salesaggregator.model.Product;
import com.salesaggregator.model.ReceiptLine;
import com.salesaggregator.model.StoreReceipt;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * An event time (or a version's validity) may lie at most {@link CodecLimits#maxTimeAhead()} after
 * its Kafka record's timestamp: further ahead it would drag the watermark along and turn every
 * later record late, so the record is rejected as FUTURE_TIMESTAMP.
 */
class EventCodecFutureTimestampTest {

    private static final EventCodec CODEC = EventCodec.withDefaults();
    private static final Instant AT = Instant.parse("2026-11-22T10:15:30Z");
    private static final long RECORD_TIME = AT.toEpochMilli();
    private static final Duration AHEAD = CodecLimits.DEFAULT_MAX_TIME_AHEAD;

    @Test
    void anOrderUpToTheLimitAheadOfItsRecordIsAccepted() {
        assertThat(CODEC.decodeOrder(order(AT.plus(AHEAD)), RECORD_TIME).isAccepted()).isTrue();
        assertThat(CODEC.decodeOrder(order(AT.minus(Duration.ofDays(3))), RECORD_TIME).isAccepted())
                .isTrue();
    }

    @Test
    void anOrderFurtherAheadIsRejectedNamingTheField() {
        DecodeResult<OnlineOrder> result =
                CODEC.decodeOrder(order(AT.plus(AHEAD).plusMillis(1)), RECORD_TIME);

        assertThat(result.rejection().reason()).isEqualTo(RejectReason.FUTURE_TIMESTAMP);
        assertThat(result.rejection().message())
                .contains("event_time", AT.plus(AHEAD).plusMillis(1).toString(), AT.toString());
    }

    @Test
    void aReceiptInAYearIsRejected() {
        StoreReceipt receipt =
                new StoreReceipt(
                        "r-1",
                        AT.plus(Duration.ofDays(365)),
                        "st-1",
                        "s-1",
                        "uk",
                        "GBP",
                        List.of(new ReceiptLine("p-1", 1, new BigDecimal("2.50"))));

        assertThat(CODEC.decodeReceipt(CODEC.encode(receipt), RECORD_TIME).rejection().reason())
                .isEqualTo(RejectReason.FUTURE_TIMESTAMP);
    }

    @Test
    void referenceVersionsValidFarAheadOfTheirRecordAreRejected() {
        Product product =
                new Product(
                        "p-1", "Lamp", "home", new BigDecimal("4.00"), AT.plus(Duration.ofDays(1)));
        FxRate rate = new FxRate("GBP", new BigDecimal("1.17"), AT.plus(Duration.ofHours(2)));

        DecodeResult<Product> decodedProduct =
                CODEC.decodeProduct(CODEC.encode(product), RECORD_TIME);
        DecodeResult<FxRate> decodedRate = CODEC.decodeFxRate(CODEC.encode(rate), RECORD_TIME);

        assertThat(decodedProduct.rejection().reason()).isEqualTo(RejectReason.FUTURE_TIMESTAMP);
        assertThat(decodedProduct.rejection().message()).contains("updated_at");
        assertThat(decodedRate.rejection().reason()).isEqualTo(RejectReason.FUTURE_TIMESTAMP);
        assertThat(decodedRate.rejection().message()).contains("valid_from");
    }

    @Test
    void aRecordWithoutATimestampIsNotChecked() {
        assertThat(CODEC.decodeOrder(order(AT.plus(Duration.ofDays(365))), -1).isAccepted())
                .isTrue();
    }

    @Test
    void aValueRejectedForAnotherReasonKeepsThatReason() {
        byte[] bad = "{\"order_id\":\"o-1\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);

        assertThat(CODEC.decodeOrder(bad, RECORD_TIME).rejection().reason())
                .isEqualTo(RejectReason.MISSING_FIELD);
    }

    @Test
    void theLimitIsConfigurable() {
        EventCodec lenient =
                new EventCodec(CodecLimits.defaults().withMaxTimeAhead(Duration.ofHours(1)));
        EventCodec strict = new EventCodec(CodecLimits.defaults().withMaxTimeAhead(Duration.ZERO));
        byte[] tenMinutesAhead = order(AT.plus(Duration.ofMinutes(10)));

        assertThat(lenient.decodeOrder(tenMinutesAhead, RECORD_TIME).isAccepted()).isTrue();
        assertThat(CODEC.decodeOrder(tenMinutesAhead, RECORD_TIME).isAccepted()).isFalse();
        assertThat(strict.decodeOrder(order(AT), RECORD_TIME).isAccepted()).isTrue();
        assertThat(strict.decodeOrder(order(AT.plusMillis(1)), RECORD_TIME).isAccepted()).isFalse();
    }

    private static byte[] order(Instant eventTime) {
        return CODEC.encode(
                new OnlineOrder(
                        "o-1",
                        eventTime,
                        "s-1",
                        "c-1",
                        "p-1",
                        2,
                        new BigDecimal("9.99"),
                        "EUR",
                        "eu-west"));
    }
}

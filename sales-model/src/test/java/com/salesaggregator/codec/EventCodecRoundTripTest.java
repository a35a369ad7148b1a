package com.salesaggregator.codec;

import static org.assertj.core.api.Assertions.assertThat;

import com.salesaggregator.model.FxRate;
import com.salesaggregator.model.OnlineOrder;
import com.salesaggregator.model.Product;
import com.salesaggregator.model.ReceiptLine;
import com.salesaggregator.model.StoreReceipt;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventCodecRoundTripTest {

    private final EventCodec codec = EventCodec.withDefaults();

    @Test
    void onlineOrderRoundTrips() {
        OnlineOrder order =
                new OnlineOrder(
                        "o-1",
                        Instant.parse("2026-11-22T10:15:30.123Z"),
                        "seller-7",
                        "c-000042",
                        "p-00017",
                        3,
                        new BigDecimal("19.90"),
                        "GBP",
                        "uk");

        assertThat(codec.decodeOrder(codec.encode(order)).event()).isEqualTo(order);
    }

    @Test
    void storeReceiptRoundTrips() {
        StoreReceipt receipt =
                new StoreReceipt(
                        "r-9",
                        Instant.parse("2026-11-22T10:15:00Z"),
                        "store-003",
                        "seller-2",
                        "eu-west",
                        "EUR",
                        List.of(
                                new ReceiptLine("p-1", 1, new BigDecimal("0.99")),
                                new ReceiptLine("p-2", 12, new BigDecimal("1250")),
                                new ReceiptLine("p-3", 2, new BigDecimal("0"))));

        assertThat(codec.decodeReceipt(codec.encode(receipt)).event()).isEqualTo(receipt);
    }

    @Test
    void productRoundTrips() {
        Product product =
                new Product(
                        "p-00017",
                        "Quiet Kettle",
                        "home",
                        new BigDecimal("12.3456"),
                        Instant.parse("2026-01-01T00:00:00Z"));

        assertThat(codec.decodeProduct(codec.encode(product)).event()).isEqualTo(product);
    }

    @Test
    void fxRateRoundTrips() {
        FxRate rate =
                new FxRate(
                        "JPY",
                        new BigDecimal("0.0061234567"),
                        Instant.parse("2026-11-22T09:00:00.5Z"));

        assertThat(codec.decodeFxRate(codec.encode(rate)).event()).isEqualTo(rate);
    }

    @Test
    void writesTheDocumentedWireFormat() {
        OnlineOrder order =
                new OnlineOrder(
                        "o-1",
                        Instant.parse("2026-11-22T10:15:30Z"),
                        "s",
                        "c",
                        "p",
                        2,
                        new BigDecimal("1.50"),
                        "EUR",
                        "r");

        assertThat(new String(codec.encode(order), StandardCharsets.UTF_8))
                .isEqualTo(
                        "{\"order_id\":\"o-1\",\"event_time\":\"2026-11-22T10:15:30Z\","
                                + "\"seller_id\":\"s\",\"customer_id\":\"c\",\"product_id\":\"p\","
                                + "\"quantity\":2,\"unit_price\":1.50,\"currency\":\"EUR\","
                                + "\"region\":\"r\"}");
    }

    @Test
    void acceptsUnknownFieldsForForwardCompatibility() {
        String json =
                "{\"currency\":\"USD\",\"eur_per_unit\":0.92,\"valid_from\":\"2026-11-22T00:00:00Z\","
                    + "\"source\":\"ecb\"}";

        DecodeResult<FxRate> result = codec.decodeFxRate(json.getBytes(StandardCharsets.UTF_8));

        assertThat(result.event().eurPerUnit()).isEqualByComparingTo("0.92");
    }
}

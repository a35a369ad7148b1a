package com.salesaggregator.codec;

import static org.assertj.core.api.Assertions.assertThat;

import com.salesaggregator.model.OnlineOrder;
import com.salesaggregator.model.ReceiptLine;
import com.salesaggregator.model.StoreReceipt;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Sale records are read token by token when they are plain and valid, through the JSON tree
 * otherwise. The two paths must give the same result for every input: checked here against the tree
 * path alone on valid records and on every one-character change, deletion and insertion of them,
 * and on field-level changes (missing, null, repeated, unknown, retyped fields).
 */
class EventCodecFastPathTest {

    private static final EventCodec CODEC = new EventCodec(CodecLimits.defaults());
    private static final String EDITS = "\"\\,:{}[]0-9.eEnNtZ -\u0007é";

    @Test
    void validRecordsTakeTheFastPath() {
        for (OnlineOrder order : orders()) {
            assertThat(CODEC.streamOrder(CODEC.encode(order))).isEqualTo(order);
        }
        for (StoreReceipt receipt : receipts()) {
            assertThat(CODEC.streamReceipt(CODEC.encode(receipt))).isEqualTo(receipt);
        }
    }

    @Test
    void everyOneCharacterEditOfAnOrderDecodesAsOnTheTree() {
        for (OnlineOrder order : orders()) {
            assertEveryEditDecodesAsOnTheTree(
                    text(CODEC.encode(order)), CODEC::decodeOrder, CODEC::decodeOrderAsTree);
        }
    }

    @Test
    void everyOneCharacterEditOfAReceiptDecodesAsOnTheTree() {
        for (StoreReceipt receipt : receipts()) {
            assertEveryEditDecodesAsOnTheTree(
                    text(CODEC.encode(receipt)), CODEC::decodeReceipt, CODEC::decodeReceiptAsTree);
        }
    }

    @Test
    void fieldLevelChangesDecodeAsOnTheTree() {
        String order = text(CODEC.encode(orders().get(0)));
        String receipt = text(CODEC.encode(receipts().get(0)));
        List<String> orders = new ArrayList<>();
        List<String> receipts = new ArrayList<>();
        for (String field :
                List.of(
                        "order_id",
                        "event_time",
                        "seller_id",
                        "customer_id",
                        "product_id",
                        "quantity",
                        "unit_price",
                        "currency",
                        "region")) {
            orders.addAll(fieldChanges(order, field));
        }
        for (String field :
                List.of(
                        "receipt_id",
                        "event_time",
                        "store_id",
                        "seller_id",
                        "region",
                        "currency",
                        "lines",
                        "product_id",
                        "quantity",
                        "unit_price")) {
            receipts.addAll(fieldChanges(receipt, field));
        }
        receipts.add(receipt.replaceFirst("\"lines\":\\[.*\\]", "\"lines\":[]"));
        receipts.add(receipt.replaceFirst("\"lines\":\\[", "\"lines\":[1,"));
        receipts.add(receipt.replaceFirst("\"lines\":\\[", "\"lines\":[null,"));
        receipts.add(receipt.replaceFirst("\"lines\":\\[", "\"lines\":[[],"));
        receipts.add(receipt.replaceFirst("\"lines\":\\[(\\{[^}]*\\})", "\"lines\":[$1,$1"));
        receipts.add(tooManyLines());
        for (String value :
                List.of(
                        "NaN",
                        "Infinity",
                        "-Infinity",
                        "1e400",
                        "-0",
                        "0.000",
                        "1E+2",
                        "7.50",
                        "2.0")) {
            orders.add(order.replaceFirst("\"quantity\":[^,]*", "\"quantity\":" + value));
            orders.add(order.replaceFirst("\"unit_price\":[^,]*", "\"unit_price\":" + value));
        }
        orders.add(order + " ");
        orders.add(order + "{}");
        orders.add(" " + order);
        orders.add("[" + order + "]");
        for (String changed : orders) {
            assertSame(changed, CODEC::decodeOrder, CODEC::decodeOrderAsTree);
        }
        for (String changed : receipts) {
            assertSame(changed, CODEC::decodeReceipt, CODEC::decodeReceiptAsTree);
        }
    }

    /** The field removed, null, repeated, retyped, and an unknown field beside it. */
    private static List<String> fieldChanges(String json, String field) {
        String pattern = "\"" + field + "\":(\"[^\"]*\"|[-0-9.eE]+|\\[.*\\])";
        List<String> changes = new ArrayList<>();
        changes.add(json.replaceFirst(pattern + ",?", ""));
        changes.add(json.replaceFirst(pattern, "\"" + field + "\":null"));
        changes.add(json.replaceFirst(pattern, "\"" + field + "\":$1,\"" + field + "\":$1"));
        changes.add(json.replaceFirst(pattern, "\"" + field + "\":true"));
        changes.add(json.replaceFirst(pattern, "\"" + field + "\":{\"a\":1}"));
        changes.add(json.replaceFirst(pattern, "\"" + field + "\":12"));
        changes.add(json.replaceFirst(pattern, "\"" + field + "\":\"12\""));
        changes.add(json.replaceFirst(pattern, "\"" + field + "\":$1,\"extra\":1"));
        return changes;
    }

    private static String tooManyLines() {
        List<ReceiptLine> lines = new ArrayList<>();
        for (int i = 0; i <= CodecLimits.defaults().maxReceiptLines(); i++) {
            lines.add(new ReceiptLine("p-" + i, 1, new BigDecimal("1.00")));
        }
        return text(
                CODEC.encode(
                        new StoreReceipt(
                                "r-big",
                                Instant.parse("2026-01-05T08:00:00Z"),
                                "store-1",
                                "seller-1",
                                "eu-west",
                                "EUR",
                                lines)));
    }

    private static <T> void assertEveryEditDecodesAsOnTheTree(
            String json,
            Function<byte[], DecodeResult<T>> decode,
            Function<byte[], DecodeResult<T>> tree) {
        for (int i = 0; i < json.length(); i++) {
            assertSame(json.substring(0, i) + json.substring(i + 1), decode, tree);
            for (char c : EDITS.toCharArray()) {
                assertSame(json.substring(0, i) + c + json.substring(i + 1), decode, tree);
                assertSame(json.substring(0, i) + c + json.substring(i), decode, tree);
            }
        }
    }

    private static <T> void assertSame(
            String json,
            Function<byte[], DecodeResult<T>> decode,
            Function<byte[], DecodeResult<T>> tree) {
        byte[] value = json.getBytes(StandardCharsets.UTF_8);
        assertThat(decode.apply(value)).as(json).isEqualTo(tree.apply(value));
    }

    private static List<OnlineOrder> orders() {
        Random random = new Random(11);
        List<OnlineOrder> orders = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            orders.add(
                    new OnlineOrder(
                            "o-" + random.nextInt(1_000_000),
                            Instant.ofEpochMilli(
                                    1_767_600_000_000L + random.nextInt(1_000_000_000)),
                            "seller-" + i,
                            "c-" + random.nextInt(1000),
                            "p-" + random.nextInt(200),
                            1 + random.nextInt(9),
                            new BigDecimal(random.nextInt(100_000)).movePointLeft(2),
                            List.of("EUR", "GBP", "USD").get(i),
                            "eu-west"));
        }
        return orders;
    }

    private static List<StoreReceipt> receipts() {
        Random random = new Random(13);
        List<StoreReceipt> receipts = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            List<ReceiptLine> lines = new ArrayList<>();
            for (int l = 0; l < i; l++) {
                lines.add(
                        new ReceiptLine(
                                "p-" + random.nextInt(200),
                                1 + random.nextInt(5),
                                new BigDecimal(random.nextInt(10_000)).movePointLeft(2)));
            }
            receipts.add(
                    new StoreReceipt(
                            "r-" + random.nextInt(1_000_000),
                            Instant.ofEpochMilli(1_767_600_000_000L + random.nextInt(1_000_000)),
                            "store-" + i,
                            "seller-" + i,
                            "uk",
                            "GBP",
                            lines));
        }
        return receipts;
    }

    private static String text(byte[] value) {
        return new String(value, StandardCharsets.UTF_8);
    }
}

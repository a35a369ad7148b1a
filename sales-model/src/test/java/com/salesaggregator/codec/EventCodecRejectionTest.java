package com.salesaggregator.codec;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every class of bad input maps to its reason code, with a message naming the field. */
class EventCodecRejectionTest {

    private static final EventCodec CODEC = EventCodec.withDefaults();

    private static final String ORDER =
            "{\"order_id\":\"o-1\",\"event_time\":\"2026-11-22T10:15:30Z\",\"seller_id\":\"s-1\","
                    + "\"customer_id\":\"c-1\",\"product_id\":\"p-1\",\"quantity\":2,"
                    + "\"unit_price\":9.99,\"currency\":\"EUR\",\"region\":\"eu-west\"}";

    private static final String RECEIPT_HEAD =
            "{\"receipt_id\":\"r-1\",\"event_time\":\"2026-11-22T10:15:30Z\",\"store_id\":\"st-1\","
                + "\"seller_id\":\"s-1\",\"region\":\"eu-west\",\"currency\":\"EUR\",\"lines\":";

    private static final String LINE = "{\"product_id\":\"p-1\",\"quantity\":1,\"unit_price\":2.5}";

    private enum Kind {
        ORDER(CODEC::decodeOrder),
        RECEIPT(CODEC::decodeReceipt),
        PRODUCT(CODEC::decodeProduct),
        FX_RATE(CODEC::decodeFxRate);

        final Function<byte[], DecodeResult<?>> decoder;

        Kind(Function<byte[], DecodeResult<?>> decoder) {
            this.decoder = decoder;
        }
    }

    static Stream<Arguments> badInputs() {
        return Stream.of(
                bad("null value", Kind.ORDER, null, RejectReason.EMPTY_VALUE, "no value"),
                bad("empty value", Kind.ORDER, new byte[0], RejectReason.EMPTY_VALUE, "no value"),
                bad(
                        "over the size limit",
                        Kind.ORDER,
                        utf8(ORDER.replace("\"o-1\"", "\"" + "x".repeat(300_000) + "\"")),
                        RejectReason.OVERSIZED_RECORD,
                        "limit"),
                bad("not JSON", Kind.ORDER, utf8("hello"), RejectReason.MALFORMED_JSON, "object"),
                bad(
                        "truncated",
                        Kind.ORDER,
                        utf8(ORDER.substring(0, ORDER.length() / 2)),
                        RejectReason.MALFORMED_JSON,
                        ""),
                bad(
                        "trailing data",
                        Kind.ORDER,
                        utf8(ORDER + "{}"),
                        RejectReason.MALFORMED_JSON,
                        ""),
                bad(
                        "JSON null literal",
                        Kind.ORDER,
                        utf8("null"),
                        RejectReason.MALFORMED_JSON,
                        "object"),
                bad("JSON array", Kind.ORDER, utf8("[1,2]"), RejectReason.MALFORMED_JSON, "object"),
                bad(
                        "whitespace only",
                        Kind.ORDER,
                        utf8("   "),
                        RejectReason.MALFORMED_JSON,
                        "object"),
                bad(
                        "byte order mark",
                        Kind.ORDER,
                        concat(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, utf8(ORDER)),
                        RejectReason.INVALID_ENCODING,
                        "byte order mark"),
                bad(
                        "invalid UTF-8 in a string",
                        Kind.ORDER,
                        withBytes(ORDER, "o-1", new byte[] {'o', (byte) 0xC3, (byte) 0x28}),
                        RejectReason.INVALID_ENCODING,
                        "UTF-8"),
                bad(
                        "UTF-8 surrogate",
                        Kind.ORDER,
                        withBytes(ORDER, "o-1", new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}),
                        RejectReason.INVALID_ENCODING,
                        "UTF-8"),
                bad(
                        "deep nesting",
                        Kind.ORDER,
                        utf8(
                                ORDER.replace(
                                        "\"region\":\"eu-west\"",
                                        "\"region\":\"eu-west\",\"x\":"
                                                + "[".repeat(10_000)
                                                + "]".repeat(10_000))),
                        RejectReason.MALFORMED_JSON,
                        "nesting"),
                bad(
                        "duplicate keys",
                        Kind.ORDER,
                        utf8(ORDER.replace("\"quantity\":2", "\"quantity\":2,\"quantity\":200")),
                        RejectReason.DUPLICATE_FIELD,
                        "quantity"),
                bad(
                        "missing field",
                        Kind.ORDER,
                        utf8(ORDER.replace("\"seller_id\":\"s-1\",", "")),
                        RejectReason.MISSING_FIELD,
                        "seller_id"),
                bad(
                        "null field",
                        Kind.ORDER,
                        utf8(ORDER.replace("\"p-1\"", "null")),
                        RejectReason.MISSING_FIELD,
                        "product_id"),
                bad(
                        "string quantity",
                        Kind.ORDER,
                        utf8(ORDER.replace("\"quantity\":2", "\"quantity\":\"2\"")),
                        RejectReason.WRONG_TYPE,
                        "quantity"),
                bad(
                        "number as id",
                        Kind.ORDER,
                        utf8(ORDER.replace("\"o-1\"", "17")),
                        RejectReason.WRONG_TYPE,
                        "order_id"),
                bad(
                        "zero quantity",
                        Kind.ORDER,
                        utf8(ORDER.replace("\"quantity\":2", "\"quantity\":0")),
                        RejectReason.INVALID_QUANTITY,
                        "quantity"),
                bad(
                        "negative quantity",
                        Kind.ORDER,
                        utf8(ORDER.replace("\"quantity\":2", "\"quantity\":-4")),
                        RejectReason.INVALID_QUANTITY,
                        "quantity"),
                bad(
                        "fractional quantity",
                        Kind.ORDER,
                        utf8(ORDER.replace("\"quantity\":2", "\"quantity\":1.5")),
                        RejectReason.INVALID_QUANTITY,
                        "whole"),
                bad(
                        "huge quantity",
                        Kind.ORDER,
                        utf8(ORDER.replace("\"quantity\":2", "\"quantity\":99999999999999")),
                        RejectReason.INVALID_QUANTITY,
                        "quantity"),
                bad(
                        "negative price",
                        Kind.ORDER,
                        utf8(ORDER.replace("9.99", "-9.99")),
                        RejectReason.INVALID_PRICE,
                        "unit_price"),
                bad(
                        "NaN price",
                        Kind.ORDER,
                        utf8(ORDER.replace("9.99", "NaN")),
                        RejectReason.INVALID_PRICE,
                        "finite"),
                bad(
                        "Infinity price",
                        Kind.ORDER,
                        utf8(ORDER.replace("9.99", "Infinity")),
                        RejectReason.INVALID_PRICE,
                        "finite"),
                bad(
                        "1e400 price",
                        Kind.ORDER,
                        utf8(ORDER.replace("9.99", "1e400")),
                        RejectReason.INVALID_PRICE,
                        "limit"),
                bad(
                        "too many decimals",
                        Kind.ORDER,
                        utf8(ORDER.replace("9.99", "9.999999")),
                        RejectReason.INVALID_PRICE,
                        "decimals"),
                bad(
                        "overlong number literal",
                        Kind.ORDER,
                        utf8(ORDER.replace("9.99", "1" + "0".repeat(500))),
                        RejectReason.MALFORMED_JSON,
                        "Number"),
                bad(
                        "unparseable timestamp",
                        Kind.ORDER,
                        utf8(ORDER.replace("2026-11-22T10:15:30Z", "yesterday")),
                        RejectReason.INVALID_TIMESTAMP,
                        "event_time"),
                bad(
                        "timestamp without zone",
                        Kind.ORDER,
                        utf8(ORDER.replace("2026-11-22T10:15:30Z", "2026-11-22T10:15:30")),
                        RejectReason.INVALID_TIMESTAMP,
                        "event_time"),
                bad(
                        "pre-1970 timestamp",
                        Kind.ORDER,
                        utf8(ORDER.replace("2026-11-22T10:15:30Z", "1969-07-20T20:17:00Z")),
                        RejectReason.INVALID_TIMESTAMP,
                        "outside"),
                bad(
                        "far-future timestamp",
                        Kind.ORDER,
                        utf8(ORDER.replace("2026-11-22T10:15:30Z", "+12026-11-22T10:15:30Z")),
                        RejectReason.INVALID_TIMESTAMP,
                        "outside"),
                bad(
                        "numeric timestamp",
                        Kind.ORDER,
                        utf8(ORDER.replace("\"2026-11-22T10:15:30Z\"", "1763806530000")),
                        RejectReason.WRONG_TYPE,
                        "event_time"),
                bad(
                        "lower-case currency",
                        Kind.ORDER,
                        utf8(ORDER.replace("\"EUR\"", "\"eur\"")),
                        RejectReason.INVALID_CURRENCY,
                        "currency"),
                bad(
                        "long currency",
                        Kind.ORDER,
                        utf8(ORDER.replace("\"EUR\"", "\"EURO\"")),
                        RejectReason.INVALID_CURRENCY,
                        "currency"),
                bad(
                        "control character in an id",
                        Kind.ORDER,
                        utf8(ORDER.replace("\"o-1\"", "\"o-\\u0007bell\"")),
                        RejectReason.INVALID_TEXT,
                        "U+0007"),
                bad(
                        "unpaired high surrogate in an id",
                        Kind.ORDER,
                        utf8(ORDER.replace("\"o-1\"", "\"o-\\ud800x\"")),
                        RejectReason.INVALID_TEXT,
                        "unpaired surrogate U+D800"),
                bad(
                        "unpaired low surrogate at the end of a name",
                        Kind.ORDER,
                        utf8(ORDER.replace("\"s-1\"", "\"s-\\udc00\"")),
                        RejectReason.INVALID_TEXT,
                        "seller_id"),
                bad(
                        "raw newline in an id",
                        Kind.ORDER,
                        utf8(ORDER.replace("\"p-1\"", "\"p-\\n1\"")),
                        RejectReason.INVALID_TEXT,
                        "product_id"),
                bad(
                        "empty id",
                        Kind.ORDER,
                        utf8(ORDER.replace("\"s-1\"", "\"\"")),
                        RejectReason.INVALID_TEXT,
                        "seller_id"),
                bad(
                        "100 KB product id",
                        Kind.ORDER,
                        utf8(ORDER.replace("\"p-1\"", "\"" + "p".repeat(100_000) + "\"")),
                        RejectReason.INVALID_TEXT,
                        "product_id"),
                bad(
                        "receipt without lines",
                        Kind.RECEIPT,
                        utf8(RECEIPT_HEAD + "[]}"),
                        RejectReason.EMPTY_RECEIPT,
                        "lines"),
                bad(
                        "receipt lines not an array",
                        Kind.RECEIPT,
                        utf8(RECEIPT_HEAD + "{}}"),
                        RejectReason.WRONG_TYPE,
                        "lines"),
                bad(
                        "huge array of lines",
                        Kind.RECEIPT,
                        utf8(RECEIPT_HEAD + "[" + String.join(",", repeat(LINE, 1_001)) + "]}"),
                        RejectReason.TOO_MANY_LINES,
                        "1001"),
                bad(
                        "bad line in a receipt",
                        Kind.RECEIPT,
                        utf8(
                                RECEIPT_HEAD
                                        + "["
                                        + LINE
                                        + ","
                                        + LINE.replace("\"quantity\":1", "\"quantity\":-1")
                                        + "]}"),
                        RejectReason.INVALID_QUANTITY,
                        "lines[1].quantity"),
                bad(
                        "receipt line not an object",
                        Kind.RECEIPT,
                        utf8(RECEIPT_HEAD + "[" + LINE + ",7]}"),
                        RejectReason.WRONG_TYPE,
                        "lines[1]"),
                bad(
                        "negative unit cost",
                        Kind.PRODUCT,
                        utf8(
                                "{\"product_id\":\"p-1\",\"name\":\"n\",\"category\":\"c\","
                                    + "\"unit_cost_eur\":-1,\"updated_at\":\"2026-01-01T00:00:00Z\"}"),
                        RejectReason.INVALID_PRICE,
                        "unit_cost_eur"),
                bad(
                        "zero rate",
                        Kind.FX_RATE,
                        utf8(
                                "{\"currency\":\"USD\",\"eur_per_unit\":0,"
                                        + "\"valid_from\":\"2026-01-01T00:00:00Z\"}"),
                        RejectReason.INVALID_RATE,
                        "eur_per_unit"),
                bad(
                        "NaN rate",
                        Kind.FX_RATE,
                        utf8(
                                "{\"currency\":\"USD\",\"eur_per_unit\":NaN,"
                                        + "\"valid_from\":\"2026-01-01T00:00:00Z\"}"),
                        RejectReason.INVALID_RATE,
                        "finite"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badInputs")
    void rejectsBadInputWithItsReason(
            String name, Kind kind, byte[] value, RejectReason reason, String messagePart) {
        DecodeResult<?> result = kind.decoder.apply(value);

        assertThat(result.isAccepted()).as("accepted %s", name).isFalse();
        assertThat(result.rejection().reason()).isEqualTo(reason);
        assertThat(result.rejection().message()).contains(messagePart).hasSizeLessThan(400);
    }

    @Test
    void theValidTemplatesAreAccepted() {
        assertThat(CODEC.decodeOrder(utf8(ORDER)).isAccepted()).isTrue();
        assertThat(CODEC.decodeReceipt(utf8(RECEIPT_HEAD + "[" + LINE + "]}")).isAccepted())
                .isTrue();
        assertThat(
                        CODEC.decodeReceipt(
                                        utf8(
                                                RECEIPT_HEAD
                                                        + "["
                                                        + String.join(",", repeat(LINE, 1_000))
                                                        + "]}"))
                                .isAccepted())
                .as("a receipt at the line limit")
                .isTrue();
    }

    @Test
    void aSurrogatePairIsOneCharacterAndAccepted() {
        DecodeResult<com.salesaggregator.model.OnlineOrder> result =
                CODEC.decodeOrder(utf8(ORDER.replace("\"s-1\"", "\"s-\\ud83d\\ude00\"")));

        assertThat(result.isAccepted()).isTrue();
        assertThat(result.event().sellerId()).isEqualTo("s-\uD83D\uDE00");
    }

    @Test
    void recordSizeLimitIsConfigurable() {
        EventCodec strict = new EventCodec(CodecLimits.defaults().withMaxRecordBytes(100));

        assertThat(strict.decodeOrder(utf8(ORDER)).rejection().reason())
                .isEqualTo(RejectReason.OVERSIZED_RECORD);
    }

    @Test
    void receiptLineLimitIsConfigurable() {
        EventCodec strict = new EventCodec(CodecLimits.defaults().withMaxReceiptLines(1));

        assertThat(
                        strict.decodeReceipt(utf8(RECEIPT_HEAD + "[" + LINE + "," + LINE + "]}"))
                                .rejection()
                                .reason())
                .isEqualTo(RejectReason.TOO_MANY_LINES);
    }

    private static Arguments bad(
            String name, Kind kind, byte[] value, RejectReason reason, String messagePart) {
        return Arguments.of(name, kind, value, reason, messagePart);
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String[] repeat(String text, int times) {
        String[] copies = new String[times];
        java.util.Arrays.fill(copies, text);
        return copies;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** {@code template} with the first occurrence of {@code target} replaced by raw bytes. */
    private static byte[] withBytes(String template, String target, byte[] replacement) {
        int at = template.indexOf(target);
        return concat(
                concat(utf8(template.substring(0, at)), replacement),
                utf8(template.substring(at + target.length())));
    }
}

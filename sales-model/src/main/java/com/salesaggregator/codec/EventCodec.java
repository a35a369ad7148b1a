package com.salesaggregator.codec;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.salesaggregator.model.FxRate;
import com.salesaggregator.model.OnlineOrder;
import com.salesaggregator.model.Product;
import com.salesaggregator.model.ReceiptLine;
import com.salesaggregator.model.ReferenceHeartbeat;
import com.salesaggregator.model.StoreReceipt;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * The one JSON wire format of the input events, shared by the seeder (encode) and the job (decode).
 * Decoding never throws on bad input: it returns the event or a typed {@link Rejection} whose
 * message names the offending field.
 *
 * <p>Instances are thread-safe and cheap to share; create one per task and reuse it.
 */
public final class EventCodec {

    /**
     * The key prefix of a reference heartbeat: a {@code products} or {@code fx-rates} record keyed
     * {@code __heartbeat-<partition>} is a heartbeat (or a malformed one), never a product or rate.
     */
    private static final String HEARTBEAT_KEY_PREFIX = "__heartbeat-";

    private static final byte[] HEARTBEAT_KEY_PREFIX_BYTES =
            HEARTBEAT_KEY_PREFIX.getBytes(StandardCharsets.UTF_8);
    private static final byte[] UTF8_BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
    private static final int MAX_NUMBER_LENGTH = 100;
    private static final int MAX_ECHOED_CHARS = 40;

    private final CodecLimits limits;
    private final ObjectMapper mapper;
    private final JsonFactory writerFactory;

    public EventCodec(CodecLimits limits) {
        this.limits = Objects.requireNonNull(limits, "limits");
        JsonFactory readerFactory =
                JsonFactory.builder()
                        .streamReadConstraints(
                                StreamReadConstraints.builder()
                                        .maxNestingDepth(limits.maxNestingDepth())
                                        .maxNumberLength(MAX_NUMBER_LENGTH)
                                        .maxStringLength(limits.maxRecordBytes())
                                        .build())
                        // NaN and Infinity parse, so they are reported as invalid prices
                        // rather than as JSON syntax errors.
                        .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
                        .enable(
                                com.fasterxml.jackson.core.StreamReadFeature
                                        .STRICT_DUPLICATE_DETECTION)
                        .build();
        this.mapper =
                JsonMapper.builder(readerFactory)
                        .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                        .nodeFactory(JsonNodeFactory.withExactBigDecimals(true))
                        .build();
        this.writerFactory =
                JsonFactory.builder().enable(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN).build();
    }

    /** A codec with {@link CodecLimits#defaults()}. */
    public static EventCodec withDefaults() {
        return new EventCodec(CodecLimits.defaults());
    }

    public CodecLimits limits() {
        return limits;
    }

    // ---------------------------------------------------------------- decoding

    /** Decodes a {@code sales-online} value. */
    public DecodeResult<OnlineOrder> decodeOrder(byte[] value) {
        return decode(value, this::streamOrder, this::readOrder);
    }

    /** Decodes a {@code sales-store} value. */
    public DecodeResult<StoreReceipt> decodeReceipt(byte[] value) {
        return decode(value, this::streamReceipt, this::readReceipt);
    }

    /** {@link #decodeOrder(byte[])} without the streaming fast path: what it must equal. */
    DecodeResult<OnlineOrder> decodeOrderAsTree(byte[] value) {
        return decode(value, this::readOrder);
    }

    /** {@link #decodeReceipt(byte[])} without the streaming fast path: what it must equal. */
    DecodeResult<StoreReceipt> decodeReceiptAsTree(byte[] value) {
        return decode(value, this::readReceipt);
    }

    /** Decodes a {@code products} value; a tombstone (null value) is the caller's to handle. */
    public DecodeResult<Product> decodeProduct(byte[] value) {
        return decode(value, this::readProduct);
    }

    /** Decodes an {@code fx-rates} value. */
    public DecodeResult<FxRate> decodeFxRate(byte[] value) {
        return decode(value, this::readFxRate);
    }

    /**
     * Decodes a {@code sales-online} record: its value, and its event time checked against the
     * record's Kafka timestamp ({@link CodecLimits#maxTimeAhead()}).
     */
    public DecodeResult<OnlineOrder> decodeOrder(byte[] value, long recordTimestamp) {
        return notAhead(decodeOrder(value), OnlineOrder::eventTime, "event_time", recordTimestamp);
    }

    /** Decodes a {@code sales-store} record, its event time checked against its timestamp. */
    public DecodeResult<StoreReceipt> decodeReceipt(byte[] value, long recordTimestamp) {
        return notAhead(
                decodeReceipt(value), StoreReceipt::eventTime, "event_time", recordTimestamp);
    }

    /** Decodes a {@code products} value, its {@code updated_at} checked against its timestamp. */
    public DecodeResult<Product> decodeProduct(byte[] value, long recordTimestamp) {
        return notAhead(decodeProduct(value), Product::updatedAt, "updated_at", recordTimestamp);
    }

    /** Decodes an {@code fx-rates} value, its {@code valid_from} checked against its timestamp. */
    public DecodeResult<FxRate> decodeFxRate(byte[] value, long recordTimestamp) {
        return notAhead(decodeFxRate(value), FxRate::validFrom, "valid_from", recordTimestamp);
    }

    /** The key of the heartbeat of {@code partition}: {@code __heartbeat-<partition>}. */
    public static String heartbeatKey(int partition) {
        return HEARTBEAT_KEY_PREFIX + partition;
    }

    /** Whether a reference record with this key is a heartbeat (valid or not) rather than data. */
    public static boolean isHeartbeatKey(byte[] key) {
        return key != null && startsWith(key, HEARTBEAT_KEY_PREFIX_BYTES);
    }

    /**
     * Decodes a reference heartbeat read from {@code partition} (negative: unknown, not checked):
     * its key must name that partition, its value hold {@code heartbeat_time}, checked against the
     * record's timestamp like any event time ({@link CodecLimits#maxTimeAhead()}).
     */
    public DecodeResult<ReferenceHeartbeat> decodeHeartbeat(
            byte[] key, int partition, byte[] value, long recordTimestamp) {
        String keyText = key == null ? "" : new String(key, StandardCharsets.UTF_8);
        String expected = heartbeatKey(partition);
        if (!isHeartbeatKey(key)
                || !keyText.substring(HEARTBEAT_KEY_PREFIX.length()).matches("0|[1-9][0-9]{0,9}")
                || (partition >= 0 && !keyText.equals(expected))) {
            return DecodeResult.rejected(
                    RejectReason.MISPLACED_HEARTBEAT,
                    "heartbeat key '"
                            + echo(keyText)
                            + "' does not name the partition it was read from"
                            + (partition >= 0 ? " ('" + expected + "')" : ""));
        }
        int named = Integer.parseInt(keyText.substring(HEARTBEAT_KEY_PREFIX.length()));
        return notAhead(
                decode(
                        value,
                        (node, path) ->
                                new ReferenceHeartbeat(
                                        named, instant(node, path, "heartbeat_time"))),
                ReferenceHeartbeat::heartbeatTime,
                "heartbeat_time",
                recordTimestamp);
    }

    /**
     * Rejects an accepted event whose own time lies more than the limit after the Kafka record's
     * timestamp (which brokers keep within an hour of their clock). A negative record timestamp
     * means none is known; the event is then left as it is.
     */
    private <T> DecodeResult<T> notAhead(
            DecodeResult<T> result, Function<T, Instant> time, String field, long recordTimestamp) {
        if (!result.isAccepted() || recordTimestamp < 0) {
            return result;
        }
        Instant eventTime = time.apply(result.event());
        Instant latest = Instant.ofEpochMilli(recordTimestamp).plus(limits.maxTimeAhead());
        if (eventTime.isAfter(latest)) {
            return DecodeResult.rejected(
                    RejectReason.FUTURE_TIMESTAMP,
                    "field '"
                            + field
                            + "' is "
                            + eventTime
                            + ", more than "
                            + limits.maxTimeAhead()
                            + " after the record timestamp "
                            + Instant.ofEpochMilli(recordTimestamp));
        }
        return result;
    }

    private <T> DecodeResult<T> decode(byte[] value, ObjectReader<T> reader) {
        return decode(value, bytes -> null, reader);
    }

    /**
     * Decodes {@code value}: through {@code stream} when it returns an event (the common case: a
     * well-formed, valid record, read without building a JSON tree), else through the JSON tree and
     * {@code reader}, which decide every other case and name what is wrong.
     */
    private <T> DecodeResult<T> decode(
            byte[] value, StreamReader<T> stream, ObjectReader<T> reader) {
        if (value == null || value.length == 0) {
            return DecodeResult.rejected(RejectReason.EMPTY_VALUE, "record has no value");
        }
        if (value.length > limits.maxRecordBytes()) {
            return DecodeResult.rejected(
                    RejectReason.OVERSIZED_RECORD,
                    "value is "
                            + value.length
                            + " bytes, above the limit of "
                            + limits.maxRecordBytes());
        }
        if (startsWith(value, UTF8_BOM)) {
            return DecodeResult.rejected(
                    RejectReason.INVALID_ENCODING, "value starts with a byte order mark");
        }
        int invalidAt = Utf8Validation.firstInvalidByte(value);
        if (invalidAt >= 0) {
            return DecodeResult.rejected(
                    RejectReason.INVALID_ENCODING,
                    "value is not valid UTF-8 (byte " + invalidAt + ")");
        }
        if (firstNonWhitespace(value) != '{') {
            // Also keeps Jackson from guessing UTF-16 or UTF-32 from leading zero bytes.
            return DecodeResult.rejected(RejectReason.MALFORMED_JSON, "value is not a JSON object");
        }
        T streamed = stream.readValid(value);
        if (streamed != null) {
            return DecodeResult.accepted(streamed);
        }
        JsonNode root;
        try {
            root = mapper.readTree(value);
        } catch (StreamConstraintsException e) {
            return DecodeResult.rejected(RejectReason.MALFORMED_JSON, e.getOriginalMessage());
        } catch (JsonParseException e) {
            String problem = e.getOriginalMessage();
            if (problem != null && problem.startsWith("Duplicate field")) {
                return DecodeResult.rejected(RejectReason.DUPLICATE_FIELD, problem);
            }
            return DecodeResult.rejected(RejectReason.MALFORMED_JSON, firstLine(problem));
        } catch (IOException | RuntimeException e) {
            return DecodeResult.rejected(RejectReason.MALFORMED_JSON, firstLine(e.getMessage()));
        }
        if (root == null || !root.isObject()) {
            return DecodeResult.rejected(RejectReason.MALFORMED_JSON, "value is not a JSON object");
        }
        try {
            return DecodeResult.accepted(reader.read(root, ""));
        } catch (InvalidField e) {
            return DecodeResult.rejected(e.reason, e.getMessage());
        }
    }

    private OnlineOrder readOrder(JsonNode node, String path) {
        return new OnlineOrder(
                text(node, path, "order_id"),
                instant(node, path, "event_time"),
                text(node, path, "seller_id"),
                text(node, path, "customer_id"),
                text(node, path, "product_id"),
                quantity(node, path, "quantity"),
                price(node, path, "unit_price"),
                currency(node, path, "currency"),
                text(node, path, "region"));
    }

    private StoreReceipt readReceipt(JsonNode node, String path) {
        String receiptId = text(node, path, "receipt_id");
        Instant eventTime = instant(node, path, "event_time");
        String storeId = text(node, path, "store_id");
        String sellerId = text(node, path, "seller_id");
        String region = text(node, path, "region");
        String currency = currency(node, path, "currency");
        JsonNode array = required(node, path, "lines");
        if (!array.isArray()) {
            throw wrongType(path, "lines", "an array", array);
        }
        if (array.isEmpty()) {
            throw new InvalidField(RejectReason.EMPTY_RECEIPT, "field 'lines' is empty");
        }
        if (array.size() > limits.maxReceiptLines()) {
            throw new InvalidField(
                    RejectReason.TOO_MANY_LINES,
                    "field 'lines' has "
                            + array.size()
                            + " lines, above the limit of "
                            + limits.maxReceiptLines());
        }
        List<ReceiptLine> lines = new ArrayList<>(array.size());
        for (int i = 0; i < array.size(); i++) {
            JsonNode line = array.get(i);
            String linePath = "lines[" + i + "].";
            if (!line.isObject()) {
                throw new InvalidField(
                        RejectReason.WRONG_TYPE,
                        "field 'lines[" + i + "]' must be an object, was " + typeOf(line));
            }
            lines.add(
                    new ReceiptLine(
                            text(line, linePath, "product_id"),
                            quantity(line, linePath, "quantity"),
                            price(line, linePath, "unit_price")));
        }
        return new StoreReceipt(receiptId, eventTime, storeId, sellerId, region, currency, lines);
    }

    private Product readProduct(JsonNode node, String path) {
        return new Product(
                text(node, path, "product_id"),
                text(node, path, "name"),
                text(node, path, "category"),
                price(node, path, "unit_cost_eur"),
                instant(node, path, "updated_at"));
    }

    private FxRate readFxRate(JsonNode node, String path) {
        return new FxRate(
                currency(node, path, "currency"),
                rate(node, path, "eur_per_unit"),
                instant(node, path, "valid_from"));
    }

    private JsonNode required(JsonNode node, String path, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            throw new InvalidField(
                    RejectReason.MISSING_FIELD, "missing required field '" + path + field + "'");
        }
        return value;
    }

    private String text(JsonNode node, String path, String field) {
        JsonNode value = required(node, path, field);
        if (!value.isTextual()) {
            throw wrongType(path, field, "a string", value);
        }
        return checkedText(value.textValue(), path, field);
    }

    /** {@code text} if it is a valid text field's value, else an {@link InvalidField}. */
    private String checkedText(String text, String path, String field) {
        if (text.isEmpty()) {
            throw new InvalidField(
                    RejectReason.INVALID_TEXT, "field '" + path + field + "' is empty");
        }
        if (text.length() > limits.maxTextLength()) {
            throw new InvalidField(
                    RejectReason.INVALID_TEXT,
                    "field '"
                            + path
                            + field
                            + "' is "
                            + text.length()
                            + " characters, above the limit of "
                            + limits.maxTextLength());
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isISOControl(c)) {
                throw new InvalidField(
                        RejectReason.INVALID_TEXT,
                        String.format(
                                "field '%s%s' contains control character U+%04X at index %d",
                                path, field, (int) c, i));
            }
            if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c)
                        && i + 1 < text.length()
                        && Character.isLowSurrogate(text.charAt(i + 1))) {
                    i++;
                    continue;
                }
                // A JSON escape such as \ud800 alone: not a character, and not text that
                // survives UTF-8 (the job's serializers would turn it into '?', and a key into
                // another key).
                throw new InvalidField(
                        RejectReason.INVALID_TEXT,
                        String.format(
                                "field '%s%s' contains an unpaired surrogate U+%04X at index %d",
                                path, field, (int) c, i));
            }
        }
        return text;
    }

    private String currency(JsonNode node, String path, String field) {
        JsonNode value = required(node, path, field);
        if (!value.isTextual()) {
            throw wrongType(path, field, "a string", value);
        }
        return checkedCurrency(value.textValue(), path, field);
    }

    private static String checkedCurrency(String code, String path, String field) {
        boolean wellFormed = code.length() == 3;
        for (int i = 0; wellFormed && i < 3; i++) {
            char c = code.charAt(i);
            wellFormed = c >= 'A' && c <= 'Z';
        }
        if (!wellFormed) {
            throw new InvalidField(
                    RejectReason.INVALID_CURRENCY,
                    "field '"
                            + path
                            + field
                            + "' must be three upper-case letters, was '"
                            + echo(code)
                            + "'");
        }
        return code;
    }

    private Instant instant(JsonNode node, String path, String field) {
        JsonNode value = required(node, path, field);
        if (!value.isTextual()) {
            throw wrongType(path, field, "an ISO-8601 string", value);
        }
        return checkedInstant(value.textValue(), path, field);
    }

    private Instant checkedInstant(String text, String path, String field) {
        Instant instant;
        try {
            instant = IsoInstants.parse(text);
        } catch (DateTimeParseException e) {
            throw new InvalidField(
                    RejectReason.INVALID_TIMESTAMP,
                    "field '"
                            + path
                            + field
                            + "' is not an ISO-8601 UTC instant: '"
                            + echo(text)
                            + "'");
        }
        if (instant.isBefore(limits.minTime()) || !instant.isBefore(limits.maxTime())) {
            throw new InvalidField(
                    RejectReason.INVALID_TIMESTAMP,
                    "field '"
                            + path
                            + field
                            + "' is "
                            + instant
                            + ", outside ["
                            + limits.minTime()
                            + ", "
                            + limits.maxTime()
                            + ")");
        }
        return instant;
    }

    private int quantity(JsonNode node, String path, String field) {
        return checkedQuantity(
                finiteNumber(node, path, field, RejectReason.INVALID_QUANTITY), path, field);
    }

    private int checkedQuantity(BigDecimal number, String path, String field) {
        String name = path + field;
        BigDecimal whole = number.stripTrailingZeros();
        if (whole.scale() > 0) {
            throw new InvalidField(
                    RejectReason.INVALID_QUANTITY,
                    "field '" + name + "' must be a whole number, was " + echo(number));
        }
        if (whole.signum() <= 0 || whole.compareTo(BigDecimal.valueOf(limits.maxQuantity())) > 0) {
            throw new InvalidField(
                    RejectReason.INVALID_QUANTITY,
                    "field '"
                            + name
                            + "' must be between 1 and "
                            + limits.maxQuantity()
                            + ", was "
                            + echo(number));
        }
        return whole.intValueExact();
    }

    private BigDecimal price(JsonNode node, String path, String field) {
        return checkedPrice(
                finiteNumber(node, path, field, RejectReason.INVALID_PRICE), path, field);
    }

    private BigDecimal checkedPrice(BigDecimal number, String path, String field) {
        String name = path + field;
        if (number.signum() < 0) {
            throw new InvalidField(
                    RejectReason.INVALID_PRICE,
                    "field '" + name + "' must not be negative, was " + echo(number));
        }
        if (number.compareTo(limits.maxPrice()) > 0) {
            throw new InvalidField(
                    RejectReason.INVALID_PRICE,
                    "field '"
                            + name
                            + "' is above the limit of "
                            + limits.maxPrice().toPlainString());
        }
        if (number.stripTrailingZeros().scale() > limits.maxPriceScale()) {
            throw new InvalidField(
                    RejectReason.INVALID_PRICE,
                    "field '"
                            + name
                            + "' has more than "
                            + limits.maxPriceScale()
                            + " decimals: "
                            + echo(number));
        }
        return number;
    }

    private BigDecimal rate(JsonNode node, String path, String field) {
        BigDecimal number = finiteNumber(node, path, field, RejectReason.INVALID_RATE);
        String name = path + field;
        if (number.signum() <= 0) {
            throw new InvalidField(
                    RejectReason.INVALID_RATE,
                    "field '" + name + "' must be positive, was " + echo(number));
        }
        if (number.compareTo(limits.maxPrice()) > 0
                || number.stripTrailingZeros().scale() > limits.maxRateScale()) {
            throw new InvalidField(
                    RejectReason.INVALID_RATE,
                    "field '"
                            + name
                            + "' must be at most "
                            + limits.maxPrice().toPlainString()
                            + " with at most "
                            + limits.maxRateScale()
                            + " decimals, was "
                            + echo(number));
        }
        return number;
    }

    /** A JSON number as an exact decimal; NaN and infinities are rejected with {@code reason}. */
    private BigDecimal finiteNumber(JsonNode node, String path, String field, RejectReason reason) {
        JsonNode value = required(node, path, field);
        if (!value.isNumber()) {
            throw wrongType(path, field, "a number", value);
        }
        if (value.isDouble() || value.isFloat()) {
            double d = value.doubleValue();
            if (!Double.isFinite(d)) {
                throw new InvalidField(
                        reason, "field '" + path + field + "' is not a finite number: " + d);
            }
        }
        return value.decimalValue();
    }

    private static InvalidField wrongType(
            String path, String field, String expected, JsonNode actual) {
        return new InvalidField(
                RejectReason.WRONG_TYPE,
                "field '" + path + field + "' must be " + expected + ", was " + typeOf(actual));
    }

    private static String typeOf(JsonNode node) {
        return switch (node.getNodeType()) {
            case ARRAY -> "an array";
            case OBJECT, POJO -> "an object";
            case BOOLEAN -> "a boolean";
            case NUMBER -> "a number";
            case STRING -> "a string";
            case BINARY -> "binary";
            case NULL, MISSING -> "null";
        };
    }

    /** A short, printable rendering of a bad value for a message. */
    private static String echo(Object value) {
        String text = value instanceof BigDecimal d ? d.toString() : String.valueOf(value);
        StringBuilder out = new StringBuilder(Math.min(text.length(), MAX_ECHOED_CHARS) + 3);
        for (int i = 0; i < text.length() && i < MAX_ECHOED_CHARS; i++) {
            char c = text.charAt(i);
            out.append(Character.isISOControl(c) ? '?' : c);
        }
        if (text.length() > MAX_ECHOED_CHARS) {
            out.append("...");
        }
        return out.toString();
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "not well-formed JSON";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

    private static boolean startsWith(byte[] value, byte[] prefix) {
        if (value.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (value[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static int firstNonWhitespace(byte[] value) {
        for (byte b : value) {
            if (b != ' ' && b != '\t' && b != '\n' && b != '\r') {
                return b;
            }
        }
        return -1;
    }

    // ---------------------------------------------------------------- encoding

    /** The JSON value of an online order. */
    public byte[] encode(OnlineOrder order) {
        return write(
                g -> {
                    g.writeStringField("order_id", order.orderId());
                    g.writeStringField("event_time", order.eventTime().toString());
                    g.writeStringField("seller_id", order.sellerId());
                    g.writeStringField("customer_id", order.customerId());
                    g.writeStringField("product_id", order.productId());
                    g.writeNumberField("quantity", order.quantity());
                    g.writeNumberField("unit_price", order.unitPrice());
                    g.writeStringField("currency", order.currency());
                    g.writeStringField("region", order.region());
                });
    }

    /** The JSON value of a store receipt. */
    public byte[] encode(StoreReceipt receipt) {
        return write(
                g -> {
                    g.writeStringField("receipt_id", receipt.receiptId());
                    g.writeStringField("event_time", receipt.eventTime().toString());
                    g.writeStringField("store_id", receipt.storeId());
                    g.writeStringField("seller_id", receipt.sellerId());
                    g.writeStringField("region", receipt.region());
                    g.writeStringField("currency", receipt.currency());
                    g.writeArrayFieldStart("lines");
                    for (ReceiptLine line : receipt.lines()) {
                        g.writeStartObject();
                        g.writeStringField("product_id", line.productId());
                        g.writeNumberField("quantity", line.quantity());
                        g.writeNumberField("unit_price", line.unitPrice());
                        g.writeEndObject();
                    }
                    g.writeEndArray();
                });
    }

    /** The JSON value of a catalog entry. */
    public byte[] encode(Product product) {
        return write(
                g -> {
                    g.writeStringField("product_id", product.productId());
                    g.writeStringField("name", product.name());
                    g.writeStringField("category", product.category());
                    g.writeNumberField("unit_cost_eur", product.unitCostEur());
                    g.writeStringField("updated_at", product.updatedAt().toString());
                });
    }

    /** The JSON value of an exchange rate. */
    public byte[] encode(FxRate rate) {
        return write(
                g -> {
                    g.writeStringField("currency", rate.currency());
                    g.writeNumberField("eur_per_unit", rate.eurPerUnit());
                    g.writeStringField("valid_from", rate.validFrom().toString());
                });
    }

    /** The JSON value of a reference heartbeat (its key is {@link #heartbeatKey(int)}). */
    public byte[] encode(ReferenceHeartbeat heartbeat) {
        return write(
                g -> g.writeStringField("heartbeat_time", heartbeat.heartbeatTime().toString()));
    }

    private byte[] write(FieldWriter fields) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator g = writerFactory.createGenerator(out)) {
            g.writeStartObject();
            fields.write(g);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write JSON to memory", e);
        }
        return out.toByteArray();
    }

    // ---------------------------------------------------------------- the streaming fast path

    /*
     * A sale record read token by token into its fields, without a JSON tree. It returns the event
     * only when the record is a flat JSON object of exactly the known fields, each of the expected
     * token type, and every field passes the same checks as on the tree path; on anything else
     * (a missing, null, unknown or repeated field, another type, NaN, a syntax error, any field
     * that fails its check) it returns null and the tree path decides, with its messages. So a
     * result of the fast path is always the one the tree path gives (EventCodecFastPathTest).
     */

    private static final List<String> ORDER_FIELDS =
            List.of(
                    "order_id",
                    "event_time",
                    "seller_id",
                    "customer_id",
                    "product_id",
                    "quantity",
                    "unit_price",
                    "currency",
                    "region");

    private static final List<String> RECEIPT_FIELDS =
            List.of(
                    "receipt_id",
                    "event_time",
                    "store_id",
                    "seller_id",
                    "region",
                    "currency",
                    "lines");

    private static final List<String> LINE_FIELDS = List.of("product_id", "quantity", "unit_price");

    OnlineOrder streamOrder(byte[] value) {
        return streamed(
                value,
                p -> {
                    Object[] f = fields(p, ORDER_FIELDS, null);
                    return new OnlineOrder(
                            checkedText((String) f[0], "", "order_id"),
                            checkedInstant((String) f[1], "", "event_time"),
                            checkedText((String) f[2], "", "seller_id"),
                            checkedText((String) f[3], "", "customer_id"),
                            checkedText((String) f[4], "", "product_id"),
                            checkedQuantity((BigDecimal) f[5], "", "quantity"),
                            checkedPrice((BigDecimal) f[6], "", "unit_price"),
                            checkedCurrency((String) f[7], "", "currency"),
                            checkedText((String) f[8], "", "region"));
                });
    }

    StoreReceipt streamReceipt(byte[] value) {
        return streamed(
                value,
                p -> {
                    Object[] f = fields(p, RECEIPT_FIELDS, this::streamLines);
                    @SuppressWarnings("unchecked")
                    List<ReceiptLine> lines = (List<ReceiptLine>) f[6];
                    return new StoreReceipt(
                            checkedText((String) f[0], "", "receipt_id"),
                            checkedInstant((String) f[1], "", "event_time"),
                            checkedText((String) f[2], "", "store_id"),
                            checkedText((String) f[3], "", "seller_id"),
                            checkedText((String) f[4], "", "region"),
                            checkedCurrency((String) f[5], "", "currency"),
                            lines);
                });
    }

    /**
     * The event {@code body} reads from the one JSON object {@code value} holds, or null when
     * anything is not for the fast path.
     */
    private <T> T streamed(byte[] value, ObjectStream<T> body) {
        try (JsonParser p = mapper.getFactory().createParser(value)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            T event = body.read(p);
            return p.nextToken() == null ? event : null;
        } catch (IOException | RuntimeException notOnTheFastPath) {
            // Includes InvalidField, NotStreamable and a field of another type (a failed cast):
            // the tree path says what is wrong.
            return null;
        }
    }

    /** A receipt's lines (the current token starts the array), checked. */
    private List<ReceiptLine> streamLines(JsonParser p) throws IOException {
        List<ReceiptLine> lines = new ArrayList<>();
        while (p.nextToken() == JsonToken.START_OBJECT) {
            if (lines.size() == limits.maxReceiptLines()) {
                throw NotStreamable.INSTANCE;
            }
            Object[] f = fields(p, LINE_FIELDS, null);
            String linePath = "lines[" + lines.size() + "].";
            lines.add(
                    new ReceiptLine(
                            checkedText((String) f[0], linePath, "product_id"),
                            checkedQuantity((BigDecimal) f[1], linePath, "quantity"),
                            checkedPrice((BigDecimal) f[2], linePath, "unit_price")));
        }
        if (p.currentToken() != JsonToken.END_ARRAY || lines.isEmpty()) {
            throw NotStreamable.INSTANCE;
        }
        return lines;
    }

    /**
     * The values of exactly the fields {@code names}, in that order, of the object whose start is
     * the current token: a string as a String, a number as its exact BigDecimal, an array through
     * {@code array} (null: none allowed). Anything else throws {@link NotStreamable}.
     */
    private static Object[] fields(JsonParser p, List<String> names, ArrayStream array)
            throws IOException {
        Object[] values = new Object[names.size()];
        JsonToken token;
        while ((token = p.nextToken()) == JsonToken.FIELD_NAME) {
            int i = names.indexOf(p.currentName());
            if (i < 0 || values[i] != null) {
                throw NotStreamable.INSTANCE;
            }
            values[i] =
                    switch (p.nextToken()) {
                        case VALUE_STRING -> p.getText();
                        case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
                            if (p.isNaN()) {
                                throw NotStreamable.INSTANCE;
                            }
                            yield p.getDecimalValue();
                        }
                        case START_ARRAY -> {
                            if (array == null) {
                                throw NotStreamable.INSTANCE;
                            }
                            yield array.read(p);
                        }
                        default -> throw NotStreamable.INSTANCE;
                    };
        }
        if (token != JsonToken.END_OBJECT) {
            throw NotStreamable.INSTANCE;
        }
        for (Object v : values) {
            if (v == null) {
                throw NotStreamable.INSTANCE;
            }
        }
        return values;
    }

    /** Control flow only: the record is not for the fast path. */
    private static final class NotStreamable extends RuntimeException {
        static final NotStreamable INSTANCE = new NotStreamable();

        private NotStreamable() {
            super("not for the fast path", null, false, false);
        }
    }

    @FunctionalInterface
    private interface ObjectStream<T> {
        T read(JsonParser parser) throws IOException;
    }

    @FunctionalInterface
    private interface ArrayStream {
        Object read(JsonParser parser) throws IOException;
    }

    @FunctionalInterface
    private interface StreamReader<T> {
        /**
         * The event, if the record is valid and simple enough to read without a tree; else null.
         */
        T readValid(byte[] value);
    }

    @FunctionalInterface
    private interface ObjectReader<T> {
        T read(JsonNode node, String path);
    }

    @FunctionalInterface
    private interface FieldWriter {
        void write(JsonGenerator generator) throws IOException;
    }

    /** Internal control flow for the first invalid field; never escapes the codec. */
    private static final class InvalidField extends RuntimeException {
        private final RejectReason reason;

        InvalidField(RejectReason reason, String message) {
            super(message, null, false, false);
            this.reason = reason;
        }
    }
}

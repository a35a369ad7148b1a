package com.salesaggregator.output;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.salesaggregator.codec.RejectReason;
import com.salesaggregator.codec.Utf8Validation;
import com.salesaggregator.model.Channel;
import com.salesaggregator.model.SaleLine;
import com.salesaggregator.topics.Topic;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The key and the JSON value of one output topic's records, both ways (schemas in docs/schemas.md):
 * the job writes its outputs with it, and every reader (reference check, dashboard, live view,
 * tests, bench) reads them with it. Times are ISO-8601 UTC; money is a decimal number with two
 * places, written plain.
 *
 * <p>Reading is strict: a value with a missing or an unknown field is rejected ({@link
 * IllegalArgumentException}), so that nothing is compared or shown from a value that could not be
 * read whole. A windowed output's value also carries {@value #FINAL} (a boolean): whether the
 * figure is the window's final one or the open window's provisional one.
 *
 * @param <T> the record of the output's values
 */
public final class OutputCodec<T> {

    /** The field of a windowed value that says whether its figure is final. */
    public static final String FINAL = "final";

    /**
     * Reads output values as published: decimals as {@link BigDecimal} with their scale kept
     * ("12.30" stays 12.30: money carries exactly two places, and checks compare scale).
     */
    public static final ObjectMapper JSON =
            JsonMapper.builder()
                    .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                    .nodeFactory(JsonNodeFactory.withExactBigDecimals(true))
                    .build();

    private static final JsonFactory WRITER =
            JsonFactory.builder().enable(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN).build();

    private static final String BASE64 = "base64";

    /** {@code revenue-per-seller-1m}, key {@code seller_id@window_start}. */
    public static final OutputCodec<SellerMinute> REVENUE_PER_SELLER =
            new OutputCodec<>(
                    Topic.REVENUE_PER_SELLER_1M.topicName(),
                    Set.of(
                            "seller_id",
                            "window_start",
                            "window_end",
                            "orders",
                            "units",
                            "revenue_eur"),
                    Set.of(),
                    true,
                    m -> windowKey(m.sellerId(), m.windowStart()),
                    (g, m) -> {
                        g.writeStringField("seller_id", m.sellerId());
                        window(g, m.windowStart(), m.windowEnd());
                        g.writeNumberField("orders", m.orders());
                        g.writeNumberField("units", m.units());
                        g.writeNumberField("revenue_eur", m.revenueEur());
                        g.writeBooleanField(FINAL, m.isFinal());
                    },
                    v ->
                            new SellerMinute(
                                    v.path("seller_id").asText(),
                                    v.path("window_start").asText(),
                                    v.path("window_end").asText(),
                                    v.path("orders").asLong(),
                                    v.path("units").asLong(),
                                    v.path("revenue_eur").decimalValue(),
                                    isFinalValue(v)));

    /** {@code units-per-product-5m}, key {@code product_id@window_start}. */
    public static final OutputCodec<ProductWindow> UNITS_PER_PRODUCT =
            new OutputCodec<>(
                    Topic.UNITS_PER_PRODUCT_5M.topicName(),
                    Set.of("product_id", "name", "category", "window_start", "window_end", "units"),
                    Set.of(),
                    true,
                    w -> windowKey(w.productId(), w.windowStart()),
                    (g, w) -> {
                        g.writeStringField("product_id", w.productId());
                        g.writeStringField("name", w.name());
                        g.writeStringField("category", w.category());
                        window(g, w.windowStart(), w.windowEnd());
                        g.writeNumberField("units", w.units());
                        g.writeBooleanField(FINAL, w.isFinal());
                    },
                    v ->
                            new ProductWindow(
                                    v.path("product_id").asText(),
                                    v.path("name").asText(),
                                    v.path("category").asText(),
                                    v.path("window_start").asText(),
                                    v.path("window_end").asText(),
                                    v.path("units").asLong(),
                                    isFinalValue(v)));

    /** {@code region-trend-1m}, key {@code region@window_start}. */
    public static final OutputCodec<RegionMinute> REGION_TREND =
            new OutputCodec<>(
                    Topic.REGION_TREND_1M.topicName(),
                    Set.of("region", "window_start", "window_end", "units", "revenue_eur"),
                    Set.of(),
                    true,
                    m -> windowKey(m.region(), m.windowStart()),
                    (g, m) -> {
                        g.writeStringField("region", m.region());
                        window(g, m.windowStart(), m.windowEnd());
                        g.writeNumberField("units", m.units());
                        g.writeNumberField("revenue_eur", m.revenueEur());
                        g.writeBooleanField(FINAL, m.isFinal());
                    },
                    v ->
                            new RegionMinute(
                                    v.path("region").asText(),
                                    v.path("window_start").asText(),
                                    v.path("window_end").asText(),
                                    v.path("units").asLong(),
                                    v.path("revenue_eur").decimalValue(),
                                    isFinalValue(v)));

    /** {@code revenue-per-product}, key {@code product_id}. */
    public static final OutputCodec<ProductTotal> REVENUE_PER_PRODUCT =
            new OutputCodec<>(
                    Topic.REVENUE_PER_PRODUCT.topicName(),
                    Set.of("product_id", "name", "units", "revenue_eur", "margin_eur"),
                    Set.of(),
                    false,
                    ProductTotal::productId,
                    (g, t) -> {
                        g.writeStringField("product_id", t.productId());
                        g.writeStringField("name", t.name());
                        g.writeNumberField("units", t.units());
                        g.writeNumberField("revenue_eur", t.revenueEur());
                        g.writeNumberField("margin_eur", t.marginEur());
                    },
                    v ->
                            new ProductTotal(
                                    v.path("product_id").asText(),
                                    v.path("name").asText(),
                                    v.path("units").asLong(),
                                    v.path("revenue_eur").decimalValue(),
                                    v.path("margin_eur").decimalValue()));

    /** {@code sales-per-region}, key {@code region}. */
    public static final OutputCodec<RegionTotal> SALES_PER_REGION =
            new OutputCodec<>(
                    Topic.SALES_PER_REGION.topicName(),
                    Set.of("region", "units", "revenue_eur"),
                    Set.of(),
                    false,
                    RegionTotal::region,
                    (g, t) -> {
                        g.writeStringField("region", t.region());
                        g.writeNumberField("units", t.units());
                        g.writeNumberField("revenue_eur", t.revenueEur());
                    },
                    v ->
                            new RegionTotal(
                                    v.path("region").asText(),
                                    v.path("units").asLong(),
                                    v.path("revenue_eur").decimalValue()));

    /** {@code sales-dlq}, key {@code source_topic:partition:offset[:line_id]}. */
    public static final OutputCodec<DeadLetter> DEAD_LETTERS =
            new OutputCodec<>(
                    Topic.SALES_DLQ.topicName(),
                    Set.of(
                            "source_topic",
                            "partition",
                            "offset",
                            "key",
                            "value",
                            "reason",
                            "message"),
                    Set.of(
                            "line_id",
                            "key_encoding",
                            "key_truncated",
                            "key_bytes",
                            "value_encoding",
                            "value_truncated",
                            "value_bytes"),
                    false,
                    d ->
                            d.sourceTopic()
                                    + ":"
                                    + d.partition()
                                    + ":"
                                    + d.offset()
                                    + (d.lineId() == null ? "" : ":" + d.lineId()),
                    (g, d) -> {
                        g.writeStringField("source_topic", d.sourceTopic());
                        g.writeNumberField("partition", d.partition());
                        g.writeNumberField("offset", d.offset());
                        if (d.lineId() != null) {
                            g.writeStringField("line_id", d.lineId());
                        }
                        bytesField(g, "key", d.key(), d.keyBytes());
                        bytesField(g, "value", d.value(), d.valueBytes());
                        g.writeStringField("reason", d.reason().name());
                        g.writeStringField("message", d.message());
                    },
                    v ->
                            new DeadLetter(
                                    v.path("source_topic").asText(),
                                    v.path("partition").asInt(),
                                    v.path("offset").asLong(),
                                    v.hasNonNull("line_id") ? v.path("line_id").asText() : null,
                                    bytes(v, "key"),
                                    fullSize(v, "key"),
                                    bytes(v, "value"),
                                    fullSize(v, "value"),
                                    RejectReason.valueOf(v.path("reason").asText()),
                                    v.path("message").asText()));

    /** {@code sales-late}, key {@code line_id}. */
    public static final OutputCodec<LateLine> LATE_LINES =
            new OutputCodec<>(
                    Topic.SALES_LATE.topicName(),
                    Set.of(
                            "line_id",
                            "channel",
                            "order_id",
                            "seller_id",
                            "region",
                            "product_id",
                            "quantity",
                            "unit_price",
                            "currency",
                            "event_time",
                            "product_name",
                            "category",
                            "eur_per_unit",
                            "revenue_eur",
                            "margin_eur",
                            "missed_watermark",
                            "window_start",
                            "window_end"),
                    Set.of("store_id"),
                    false,
                    LateLine::lineId,
                    (g, l) -> {
                        lineFields(
                                g,
                                l.lineId(),
                                l.channel(),
                                l.orderId(),
                                l.sellerId(),
                                l.storeId(),
                                l.region(),
                                l.productId(),
                                l.quantity(),
                                l.unitPrice(),
                                l.currency(),
                                l.eventTime());
                        g.writeStringField("product_name", l.productName());
                        g.writeStringField("category", l.category());
                        g.writeNumberField("eur_per_unit", l.eurPerUnit());
                        g.writeNumberField("revenue_eur", l.revenueEur());
                        g.writeNumberField("margin_eur", l.marginEur());
                        g.writeStringField("missed_watermark", l.missedWatermark());
                        window(g, l.windowStart(), l.windowEnd());
                    },
                    v ->
                            new LateLine(
                                    v.path("line_id").asText(),
                                    Channel.valueOf(v.path("channel").asText()),
                                    v.path("order_id").asText(),
                                    v.path("seller_id").asText(),
                                    v.hasNonNull("store_id") ? v.path("store_id").asText() : null,
                                    v.path("region").asText(),
                                    v.path("product_id").asText(),
                                    v.path("quantity").asInt(),
                                    v.path("unit_price").decimalValue(),
                                    v.path("currency").asText(),
                                    v.path("event_time").asText(),
                                    v.path("product_name").asText(),
                                    v.path("category").asText(),
                                    v.path("eur_per_unit").decimalValue(),
                                    v.path("revenue_eur").decimalValue(),
                                    v.path("margin_eur").decimalValue(),
                                    v.path("missed_watermark").asText(),
                                    v.path("window_start").asText(),
                                    v.path("window_end").asText()));

    private final String topic;
    private final Set<String> fields;
    private final Set<String> optionalFields;
    private final boolean windowed;
    private final Function<T, String> key;
    private final FieldWriter<T> writer;
    private final Function<JsonNode, T> reader;

    private OutputCodec(
            String topic,
            Set<String> fields,
            Set<String> optionalFields,
            boolean windowed,
            Function<T, String> key,
            FieldWriter<T> writer,
            Function<JsonNode, T> reader) {
        this.topic = topic;
        this.fields = fields;
        this.optionalFields = optionalFields;
        this.windowed = windowed;
        this.key = key;
        this.writer = writer;
        this.reader = reader;
    }

    /** The default name of the output topic. */
    public String topic() {
        return topic;
    }

    /** The fields every value has ({@value #FINAL} aside). */
    public Set<String> fields() {
        return fields;
    }

    /** Whether a value also carries {@value #FINAL}. */
    public boolean windowed() {
        return windowed;
    }

    /** The record key of {@code record}, as text. */
    public String keyText(T record) {
        return key.apply(record);
    }

    /** The record key of {@code record}, UTF-8. */
    public byte[] key(T record) {
        return keyText(record).getBytes(StandardCharsets.UTF_8);
    }

    /** The record value of {@code record}: one JSON object, UTF-8. */
    public byte[] value(T record) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator g = WRITER.createGenerator(out)) {
            g.writeStartObject();
            writer.write(g, record);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write JSON to memory", e);
        }
        return out.toByteArray();
    }

    /**
     * The record a published value holds.
     *
     * @throws IllegalArgumentException if it is not a JSON object with exactly the fields of this
     *     output
     */
    public T decode(byte[] value) {
        return read(null, tree(value));
    }

    /**
     * The record in a value already parsed with {@link #JSON}.
     *
     * @param key the record key, for the message of a value that does not fit (may be null)
     * @throws IllegalArgumentException if its fields are not exactly {@link #fields()} (with those
     *     this output may add, and a boolean {@value #FINAL} if the output is windowed)
     */
    public T read(String key, JsonNode value) {
        Set<String> names = new TreeSet<>();
        value.fieldNames().forEachRemaining(names::add);
        Set<String> expected = new TreeSet<>(fields);
        if (windowed) {
            expected.add(FINAL);
        }
        Set<String> unknown = new TreeSet<>(names);
        unknown.removeAll(expected);
        unknown.removeAll(optionalFields);
        if (!names.containsAll(expected)
                || !unknown.isEmpty()
                || windowed && !value.path(FINAL).isBoolean()) {
            throw new IllegalArgumentException(
                    "fields of "
                            + topic
                            + (key == null ? "" : " " + key)
                            + " are "
                            + names
                            + ", expected "
                            + expected
                            + (optionalFields.isEmpty() ? "" : " and any of " + optionalFields)
                            + (windowed ? " with a boolean " + FINAL : ""));
        }
        try {
            return reader.apply(value);
        } catch (IllegalArgumentException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(
                    "value of " + topic + (key == null ? "" : " " + key) + ": " + e, e);
        }
    }

    /** Whether {@code value} is a final figure: always, unless the output is windowed. */
    public boolean isFinal(JsonNode value) {
        return !windowed || value.path(FINAL).asBoolean(false);
    }

    /**
     * This codec for a publisher that publishes final figures only and without {@value #FINAL} (the
     * benchmark's Flink SQL and Kafka Streams peers): its values read as final.
     */
    public OutputCodec<T> finalOnly() {
        return new OutputCodec<>(topic, fields, optionalFields, false, key, writer, reader);
    }

    /**
     * A published value as a JSON tree, decimals exact.
     *
     * @throws IllegalArgumentException if it is not JSON
     */
    private static JsonNode tree(byte[] value) {
        try {
            return JSON.readTree(value);
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    "output value is not JSON: "
                            + (value == null ? null : new String(value, StandardCharsets.UTF_8)),
                    e);
        }
    }

    /** An instant as outputs write it, e.g. {@code 2026-11-22T10:15:00Z}. */
    public static String time(long epochMillis) {
        return Instant.ofEpochMilli(epochMillis).toString();
    }

    /** Key of a windowed figure: the dimension and the window start, e.g. {@code uk@2026-...Z}. */
    public static String windowKey(String dimension, String windowStart) {
        return dimension + "@" + windowStart;
    }

    /**
     * A sale line as the job sees it: the value of a dead letter for a rejected line (the fields of
     * docs/schemas.md's "normalized sale line").
     */
    public static byte[] saleLine(SaleLine line) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator g = WRITER.createGenerator(out)) {
            g.writeStartObject();
            lineFields(
                    g,
                    line.lineId(),
                    line.channel(),
                    line.orderId(),
                    line.sellerId(),
                    line.storeId(),
                    line.region(),
                    line.productId(),
                    line.quantity(),
                    line.unitPrice(),
                    line.currency(),
                    time(line.eventTime()));
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write JSON to memory", e);
        }
        return out.toByteArray();
    }

    private static void lineFields(
            JsonGenerator g,
            String lineId,
            Channel channel,
            String orderId,
            String sellerId,
            String storeId,
            String region,
            String productId,
            int quantity,
            BigDecimal unitPrice,
            String currency,
            String eventTime)
            throws IOException {
        g.writeStringField("line_id", lineId);
        g.writeStringField("channel", channel.name());
        g.writeStringField("order_id", orderId);
        g.writeStringField("seller_id", sellerId);
        if (storeId != null) {
            g.writeStringField("store_id", storeId);
        }
        g.writeStringField("region", region);
        g.writeStringField("product_id", productId);
        g.writeNumberField("quantity", quantity);
        g.writeNumberField("unit_price", unitPrice);
        g.writeStringField("currency", currency);
        g.writeStringField("event_time", eventTime);
    }

    private static void window(JsonGenerator g, String start, String end) throws IOException {
        g.writeStringField("window_start", start);
        g.writeStringField("window_end", end);
    }

    private static boolean isFinalValue(JsonNode value) {
        // A publisher of final figures only leaves the field out (finalOnly()).
        return value.path(FINAL).asBoolean(true);
    }

    /**
     * Text when the bytes are UTF-8, else base64 with a {@code <field>_encoding} marker; for bytes
     * cut short, {@code <field>_truncated: true} and their full size in {@code <field>_bytes}.
     */
    private static void bytesField(JsonGenerator g, String field, byte[] bytes, Integer fullSize)
            throws IOException {
        if (bytes == null) {
            g.writeNullField(field);
        } else if (Utf8Validation.isValid(bytes)) {
            g.writeStringField(field, new String(bytes, StandardCharsets.UTF_8));
        } else {
            g.writeStringField(field, Base64.getEncoder().encodeToString(bytes));
            g.writeStringField(field + "_encoding", BASE64);
        }
        if (fullSize != null) {
            g.writeBooleanField(field + "_truncated", true);
            g.writeNumberField(field + "_bytes", fullSize);
        }
    }

    private static byte[] bytes(JsonNode value, String field) {
        if (!value.hasNonNull(field)) {
            return null;
        }
        String text = value.path(field).asText();
        return BASE64.equals(value.path(field + "_encoding").asText())
                ? Base64.getDecoder().decode(text)
                : text.getBytes(StandardCharsets.UTF_8);
    }

    private static Integer fullSize(JsonNode value, String field) {
        return value.path(field + "_truncated").asBoolean(false)
                ? Integer.valueOf(value.path(field + "_bytes").asInt())
                : null;
    }

    /** Writes the fields of one record into an open JSON object. */
    @FunctionalInterface
    private interface FieldWriter<T> {
        void write(JsonGenerator g, T record) throws IOException;
    }
}

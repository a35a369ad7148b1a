package com.salesaggregator.job.kafka;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.salesaggregator.codec.Utf8Validation;
import com.salesaggregator.job.functions.Money;
import com.salesaggregator.job.records.DeadLetter;
import com.salesaggregator.job.records.LateLine;
import com.salesaggregator.job.records.PricedLine;
import com.salesaggregator.job.records.ProductWindowUnits;
import com.salesaggregator.job.records.RegionMinute;
import com.salesaggregator.job.records.RunningTotal;
import com.salesaggregator.job.records.SellerMinute;
import com.salesaggregator.model.SaleLine;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;

/**
 * The JSON values and keys of the output topics (schemas in docs/schemas.md). Times are ISO-8601
 * UTC; money is a decimal number with two places.
 */
public final class OutputJson {

    /**
     * Most bytes of a source key or value a dead letter carries. JSON escaping grows text at most
     * sixfold (a control character becomes a six-character escape) and base64 by a third, so a dead
     * letter stays well below the producers' and brokers' 1 MB default whatever the input record
     * was.
     */
    public static final int MAX_DEAD_LETTER_BYTES = 64 * 1024;

    private static final JsonFactory FACTORY =
            JsonFactory.builder().enable(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN).build();

    private OutputJson() {}

    /** Key of a windowed figure: the dimension and the window start, e.g. {@code uk@2026-...Z}. */
    public static byte[] windowKey(String dimension, long windowStart) {
        return utf8(dimension + "@" + Instant.ofEpochMilli(windowStart));
    }

    /** Key of a dead letter: source topic, partition and offset, plus the line id if any. */
    public static byte[] deadLetterKey(DeadLetter d) {
        String key = d.sourceTopic() + ":" + d.partition() + ":" + d.offset();
        return utf8(d.lineId() == null ? key : key + ":" + d.lineId());
    }

    public static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    public static byte[] sellerMinute(SellerMinute m) {
        return write(
                g -> {
                    g.writeStringField("seller_id", m.sellerId());
                    window(g, m.windowStart(), m.windowEnd());
                    g.writeNumberField("orders", m.orders());
                    g.writeNumberField("units", m.units());
                    g.writeNumberField("revenue_eur", Money.fromCents(m.revenueCents()));
                    g.writeBooleanField("final", m.isFinal());
                });
    }

    public static byte[] productWindowUnits(ProductWindowUnits u) {
        return write(
                g -> {
                    g.writeStringField("product_id", u.productId());
                    g.writeStringField("name", u.name());
                    g.writeStringField("category", u.category());
                    window(g, u.windowStart(), u.windowEnd());
                    g.writeNumberField("units", u.units());
                    g.writeBooleanField("final", u.isFinal());
                });
    }

    public static byte[] productTotal(RunningTotal t) {
        return write(
                g -> {
                    g.writeStringField("product_id", t.key());
                    g.writeStringField("name", t.name());
                    g.writeNumberField("units", t.units());
                    g.writeNumberField("revenue_eur", Money.fromCents(t.revenueCents()));
                    g.writeNumberField("margin_eur", Money.fromCents(t.marginCents()));
                });
    }

    public static byte[] regionTotal(RunningTotal t) {
        return write(
                g -> {
                    g.writeStringField("region", t.key());
                    g.writeNumberField("units", t.units());
                    g.writeNumberField("revenue_eur", Money.fromCents(t.revenueCents()));
                });
    }

    public static byte[] regionMinute(RegionMinute m) {
        return write(
                g -> {
                    g.writeStringField("region", m.region());
                    window(g, m.windowStart(), m.windowEnd());
                    g.writeNumberField("units", m.units());
                    g.writeNumberField("revenue_eur", Money.fromCents(m.revenueCents()));
                    g.writeBooleanField("final", m.isFinal());
                });
    }

    public static byte[] deadLetter(DeadLetter d) {
        return write(
                g -> {
                    g.writeStringField("source_topic", d.sourceTopic());
                    g.writeNumberField("partition", d.partition());
                    g.writeNumberField("offset", d.offset());
                    if (d.lineId() != null) {
                        g.writeStringField("line_id", d.lineId());
                    }
                    bytesField(g, "key", d.key());
                    bytesField(g, "value", d.value());
                    g.writeStringField("reason", d.reason().name());
                    g.writeStringField("message", d.message());
                });
    }

    public static byte[] lateLine(LateLine late) {
        return write(
                g -> {
                    pricedLineFields(g, late.line());
                    g.writeStringField(
                            "missed_watermark", Instant.ofEpochMilli(late.watermark()).toString());
                    window(g, late.windowStart(), late.windowEnd());
                });
    }

    /** A sale line as the job sees it, for dead letters of rejected lines. */
    public static byte[] saleLine(SaleLine line) {
        return write(g -> saleLineFields(g, line));
    }

    private static void pricedLineFields(JsonGenerator g, PricedLine p) throws IOException {
        saleLineFields(g, p.line());
        g.writeStringField("product_name", p.productName());
        g.writeStringField("category", p.category());
        g.writeNumberField("eur_per_unit", p.eurPerUnit());
        g.writeNumberField("revenue_eur", Money.fromCents(p.revenueCents()));
        g.writeNumberField("margin_eur", Money.fromCents(p.marginCents()));
    }

    private static void saleLineFields(JsonGenerator g, SaleLine line) throws IOException {
        g.writeStringField("line_id", line.lineId());
        g.writeStringField("channel", line.channel().name());
        g.writeStringField("order_id", line.orderId());
        g.writeStringField("seller_id", line.sellerId());
        if (line.storeId() != null) {
            g.writeStringField("store_id", line.storeId());
        }
        g.writeStringField("region", line.region());
        g.writeStringField("product_id", line.productId());
        g.writeNumberField("quantity", line.quantity());
        g.writeNumberField("unit_price", line.unitPrice());
        g.writeStringField("currency", line.currency());
        g.writeStringField("event_time", Instant.ofEpochMilli(line.eventTime()).toString());
    }

    private static void window(JsonGenerator g, long start, long end) throws IOException {
        g.writeStringField("window_start", Instant.ofEpochMilli(start).toString());
        g.writeStringField("window_end", Instant.ofEpochMilli(end).toString());
    }

    /**
     * Text when the bytes are UTF-8, else base64 with an {@code <field>_encoding} marker. Bytes
     * over {@link #MAX_DEAD_LETTER_BYTES} are cut to that many (at a character boundary when they
     * are UTF-8), marked {@code <field>_truncated: true} with their full size in {@code
     * <field>_bytes}.
     */
    private static void bytesField(JsonGenerator g, String field, byte[] bytes) throws IOException {
        if (bytes != null && bytes.length > MAX_DEAD_LETTER_BYTES) {
            bytesField(g, field, prefix(bytes));
            g.writeBooleanField(field + "_truncated", true);
            g.writeNumberField(field + "_bytes", bytes.length);
        } else if (bytes == null) {
            g.writeNullField(field);
        } else if (Utf8Validation.isValid(bytes)) {
            g.writeStringField(field, new String(bytes, StandardCharsets.UTF_8));
        } else {
            g.writeStringField(field, Base64.getEncoder().encodeToString(bytes));
            g.writeStringField(field + "_encoding", "base64");
        }
    }

    /** The first {@link #MAX_DEAD_LETTER_BYTES}, backed off to a UTF-8 character boundary. */
    private static byte[] prefix(byte[] bytes) {
        int end = MAX_DEAD_LETTER_BYTES;
        // Continuation bytes are 10xxxxxx; a character starts at any other byte.
        for (int back = 0; back < 3 && (bytes[end] & 0xC0) == 0x80; back++) {
            end--;
        }
        return Arrays.copyOf(bytes, end);
    }

    private static byte[] write(Fields fields) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            g.writeStartObject();
            fields.write(g);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write JSON to memory", e);
        }
        return out.toByteArray();
    }

    @FunctionalInterface
    private interface Fields {
        void write(JsonGenerator g) throws IOException;
    }
}

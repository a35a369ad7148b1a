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
import java.util.Base64;

/**
 * The JSON values and keys of the output topics (schemas in the README). Times are ISO-8601 UTC;
 * money is a decimal number with two places.
 */
public final class OutputJson {

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

    /** Text when the bytes are UTF-8, else base64 with an {@code <field>_encoding} marker. */
    private static void bytesField(JsonGenerator g, String field, byte[] bytes) throws IOException {
        if (bytes == null) {
            g.writeNullField(field);
        } else if (Utf8Validation.isValid(bytes)) {
            g.writeStringField(field, new String(bytes, StandardCharsets.UTF_8));
        } else {
            g.writeStringField(field, Base64.getEncoder().encodeToString(bytes));
            g.writeStringField(field + "_encoding", "base64");
        }
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

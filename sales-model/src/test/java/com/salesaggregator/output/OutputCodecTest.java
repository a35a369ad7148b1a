package com.salesaggregator.output;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.salesaggregator.codec.RejectReason;
import com.salesaggregator.model.Channel;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Every output's codec both ways: a record written and read back is the same record, and one
 * example per output is pinned byte for byte to the example docs/schemas.md shows (the bytes the
 * job has always published: field names, order, number formats and keys).
 */
class OutputCodecTest {

    static final SellerMinute SELLER_MINUTE =
            new SellerMinute(
                    "seller-007",
                    "2026-11-22T10:15:00Z",
                    "2026-11-22T10:16:00Z",
                    3,
                    7,
                    new BigDecimal("182.40"),
                    true);

    static final ProductWindow PRODUCT_WINDOW =
            new ProductWindow(
                    "p-00017",
                    "Trail Running Shoes",
                    "footwear",
                    "2026-11-22T10:11:00Z",
                    "2026-11-22T10:16:00Z",
                    12,
                    false);

    static final ProductTotal PRODUCT_TOTAL =
            new ProductTotal(
                    "p-00017",
                    "Trail Running Shoes",
                    240,
                    new BigDecimal("11936.40"),
                    new BigDecimal("4016.00"));

    static final RegionTotal REGION_TOTAL = new RegionTotal("uk", 1830, new BigDecimal("52210.75"));

    static final RegionMinute REGION_MINUTE =
            new RegionMinute(
                    "uk",
                    "2026-11-22T10:15:00Z",
                    "2026-11-22T10:16:00Z",
                    41,
                    new BigDecimal("1170.35"),
                    true);

    static final DeadLetter DEAD_LETTER =
            DeadLetter.of(
                    "sales-online",
                    2,
                    41,
                    null,
                    utf8("o-9"),
                    utf8("{\"order_id\":\"o-9\",\"quantity\":\"2\"}"),
                    RejectReason.WRONG_TYPE,
                    "quantity: expected a number");

    static final LateLine LATE_LINE =
            new LateLine(
                    "o-1",
                    Channel.ONLINE,
                    "o-1",
                    "seller-007",
                    null,
                    "uk",
                    "p-00017",
                    2,
                    new BigDecimal("19.90"),
                    "GBP",
                    "2026-11-22T10:15:30Z",
                    "Trail Running Shoes",
                    "footwear",
                    new BigDecimal("1.17"),
                    new BigDecimal("46.57"),
                    new BigDecimal("17.57"),
                    "2026-11-22T10:17:00.500Z",
                    "2026-11-22T10:15:00Z",
                    "2026-11-22T10:16:00Z");

    @Test
    void eachOutputReadsBackWhatItWrote() {
        assertRoundTrip(OutputCodec.REVENUE_PER_SELLER, SELLER_MINUTE);
        assertRoundTrip(OutputCodec.UNITS_PER_PRODUCT, PRODUCT_WINDOW);
        assertRoundTrip(OutputCodec.REVENUE_PER_PRODUCT, PRODUCT_TOTAL);
        assertRoundTrip(OutputCodec.SALES_PER_REGION, REGION_TOTAL);
        assertRoundTrip(OutputCodec.REGION_TREND, REGION_MINUTE);
        assertRoundTrip(OutputCodec.DEAD_LETTERS, DEAD_LETTER);
        assertRoundTrip(OutputCodec.LATE_LINES, LATE_LINE);
    }

    @Test
    void aStoreLateLineCarriesItsStore() {
        LateLine store =
                new LateLine(
                        "r-5#1",
                        Channel.STORE,
                        "r-5",
                        "seller-002",
                        "store-03",
                        "de",
                        "p-00003",
                        1,
                        new BigDecimal("5"),
                        "EUR",
                        "2026-11-22T10:15:30.123Z",
                        "Mug",
                        "kitchen",
                        BigDecimal.ONE,
                        new BigDecimal("5.00"),
                        new BigDecimal("0.00"),
                        "2026-11-22T10:17:00Z",
                        "2026-11-22T10:15:00Z",
                        "2026-11-22T10:16:00Z");

        assertRoundTrip(OutputCodec.LATE_LINES, store);
        assertThat(text(OutputCodec.LATE_LINES.value(store))).contains("\"store_id\":\"store-03\"");
    }

    @Test
    void aDeadLetterOfBinaryOrOversizedBytesReadsBackAsCarried() {
        byte[] binary = {(byte) 0xFF, 0x00, (byte) 0xC3};
        byte[] large = utf8("é".repeat(DeadLetter.MAX_CARRIED_BYTES));
        DeadLetter letter =
                DeadLetter.of(
                        "products",
                        0,
                        7,
                        null,
                        binary,
                        large,
                        RejectReason.OVERSIZED_RECORD,
                        "too large");
        DeadLetter line =
                DeadLetter.of(
                        "sales-store",
                        1,
                        9,
                        "r-5#0",
                        null,
                        null,
                        RejectReason.NO_FX_RATE,
                        "no rate");

        assertRoundTrip(OutputCodec.DEAD_LETTERS, letter);
        assertRoundTrip(OutputCodec.DEAD_LETTERS, line);
        assertThat(letter.valueBytes()).isEqualTo(large.length);
        assertThat(letter.value()).hasSize(DeadLetter.MAX_CARRIED_BYTES);
        assertThat(letter.keyBytes()).isNull();
        assertThat(OutputCodec.DEAD_LETTERS.keyText(line)).isEqualTo("sales-store:1:9:r-5#0");
    }

    @Test
    void oneExamplePerOutputIsPublishedExactlyAsDocumented() throws IOException {
        String docs = Files.readString(projectFile("docs/schemas.md"));
        assertExample(
                docs,
                OutputCodec.REVENUE_PER_SELLER,
                SELLER_MINUTE,
                "seller-007@2026-11-22T10:15:00Z",
                "{\"seller_id\":\"seller-007\",\"window_start\":\"2026-11-22T10:15:00Z\","
                        + "\"window_end\":\"2026-11-22T10:16:00Z\",\"orders\":3,\"units\":7,"
                        + "\"revenue_eur\":182.40,\"final\":true}");
        assertExample(
                docs,
                OutputCodec.UNITS_PER_PRODUCT,
                PRODUCT_WINDOW,
                "p-00017@2026-11-22T10:11:00Z",
                "{\"product_id\":\"p-00017\",\"name\":\"Trail Running Shoes\","
                        + "\"category\":\"footwear\",\"window_start\":\"2026-11-22T10:11:00Z\","
                        + "\"window_end\":\"2026-11-22T10:16:00Z\",\"units\":12,\"final\":false}");
        assertExample(
                docs,
                OutputCodec.REVENUE_PER_PRODUCT,
                PRODUCT_TOTAL,
                "p-00017",
                "{\"product_id\":\"p-00017\",\"name\":\"Trail Running Shoes\",\"units\":240,"
                        + "\"revenue_eur\":11936.40,\"margin_eur\":4016.00}");
        assertExample(
                docs,
                OutputCodec.SALES_PER_REGION,
                REGION_TOTAL,
                "uk",
                "{\"region\":\"uk\",\"units\":1830,\"revenue_eur\":52210.75}");
        assertExample(
                docs,
                OutputCodec.REGION_TREND,
                REGION_MINUTE,
                "uk@2026-11-22T10:15:00Z",
                "{\"region\":\"uk\",\"window_start\":\"2026-11-22T10:15:00Z\","
                        + "\"window_end\":\"2026-11-22T10:16:00Z\",\"units\":41,"
                        + "\"revenue_eur\":1170.35,\"final\":true}");
        assertExample(
                docs,
                OutputCodec.DEAD_LETTERS,
                DEAD_LETTER,
                "sales-online:2:41",
                "{\"source_topic\":\"sales-online\",\"partition\":2,\"offset\":41,\"key\":\"o-9\","
                        + "\"value\":\"{\\\"order_id\\\":\\\"o-9\\\",\\\"quantity\\\":\\\"2\\\"}\","
                        + "\"reason\":\"WRONG_TYPE\",\"message\":\"quantity: expected a number\"}");
        assertExample(
                docs,
                OutputCodec.LATE_LINES,
                LATE_LINE,
                "o-1",
                "{\"line_id\":\"o-1\",\"channel\":\"ONLINE\",\"order_id\":\"o-1\","
                    + "\"seller_id\":\"seller-007\",\"region\":\"uk\",\"product_id\":\"p-00017\","
                    + "\"quantity\":2,\"unit_price\":19.90,\"currency\":\"GBP\",\"event_time\":\"2026-11-22T10:15:30Z\",\"product_name\":\"Trail"
                    + " Running Shoes\",\"category\":\"footwear\","
                    + "\"eur_per_unit\":1.17,\"revenue_eur\":46.57,\"margin_eur\":17.57,"
                    + "\"missed_watermark\":\"2026-11-22T10:17:00.500Z\","
                    + "\"window_start\":\"2026-11-22T10:15:00Z\","
                    + "\"window_end\":\"2026-11-22T10:16:00Z\"}");
    }

    @Test
    void aValueWithAFieldMissingOrUnknownIsRejected() {
        assertThatThrownBy(
                        () ->
                                OutputCodec.SALES_PER_REGION.decode(
                                        utf8("{\"region\":\"uk\",\"units\":1}")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("revenue_eur");
        assertThatThrownBy(
                        () ->
                                OutputCodec.SALES_PER_REGION.decode(
                                        utf8(
                                                "{\"region\":\"uk\",\"units\":1,"
                                                        + "\"revenue_eur\":1.00,\"extra\":1}")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("extra");
        assertThatThrownBy(() -> OutputCodec.SALES_PER_REGION.decode(utf8("not json")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(
                        () ->
                                OutputCodec.DEAD_LETTERS.decode(
                                        text(OutputCodec.DEAD_LETTERS.value(DEAD_LETTER))
                                                .replace("WRONG_TYPE", "NO_SUCH_REASON")
                                                .getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("NO_SUCH_REASON");
    }

    @Test
    void aWindowedValueMustSayWhetherItIsFinalUnlessItsPublisherPublishesFinalFiguresOnly() {
        byte[] withoutFinal =
                utf8(
                        "{\"region\":\"uk\",\"window_start\":\"2026-11-22T10:15:00Z\","
                                + "\"window_end\":\"2026-11-22T10:16:00Z\",\"units\":41,"
                                + "\"revenue_eur\":1170.35}");

        assertThatThrownBy(() -> OutputCodec.REGION_TREND.decode(withoutFinal))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("final");
        assertThat(OutputCodec.REGION_TREND.finalOnly().decode(withoutFinal))
                .isEqualTo(REGION_MINUTE);
    }

    @Test
    void moneyKeepsItsTwoPlaces() {
        RegionTotal round = new RegionTotal("fr", 1, new BigDecimal("12.30"));

        RegionTotal read =
                OutputCodec.SALES_PER_REGION.decode(OutputCodec.SALES_PER_REGION.value(round));

        assertThat(read.revenueEur().scale()).isEqualTo(2);
        assertThat(text(OutputCodec.SALES_PER_REGION.value(round))).contains("12.30");
    }

    private static <T> void assertRoundTrip(OutputCodec<T> codec, T record) {
        assertThat(codec.decode(codec.value(record))).isEqualTo(record);
    }

    private static <T> void assertExample(
            String docs, OutputCodec<T> codec, T record, String key, String value) {
        assertThat(text(codec.key(record))).isEqualTo(key);
        assertThat(text(codec.value(record))).isEqualTo(value);
        assertThat(docs)
                .as("docs/schemas.md shows the %s example", codec.topic())
                .contains(
                        "`"
                                + codec.topic()
                                + "` key `"
                                + key
                                + "`:\n\n```json\n"
                                + value
                                + "\n```");
    }

    private static Path projectFile(String file) {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve(file))) {
                return dir.resolve(file);
            }
        }
        throw new IllegalStateException(file + " not found above " + Path.of("").toAbsolutePath());
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}

package com.salesaggregator.job;

import com.salesaggregator.codec.EventCodec;
import com.salesaggregator.model.OnlineOrder;
import com.salesaggregator.model.Product;
import com.salesaggregator.model.ReceiptLine;
import com.salesaggregator.model.StoreReceipt;
import com.salesaggregator.seeder.GeneratorConfig;
import com.salesaggregator.seeder.SalesGenerator;
import com.salesaggregator.seeder.SeedRecord;
import com.salesaggregator.testkit.Planned;
import com.salesaggregator.topics.Topic;
import com.salesaggregator.topics.TopicDefinition;
import com.salesaggregator.topics.TopicDefinitions;
import com.salesaggregator.verify.ReferenceModel;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The deterministic input of every run. Event time starts at {@link #START}, a whole minute an hour
 * ago (brokers reject timestamps more than an hour ahead). The main data covers the five minutes
 * [START, MAIN_END): bulk sales from {@link SalesGenerator} (both channels, four currencies, out of
 * order by up to 20 s, rate updates every minute, catalog changes, planned defects) with hand-made
 * special cases merged in at their event time. Trailing sales at MAIN_END + 45 s in every sales
 * partition then move the watermark past MAIN_END (and no further than MAIN_END + 15 s), so every
 * main-data minute fires; the drain fires the rest. {@link SalesAggregationITCase} runs it; the
 * {@link ReferenceModel} says what it must produce.
 */
final class EndToEndDataSet {

    static final long START =
            Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(Duration.ofHours(1)).toEpochMilli();
    static final long MAIN_END = START + minutes(5);
    static final long TRAILING = MAIN_END + seconds(45);

    private static final int BULK_SALES = 1_500;
    private static final String EUR_REGION = "eu-west";
    private static final String GBP_REGION = "uk";
    private static final EventCodec CODEC = EventCodec.withDefaults();

    /** The lines of every sale the data set delivers twice. */
    static final Set<String> RESENT_LINE_IDS =
            Set.of(
                    "o-special-1",
                    "o-unknown-1",
                    "r-special-2#0",
                    "r-special-2#1",
                    "r-special-2#2",
                    "o-resent-1",
                    "r-resent-1#0",
                    "r-resent-1#1");

    /** Last: built from the constants above. */
    static final EndToEndDataSet INSTANCE = new EndToEndDataSet();

    private final List<Planned> main = new ArrayList<>();

    /**
     * Hand-made catalog changes after the initial catalog, merged into the bulk data at their
     * effective time: reference data have no out-of-orderness, so each partition must see its
     * changes in effective-time order (PRODUCT.md, "Reference heartbeats").
     */
    private final List<Planned> laterReferenceChanges = new ArrayList<>();

    private final List<Planned> afterWindowsClosed = new ArrayList<>();
    private final Set<String> lateIds = new TreeSet<>();
    private final String stragglerRegionMinute;

    private EndToEndDataSet() {
        handmadeReferenceData();
        laterReferenceChanges.sort(Comparator.comparingLong(Planned::timestamp));
        List<Planned> specials = new ArrayList<>(handmadeSales());
        specials.sort(Comparator.comparingLong(Planned::timestamp));
        mergeWithBulk(specials);
        trailingSales();
        requireReferenceInEffectiveTimeOrder();

        // Late on purpose: minutes 0 to 2 closed for over a minute by then (watermark at
        // least MAIN_END). EUR and single-version products, so their pricing is unambiguous.
        late(
                online(
                        "o-late-1",
                        seconds(20),
                        "seller-901",
                        EUR_REGION,
                        "EUR",
                        "p-stable",
                        1,
                        "7.25"));
        late(
                online(
                        "o-late-2",
                        seconds(95),
                        "seller-901",
                        EUR_REGION,
                        "EUR",
                        "p-penny",
                        2,
                        "0.125"));
        late(
                receipt(
                        "r-late-1",
                        seconds(130),
                        "store-901",
                        "seller-901",
                        EUR_REGION,
                        "EUR",
                        new ReceiptLine("p-stable", 2, new BigDecimal("7.25")),
                        new ReceiptLine("p-penny", 1, new BigDecimal("0.135"))));
        lateIds.addAll(List.of("o-late-1", "o-late-2", "r-late-1#0", "r-late-1#1"));

        // Stragglers: minute 4 has fired (watermark >= MAIN_END - 1 ms) but is still within
        // the allowed lateness (watermark <= MAIN_END + 15 s); the same seller and region as
        // bulk sales, so already published figures must be re-emitted under the same keys.
        afterWindowsClosed.add(
                online(
                        "o-straggler-1",
                        seconds(280),
                        "seller-000",
                        EUR_REGION,
                        "EUR",
                        "p-stable",
                        2,
                        "7.25"));
        afterWindowsClosed.add(
                receipt(
                        "r-straggler-1",
                        seconds(290),
                        "store-904",
                        "seller-000",
                        EUR_REGION,
                        "EUR",
                        new ReceiptLine("p-stable", 1, new BigDecimal("7.25")),
                        new ReceiptLine("p-penny", 4, new BigDecimal("0.125"))));
        stragglerRegionMinute = EUR_REGION + "@" + ReferenceModel.iso(START + minutes(4));

        // Resends after their first delivery's minute fired: one within the allowed lateness
        // (same region and minute as the stragglers, so counting it would show there), one
        // long after and from another partition (counting it would make it late).
        afterWindowsClosed.add(resend(resentOrder(), minutes(1)));
        afterWindowsClosed.add(resendOn(1, resentReceipt(), minutes(2)));
    }

    List<Planned> main() {
        return main;
    }

    List<Planned> afterWindowsClosed() {
        return afterWindowsClosed;
    }

    Set<String> lateIds() {
        return lateIds;
    }

    Set<String> resentLineIds() {
        return RESENT_LINE_IDS;
    }

    String stragglerRegionMinute() {
        return stragglerRegionMinute;
    }

    private void late(Planned sale) {
        afterWindowsClosed.add(sale);
    }

    /**
     * Catalog and rates: the initial versions (and the rejected records) before any sale, the later
     * changes in {@link #laterReferenceChanges}.
     */
    private void handmadeReferenceData() {
        long listed = START - minutes(60);
        product("p-stable", "Stable Lamp", "home", "4.00", listed);
        product("p-penny", "Penny Sweet", "grocery", "0.0550", listed);
        // Cost change mid-stream, then delisted at minute 2:30.
        product("p-special", "Special Kettle", "home", "10.00", listed);
        product("p-special", "Special Kettle", "home", "11.50", START + seconds(75));
        laterReferenceChanges.add(
                new Planned(
                        Topic.PRODUCTS.topicName(),
                        null,
                        utf8("p-special"),
                        null,
                        START + seconds(150)));
        // Listed only at 4:58 and renamed at 5:03: a sale at 4:55 is of an unknown product.
        product("p-new", "New Drone", "toys", "20.00", START + seconds(298));
        product("p-new", "New Drone II", "toys", "21.00", START + seconds(303));
        // Rejected reference records.
        main.add(
                new Planned(
                        Topic.PRODUCTS.topicName(),
                        null,
                        utf8("p-broken"),
                        utf8(
                                "{\"product_id\":\"p-broken\",\"name\":\"Broken\","
                                        + "\"category\":\"home\",\"unit_cost_eur\":-1.00,"
                                        + "\"updated_at\":\""
                                        + Instant.ofEpochMilli(listed)
                                        + "\"}"),
                        listed));
        main.add(
                new Planned(
                        Topic.FX_RATES.topicName(),
                        null,
                        utf8("CHF"),
                        utf8(
                                "{\"currency\":\"CHF\",\"eur_per_unit\":0,"
                                        + "\"valid_from\":\""
                                        + Instant.ofEpochMilli(listed)
                                        + "\"}"),
                        listed));
    }

    private void product(String id, String name, String category, String cost, long at) {
        Product product =
                new Product(id, name, category, new BigDecimal(cost), Instant.ofEpochMilli(at));
        Planned record =
                new Planned(Topic.PRODUCTS.topicName(), null, utf8(id), CODEC.encode(product), at);
        (at <= START - minutes(60) ? main : laterReferenceChanges).add(record);
    }

    private static List<Planned> handmadeSales() {
        List<Planned> sales = new ArrayList<>(handmadeFirstDeliveries());
        // Producer resends, each on the partition of its first delivery, a few seconds after
        // it: of a counted order, of an order dead-lettered for its product, and of a receipt
        // with counted and dead-lettered lines (dropped as a whole).
        sales.add(resend(byKey(sales, "o-special-1"), seconds(15)));
        sales.add(resend(byKey(sales, "o-unknown-1"), seconds(5)));
        sales.add(resend(byValue(sales, "r-special-2"), seconds(10)));
        return sales;
    }

    private static Planned byKey(List<Planned> sales, String key) {
        return sales.stream()
                .filter(p -> Arrays.equals(p.key(), utf8(key)))
                .findFirst()
                .orElseThrow();
    }

    private static Planned byValue(List<Planned> sales, String id) {
        return sales.stream()
                .filter(p -> new String(p.value(), StandardCharsets.UTF_8).contains(id))
                .findFirst()
                .orElseThrow();
    }

    /**
     * The same record sent again {@code delay} later (its Kafka timestamp), on {@code original}'s
     * partition (by key, or explicit).
     */
    private static Planned resend(Planned original, long delay) {
        return resendOn(original.partition(), original, delay);
    }

    private static Planned resendOn(Integer partition, Planned original, long delay) {
        return new Planned(
                original.topic(),
                partition,
                original.key(),
                original.value(),
                original.timestamp() + delay);
    }

    /** An order in minute 4, resent once that minute has fired (within allowed lateness). */
    private static Planned resentOrder() {
        return online(
                "o-resent-1", seconds(285), "seller-901", EUR_REGION, "EUR", "p-stable", 1, "7.25");
    }

    /**
     * A receipt in minute 1 on partition 0, resent on partition 1 long after that minute closed:
     * were it not a duplicate, it would be late.
     */
    private static Planned resentReceipt() {
        Planned receipt =
                receipt(
                        "r-resent-1",
                        seconds(100),
                        "store-905",
                        "seller-903",
                        EUR_REGION,
                        "EUR",
                        new ReceiptLine("p-stable", 2, new BigDecimal("7.25")),
                        new ReceiptLine("p-penny", 3, new BigDecimal("0.125")));
        return resendOn(0, receipt, 0);
    }

    private static List<Planned> handmadeFirstDeliveries() {
        ReceiptLine stable = new ReceiptLine("p-stable", 3, new BigDecimal("7.25"));
        return List.of(
                resentOrder(),
                resentReceipt(),
                // Half-even rounding, once per line: 0.125 -> 0.12, 0.135 -> 0.14,
                // 3 x 0.0125 = 0.0375 -> 0.04 with margin 0.04 - 0.165 = -0.125 -> -0.12.
                online(
                        "o-penny-1",
                        seconds(30),
                        "seller-901",
                        EUR_REGION,
                        "EUR",
                        "p-penny",
                        1,
                        "0.125"),
                online(
                        "o-penny-2",
                        seconds(35),
                        "seller-901",
                        EUR_REGION,
                        "EUR",
                        "p-penny",
                        1,
                        "0.135"),
                online(
                        "o-penny-3",
                        seconds(40),
                        "seller-901",
                        EUR_REGION,
                        "EUR",
                        "p-penny",
                        3,
                        "0.0125"),
                // Product with a cost change at 1:15 and a delisting at 2:30 (inclusive).
                online(
                        "o-special-1",
                        seconds(60),
                        "seller-901",
                        EUR_REGION,
                        "EUR",
                        "p-special",
                        2,
                        "19.99"),
                online(
                        "o-special-2",
                        seconds(100),
                        "seller-902",
                        GBP_REGION,
                        "GBP",
                        "p-special",
                        1,
                        "24.50"),
                receipt(
                        "r-special-1",
                        seconds(140),
                        "store-901",
                        "seller-901",
                        EUR_REGION,
                        "EUR",
                        new ReceiptLine("p-special", 1, new BigDecimal("19.99")),
                        stable),
                online(
                        "o-special-3",
                        seconds(150),
                        "seller-901",
                        EUR_REGION,
                        "EUR",
                        "p-special",
                        1,
                        "19.99"),
                online(
                        "o-special-4",
                        seconds(170),
                        "seller-902",
                        GBP_REGION,
                        "GBP",
                        "p-special",
                        1,
                        "24.50"),
                receipt(
                        "r-special-2",
                        seconds(190),
                        "store-901",
                        "seller-901",
                        EUR_REGION,
                        "EUR",
                        new ReceiptLine("p-stable", 1, new BigDecimal("7.25")),
                        new ReceiptLine("p-special", 2, new BigDecimal("19.99")),
                        new ReceiptLine("p-00001", 1, new BigDecimal("5.00"))),
                // Never in the catalog.
                online(
                        "o-unknown-1",
                        seconds(90),
                        "seller-902",
                        GBP_REGION,
                        "GBP",
                        "p-unknown",
                        1,
                        "3.00"),
                receipt(
                        "r-unknown-1",
                        seconds(210),
                        "store-902",
                        "seller-902",
                        GBP_REGION,
                        "GBP",
                        new ReceiptLine("p-unknown", 1, new BigDecimal("3.00")),
                        new ReceiptLine("p-stable", 2, new BigDecimal("6.20"))),
                // A well-formed currency without any rate; the catalog is checked first.
                online(
                        "o-xyz-1",
                        seconds(170),
                        "seller-903",
                        "atlantis",
                        "XYZ",
                        "p-stable",
                        1,
                        "9.00"),
                receipt(
                        "r-xyz-1",
                        seconds(250),
                        "store-903",
                        "seller-903",
                        "atlantis",
                        "XYZ",
                        new ReceiptLine("p-stable", 1, new BigDecimal("9.00")),
                        new ReceiptLine("p-unknown", 1, new BigDecimal("9.00"))),
                // Exactly at the GBP rate update of 2:00: the new rate applies.
                online(
                        "o-rate-edge",
                        seconds(120),
                        "seller-902",
                        GBP_REGION,
                        "GBP",
                        "p-stable",
                        1,
                        "6.20"),
                // Around a product listed mid-stream (versions at 4:58 and 5:03).
                online(
                        "o-new-0",
                        seconds(295),
                        "seller-902",
                        GBP_REGION,
                        "GBP",
                        "p-new",
                        1,
                        "17.00"),
                online(
                        "o-new-1",
                        seconds(301),
                        "seller-901",
                        EUR_REGION,
                        "EUR",
                        "p-new",
                        1,
                        "19.90"),
                online(
                        "o-new-2",
                        seconds(308),
                        "seller-901",
                        EUR_REGION,
                        "EUR",
                        "p-new",
                        2,
                        "19.90"));
    }

    /**
     * The generator's records, with each special sale inserted once the generator's clock has
     * reached its event time, so that no partition sees it later than the bound, and each later
     * hand-made reference change inserted in effective-time order among the generator's own.
     */
    private void mergeWithBulk(List<Planned> specials) {
        GeneratorConfig config =
                new GeneratorConfig(
                        20_261_122L,
                        Instant.ofEpochMilli(START),
                        5,
                        30,
                        6,
                        8,
                        List.of(EUR_REGION, GBP_REGION, "us-east", "japan"),
                        List.of("EUR", "GBP", "USD", "JPY"),
                        0.5,
                        Duration.ofSeconds(20),
                        1.0, // every on-time sale anywhere within the out-of-orderness, as before
                        // the option
                        0,
                        Duration.ofMinutes(5),
                        0.02,
                        Duration.ofMinutes(1),
                        Duration.ofSeconds(40),
                        // The resends are hand-made, at known places.
                        0);
        SalesGenerator generator = new SalesGenerator(config);
        int index = 0;
        int changes = 0;
        int sales = 0;
        while (sales < BULK_SALES) {
            SeedRecord record = generator.next();
            // Before the generator's change or sale: the hand-made changes taking effect
            // earlier (before a change) or by the sale's clock (before a sale).
            long until = record.kind().isSale() ? generator.clockAt(sales) : record.timestamp() - 1;
            while (changes < laterReferenceChanges.size()
                    && laterReferenceChanges.get(changes).timestamp() <= until) {
                main.add(laterReferenceChanges.get(changes++));
            }
            if (record.kind().isSale()) {
                long clock = generator.clockAt(sales++);
                while (index < specials.size() && specials.get(index).timestamp() <= clock) {
                    main.add(specials.get(index++));
                }
            }
            main.add(
                    new Planned(
                            record.topic(),
                            null,
                            record.key(),
                            record.value(),
                            record.timestamp()));
        }
        main.addAll(laterReferenceChanges.subList(changes, laterReferenceChanges.size()));
        main.addAll(specials.subList(index, specials.size()));
    }

    /**
     * The reference publisher's contract, which the job relies on (no out-of-orderness on reference
     * topics): on each topic, hence on each partition, changes in effective-time order (a record's
     * timestamp is its effective time here, tombstones included).
     */
    private void requireReferenceInEffectiveTimeOrder() {
        Map<String, Long> latest = new HashMap<>();
        for (Planned record : main) {
            if (record.topic().equals(Topic.PRODUCTS.topicName())
                    || record.topic().equals(Topic.FX_RATES.topicName())) {
                long previous = latest.getOrDefault(record.topic(), Long.MIN_VALUE);
                if (record.timestamp() < previous) {
                    throw new IllegalStateException(
                            record.topic() + " out of effective-time order at " + record);
                }
                latest.put(record.topic(), record.timestamp());
            }
        }
    }

    /** One sale at TRAILING as the last record of every partition of both sales topics. */
    private void trailingSales() {
        TopicDefinition online = definition(Topic.SALES_ONLINE.topicName());
        for (int p = 0; p < online.partitions(); p++) {
            Planned sale =
                    online(
                            "o-trail-" + p,
                            TRAILING - START,
                            "seller-903",
                            EUR_REGION,
                            "EUR",
                            "p-stable",
                            1,
                            "7.25");
            main.add(new Planned(sale.topic(), p, sale.key(), sale.value(), sale.timestamp()));
        }
        TopicDefinition store = definition(Topic.SALES_STORE.topicName());
        for (int p = 0; p < store.partitions(); p++) {
            Planned sale =
                    receipt(
                            "r-trail-" + p,
                            TRAILING - START,
                            "store-903",
                            "seller-903",
                            EUR_REGION,
                            "EUR",
                            new ReceiptLine("p-stable", 1, new BigDecimal("7.25")));
            main.add(new Planned(sale.topic(), p, sale.key(), sale.value(), sale.timestamp()));
        }
    }

    private static TopicDefinition definition(String topic) {
        return TopicDefinitions.load().stream()
                .filter(d -> d.name().equals(topic))
                .findFirst()
                .orElseThrow();
    }

    private static Planned online(
            String orderId,
            long offsetFromStart,
            String seller,
            String region,
            String currency,
            String product,
            int quantity,
            String unitPrice) {
        Instant at = Instant.ofEpochMilli(START + offsetFromStart);
        OnlineOrder order =
                new OnlineOrder(
                        orderId,
                        at,
                        seller,
                        "c-itcase",
                        product,
                        quantity,
                        new BigDecimal(unitPrice),
                        currency,
                        region);
        return new Planned(
                Topic.SALES_ONLINE.topicName(),
                null,
                utf8(orderId),
                CODEC.encode(order),
                at.toEpochMilli());
    }

    private static Planned receipt(
            String receiptId,
            long offsetFromStart,
            String store,
            String seller,
            String region,
            String currency,
            ReceiptLine... lines) {
        Instant at = Instant.ofEpochMilli(START + offsetFromStart);
        StoreReceipt receipt =
                new StoreReceipt(receiptId, at, store, seller, region, currency, List.of(lines));
        return new Planned(
                Topic.SALES_STORE.topicName(),
                null,
                utf8(store),
                CODEC.encode(receipt),
                at.toEpochMilli());
    }

    private static long seconds(long s) {
        return Duration.ofSeconds(s).toMillis();
    }

    private static long minutes(long m) {
        return Duration.ofMinutes(m).toMillis();
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}

package com.salesaggregator.seeder;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.salesaggregator.codec.EventCodec;
import com.salesaggregator.model.FxRate;
import com.salesaggregator.model.OnlineOrder;
import com.salesaggregator.model.Product;
import com.salesaggregator.model.ReceiptLine;
import com.salesaggregator.model.StoreReceipt;
import com.salesaggregator.topics.Topic;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.SplittableRandom;

/**
 * A deterministic stream of realistic input records: the catalog and FX rates first, then sales on
 * both channels interleaved with rate updates and catalog changes as the event clock passes them.
 * Sales are out of order within {@code maxOutOfOrderness}; planned late sales, planned defects and
 * resends (a valid sale record published again, byte for byte, up to 10 s of event clock later) are
 * mixed in at the configured fractions.
 *
 * <p>The event clock advances by {@code 1 / ratePerSecond} per sale from {@code startTime}, so a
 * seeder paced at that rate keeps event time close to wall-clock time. Reference data are valid
 * from an hour before the first sale, so only the planned defects are ever rejected. Reference
 * changes come in effective-time order ({@code updated_at}, {@code valid_from}, a tombstone's
 * record timestamp), so that a heartbeat at {@link #referenceSettledUntil()} keeps its promise.
 */
public final class SalesGenerator {

    private static final Duration REFERENCE_LEAD = Duration.ofHours(1);
    private static final long LATE_SPREAD_MILLIS = 60_000;
    private static final long RESEND_DELAY_MILLIS = 10_000;
    private static final int CUSTOMERS = 10_000;
    private static final int MAX_RECEIPT_LINES = 5;
    private static final double DELIST_PROBABILITY = 0.2;
    private static final double FX_VOLATILITY = 0.001;
    private static final MathContext RATE_PRECISION = new MathContext(7, RoundingMode.HALF_EVEN);

    private static final String[] CATEGORIES = {
        "electronics", "home", "garden", "toys", "books", "sports", "fashion", "grocery"
    };
    private static final String[] ADJECTIVES = {
        "Quiet", "Smart", "Classic", "Compact", "Solar", "Nordic", "Urban", "Vintage", "Bold",
        "Gentle", "Rapid", "Cosy"
    };
    private static final String[] NOUNS = {
        "Kettle", "Lamp", "Backpack", "Headphones", "Blender", "Sneakers", "Notebook", "Drone",
        "Chair", "Tent", "Puzzle", "Watch", "Jacket", "Speaker", "Mug", "Bicycle"
    };
    private static final Map<String, BigDecimal> KNOWN_RATES =
            Map.of(
                    "EUR", BigDecimal.ONE,
                    "GBP", new BigDecimal("1.17"),
                    "USD", new BigDecimal("0.92"),
                    "SEK", new BigDecimal("0.087"),
                    "CHF", new BigDecimal("1.05"),
                    "JPY", new BigDecimal("0.0061"));

    private final GeneratorConfig config;
    private final EventCodec codec = EventCodec.withDefaults();
    private final ObjectMapper faultMapper =
            com.fasterxml.jackson.databind.json.JsonMapper.builder()
                    .enable(
                            com.fasterxml.jackson.databind.DeserializationFeature
                                    .USE_BIG_DECIMAL_FOR_FLOATS)
                    .build();
    private final SplittableRandom random;
    private final String runTag;
    private final long startMillis;
    private final double millisPerSale;
    private final long lateWarmupMillis;
    private final List<CatalogEntry> catalog = new ArrayList<>();
    private final List<CatalogEntry> listed = new ArrayList<>();
    private final Map<String, BigDecimal> initialRates = new LinkedHashMap<>();
    private final Map<String, BigDecimal> currentRates = new LinkedHashMap<>();
    private final ArrayDeque<SeedRecord> pending = new ArrayDeque<>();
    private final PriorityQueue<ScheduledResend> resends =
            new PriorityQueue<>(
                    Comparator.comparingLong(ScheduledResend::due)
                            .thenComparingLong(ScheduledResend::sequence));

    private long salesGenerated;
    private long nextFxUpdate;
    private long nextCatalogChange;

    public SalesGenerator(GeneratorConfig config) {
        this.config = config;
        this.random = new SplittableRandom(config.seed());
        this.runTag = String.format("%06x", (config.seed() ^ (config.seed() >>> 32)) & 0xFFFFFF);
        this.startMillis = config.startTime().toEpochMilli();
        this.millisPerSale = 1000.0 / config.ratePerSecond();
        // A late sale is only planned once the stream has run long enough for any consumer's
        // watermark to have passed its window by a wide margin.
        this.lateWarmupMillis =
                config.lateBy().toMillis()
                        + LATE_SPREAD_MILLIS
                        + config.maxOutOfOrderness().toMillis()
                        + Duration.ofMinutes(2).toMillis();
        this.nextFxUpdate = startMillis + config.fxUpdateInterval().toMillis();
        this.nextCatalogChange = startMillis + config.catalogChangeInterval().toMillis();
        buildCatalog();
        publishInitialReferenceData();
    }

    /** The next record, in publishing order. The stream never ends. */
    public SeedRecord next() {
        if (pending.isEmpty()) {
            generateSale();
        }
        return pending.poll();
    }

    /** Sales (orders and receipts) generated so far, including any still to be returned. */
    public long salesGenerated() {
        return salesGenerated;
    }

    /**
     * The event clock of the latest sale generated (the last one {@link #next()} returned or is
     * about to return), or the reference data's validity before the first.
     */
    public long eventClock() {
        return salesGenerated == 0
                ? startMillis - REFERENCE_LEAD.toMillis()
                : clockAt(salesGenerated - 1);
    }

    /**
     * The latest time up to which the reference data are complete: no catalog change or rate that
     * {@link #next()} has yet to return takes effect at or before it. Reference changes come in
     * effective-time order (a tombstone's record timestamp is its effective time), so a heartbeat
     * at this time, or earlier, keeps its promise.
     */
    public long referenceSettledUntil() {
        long next = Math.min(nextFxUpdate, nextCatalogChange);
        for (SeedRecord record : pending) {
            if (!record.kind().isSale()) {
                next = Math.min(next, record.timestamp());
            }
        }
        return next - 1;
    }

    /**
     * How far behind the clock an on-time sale is: anywhere within the out-of-orderness for the
     * out-of-order share, within {@link GeneratorConfig#PROMPT} for the others. With every sale out
     * of order (1), no extra random number is drawn, so such a configuration produces the records
     * it produced before the share existed.
     */
    private long onTimeDelay() {
        boolean outOfOrder =
                config.outOfOrderFraction() >= 1
                        || random.nextDouble() < config.outOfOrderFraction();
        long bound =
                outOfOrder
                        ? config.maxOutOfOrderness().toMillis()
                        : Math.min(
                                GeneratorConfig.PROMPT.toMillis(),
                                config.maxOutOfOrderness().toMillis());
        return random.nextLong(bound + 1);
    }

    /** The event-clock time of the given sale index: where the stream's "now" is. */
    public long clockAt(long saleIndex) {
        return startMillis + Math.round(saleIndex * millisPerSale);
    }

    private void buildCatalog() {
        for (int i = 0; i < config.catalogSize(); i++) {
            String name =
                    ADJECTIVES[random.nextInt(ADJECTIVES.length)]
                            + " "
                            + NOUNS[random.nextInt(NOUNS.length)]
                            + " "
                            + (100 + random.nextInt(900));
            // Charm prices between 1.99 and 499.99 EUR; cost 40% to 80% of the price.
            BigDecimal price =
                    BigDecimal.valueOf(1 + random.nextInt(499)).add(new BigDecimal("0.99"));
            BigDecimal cost =
                    price.multiply(BigDecimal.valueOf(0.4 + 0.4 * random.nextDouble()))
                            .setScale(2, RoundingMode.HALF_EVEN);
            CatalogEntry entry =
                    new CatalogEntry(
                            String.format("p-%05d", i),
                            name,
                            CATEGORIES[random.nextInt(CATEGORIES.length)],
                            price,
                            cost);
            catalog.add(entry);
            listed.add(entry);
        }
        for (String currency : config.currencies()) {
            BigDecimal rate = KNOWN_RATES.get(currency);
            if (rate == null) {
                rate = BigDecimal.valueOf(0.2 + random.nextDouble()).round(RATE_PRECISION);
            }
            initialRates.put(currency, rate);
            currentRates.put(currency, rate);
        }
    }

    private void publishInitialReferenceData() {
        Instant validFrom = config.startTime().minus(REFERENCE_LEAD);
        for (CatalogEntry entry : catalog) {
            pending.add(productRecord(entry, validFrom));
        }
        for (Map.Entry<String, BigDecimal> rate : currentRates.entrySet()) {
            if (!"EUR".equals(rate.getKey())) {
                pending.add(fxRecord(new FxRate(rate.getKey(), rate.getValue(), validFrom)));
            }
        }
    }

    private void generateSale() {
        long clock = clockAt(salesGenerated);
        while (nextFxUpdate <= clock) {
            updateRates(nextFxUpdate);
            nextFxUpdate += config.fxUpdateInterval().toMillis();
        }
        while (nextCatalogChange <= clock) {
            changeCatalog(nextCatalogChange);
            nextCatalogChange += config.catalogChangeInterval().toMillis();
        }
        while (!resends.isEmpty() && resends.peek().due() <= clock) {
            pending.add(resends.poll().record());
        }
        double roll = random.nextDouble();
        Fault fault =
                roll < config.malformedFraction()
                        ? Fault.values()[random.nextInt(Fault.values().length)]
                        : null;
        boolean late =
                fault == null
                        && roll < config.malformedFraction() + config.lateFraction()
                        && clock - startMillis >= lateWarmupMillis;
        long eventTime =
                late
                        ? clock - config.lateBy().toMillis() - random.nextLong(LATE_SPREAD_MILLIS)
                        : clock - onTimeDelay();
        long sequence = salesGenerated++;
        if (random.nextDouble() < config.onlineFraction()) {
            OnlineOrder order = onlineOrder(sequence, Instant.ofEpochMilli(eventTime));
            byte[] value = codec.encode(order);
            pending.add(
                    new SeedRecord(
                            Topic.SALES_ONLINE.topicName(),
                            utf8(order.orderId()),
                            fault == null ? value : plant(fault, value, false),
                            eventTime,
                            SeedRecord.Kind.ONLINE_ORDER,
                            1,
                            fault,
                            late,
                            false));
        } else {
            StoreReceipt receipt = storeReceipt(sequence, Instant.ofEpochMilli(eventTime));
            byte[] value = codec.encode(receipt);
            pending.add(
                    new SeedRecord(
                            Topic.SALES_STORE.topicName(),
                            utf8(receipt.storeId()),
                            fault == null ? value : plant(fault, value, true),
                            eventTime,
                            SeedRecord.Kind.STORE_RECEIPT,
                            receipt.lines().size(),
                            fault,
                            late,
                            false));
        }
        // Drawn only when resends are wanted, so that without them the stream stays as it was.
        if (fault == null && config.resendFraction() > 0) {
            if (random.nextDouble() < config.resendFraction()) {
                scheduleResend(pending.peekLast(), clock, sequence);
            }
        }
    }

    /** Publishes {@code sale} again, byte for byte, between 1 ms and 10 s of clock from now. */
    private void scheduleResend(SeedRecord sale, long clock, long sequence) {
        SeedRecord copy =
                new SeedRecord(
                        sale.topic(),
                        sale.key(),
                        sale.value(),
                        sale.timestamp(),
                        sale.kind(),
                        sale.lines(),
                        null,
                        false,
                        true);
        long due = clock + 1 + random.nextLong(RESEND_DELAY_MILLIS);
        resends.add(new ScheduledResend(due, sequence, copy));
    }

    /** A resend waiting for the clock to reach {@code due}. */
    private record ScheduledResend(long due, long sequence, SeedRecord record) {}

    private OnlineOrder onlineOrder(long sequence, Instant eventTime) {
        int region = random.nextInt(config.regions().size());
        String currency = currencyOf(region);
        CatalogEntry product = popularProduct();
        return new OnlineOrder(
                "o-" + runTag + "-" + sequence,
                eventTime,
                String.format("seller-%03d", random.nextInt(config.sellers())),
                String.format("c-%06d", random.nextInt(CUSTOMERS)),
                product.productId,
                smallQuantity(4),
                priceIn(product, currency),
                currency,
                config.regions().get(region));
    }

    private StoreReceipt storeReceipt(long sequence, Instant eventTime) {
        int store = random.nextInt(config.stores());
        int region = store % config.regions().size();
        String currency = currencyOf(region);
        int lineCount = 1 + random.nextInt(MAX_RECEIPT_LINES);
        List<ReceiptLine> lines = new ArrayList<>(lineCount);
        for (int i = 0; i < lineCount; i++) {
            CatalogEntry product = popularProduct();
            lines.add(
                    new ReceiptLine(
                            product.productId, smallQuantity(3), priceIn(product, currency)));
        }
        return new StoreReceipt(
                "r-" + runTag + "-" + sequence,
                eventTime,
                String.format("store-%03d", store),
                String.format("seller-%03d", store % config.sellers()),
                config.regions().get(region),
                currency,
                lines);
    }

    /** Popular products sell more: the square of a uniform draw skews toward the front. */
    private CatalogEntry popularProduct() {
        double r = random.nextDouble();
        return listed.get((int) (r * r * listed.size()));
    }

    /** 1 most often, up to {@code max}. */
    private int smallQuantity(int max) {
        int quantity = 1;
        while (quantity < max && random.nextDouble() < 0.35) {
            quantity++;
        }
        return quantity;
    }

    private String currencyOf(int region) {
        return config.currencies().get(region % config.currencies().size());
    }

    /** The shelf price in a currency: the EUR list price at the opening rate, whole yen etc. */
    private BigDecimal priceIn(CatalogEntry product, String currency) {
        if ("EUR".equals(currency)) {
            return product.priceEur;
        }
        int decimals = "JPY".equals(currency) ? 0 : 2;
        return product.priceEur.divide(
                initialRates.get(currency), decimals, RoundingMode.HALF_EVEN);
    }

    private void updateRates(long validFrom) {
        for (Map.Entry<String, BigDecimal> rate : currentRates.entrySet()) {
            if ("EUR".equals(rate.getKey())) {
                continue;
            }
            double step = 1 + FX_VOLATILITY * gaussian();
            BigDecimal next =
                    rate.getValue()
                            .multiply(BigDecimal.valueOf(step))
                            .round(RATE_PRECISION)
                            .setScale(10, RoundingMode.HALF_EVEN)
                            .stripTrailingZeros();
            rate.setValue(next);
            pending.add(fxRecord(new FxRate(rate.getKey(), next, Instant.ofEpochMilli(validFrom))));
        }
    }

    private void changeCatalog(long at) {
        CatalogEntry entry = listed.get(random.nextInt(listed.size()));
        if (listed.size() > config.catalogSize() / 2 && random.nextDouble() < DELIST_PROBABILITY) {
            listed.remove(entry);
            pending.add(
                    new SeedRecord(
                            Topic.PRODUCTS.topicName(),
                            utf8(entry.productId),
                            null,
                            at,
                            SeedRecord.Kind.PRODUCT_DELISTING,
                            0,
                            null,
                            false,
                            false));
            return;
        }
        entry.unitCostEur =
                entry.unitCostEur
                        .multiply(BigDecimal.valueOf(0.95 + 0.1 * random.nextDouble()))
                        .setScale(2, RoundingMode.HALF_EVEN);
        pending.add(productRecord(entry, Instant.ofEpochMilli(at)));
    }

    private double gaussian() {
        // Box-Muller on the generator's own stream keeps the sequence reproducible.
        double u1 = 1 - random.nextDouble();
        double u2 = random.nextDouble();
        return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }

    private SeedRecord productRecord(CatalogEntry entry, Instant updatedAt) {
        Product product =
                new Product(
                        entry.productId, entry.name, entry.category, entry.unitCostEur, updatedAt);
        return new SeedRecord(
                Topic.PRODUCTS.topicName(),
                utf8(entry.productId),
                codec.encode(product),
                updatedAt.toEpochMilli(),
                SeedRecord.Kind.PRODUCT,
                0,
                null,
                false,
                false);
    }

    private SeedRecord fxRecord(FxRate rate) {
        return new SeedRecord(
                Topic.FX_RATES.topicName(),
                utf8(rate.currency()),
                codec.encode(rate),
                rate.validFrom().toEpochMilli(),
                SeedRecord.Kind.FX_RATE,
                0,
                null,
                false,
                false);
    }

    /** A valid encoded sale turned into one with the given defect. */
    private byte[] plant(Fault fault, byte[] valid, boolean receipt) {
        switch (fault) {
            case NOT_JSON:
                return utf8("sale #" + salesGenerated + " lost its JSON");
            case TRUNCATED:
                return java.util.Arrays.copyOf(valid, valid.length / 2);
            case EMPTY_VALUE:
                return new byte[0];
            default:
                break;
        }
        ObjectNode node;
        try {
            node = (ObjectNode) faultMapper.readTree(valid);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ObjectNode line = receipt ? (ObjectNode) node.withArray("lines").get(0) : node;
        switch (fault) {
            case MISSING_SELLER -> node.remove("seller_id");
            case QUANTITY_AS_TEXT -> line.put("quantity", line.get("quantity").asText());
            case NEGATIVE_QUANTITY -> line.put("quantity", -line.get("quantity").asInt());
            case NEGATIVE_PRICE ->
                    line.put("unit_price", line.get("unit_price").decimalValue().negate());
            case BAD_CURRENCY -> node.put("currency", node.get("currency").asText().toLowerCase());
            case BAD_TIMESTAMP -> node.put("event_time", "2026-13-45 25:61");
            default -> throw new IllegalStateException("unhandled fault " + fault);
        }
        try {
            return faultMapper.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** The generator's live view of one product. */
    private static final class CatalogEntry {
        final String productId;
        final String name;
        final String category;
        final BigDecimal priceEur;
        BigDecimal unitCostEur;

        CatalogEntry(
                String productId,
                String name,
                String category,
                BigDecimal priceEur,
                BigDecimal unitCostEur) {
            this.productId = productId;
            this.name = name;
            this.category = category;
            this.priceEur = priceEur;
            this.unitCostEur = unitCostEur;
        }
    }
}

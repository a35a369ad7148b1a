package com.salesaggregator.seeder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.salesaggregator.codec.DecodeResult;
import com.salesaggregator.codec.EventCodec;
import com.salesaggregator.model.FxRate;
import com.salesaggregator.model.OnlineOrder;
import com.salesaggregator.model.Product;
import com.salesaggregator.model.StoreReceipt;
import com.salesaggregator.topics.Topic;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SalesGeneratorTest {

    private static final Instant START = Instant.parse("2026-11-22T10:00:00Z");
    private static final EventCodec CODEC = EventCodec.withDefaults();

    @Test
    void sameSeedAndOptionsGiveTheSameBytes() {
        List<SeedRecord> first = generate(GeneratorConfig.defaults(42, START), 5_000);
        List<SeedRecord> second = generate(GeneratorConfig.defaults(42, START), 5_000);

        assertThat(first).hasSameSizeAs(second);
        for (int i = 0; i < first.size(); i++) {
            assertThat(same(first.get(i), second.get(i))).as("record %d", i).isTrue();
        }
    }

    @Test
    void anotherSeedGivesOtherRecords() {
        List<SeedRecord> first = generate(GeneratorConfig.defaults(42, START), 500);
        List<SeedRecord> other = generate(GeneratorConfig.defaults(43, START), 500);

        long identical = 0;
        for (int i = 0; i < first.size(); i++) {
            identical += same(first.get(i), other.get(i)) ? 1 : 0;
        }
        assertThat(identical).isLessThan(first.size() / 10);
    }

    @Test
    void referenceDataComeFirstAndAreValidBeforeTheFirstSale() {
        GeneratorConfig config = GeneratorConfig.defaults(1, START);
        List<SeedRecord> records = generate(config, 10);
        int firstSale = indexOfFirstSale(records);

        assertThat(firstSale).isEqualTo(config.catalogSize() + config.currencies().size() - 1);
        for (SeedRecord record : records.subList(0, firstSale)) {
            assertThat(record.timestamp())
                    .isLessThan(START.minus(Duration.ofMinutes(30)).toEpochMilli());
        }
        Set<String> rateCurrencies = new HashSet<>();
        for (SeedRecord record : records.subList(0, firstSale)) {
            if (record.kind() == SeedRecord.Kind.FX_RATE) {
                rateCurrencies.add(CODEC.decodeFxRate(record.value()).event().currency());
            }
        }
        assertThat(rateCurrencies).containsExactlyInAnyOrder("GBP", "USD", "SEK", "CHF", "JPY");
    }

    @Test
    void plannedDefectsAndLatenessMatchTheFractionsAndTheRecords() {
        GeneratorConfig config =
                new GeneratorConfig(
                        7,
                        START,
                        20,
                        100,
                        10,
                        12,
                        List.of("eu-west", "uk", "us-east"),
                        List.of("EUR", "GBP", "USD"),
                        0.5,
                        Duration.ofSeconds(30),
                        1.0,
                        0.05,
                        Duration.ofMinutes(5),
                        0.04,
                        Duration.ofSeconds(10),
                        Duration.ofSeconds(20),
                        0);
        int sales = 40_000;
        SalesGenerator generator = new SalesGenerator(config);
        long malformed = 0;
        long late = 0;
        long afterWarmup = 0;
        long observedLate = 0;
        long maxEventTime = Long.MIN_VALUE;
        long window = Duration.ofMinutes(1).toMillis();
        long lateness = Duration.ofMinutes(1).toMillis();
        long outOfOrderness = config.maxOutOfOrderness().toMillis();
        while (generator.salesGenerated() < sales) {
            SeedRecord record = generator.next();
            if (!record.kind().isSale()) {
                continue;
            }
            long clock = generator.clockAt(generator.salesGenerated() - 1);
            if (clock > START.toEpochMilli() + Duration.ofMinutes(9).toMillis()) {
                afterWarmup++;
            }
            DecodeResult<?> decoded =
                    record.kind() == SeedRecord.Kind.ONLINE_ORDER
                            ? CODEC.decodeOrder(record.value())
                            : CODEC.decodeReceipt(record.value());
            // Every planned defect is rejected for the planned reason; nothing else is.
            if (record.fault() != null) {
                malformed++;
                assertThat(decoded.isAccepted()).isFalse();
                assertThat(decoded.rejection().reason()).isEqualTo(record.fault().expectedReason());
                continue;
            }
            assertThat(decoded.isAccepted()).as("unplanned rejection %s", decoded).isTrue();
            long eventTime = eventTime(decoded.event());
            assertThat(record.timestamp()).isEqualTo(eventTime);
            // An independent judge of lateness: the window closed more than the allowed
            // lateness before the watermark this stream would have produced.
            long watermark = maxEventTime - outOfOrderness;
            long windowEnd = eventTime - Math.floorMod(eventTime, window) + window;
            boolean judgedLate =
                    maxEventTime != Long.MIN_VALUE && windowEnd + lateness <= watermark;
            assertThat(judgedLate)
                    .as("sale at %s", Instant.ofEpochMilli(eventTime))
                    .isEqualTo(record.late());
            observedLate += judgedLate ? 1 : 0;
            late += record.late() ? 1 : 0;
            maxEventTime = Math.max(maxEventTime, eventTime);
        }

        assertThat(malformed / (double) sales).isCloseTo(0.04, within(0.006));
        assertThat(observedLate).isEqualTo(late);
        assertThat(late / (double) afterWarmup).isCloseTo(0.05, within(0.008));
    }

    @Test
    void theOutOfOrderShareIsAnywhereWithinTheBoundAndTheOthersWithinASecond() {
        // The defaults: a fifth of the on-time sales out of order, up to 30 s behind the clock.
        GeneratorConfig config = GeneratorConfig.defaults(5, START);
        SalesGenerator generator = new SalesGenerator(config);
        long onTime = 0;
        long withinASecond = 0;
        long maxBehind = 0;
        while (generator.salesGenerated() < 50_000) {
            SeedRecord record = generator.next();
            if (!record.kind().isSale()
                    || record.fault() != null
                    || record.late()
                    || record.resend()) {
                continue;
            }
            long behind = generator.clockAt(generator.salesGenerated() - 1) - record.timestamp();
            assertThat(behind).isBetween(0L, config.maxOutOfOrderness().toMillis());
            onTime++;
            withinASecond += behind <= GeneratorConfig.PROMPT.toMillis() ? 1 : 0;
            maxBehind = Math.max(maxBehind, behind);
        }

        // 80% prompt, plus the out-of-order sales that happen to fall within the first second
        // of 30 (0.2 x 1/30).
        assertThat(withinASecond / (double) onTime).isCloseTo(0.8 + 0.2 / 30, within(0.01));
        assertThat(maxBehind).isGreaterThan(config.maxOutOfOrderness().toMillis() - 1_000);
    }

    @Test
    void salesUseListedProductsKnownCurrenciesAndTheirKeys() {
        GeneratorConfig config = GeneratorConfig.defaults(3, START);
        SalesGenerator generator = new SalesGenerator(config);
        Map<String, Product> catalog = new HashMap<>();
        Set<String> delisted = new HashSet<>();
        Set<String> ratedCurrencies = new HashSet<>(Set.of("EUR"));
        Set<String> orderIds = new HashSet<>();
        int delistings = 0;
        int costUpdates = 0;
        while (generator.salesGenerated() < 30_000) {
            SeedRecord record = generator.next();
            if (record.resend()) {
                continue; // A copy of an earlier sale: see resendsAreEarlierSalesAgainByteForByte.
            }
            String key = new String(record.key(), StandardCharsets.UTF_8);
            switch (record.kind()) {
                case PRODUCT -> {
                    Product product = CODEC.decodeProduct(record.value()).event();
                    assertThat(key).isEqualTo(product.productId());
                    assertThat(record.topic()).isEqualTo(Topic.PRODUCTS.topicName());
                    costUpdates += catalog.put(key, product) != null ? 1 : 0;
                }
                case PRODUCT_DELISTING -> {
                    assertThat(record.value()).isNull();
                    assertThat(catalog).containsKey(key);
                    delisted.add(key);
                    delistings++;
                }
                case FX_RATE -> {
                    FxRate rate = CODEC.decodeFxRate(record.value()).event();
                    assertThat(key).isEqualTo(rate.currency());
                    assertThat(record.topic()).isEqualTo(Topic.FX_RATES.topicName());
                    ratedCurrencies.add(rate.currency());
                }
                case ONLINE_ORDER -> {
                    if (record.fault() == null) {
                        OnlineOrder order = CODEC.decodeOrder(record.value()).event();
                        assertThat(key).isEqualTo(order.orderId());
                        assertThat(record.topic()).isEqualTo(Topic.SALES_ONLINE.topicName());
                        assertThat(orderIds.add(order.orderId())).isTrue();
                        assertThat(catalog).containsKey(order.productId());
                        assertThat(delisted).doesNotContain(order.productId());
                        assertThat(ratedCurrencies).contains(order.currency());
                    }
                }
                case STORE_RECEIPT -> {
                    if (record.fault() == null) {
                        StoreReceipt receipt = CODEC.decodeReceipt(record.value()).event();
                        assertThat(key).isEqualTo(receipt.storeId());
                        assertThat(record.topic()).isEqualTo(Topic.SALES_STORE.topicName());
                        assertThat(orderIds.add(receipt.receiptId())).isTrue();
                        assertThat(record.lines()).isEqualTo(receipt.lines().size());
                        receipt.lines()
                                .forEach(
                                        line -> {
                                            assertThat(catalog).containsKey(line.productId());
                                            assertThat(delisted).doesNotContain(line.productId());
                                        });
                        assertThat(ratedCurrencies).contains(receipt.currency());
                    }
                }
            }
        }
        // 30,000 sales at 100/s is 300 s of event time: two catalog changes.
        assertThat(delistings + costUpdates).isEqualTo(2);
    }

    @Test
    void resendsAreEarlierSalesAgainByteForByte() {
        GeneratorConfig config = withResendFraction(GeneratorConfig.defaults(11, START), 0.05);
        SalesGenerator generator = new SalesGenerator(config);
        Map<String, Long> clockOfFirst = new HashMap<>();
        Set<String> resent = new HashSet<>();
        long valid = 0;
        long maxDelay = 0;
        while (generator.salesGenerated() < 20_000) {
            SeedRecord record = generator.next();
            if (!record.kind().isSale()) {
                continue;
            }
            long clock = generator.clockAt(generator.salesGenerated() - 1);
            String wire =
                    record.topic()
                            + "|"
                            + new String(record.key(), StandardCharsets.UTF_8)
                            + "|"
                            + new String(record.value(), StandardCharsets.UTF_8)
                            + "|"
                            + record.timestamp();
            if (!record.resend()) {
                valid += record.fault() == null ? 1 : 0;
                assertThat(clockOfFirst.put(wire, clock)).as("a first delivery is new").isNull();
                continue;
            }
            assertThat(record.fault()).isNull();
            assertThat(record.late()).isFalse();
            assertThat(clockOfFirst).as("a resend repeats an earlier sale").containsKey(wire);
            assertThat(resent.add(wire)).as("resent once").isTrue();
            maxDelay = Math.max(maxDelay, clock - clockOfFirst.get(wire));
        }

        assertThat(resent.size() / (double) valid).isCloseTo(0.05, within(0.01));
        // Up to 10 s of event clock later, plus the sale interval (10 ms at 100 sales/s).
        assertThat(maxDelay).isPositive().isLessThanOrEqualTo(10_010);
    }

    @Test
    void noResendsWhenTheFractionIsZero() {
        GeneratorConfig config = withResendFraction(GeneratorConfig.defaults(11, START), 0);

        assertThat(generate(config, 20_000)).noneMatch(SeedRecord::resend);
    }

    private static GeneratorConfig withResendFraction(GeneratorConfig c, double fraction) {
        return new GeneratorConfig(
                c.seed(),
                c.startTime(),
                c.ratePerSecond(),
                c.catalogSize(),
                c.sellers(),
                c.stores(),
                c.regions(),
                c.currencies(),
                c.onlineFraction(),
                c.maxOutOfOrderness(),
                c.outOfOrderFraction(),
                c.lateFraction(),
                c.lateBy(),
                c.malformedFraction(),
                c.fxUpdateInterval(),
                c.catalogChangeInterval(),
                fraction);
    }

    private static long eventTime(Object event) {
        return event instanceof OnlineOrder order
                ? order.eventTime().toEpochMilli()
                : ((StoreReceipt) event).eventTime().toEpochMilli();
    }

    @Test
    void referenceChangesComeInEffectiveTimeOrderAndNoneUndercutsTheSettledTime() {
        // Frequent changes (rates every 5 s, catalog every 3 s, delistings included) at 20 sales
        // a second: many batches with several changes at one time.
        GeneratorConfig config =
                new GeneratorConfig(
                        7,
                        START,
                        20,
                        30,
                        5,
                        5,
                        List.of("eu-west", "uk", "us-east"),
                        List.of("EUR", "GBP", "USD"),
                        0.5,
                        Duration.ofSeconds(10),
                        1.0,
                        0.01,
                        Duration.ofMinutes(5),
                        0.01,
                        Duration.ofSeconds(5),
                        Duration.ofSeconds(3),
                        0.01);
        SalesGenerator generator = new SalesGenerator(config);
        long latestEffective = Long.MIN_VALUE;
        long latestSettled = Long.MIN_VALUE;
        int changes = 0;
        while (generator.salesGenerated() < 20 * 600) {
            long settled = generator.referenceSettledUntil();
            assertThat(settled)
                    .as("settled time never goes back")
                    .isGreaterThanOrEqualTo(latestSettled);
            latestSettled = settled;
            SeedRecord record = generator.next();
            if (record.kind().isSale()) {
                continue;
            }
            changes++;
            // A tombstone's record timestamp is its effective time, like a version's own time.
            long effective =
                    switch (record.kind()) {
                        case PRODUCT ->
                                CODEC.decodeProduct(record.value())
                                        .event()
                                        .updatedAt()
                                        .toEpochMilli();
                        case FX_RATE ->
                                CODEC.decodeFxRate(record.value())
                                        .event()
                                        .validFrom()
                                        .toEpochMilli();
                        default -> record.timestamp();
                    };
            assertThat(record.timestamp()).isEqualTo(effective);
            assertThat(effective)
                    .as("effective-time order")
                    .isGreaterThanOrEqualTo(latestEffective);
            latestEffective = effective;
            // The settled time before it (the latest, since it never goes back) is a promise kept.
            assertThat(effective).isGreaterThan(settled);
        }
        // The catalog and 2 rates, a rate update of 2 currencies every 5 s, a change every 3 s.
        assertThat(changes).isGreaterThan(config.catalogSize() + 2 + 2 * 110 + 190);
        // Between changes, the settled time runs ahead of the event clock, up to the next change.
        assertThat(generator.referenceSettledUntil())
                .isGreaterThanOrEqualTo(generator.eventClock());
    }

    private static List<SeedRecord> generate(GeneratorConfig config, int sales) {
        SalesGenerator generator = new SalesGenerator(config);
        List<SeedRecord> records = new ArrayList<>();
        while (generator.salesGenerated() < sales) {
            records.add(generator.next());
        }
        return records;
    }

    private static int indexOfFirstSale(List<SeedRecord> records) {
        for (int i = 0; i < records.size(); i++) {
            if (records.get(i).kind().isSale()) {
                return i;
            }
        }
        return -1;
    }

    private static boolean same(SeedRecord a, SeedRecord b) {
        return a.topic().equals(b.topic())
                && Arrays.equals(a.key(), b.key())
                && Arrays.equals(a.value(), b.value())
                && a.timestamp() == b.timestamp()
                && a.kind() == b.kind()
                && a.fault() == b.fault()
                && a.late() == b.late();
    }
}

package com.salesaggregator.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.salesaggregator.codec.EventCodec;
import com.salesaggregator.codec.RejectReason;
import com.salesaggregator.model.OnlineOrder;
import com.salesaggregator.model.Product;
import com.salesaggregator.model.ReceiptLine;
import com.salesaggregator.model.StoreReceipt;
import com.salesaggregator.seeder.GeneratorConfig;
import com.salesaggregator.seeder.SalesGenerator;
import com.salesaggregator.seeder.SeedRecord;
import com.salesaggregator.topics.TopicDefinition;
import com.salesaggregator.topics.TopicDefinitions;
import com.salesaggregator.topics.Topics;
import com.salesaggregator.verify.OutputFormat;
import com.salesaggregator.verify.ReferenceModel;
import com.salesaggregator.verify.ReferenceModel.DeadLetter;
import com.salesaggregator.verify.ReferenceModel.Expected;
import com.salesaggregator.verify.ReferenceModel.Fate;
import com.salesaggregator.verify.ReferenceModel.InputRecord;
import com.salesaggregator.verify.ReferenceModel.Line;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
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
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The aggregation job end to end, with its real Kafka wiring ({@link SalesAggregationJob#define})
 * on a real broker and a Flink MiniCluster: a deterministic data set with every kind of rejection,
 * a delisting and rate updates mid-stream, out-of-order sales, upstream resends, then lines that
 * are late on purpose, on-time stragglers for windows that have already fired and resends of sales
 * whose windows have fired, then a drain. Every output must equal the {@link ReferenceModel}'s
 * recomputation exactly, every line must end in exactly one place, and the outputs must add up to
 * each other, at parallelism 2, 1 and 4 alike.
 *
 * <p>Each run gets topics of its own (the same data, produced afresh): the late lines must reach
 * the job after the main data's windows closed, which a replay from a backlog cannot guarantee.
 */
class SalesAggregationITCase {

    private static final Logger LOG = LoggerFactory.getLogger(SalesAggregationITCase.class);

    private static final int SLOTS = 4;
    private static final Duration WAIT = ItKafka.WAIT;

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(SLOTS)
                            .setConfiguration(JobRunner.clusterConfiguration())
                            .build());

    @TempDir static Path kafkaDir;

    private static ItKafka kafka;

    /** The published figures of each finished run, to compare the runs with each other. */
    private static final Map<Integer, Published> RUNS = new ConcurrentHashMap<>();

    @BeforeAll
    static void startBroker() {
        kafka = ItKafka.start(kafkaDir);
    }

    @AfterAll
    static void stopBroker() {
        if (kafka != null) {
            kafka.close();
        }
    }

    @ParameterizedTest(name = "parallelism {0}")
    @ValueSource(ints = {2, 1, 4})
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void publishesExactlyTheReferenceFigures(int parallelism, @TempDir Path runDir)
            throws Exception {
        long started = System.nanoTime();
        RunTopics topics = kafka.createTopics("p" + parallelism + "-");
        DataSet data = DataSet.INSTANCE;
        List<InputRecord> produced = new ArrayList<>(kafka.produce(topics, data.main()));
        Expected mainOnly = ReferenceModel.compute(produced, topics.inputs(), Set.of());
        Set<String> mainMinutesClosed = new TreeSet<>();
        mainOnly.regionTrend()
                .forEach(
                        (key, minute) -> {
                            if (Instant.parse(minute.windowStart()).toEpochMilli()
                                    < DataSet.MAIN_END) {
                                mainMinutesClosed.add(key);
                            }
                        });
        assertThat(mainMinutesClosed).hasSizeGreaterThan(10);

        // Provisional figures of the open minutes every 100 ms (and running totals as often),
        // so that the run publishes provisional values before the final ones.
        JobClient job =
                JobRunner.start(
                        kafka,
                        topics,
                        parallelism,
                        Map.of(SalesJobOptions.EMIT_INTERVAL.key(), "100ms"));
        Published published;
        try (CommittedOutputs out = new CommittedOutputs(kafka, topics)) {
            LOG.info("p{}: job submitted after {} ms", parallelism, millisSince(started));
            // 1. Every minute of the main data has fired and been committed.
            JobRunner.awaitWhileRunning(
                            job, "every main-data minute in " + topics.of(Topics.REGION_TREND_1M))
                    .until(
                            () -> {
                                out.poll();
                                return out.latestFinal(Topics.REGION_TREND_1M)
                                        .keySet()
                                        .containsAll(mainMinutesClosed);
                            });
            LOG.info("p{}: main windows closed after {} ms", parallelism, millisSince(started));

            try (CatalogHeartbeat heartbeat =
                    CatalogHeartbeat.start(kafka, topics, DataSet.TRAILING)) {
                // 2. Lines whose minute closed long ago, and stragglers still within the allowed
                // lateness of a minute that has already fired.
                produced.addAll(kafka.produce(topics, data.afterWindowsClosed()));
                Expected planned =
                        ReferenceModel.compute(produced, topics.inputs(), data.lateIds());
                String stragglerKey = data.stragglerRegionMinute();
                long stragglerUnits = planned.regionTrend().get(stragglerKey).units();
                JobRunner.awaitWhileRunning(
                                job, "the late lines in sales-late and the stragglers counted")
                        .until(
                                () -> {
                                    out.poll();
                                    JsonNode minute =
                                            out.latest(Topics.REGION_TREND_1M).get(stragglerKey);
                                    // At least: a job that counts too much (a resend) fails
                                    // the exact check below, with the differences, not here.
                                    return out.keys(Topics.SALES_LATE).containsAll(data.lateIds())
                                            && minute != null
                                            && minute.path("units").asLong() >= stragglerUnits;
                                });
                LOG.info("p{}: late lines seen after {} ms", parallelism, millisSince(started));
                JobRunner.awaitWhileRunning(job, "the job reading the catalog heartbeat")
                        .until(() -> heartbeat.readBy(JobRunner.groupId(topics)));

                // 3. Drain: the end of event time fires every window and flushes every total.
                JobRunner.drainWithSavepoint(job, runDir);
            }
            assertThat(job.getJobStatus().get(WAIT.toSeconds(), TimeUnit.SECONDS))
                    .isEqualTo(JobStatus.FINISHED);
            out.readToEnd();
            LOG.info("p{}: drained and read after {} ms", parallelism, millisSince(started));
            published = out.published();
            // The trailing sales' minute stays open until the drain: published provisionally.
            assertThat(out.provisionalValues(OutputFormat.REGION_TREND))
                    .as("provisional values in region-trend-1m")
                    .isPositive();
            LOG.info(
                    "p{}: provisional values: {} revenue-per-seller-1m, {} units-per-product-5m,"
                            + " {} region-trend-1m",
                    parallelism,
                    out.provisionalValues(OutputFormat.REVENUE_PER_SELLER),
                    out.provisionalValues(OutputFormat.UNITS_PER_PRODUCT),
                    out.provisionalValues(OutputFormat.REGION_TREND));
        }

        CommittedOutputs.assertNoTransactionLeftOpen(kafka.admin(), topics);
        Expected expected =
                ReferenceModel.compute(produced, topics.inputs(), published.late().keySet());
        assertDataSetCoversEveryCase(expected, topics);
        Map<Fate, Long> fates = new TreeMap<>();
        expected.fates().values().forEach(fate -> fates.merge(fate, 1L, Long::sum));
        Map<String, Long> reasons = new TreeMap<>();
        expected.deadLetters().forEach(d -> reasons.merge(d.reason(), 1L, Long::sum));
        LOG.info(
                "p{}: {} input records, {} lines {} and {} resent, dead letters {}",
                parallelism,
                produced.size(),
                expected.lines().size(),
                fates,
                expected.resends().size(),
                reasons);
        ExactCheck.assertFiguresMatch(expected, published);
        ExactCheck.assertDeadLettersMatch(expected, published, produced);
        assertThat(published.late())
                .as("sales-late holds exactly the lines made late on purpose, each once")
                .containsOnlyKeys(data.lateIds());
        assertThat(published.late()).isEqualTo(expected.late());
        ExactCheck.assertEveryLineAccountedForOnce(expected, published, topics, produced);
        ExactCheck.assertOutputsAddUp(published);

        Published normalized = published.withoutTopicPrefix(topics.prefix());
        RUNS.forEach(
                (otherParallelism, other) ->
                        assertThat(normalized)
                                .as(
                                        "figures at parallelism %d and %d",
                                        parallelism, otherParallelism)
                                .isEqualTo(other));
        RUNS.put(parallelism, normalized);
        LOG.info("p{}: done in {} ms", parallelism, millisSince(started));
    }

    // ------------------------------------------------------------ assertions

    /** Guards the test itself: the data set must exercise every case it claims to. */
    private static void assertDataSetCoversEveryCase(Expected expected, RunTopics topics) {
        Map<String, Set<String>> reasonsPerTopic = new TreeMap<>();
        expected.deadLetters()
                .forEach(
                        d ->
                                reasonsPerTopic
                                        .computeIfAbsent(d.sourceTopic(), t -> new TreeSet<>())
                                        .add(d.reason()));
        assertThat(reasonsPerTopic.get(topics.of(Topics.SALES_ONLINE)))
                .contains(
                        RejectReason.UNKNOWN_PRODUCT.name(),
                        RejectReason.DELISTED_PRODUCT.name(),
                        RejectReason.NO_FX_RATE.name());
        assertThat(reasonsPerTopic.get(topics.of(Topics.SALES_STORE)))
                .contains(
                        RejectReason.UNKNOWN_PRODUCT.name(),
                        RejectReason.DELISTED_PRODUCT.name(),
                        RejectReason.NO_FX_RATE.name());
        Set<String> codecReasons = new TreeSet<>();
        expected.deadLetters().stream()
                .filter(d -> d.lineId() == null)
                .forEach(d -> codecReasons.add(d.reason()));
        assertThat(codecReasons)
                .as("malformed records of several kinds")
                .hasSizeGreaterThanOrEqualTo(5);
        Set<String> sales = Set.of(topics.of(Topics.SALES_ONLINE), topics.of(Topics.SALES_STORE));
        for (String topic : sales) {
            assertThat(reasonsPerTopic.get(topic))
                    .as("resends in %s", topic)
                    .contains(RejectReason.DUPLICATE.name());
        }
        assertThat(
                        expected.deadLetters().stream()
                                .filter(d -> d.reason().equals(RejectReason.DUPLICATE.name()))
                                .map(DeadLetter::lineId))
                .as("the lines of every resend, each once")
                .containsExactlyInAnyOrderElementsOf(DataSet.RESENT_LINE_IDS);
        assertThat(
                        expected.resends().stream()
                                .filter(l -> l.lineId().equals("r-resent-1#0"))
                                .map(Line::partition))
                .as("a receipt resent on another partition")
                .singleElement()
                .isNotEqualTo(
                        expected.lines().stream()
                                .filter(l -> l.lineId().equals("r-resent-1#0"))
                                .findFirst()
                                .orElseThrow()
                                .partition());
        assertThat(reasonsPerTopic.get(topics.of(Topics.PRODUCTS)))
                .containsExactly(RejectReason.INVALID_PRICE.name());
        assertThat(reasonsPerTopic.get(topics.of(Topics.FX_RATES)))
                .containsExactly(RejectReason.INVALID_RATE.name());
        assertThat(expected.fates().values())
                .filteredOn(fate -> fate == Fate.COUNTED)
                .hasSizeGreaterThan(2_000);
        assertThat(expected.regionTrend()).hasSizeGreaterThan(20);
        assertThat(expected.unitsPerProduct()).hasSizeGreaterThan(100);
    }

    private static long millisSince(long nanos) {
        return (System.nanoTime() - nanos) / 1_000_000;
    }

    // ------------------------------------------------------------ the data set

    /**
     * The deterministic input of every run. Event time starts at {@link #START}, a whole minute an
     * hour ago (brokers reject timestamps more than an hour ahead). The main data covers the five
     * minutes [START, MAIN_END): bulk sales from {@link SalesGenerator} (both channels, four
     * currencies, out of order by up to 20 s, rate updates every minute, catalog changes, planned
     * defects) with hand-made special cases merged in at their event time. Trailing sales at
     * MAIN_END + 45 s in every sales partition then move the watermark past MAIN_END (and no
     * further than MAIN_END + 15 s), so every main-data minute fires; the drain fires the rest.
     */
    private static final class DataSet {

        static final long START =
                Instant.now()
                        .truncatedTo(ChronoUnit.MINUTES)
                        .minus(Duration.ofHours(1))
                        .toEpochMilli();
        static final long MAIN_END = START + minutes(5);
        static final long TRAILING = MAIN_END + seconds(45);

        private static final int BULK_SALES = 1_500;
        private static final String EUR_REGION = "eu-west";
        private static final String GBP_REGION = "uk";
        private static final EventCodec CODEC = EventCodec.withDefaults();

        /** The lines of every sale the data set delivers twice. */
        private static final Set<String> RESENT_LINE_IDS =
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
        static final DataSet INSTANCE = new DataSet();

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

        private DataSet() {
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
         * Catalog and rates: the initial versions (and the rejected records) before any sale, the
         * later changes in {@link #laterReferenceChanges}.
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
                            Topics.PRODUCTS, null, utf8("p-special"), null, START + seconds(150)));
            // Listed only at 4:58 and renamed at 5:03: a sale at 4:55 is of an unknown product.
            product("p-new", "New Drone", "toys", "20.00", START + seconds(298));
            product("p-new", "New Drone II", "toys", "21.00", START + seconds(303));
            // Rejected reference records.
            main.add(
                    new Planned(
                            Topics.PRODUCTS,
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
                            Topics.FX_RATES,
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
                    new Planned(Topics.PRODUCTS, null, utf8(id), CODEC.encode(product), at);
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
         * The same record sent again {@code delay} later (its Kafka timestamp), on {@code
         * original}'s partition (by key, or explicit).
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
                    "o-resent-1",
                    seconds(285),
                    "seller-901",
                    EUR_REGION,
                    "EUR",
                    "p-stable",
                    1,
                    "7.25");
        }

        /**
         * A receipt in minute 1 on partition 0, resent on partition 1 long after that minute
         * closed: were it not a duplicate, it would be late.
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
                long until =
                        record.kind().isSale() ? generator.clockAt(sales) : record.timestamp() - 1;
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
         * The reference publisher's contract, which the job relies on (no out-of-orderness on
         * reference topics): on each topic, hence on each partition, changes in effective-time
         * order (a record's timestamp is its effective time here, tombstones included).
         */
        private void requireReferenceInEffectiveTimeOrder() {
            Map<String, Long> latest = new HashMap<>();
            for (Planned record : main) {
                if (record.topic().equals(Topics.PRODUCTS)
                        || record.topic().equals(Topics.FX_RATES)) {
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
            TopicDefinition online = definition(Topics.SALES_ONLINE);
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
            TopicDefinition store = definition(Topics.SALES_STORE);
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
                    Topics.SALES_ONLINE,
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
                    new StoreReceipt(
                            receiptId, at, store, seller, region, currency, List.of(lines));
            return new Planned(
                    Topics.SALES_STORE,
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
}

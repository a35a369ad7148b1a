package com.salesaggregator.job.functions;

import static com.salesaggregator.job.functions.Lines.MINUTE;
import static com.salesaggregator.job.functions.Lines.SECOND;
import static com.salesaggregator.job.functions.Lines.TOPICS;
import static com.salesaggregator.job.functions.Lines.at;
import static com.salesaggregator.job.functions.Lines.delisting;
import static com.salesaggregator.job.functions.Lines.version;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.salesaggregator.codec.RejectReason;
import com.salesaggregator.job.records.DeadLetter;
import com.salesaggregator.job.records.EnrichedLine;
import com.salesaggregator.job.records.ProductChange;
import com.salesaggregator.model.SaleLine;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Drives {@link CatalogEnrichment} through Flink's keyed two-input operator harness. */
class CatalogEnrichmentTest {

    private static final Duration GRACE = Duration.ofMinutes(1);

    private KeyedTwoInputStreamOperatorTestHarness<String, SaleLine, ProductChange, EnrichedLine>
            harness;

    @BeforeEach
    void openHarness() throws Exception {
        harness =
                new KeyedTwoInputStreamOperatorTestHarness<>(
                        new KeyedCoProcessOperator<>(new CatalogEnrichment(GRACE, TOPICS)),
                        SaleLine::productId,
                        ProductChange::productId,
                        Types.STRING);
        harness.open();
    }

    @AfterEach
    void closeHarness() throws Exception {
        harness.close();
    }

    @Test
    void lineWaitsUntilTheWatermarkPassesItsEventTime() throws Exception {
        product(version("p1", "Tea", "0.40", 1 * SECOND));
        line(at("o1", "p1", 10 * SECOND));

        watermark(10 * SECOND - 1);
        assertThat(enriched()).isEmpty();

        watermark(10 * SECOND);
        assertThat(enriched())
                .singleElement()
                .satisfies(
                        e -> {
                            assertThat(e.line().lineId()).isEqualTo("o1");
                            assertThat(e.productName()).isEqualTo("Tea");
                            assertThat(e.category()).isEqualTo("cat-Tea");
                            assertThat(e.unitCostEur()).isEqualByComparingTo("0.40");
                        });
        assertThat(deadLetters()).isEmpty();
        assertOnlyCatalogLeft(1);
    }

    @Test
    void lineTakesTheVersionInForceAtItsEventTimeWhateverOrderVersionsArriveIn() throws Exception {
        product(version("p1", "v3", "3.00", 30 * SECOND));
        product(version("p1", "v1", "1.00", 10 * SECOND));
        product(version("p1", "v2", "2.00", 20 * SECOND));
        line(at("before-v2", "p1", 20 * SECOND - 1));
        line(at("exactly-v2", "p1", 20 * SECOND));
        line(at("just-before-v3", "p1", 30 * SECOND - 1));
        line(at("exactly-v3", "p1", 30 * SECOND));

        watermark(40 * SECOND);

        assertThat(namesByLine())
                .containsExactlyInAnyOrderEntriesOf(
                        Map.of(
                                "before-v2", "v1",
                                "exactly-v2", "v2",
                                "just-before-v3", "v2",
                                "exactly-v3", "v3"));
        assertOnlyCatalogLeft(1);
    }

    @Test
    void versionArrivingAfterTheLineButValidFromLaterIsNotUsed() throws Exception {
        product(version("p1", "old", "1.00", 1 * SECOND));
        line(at("o1", "p1", 10 * SECOND));
        // Arrives before the watermark releases the line, but is not yet in force at its time.
        product(version("p1", "new", "2.00", 10 * SECOND + 1));

        watermark(20 * SECOND);

        assertThat(namesByLine()).containsExactlyEntriesOf(Map.of("o1", "old"));
    }

    @Test
    void aProductKeepsOneTimerHoweverManyEventTimesItsLinesWaitFor() throws Exception {
        product(version("p1", "Tea", "0.40", 0));
        product(version("p2", "Mug", "2.00", 0));
        // In event-time order, as a partition mostly delivers them; a line earlier than all
        // waiting ones moves the timer forward instead.
        for (int i = 1; i <= 20; i++) {
            line(at("t" + i, "p1", i * SECOND));
            line(at("m" + i, "p2", i * SECOND));
        }
        assertThat(harness.numEventTimeTimers()).as("one per product").isEqualTo(2);

        watermark(10 * SECOND);
        assertThat(enriched()).hasSize(20);
        assertThat(enriched().stream().map(e -> e.line().eventTime()).distinct().count())
                .isEqualTo(10);
        assertThat(harness.numEventTimeTimers()).as("moved to 11 s").isEqualTo(2);

        watermark(20 * SECOND);
        assertThat(enriched()).hasSize(40);
        assertOnlyCatalogLeft(2);
    }

    @Test
    void unknownProductGoesToDeadLettersOnlyOnceTheWatermarkPassesEventTimePlusGrace()
            throws Exception {
        SaleLine line = at("o1", "ghost", 10 * SECOND);
        line(line);

        watermark(10 * SECOND);
        watermark(10 * SECOND + GRACE.toMillis() - 1);
        assertThat(deadLetters()).isEmpty();
        assertThat(harness.numEventTimeTimers()).isEqualTo(1);

        watermark(10 * SECOND + GRACE.toMillis());
        assertThat(enriched()).isEmpty();
        assertThat(deadLetters())
                .singleElement()
                .satisfies(
                        d -> {
                            assertThat(d.reason()).isEqualTo(RejectReason.UNKNOWN_PRODUCT);
                            assertThat(d.lineId()).isEqualTo("o1");
                            assertThat(d.sourceTopic()).isEqualTo("sales-online");
                            assertThat(d.partition()).isEqualTo(line.sourcePartition());
                            assertThat(d.offset()).isEqualTo(line.sourceOffset());
                            assertThat(new String(d.key(), StandardCharsets.UTF_8)).isEqualTo("o1");
                            assertThat(d.message()).contains("'ghost'");
                        });
        assertThat(harness.numEventTimeTimers()).isZero();
        assertThat(harness.numKeyedStateEntries()).isZero();
    }

    @Test
    void productArrivingWithinTheGracePeriodRescuesTheLine() throws Exception {
        line(at("o1", "p1", 10 * SECOND));
        watermark(10 * SECOND + GRACE.toMillis() / 2);
        assertThat(enriched()).isEmpty();

        // Known from before the sale, but published late (e.g. the products source was idle).
        product(version("p1", "Tea", "0.40", 5 * SECOND));
        watermark(10 * SECOND + GRACE.toMillis());

        assertThat(namesByLine()).containsExactlyEntriesOf(Map.of("o1", "Tea"));
        assertThat(deadLetters()).isEmpty();
        assertOnlyCatalogLeft(1);
    }

    @Test
    void lineRescuedWithinGraceGetsTheVersionInForceAtItsTimeNotALaterOne() throws Exception {
        line(at("o1", "p1", 10 * SECOND));
        watermark(30 * SECOND);

        // Both arrive after the watermark passed them, while the line waits out its grace.
        product(version("p1", "v1", "1.00", 5 * SECOND));
        product(version("p1", "v2", "2.00", 20 * SECOND));
        watermark(10 * SECOND + GRACE.toMillis());

        assertThat(namesByLine()).containsExactlyEntriesOf(Map.of("o1", "v1"));
    }

    @Test
    void delistingRejectsLinesFromItsTimeOnButNotBefore() throws Exception {
        product(version("p1", "Tea", "0.40", 1 * SECOND));
        product(delisting("p1", 10 * SECOND));
        line(at("before", "p1", 10 * SECOND - 1));
        line(at("at", "p1", 10 * SECOND));
        line(at("after", "p1", 20 * SECOND));

        watermark(30 * SECOND);

        assertThat(namesByLine()).containsExactlyEntriesOf(Map.of("before", "Tea"));
        assertThat(deadLetters())
                .extracting(DeadLetter::lineId, DeadLetter::reason)
                .containsExactlyInAnyOrder(
                        tuple("at", RejectReason.DELISTED_PRODUCT),
                        tuple("after", RejectReason.DELISTED_PRODUCT));
        assertThat(deadLetters()).allSatisfy(d -> assertThat(d.message()).contains("delisted"));
        assertOnlyCatalogLeft(1);
    }

    @Test
    void lateLineIsResolvedAtOnceWithoutWaiting() throws Exception {
        product(version("p1", "Tea", "0.40", 1 * SECOND));
        watermark(10 * MINUTE);

        line(at("late", "p1", 5 * MINUTE));

        assertThat(namesByLine()).containsExactlyEntriesOf(Map.of("late", "Tea"));
        assertOnlyCatalogLeft(1);
    }

    @Test
    void lateLineOfAnUnknownProductPastItsGraceIsRejectedAtOnce() throws Exception {
        watermark(10 * MINUTE);

        line(at("late", "ghost", 5 * MINUTE));

        assertThat(deadLetters())
                .extracting(DeadLetter::reason)
                .containsExactly(RejectReason.UNKNOWN_PRODUCT);
        assertThat(harness.numEventTimeTimers()).isZero();
        assertThat(harness.numKeyedStateEntries()).isZero();
    }

    @Test
    void watermarkJumpingPastSeveralVersionsStillGivesEachWaitingLineItsOwnVersion()
            throws Exception {
        product(version("p1", "v1", "1.00", 1 * SECOND));
        product(version("p1", "v2", "2.00", 3 * SECOND));
        product(version("p1", "v3", "3.00", 4 * SECOND));
        line(at("in-v1", "p1", 2 * SECOND));
        line(at("in-v2", "p1", 3 * SECOND + 500));

        // One watermark far ahead (catching up on a backlog, end of input): both timers fire in it.
        watermark(Long.MAX_VALUE);

        assertThat(namesByLine())
                .containsExactlyInAnyOrderEntriesOf(Map.of("in-v1", "v1", "in-v2", "v2"));
        assertOnlyCatalogLeft(1);
    }

    @Test
    void versionsSupersededLongBeforeTheWatermarkArePrunedToTheNewestOne() throws Exception {
        product(version("p1", "v1", "1.00", 1 * SECOND));
        product(version("p1", "v2", "2.00", 2 * SECOND));
        product(version("p1", "v3", "3.00", 10 * MINUTE));
        watermark(5 * MINUTE);
        // Any change prunes up to the watermark minus the grace; v3 is still ahead of that.
        product(version("p1", "v4", "4.00", 20 * MINUTE));

        // v1 is gone: a line late enough to have needed it now gets v2, the newest pruned version.
        line(at("very-late", "p1", 1 * SECOND + 1));

        assertThat(namesByLine()).containsExactlyEntriesOf(Map.of("very-late", "v2"));
    }

    @Test
    void lineBehindTheWatermarkThatCanStillCountGetsTheVersionOfItsOwnTime() throws Exception {
        // With 1 min allowed lateness, a line up to 2 min behind the watermark can still count
        // in an aggregate, so it must still find the version in force at its event time.
        harness.close();
        harness =
                new KeyedTwoInputStreamOperatorTestHarness<>(
                        new KeyedCoProcessOperator<>(
                                new CatalogEnrichment(
                                        Duration.ofSeconds(10), Duration.ofMinutes(1), TOPICS)),
                        SaleLine::productId,
                        ProductChange::productId,
                        Types.STRING);
        harness.open();
        product(version("p1", "v1", "1.00", 1 * SECOND));
        product(version("p1", "v2", "2.00", 5 * MINUTE));
        watermark(6 * MINUTE + 30 * SECOND);
        product(version("p1", "v3", "3.00", 10 * MINUTE));

        line(at("behind-but-countable", "p1", 5 * MINUTE - SECOND));

        assertThat(namesByLine()).containsExactlyEntriesOf(Map.of("behind-but-countable", "v1"));
    }

    @Test
    void pruneKeepsTheNewestVersionAtOrBelowTheWatermarkAndEverythingAfterIt() {
        List<ProductChange> sorted =
                List.of(
                        version("p1", "v1", "1.00", 100),
                        version("p1", "v2", "2.00", 200),
                        version("p1", "v3", "3.00", 300),
                        version("p1", "v4", "4.00", 400));

        List<ProductChange> pruned = CatalogEnrichment.prune(new ArrayList<>(sorted), 300);

        assertThat(pruned).extracting(ProductChange::name).containsExactly("v3", "v4");
        // Having lost its predecessors, the kept version applies from the first version's
        // validity: before that the product was still unknown.
        assertThat(pruned.get(0).validFrom()).isEqualTo(100);
        assertThat(pruned.get(0).unitCostEur()).isEqualByComparingTo(new BigDecimal("3.00"));
        assertThat(pruned.get(1)).isEqualTo(sorted.get(3));
    }

    @Test
    void pruneLeavesTheListAloneWhenAtMostOneVersionIsBelowTheWatermark() {
        List<ProductChange> sorted =
                List.of(version("p1", "v1", "1.00", 100), version("p1", "v2", "2.00", 200));

        assertThat(CatalogEnrichment.prune(new ArrayList<>(sorted), 99)).isEqualTo(sorted);
        assertThat(CatalogEnrichment.prune(new ArrayList<>(sorted), 199)).isEqualTo(sorted);
        assertThat(CatalogEnrichment.prune(new ArrayList<>(), 1_000)).isEmpty();
    }

    @Test
    void pruneKeepsADelistingAsTheNewestVersion() {
        List<ProductChange> sorted =
                List.of(version("p1", "v1", "1.00", 100), delisting("p1", 200));

        List<ProductChange> pruned = CatalogEnrichment.prune(new ArrayList<>(sorted), 500);

        assertThat(pruned).singleElement().satisfies(v -> assertThat(v.delisted()).isTrue());
    }

    private void line(SaleLine line) throws Exception {
        harness.processElement1(line, line.eventTime());
    }

    private void product(ProductChange change) throws Exception {
        harness.processElement2(change, change.validFrom());
    }

    private void watermark(long time) throws Exception {
        harness.processBothWatermarks(new Watermark(time));
    }

    private List<EnrichedLine> enriched() {
        return harness.extractOutputValues();
    }

    private Map<String, String> namesByLine() {
        return enriched().stream()
                .collect(Collectors.toMap(e -> e.line().lineId(), EnrichedLine::productName));
    }

    private List<DeadLetter> deadLetters() {
        var records = harness.getSideOutput(DeadLetters.TAG);
        return records == null ? List.of() : records.stream().map(StreamRecord::getValue).toList();
    }

    /** Nothing waits and no timer is left; only the catalog versions of {@code products} stay. */
    private void assertOnlyCatalogLeft(int products) {
        assertThat(harness.numEventTimeTimers()).as("event-time timers").isZero();
        assertThat(harness.numProcessingTimeTimers()).as("processing-time timers").isZero();
        // One entry per product for the versions; waiting lines would add a second one.
        assertThat(harness.numKeyedStateEntries()).as("keyed state entries").isEqualTo(products);
    }
}

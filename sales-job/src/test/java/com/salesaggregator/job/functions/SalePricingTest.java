package com.salesaggregator.job.functions;

import static com.salesaggregator.job.functions.Lines.MINUTE;
import static com.salesaggregator.job.functions.Lines.SECOND;
import static com.salesaggregator.job.functions.Lines.TOPICS;
import static com.salesaggregator.job.functions.Lines.at;
import static com.salesaggregator.job.functions.Lines.delisting;
import static com.salesaggregator.job.functions.Lines.online;
import static com.salesaggregator.job.functions.Lines.version;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.tuple;

import com.salesaggregator.codec.RejectReason;
import com.salesaggregator.job.records.PricedLine;
import com.salesaggregator.job.records.ProductChange;
import com.salesaggregator.job.records.ReferenceChange;
import com.salesaggregator.job.records.SourcePosition;
import com.salesaggregator.model.Channel;
import com.salesaggregator.model.SaleLine;
import com.salesaggregator.output.DeadLetter;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeutils.base.IntSerializer;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.execution.SuppressRestartsException;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Drives {@link SalePricing} through Flink's keyed two-input operator harness: sale lines keyed by
 * sale identity on input 1, reference data (catalog changes, FX rates) on input 2. Covers the
 * deduplication (state TTL in processing time driven by the harness), the wait for the reference
 * watermark, pricing at the versions in force at each line's event time, the grace period for
 * missing reference data, the forwarded watermark, and snapshots: restored, rescaled, and refused
 * when they lack this layout's marker.
 */
class SalePricingTest {

    private static final Duration HORIZON = Duration.ofHours(1);
    private static final long HORIZON_MILLIS = HORIZON.toMillis();
    private static final Duration GRACE = Duration.ofMinutes(1);
    private static final Duration LATENESS = Duration.ofMinutes(1);
    private static final int MAX_PARALLELISM = 128;

    /** Event time of the dedup tests' lines. */
    private static final long SALE_TIME = 60_000L;

    /** Reference data carry no key: the operator keeps them in broadcast state. */
    private static final KeySelector<ReferenceChange, String> NO_KEY = change -> "reference";

    private KeyedTwoInputStreamOperatorTestHarness<String, SaleLine, ReferenceChange, PricedLine>
            harness;

    @BeforeEach
    void openHarness() throws Exception {
        harness = newHarness(GRACE, LATENESS, 1, 1, 0);
        harness.setStateTtlProcessingTime(0);
        harness.open();
    }

    @AfterEach
    void closeHarness() throws Exception {
        harness.close();
    }

    // ---- the reference watermark releases lines (issue 13)

    @Test
    void aReferenceWatermarkAtTheLinesTimeReleasesItWhileTheSalesWatermarkIsFarBehind()
            throws Exception {
        product(version("p1", "Tea", "0.40", 1 * SECOND));
        line(at("o1", "p1", 10 * SECOND));

        // No sales watermark at all (Long.MIN_VALUE): only the reference input moves.
        referenceWatermark(10 * SECOND - 1);
        assertThat(priced()).isEmpty();
        assertThat(harness.numEventTimeTimers()).isOne();

        referenceWatermark(10 * SECOND);
        assertThat(priced())
                .singleElement()
                .satisfies(
                        p -> {
                            assertThat(p.line().lineId()).isEqualTo("o1");
                            assertThat(p.productName()).isEqualTo("Tea");
                            // 1 x 1.00 EUR at a cost of 0.40: 100 cents, margin 60.
                            assertThat(p.revenueCents()).isEqualTo(100);
                            assertThat(p.marginCents()).isEqualTo(60);
                        });
        assertNothingWaits(1);
    }

    @Test
    void aSalesWatermarkAloneDoesNotReleaseALineWhileTheReferenceInputIsActive() throws Exception {
        product(version("p1", "Tea", "0.40", 1 * SECOND));
        referenceWatermark(5 * SECOND);
        line(at("o1", "p1", 10 * SECOND));

        salesWatermark(1 * MINUTE);
        salesWatermark(Long.MAX_VALUE - 1);

        assertThat(priced()).isEmpty();
        assertThat(deadLetters()).isEmpty();
        assertThat(harness.numEventTimeTimers()).as("the line still waits").isOne();

        referenceWatermark(10 * SECOND);
        assertThat(namesByLine()).containsExactlyEntriesOf(Map.of("o1", "Tea"));
        assertNothingWaits(1);
    }

    @Test
    void releasedLineTakesTheVersionInForceAtItsEventTimeNotOneThatArrivedLater() throws Exception {
        // Versions arrive in effective-time order, each before the reference watermark passes it,
        // as the seeder publishes them.
        product(version("p1", "v1", "1.00", 1 * SECOND));
        referenceWatermark(5 * SECOND);
        line(at("a", "p1", 10 * SECOND));
        line(at("b", "p1", 20 * SECOND));

        product(version("p1", "v2", "2.00", 15 * SECOND));
        referenceWatermark(15 * SECOND);
        // v2 is there when "a" is released, but not in force at its time.
        assertThat(namesByLine()).containsExactlyEntriesOf(Map.of("a", "v1"));

        product(version("p1", "v3", "3.00", 25 * SECOND));
        referenceWatermark(25 * SECOND);
        assertThat(namesByLine()).containsExactlyInAnyOrderEntriesOf(Map.of("a", "v1", "b", "v2"));
        // 1 x 1.00 EUR: margins 1.00 - 1.00 = 0 and 1.00 - 2.00 = -1.00.
        assertThat(byLine(PricedLine::marginCents))
                .containsExactlyInAnyOrderEntriesOf(Map.of("a", 0L, "b", -100L));
        assertNothingWaits(2);
    }

    @Test
    void whileTheReferenceInputIsIdleTheSalesWatermarkReleasesLines() throws Exception {
        product(version("p1", "Tea", "0.40", 1 * SECOND));
        line(at("o1", "p1", 10 * SECOND));
        line(at("o2", "p1", 20 * SECOND));

        harness.processWatermarkStatus2(WatermarkStatus.IDLE);
        salesWatermark(10 * SECOND - 1);
        assertThat(priced()).isEmpty();

        salesWatermark(10 * SECOND);
        assertThat(namesByLine()).containsExactlyEntriesOf(Map.of("o1", "Tea"));

        salesWatermark(20 * SECOND);
        assertThat(namesByLine())
                .containsExactlyInAnyOrderEntriesOf(Map.of("o1", "Tea", "o2", "Tea"));
        assertNothingWaits(2);
    }

    @Test
    void aReferenceInputTurningIdleReleasesWhatTheSalesWatermarkAlreadyPassed() throws Exception {
        product(version("p1", "Tea", "0.40", 1 * SECOND));
        line(at("o1", "p1", 10 * SECOND));
        salesWatermark(30 * SECOND);
        assertThat(priced()).isEmpty();

        harness.processWatermarkStatus2(WatermarkStatus.IDLE);

        assertThat(namesByLine()).containsExactlyEntriesOf(Map.of("o1", "Tea"));
        assertNothingWaits(1);
    }

    @Test
    void whenTheSalesInputWentIdleFirstTheReferenceInputTurningIdleStillReleasesAndForwards()
            throws Exception {
        product(version("p1", "Tea", "0.40", 1 * SECOND));
        line(at("o1", "p1", 10 * SECOND));
        referenceWatermark(5 * SECOND);
        salesWatermark(30 * SECOND);
        assertThat(outputWatermarks()).containsExactly(5 * SECOND);

        // The sales input goes idle first, then the reference input: the same outcome as the other
        // order (the line released, the sales watermark forwarded), so that the windows it passed
        // close whichever input went idle last.
        harness.processWatermarkStatus1(WatermarkStatus.IDLE);
        assertThat(priced()).isEmpty();
        harness.processWatermarkStatus2(WatermarkStatus.IDLE);

        assertThat(namesByLine()).containsExactlyEntriesOf(Map.of("o1", "Tea"));
        assertThat(outputWatermarks()).containsExactly(5 * SECOND, 30 * SECOND);
        assertNothingWaits(1);
    }

    @Test
    void theReleaseClockNeverGoesBackWhenTheReferenceInputTurnsActiveAgain() throws Exception {
        product(version("p1", "Tea", "0.40", 1 * SECOND));
        harness.processWatermarkStatus2(WatermarkStatus.IDLE);
        salesWatermark(30 * SECOND);

        // The reference input is back, its watermark behind the sales one.
        harness.processWatermarkStatus2(WatermarkStatus.ACTIVE);
        referenceWatermark(5 * SECOND);
        line(at("o1", "p1", 20 * SECOND));

        assertThat(namesByLine()).containsExactlyEntriesOf(Map.of("o1", "Tea"));
        assertNothingWaits(1);
    }

    @Test
    void theForwardedWatermarkIsTheSmallerOfBothInputsNotTheReferenceWatermark() throws Exception {
        product(version("p1", "Tea", "0.40", 1 * SECOND));
        line(at("o1", "p1", 10 * SECOND));

        referenceWatermark(20 * SECOND);
        assertThat(outputWatermarks()).as("the sales input has none yet").isEmpty();
        // Released by the reference watermark, ahead of the forwarded one: early, not late.
        assertThat(namesByLine()).containsExactlyEntriesOf(Map.of("o1", "Tea"));

        salesWatermark(5 * SECOND);
        assertThat(outputWatermarks()).containsExactly(5 * SECOND);

        salesWatermark(30 * SECOND);
        assertThat(outputWatermarks()).containsExactly(5 * SECOND, 20 * SECOND);

        referenceWatermark(40 * SECOND);
        assertThat(outputWatermarks()).containsExactly(5 * SECOND, 20 * SECOND, 30 * SECOND);
        // The priced line went out before any watermark at or past its event time.
        assertThat(harness.getOutput())
                .filteredOn(o -> o instanceof StreamRecord<?>)
                .singleElement()
                .satisfies(
                        o ->
                                assertThat(((StreamRecord<?>) o).getTimestamp())
                                        .isEqualTo(10 * SECOND));
    }

    @Test
    void anIdleReferenceInputDoesNotHoldTheForwardedWatermark() throws Exception {
        referenceWatermark(5 * SECOND);
        salesWatermark(10 * SECOND);
        assertThat(outputWatermarks()).containsExactly(5 * SECOND);

        harness.processWatermarkStatus2(WatermarkStatus.IDLE);
        salesWatermark(20 * SECOND);

        assertThat(outputWatermarks()).containsExactly(5 * SECOND, 10 * SECOND, 20 * SECOND);
    }

    // ---- catalog at event time (ported from CatalogEnrichmentTest)

    @Test
    void lineWaitsUntilTheWatermarkPassesItsEventTime() throws Exception {
        product(version("p1", "Tea", "0.40", 1 * SECOND));
        line(at("o1", "p1", 10 * SECOND));

        watermark(10 * SECOND - 1);
        assertThat(priced()).isEmpty();

        watermark(10 * SECOND);
        assertThat(priced())
                .singleElement()
                .satisfies(
                        p -> {
                            assertThat(p.line().lineId()).isEqualTo("o1");
                            assertThat(p.productName()).isEqualTo("Tea");
                            assertThat(p.category()).isEqualTo("cat-Tea");
                            assertThat(p.eurPerUnit()).isEqualByComparingTo(BigDecimal.ONE);
                            // 1.00 EUR revenue, 1 x 0.40 cost.
                            assertThat(p.marginCents()).isEqualTo(60);
                        });
        assertThat(deadLetters()).isEmpty();
        assertNothingWaits(1);
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
        assertNothingWaits(4);
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
    void linesAreReleasedAsTheWatermarkPassesTheirEventTimes() throws Exception {
        product(version("p1", "Tea", "0.40", 0));
        product(version("p2", "Mug", "2.00", 0));
        for (int i = 1; i <= 20; i++) {
            line(at("t" + i, "p1", i * SECOND));
            line(at("m" + i, "p2", i * SECOND));
        }
        assertThat(harness.numEventTimeTimers()).as("one per waiting sale").isEqualTo(40);

        watermark(10 * SECOND);
        assertThat(priced()).hasSize(20);
        assertThat(priced())
                .extracting(p -> p.line().eventTime())
                .allSatisfy(t -> assertThat(t).isLessThanOrEqualTo(10 * SECOND));
        assertThat(priced().stream().map(p -> p.line().eventTime()).distinct().count())
                .isEqualTo(10);
        assertThat(harness.numEventTimeTimers()).as("the sales still waiting").isEqualTo(20);

        watermark(20 * SECOND);
        assertThat(priced()).hasSize(40);
        assertNothingWaits(40);
    }

    @Test
    void aSaleKeepsOneTimerHoweverManyOfItsLinesWait() throws Exception {
        product(version("p1", "Tea", "0.40", 0));
        product(version("p2", "Mug", "2.00", 0));
        receipt("r-1", 0, 1, 10 * SECOND, "p1", "ghost", "p2").forEach(this::line);
        line(at("o-2", "p1", 20 * SECOND));
        assertThat(harness.numEventTimeTimers()).as("one per waiting sale").isEqualTo(2);

        // The known products go; the unknown one waits out its grace under the same timer.
        watermark(10 * SECOND);
        assertThat(namesByLine())
                .containsExactlyInAnyOrderEntriesOf(Map.of("r-1#0", "Tea", "r-1#2", "Mug"));
        assertThat(harness.numEventTimeTimers()).isEqualTo(2);

        watermark(20 * SECOND);
        assertThat(priced()).hasSize(3);
        assertThat(harness.numEventTimeTimers()).isOne();

        watermark(10 * SECOND + GRACE.toMillis());
        assertThat(deadLetters())
                .extracting(DeadLetter::lineId, DeadLetter::reason)
                .containsExactly(tuple("r-1#1", RejectReason.UNKNOWN_PRODUCT));
        assertNothingWaits(2);
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
        assertThat(priced()).isEmpty();
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
        assertNothingWaits(1);
    }

    @Test
    void productArrivingWithinTheGracePeriodRescuesTheLine() throws Exception {
        line(at("o1", "p1", 10 * SECOND));
        watermark(10 * SECOND + GRACE.toMillis() / 2);
        assertThat(priced()).isEmpty();

        // Known from before the sale, but published late (e.g. the products source was idle).
        product(version("p1", "Tea", "0.40", 5 * SECOND));
        watermark(10 * SECOND + GRACE.toMillis());

        assertThat(namesByLine()).containsExactlyEntriesOf(Map.of("o1", "Tea"));
        assertThat(deadLetters()).isEmpty();
        assertNothingWaits(1);
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
        assertNothingWaits(3);
    }

    @Test
    void lateLineIsResolvedAtOnceWithoutWaiting() throws Exception {
        product(version("p1", "Tea", "0.40", 1 * SECOND));
        watermark(10 * MINUTE);

        line(at("late", "p1", 5 * MINUTE));

        assertThat(namesByLine()).containsExactlyEntriesOf(Map.of("late", "Tea"));
        assertNothingWaits(1);
    }

    @Test
    void lateLineOfAnUnknownProductPastItsGraceIsRejectedAtOnce() throws Exception {
        watermark(10 * MINUTE);

        line(at("late", "ghost", 5 * MINUTE));

        assertThat(deadLetters())
                .extracting(DeadLetter::reason)
                .containsExactly(RejectReason.UNKNOWN_PRODUCT);
        assertNothingWaits(1);
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
        assertNothingWaits(2);
    }

    @Test
    void versionsSupersededLongBeforeTheWatermarkArePrunedToTheNewestOne() throws Exception {
        product(version("p1", "v1", "1.00", 1 * SECOND));
        product(version("p1", "v2", "2.00", 2 * SECOND));
        product(version("p1", "v3", "3.00", 10 * MINUTE));
        // Prunes up to the watermark minus the retention (2 min); v3 is still ahead of that.
        watermark(5 * MINUTE);
        product(version("p1", "v4", "4.00", 20 * MINUTE));

        // v1 is gone: a line late enough to have needed it now gets v2, the newest pruned version.
        line(at("very-late", "p1", 1 * SECOND + 1));

        assertThat(namesByLine()).containsExactlyEntriesOf(Map.of("very-late", "v2"));
    }

    @Test
    void lineBehindTheWatermarkThatCanStillCountGetsTheVersionOfItsOwnTime() throws Exception {
        // With 1 min allowed lateness, a line up to 2 min behind the watermark can still count
        // in an aggregate, so it must still find the version in force at its event time, though
        // the grace period is only 10 s.
        harness.close();
        harness = newHarness(Duration.ofSeconds(10), Duration.ofMinutes(1), 1, 1, 0);
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

        List<ProductChange> pruned = pruneCatalog(sorted, 300);

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

        assertThat(pruneCatalog(sorted, 99)).isEqualTo(sorted);
        assertThat(pruneCatalog(sorted, 199)).isEqualTo(sorted);
        assertThat(pruneCatalog(List.of(), 1_000)).isEmpty();
    }

    @Test
    void pruneKeepsADelistingAsTheNewestVersion() {
        List<ProductChange> sorted =
                List.of(version("p1", "v1", "1.00", 100), delisting("p1", 200));

        List<ProductChange> pruned = pruneCatalog(sorted, 500);

        assertThat(pruned).singleElement().satisfies(v -> assertThat(v.delisted()).isTrue());
    }

    // ---- EUR at event time (ported from FxConversionTest)

    @Test
    void eurLineIsPricedAtRateOneWithHalfEvenCents() throws Exception {
        product(version("p1", "Tea", "2.335", 0));
        line(online("o1", "p1", 1, "10.005", "EUR", 10 * SECOND));

        // EUR needs no rate, but the catalog version may still change: it waits like any line.
        watermark(10 * SECOND);

        // 10.005 is a tie: half-even gives 10.00 where half-up would give 10.01; the margin
        // 10.00 - 2.335 = 7.665 is a tie too: 7.66, not 7.67.
        assertThat(priced())
                .singleElement()
                .satisfies(
                        p -> {
                            assertThat(p.eurPerUnit()).isEqualByComparingTo(BigDecimal.ONE);
                            assertThat(p.revenueCents()).isEqualTo(1000);
                            assertThat(p.marginCents()).isEqualTo(766);
                            assertThat(p.productName()).isEqualTo("Tea");
                            assertThat(p.category()).isEqualTo("cat-Tea");
                        });
        assertNothingWaits(1);
    }

    @Test
    void nonEurLineWaitsUntilTheWatermarkPassesItsEventTime() throws Exception {
        teaAtTenPointFiveCents();
        rate("USD", "0.5", 1 * SECOND);
        line(usd("o1", 10 * SECOND));

        watermark(10 * SECOND - 1);
        assertThat(priced()).isEmpty();

        watermark(10 * SECOND);
        assertThat(priced()).extracting(PricedLine::revenueCents).containsExactly(82L);
        assertNothingWaits(1);
    }

    @Test
    void lineTakesTheLatestRateValidAtOrBeforeItsEventTimeWhateverOrderRatesArriveIn()
            throws Exception {
        teaAtTenPointFiveCents();
        rate("USD", "0.25", 3 * SECOND);
        rate("USD", "0.9", 1 * SECOND);
        rate("USD", "0.5", 2 * SECOND);
        line(usd("before-0.5", 2 * SECOND - 1));
        line(usd("exactly-0.5", 2 * SECOND));
        line(usd("in-0.5", 2 * SECOND + 500));
        line(usd("exactly-0.25", 3 * SECOND));

        watermark(10 * SECOND);

        // 3 x 0.55 USD: at 0.9 that is 1.485 -> 1.48 (half-even), at 0.5 0.825 -> 0.82, at 0.25
        // 0.4125 -> 0.41. Margins subtract 3 x 0.105 = 0.315: 1.165 -> 1.16, 0.505 -> 0.50,
        // 0.095 -> 0.10.
        assertThat(byLine(PricedLine::revenueCents))
                .containsExactlyInAnyOrderEntriesOf(
                        Map.of(
                                "before-0.5", 148L,
                                "exactly-0.5", 82L,
                                "in-0.5", 82L,
                                "exactly-0.25", 41L));
        assertThat(byLine(PricedLine::marginCents))
                .containsExactlyInAnyOrderEntriesOf(
                        Map.of(
                                "before-0.5", 116L,
                                "exactly-0.5", 50L,
                                "in-0.5", 50L,
                                "exactly-0.25", 10L));
        assertThat(byLine(p -> p.eurPerUnit().toPlainString()))
                .containsExactlyInAnyOrderEntriesOf(
                        Map.of(
                                "before-0.5", "0.9",
                                "exactly-0.5", "0.5",
                                "in-0.5", "0.5",
                                "exactly-0.25", "0.25"));
        assertNothingWaits(4);
    }

    @Test
    void missingRateSendsTheLineToDeadLettersOnlyOnceTheWatermarkPassesEventTimePlusGrace()
            throws Exception {
        product(version("p1", "Tea", "1.00", 0));
        line(online("o1", "p1", 1, "5.00", "GBP", 10 * SECOND));

        watermark(10 * SECOND + GRACE.toMillis() - 1);
        assertThat(deadLetters()).isEmpty();
        assertThat(harness.numEventTimeTimers()).isEqualTo(1);

        watermark(10 * SECOND + GRACE.toMillis());
        assertThat(priced()).isEmpty();
        assertThat(deadLetters())
                .singleElement()
                .satisfies(
                        d -> {
                            assertThat(d.reason()).isEqualTo(RejectReason.NO_FX_RATE);
                            assertThat(d.lineId()).isEqualTo("o1");
                            assertThat(d.sourceTopic()).isEqualTo("sales-online");
                            assertThat(d.message()).contains("GBP");
                        });
        assertNothingWaits(1);
    }

    @Test
    void rateArrivingWithinTheGracePeriodRescuesTheLineAtTheRateInForceAtItsTime()
            throws Exception {
        teaAtTenPointFiveCents();
        line(usd("o1", 10 * SECOND));
        watermark(30 * SECOND);
        assertThat(priced()).isEmpty();

        // Both published after the watermark passed them, while the line waits out its grace.
        rate("USD", "0.5", 5 * SECOND);
        rate("USD", "0.9", 20 * SECOND);
        watermark(10 * SECOND + GRACE.toMillis());

        assertThat(priced()).extracting(PricedLine::revenueCents).containsExactly(82L);
        assertThat(deadLetters()).isEmpty();
        assertNothingWaits(1);
    }

    @Test
    void watermarkJumpingPastSeveralRatesStillGivesEachWaitingLineItsOwnRate() throws Exception {
        teaAtTenPointFiveCents();
        rate("USD", "0.9", 1 * SECOND);
        rate("USD", "0.5", 3 * SECOND);
        rate("USD", "0.25", 4 * SECOND);
        line(usd("at-0.9", 2 * SECOND));
        line(usd("at-0.5", 3 * SECOND + 500));

        watermark(Long.MAX_VALUE);

        assertThat(byLine(PricedLine::revenueCents))
                .containsExactlyInAnyOrderEntriesOf(Map.of("at-0.9", 148L, "at-0.5", 82L));
        assertNothingWaits(2);
    }

    @Test
    void lateLineIsConvertedAtOnce() throws Exception {
        teaAtTenPointFiveCents();
        rate("USD", "0.5", 1 * SECOND);
        watermark(10 * MINUTE);

        line(usd("late", 5 * MINUTE));

        assertThat(priced()).extracting(PricedLine::revenueCents).containsExactly(82L);
        assertNothingWaits(1);
    }

    @Test
    void ratesPrunedBelowTheWatermarkLeaveTheNewestForLateLines() throws Exception {
        teaAtTenPointFiveCents();
        rate("USD", "0.9", 1 * SECOND);
        rate("USD", "0.5", 2 * SECOND);
        watermark(5 * MINUTE);
        rate("USD", "0.25", 10 * MINUTE);

        // Needed 0.9, which is pruned: the newest pruned rate, 0.5, now applies from the start.
        line(usd("very-late", 1 * SECOND + 1));

        assertThat(priced()).extracting(PricedLine::revenueCents).containsExactly(82L);
    }

    @Test
    void pruneKeepsTheNewestRateAtOrBelowTheHorizonFromTheFirstRatesValidity() {
        List<SalePricing.RateVersion> sorted =
                List.of(
                        rateVersion(100, "0.9"),
                        rateVersion(200, "0.8"),
                        rateVersion(300, "0.7"),
                        rateVersion(400, "0.6"));

        assertThat(pruneRates(sorted, 300))
                .containsExactly(rateVersion(100, "0.7"), rateVersion(400, "0.6"));
        assertThat(pruneRates(sorted, 299))
                .containsExactly(rateVersion(100, "0.8"), sorted.get(2), sorted.get(3));
    }

    @Test
    void pruneLeavesTheListAloneWhenAtMostOneRateIsBelowTheHorizon() {
        List<SalePricing.RateVersion> sorted =
                List.of(rateVersion(100, "0.9"), rateVersion(200, "0.8"));

        assertThat(pruneRates(sorted, 50)).isEqualTo(sorted);
        assertThat(pruneRates(sorted, 150)).isEqualTo(sorted);
        assertThat(pruneRates(List.of(), 1_000)).isEmpty();
    }

    // ---- deduplication (ported from ResendFilterTest)

    @Test
    void firstDeliveryGoesOnAndAResendOfTheOrderIsADuplicate() throws Exception {
        pricesAtOnce();
        SaleLine first = order("o-1", 2, 10);
        SaleLine resend = order("o-1", 2, 15);

        line(first);
        line(resend);

        assertThat(lines(priced())).containsExactly(first);
        assertThat(deadLetters()).singleElement().satisfies(d -> assertDuplicate(d, resend));
        assertThat(deadLetters().get(0).message())
                .contains("order 'o-1'")
                .contains("partition 2 offset 10")
                .contains(HORIZON.toString());
    }

    @Test
    void aResendOfALineStillWaitingIsADuplicateAndOnlyTheFirstIsPriced() throws Exception {
        product(version("p1", "Tea", "0.40", 0));
        SaleLine first = order("o-1", 2, 10);
        line(first);
        line(order("o-1", 2, 15));

        assertThat(priced()).isEmpty();
        assertThat(deadLetters()).extracting(DeadLetter::offset).containsExactly(15L);

        watermark(SALE_TIME);
        assertThat(lines(priced())).containsExactly(first);
        assertNothingWaits(1);
    }

    @Test
    void resendIsADuplicateWhateverTheWatermark() throws Exception {
        // A resend carries the original's event time: it must not become late instead.
        pricesAtOnce();
        line(order("o-1", 0, 1));
        watermark(Long.MAX_VALUE - 1);

        line(order("o-1", 0, 2));

        assertThat(deadLetters())
                .extracting(DeadLetter::reason)
                .containsExactly(RejectReason.DUPLICATE);
    }

    @Test
    void allLinesOfTheFirstReceiptGoOnAndAResentReceiptIsDroppedWhole() throws Exception {
        pricesAtOnce();
        List<SaleLine> first = receipt("r-1", 3, 0, 5);
        List<SaleLine> resend = receipt("r-1", 3, 1, 7);

        first.forEach(this::line);
        resend.forEach(this::line);

        assertThat(lines(priced())).isEqualTo(first);
        assertThat(deadLetters())
                .extracting(
                        DeadLetter::lineId,
                        DeadLetter::partition,
                        DeadLetter::offset,
                        DeadLetter::reason)
                .containsExactly(
                        tuple("r-1#0", 1, 7L, RejectReason.DUPLICATE),
                        tuple("r-1#1", 1, 7L, RejectReason.DUPLICATE),
                        tuple("r-1#2", 1, 7L, RejectReason.DUPLICATE));
        assertThat(deadLetters())
                .allSatisfy(d -> assertThat(d.sourceTopic()).isEqualTo("sales-store"));
        assertThat(deadLetters().get(0).message()).contains("receipt 'r-1'");
        assertThat(harness.numKeyedStateEntries()).as("one entry per sale, not per line").isOne();
    }

    @Test
    void sameIdOnTheOtherChannelIsAnotherSale() throws Exception {
        pricesAtOnce();
        SaleLine order = order("x-1", 0, 1);
        List<SaleLine> receipt = receipt("x-1", 1, 0, 1);

        line(order);
        receipt.forEach(this::line);

        assertThat(lines(priced())).containsExactly(order, receipt.get(0));
        assertThat(deadLetters()).isEmpty();
    }

    @Test
    void aResendWithinTheHorizonIsADuplicateAndOneAfterItCountsAgain() throws Exception {
        pricesAtOnce();
        line(order("o-1", 0, 1));
        harness.setStateTtlProcessingTime(HORIZON_MILLIS - 1);
        line(order("o-1", 0, 2));

        harness.setStateTtlProcessingTime(HORIZON_MILLIS);
        SaleLine afterHorizon = order("o-1", 0, 3);
        line(afterHorizon);

        assertThat(deadLetters()).extracting(DeadLetter::offset).containsExactly(2L);
        assertThat(lines(priced())).hasSize(2).last().isEqualTo(afterHorizon);
        // The delivery after the horizon is the new first delivery.
        harness.setStateTtlProcessingTime(2 * HORIZON_MILLIS - 1);
        line(order("o-1", 0, 4));
        assertThat(deadLetters()).extracting(DeadLetter::offset).containsExactly(2L, 4L);
    }

    @Test
    void aResendDoesNotExtendTheHorizon() throws Exception {
        pricesAtOnce();
        line(order("o-1", 0, 1));
        harness.setStateTtlProcessingTime(HORIZON_MILLIS / 2);
        line(order("o-1", 0, 2));

        harness.setStateTtlProcessingTime(HORIZON_MILLIS);
        line(order("o-1", 0, 3));

        assertThat(deadLetters()).extracting(DeadLetter::offset).containsExactly(2L);
        assertThat(lines(priced())).extracting(SaleLine::sourceOffset).containsExactly(1L, 3L);
    }

    @Test
    void onceLinesArePricedNoTimersRemainAndOneSmallEntryPerSale() throws Exception {
        pricesAtOnce();
        line(order("o-1", 0, 1));
        line(order("o-2", 0, 2));
        receipt("r-1", 5, 1, 1).forEach(this::line);
        line(order("o-1", 0, 3));

        assertThat(harness.numProcessingTimeTimers()).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
        assertThat(harness.numKeyedStateEntries()).isEqualTo(3);
    }

    @Test
    void expiredEntriesAreRemovedAsLaterSalesArrive() throws Exception {
        harness.close();
        // The job's key groups: the sweep walks them all.
        harness = newHarness(GRACE, LATENESS, MAX_PARALLELISM, 1, 0);
        harness.setStateTtlProcessingTime(0);
        harness.open();
        pricesAtOnce();
        for (int i = 0; i < 1_000; i++) {
            line(order("o-old-" + i, 0, i));
        }
        harness.setStateTtlProcessingTime(HORIZON_MILLIS);

        // Heap state: each access to the TTL state also visits the next hash bucket of the
        // table (Flink's incremental cleanup, cleanup size 1: a bucket, not an entry) and drops
        // the expired entries in it, so expired entries leave as later sales arrive.
        for (int i = 0; i < 2_000; i++) {
            line(order("o-new-" + i, 0, 10_000 + i));
        }
        assertThat(harness.numKeyedStateEntries()).isLessThan(3_000);

        // A line accesses it twice; 128 key groups of 128 buckets (none holds 96 entries, so
        // none grows) take 8,192 sales to sweep whole, plus a step per key group to move on.
        for (int i = 2_000; i < 8_400; i++) {
            line(order("o-new-" + i, 0, 10_000 + i));
        }
        assertThat(harness.numKeyedStateEntries()).isEqualTo(8_400);
    }

    @Test
    void expiredEntriesAreLeftOutOfSnapshots() throws Exception {
        pricesAtOnce();
        line(order("o-1", 0, 1));
        line(order("o-2", 0, 2));
        harness.setStateTtlProcessingTime(HORIZON_MILLIS / 2);
        line(order("o-3", 0, 3));

        harness.setStateTtlProcessingTime(HORIZON_MILLIS);
        OperatorSubtaskState snapshot = harness.snapshot(1L, 1L);
        restore(snapshot, HORIZON_MILLIS);

        assertThat(harness.numKeyedStateEntries()).as("only o-3 outlived the horizon").isOne();
        line(order("o-3", 0, 4));
        assertThat(deadLetters()).extracting(DeadLetter::lineId).containsExactly("o-3");
    }

    @Test
    void firstDeliveriesSurviveASnapshotAndRestore() throws Exception {
        pricesAtOnce();
        line(order("o-1", 0, 1));
        receipt("r-1", 2, 1, 1).forEach(this::line);
        harness.setStateTtlProcessingTime(10_000);
        OperatorSubtaskState snapshot = harness.snapshot(1L, 1L);

        restore(snapshot, 20_000);
        // The sources' watermarks start again after a restore; the catalog was restored.
        watermark(SALE_TIME);
        SaleLine newSale = order("o-2", 0, 2);
        line(order("o-1", 0, 3));
        receipt("r-1", 2, 1, 2).forEach(this::line);
        line(newSale);
        // A line of the first receipt itself, replayed from the restored source position.
        line(receipt("r-1", 2, 1, 1).get(1));

        assertThat(deadLetters())
                .extracting(DeadLetter::lineId, DeadLetter::offset)
                .containsExactly(tuple("o-1", 3L), tuple("r-1#0", 2L), tuple("r-1#1", 2L));
        assertThat(lines(priced())).extracting(SaleLine::lineId).containsExactly("o-2", "r-1#1");

        // The remembered first deliveries keep their age across the restore.
        harness.setStateTtlProcessingTime(HORIZON_MILLIS);
        line(order("o-1", 0, 4));
        assertThat(lines(priced()))
                .extracting(SaleLine::lineId)
                .containsExactly("o-2", "r-1#1", "o-1");
    }

    @Test
    void firstDeliveriesFollowTheirSalesAndEverySubtaskGetsTheCatalogWhenRescaled()
            throws Exception {
        harness.close();
        harness = newHarness(GRACE, LATENESS, MAX_PARALLELISM, 1, 0);
        harness.setStateTtlProcessingTime(0);
        harness.open();
        pricesAtOnce();
        List<String> orders = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            orders.add("o-" + i);
            line(order("o-" + i, 0, i));
        }
        OperatorSubtaskState snapshot = harness.snapshot(1L, 1L);

        List<Integer> entries = new ArrayList<>();
        int duplicates = 0;
        for (int subtask = 0; subtask < 2; subtask++) {
            harness.close();
            harness = newHarness(GRACE, LATENESS, MAX_PARALLELISM, 2, subtask);
            harness.setStateTtlProcessingTime(0);
            harness.initializeState(
                    AbstractStreamOperatorTestHarness.repartitionOperatorState(
                            snapshot, MAX_PARALLELISM, 1, 2, subtask));
            harness.open();
            for (String id : orders) {
                SaleLine resend = order(id, 1, 1_000);
                if (subtaskOf(resend) == subtask) {
                    line(resend);
                }
            }
            entries.add(harness.numKeyedStateEntries());
            duplicates += deadLetters().size();
            assertThat(priced()).isEmpty();

            // A new sale of this subtask finds the restored catalog (broadcast to every subtask).
            SaleLine newSale = null;
            for (int i = 0; newSale == null; i++) {
                SaleLine candidate = order("new-" + i, 1, 2_000 + i);
                if (subtaskOf(candidate) == subtask) {
                    newSale = candidate;
                }
            }
            line(newSale);
            watermark(SALE_TIME);
            assertThat(namesByLine()).containsExactlyEntriesOf(Map.of(newSale.lineId(), "Tea"));
        }

        assertThat(entries).allSatisfy(n -> assertThat(n).isPositive());
        assertThat(entries.get(0) + entries.get(1)).isEqualTo(20);
        assertThat(duplicates).isEqualTo(20);
    }

    // ---- savepoints (issue 13)

    @Test
    void aSnapshotRestoresAndALineWaitingAtSnapshotTimeIsReleasedAfterIt() throws Exception {
        product(version("p1", "v1", "1.00", 1 * SECOND));
        product(version("p1", "v2", "2.00", 20 * SECOND));
        watermark(5 * SECOND);
        line(at("early", "p1", 2 * SECOND));
        line(at("waiting", "p1", 10 * SECOND));
        assertThat(namesByLine()).containsExactlyEntriesOf(Map.of("early", "v1"));
        OperatorSubtaskState snapshot = harness.snapshot(1L, 1L);

        restore(snapshot, 0);
        assertThat(harness.numEventTimeTimers()).as("the waiting line's timer").isOne();
        line(resendOf(at("early", "p1", 2 * SECOND)));
        watermark(10 * SECOND);
        line(at("after", "p1", 25 * SECOND));
        watermark(25 * SECOND);

        // "early" went out before the snapshot; the restored harness has a fresh output.
        assertThat(namesByLine())
                .containsExactlyInAnyOrderEntriesOf(Map.of("waiting", "v1", "after", "v2"));
        assertThat(deadLetters())
                .extracting(DeadLetter::lineId, DeadLetter::reason)
                .containsExactly(tuple("early", RejectReason.DUPLICATE));
        assertNothingWaits(3);

        // What this layout snapshots after a restore restores again.
        line(at("last", "p1", 30 * SECOND));
        OperatorSubtaskState again = harness.snapshot(2L, 2L);
        restore(again, 0);
        watermark(30 * SECOND);
        assertThat(namesByLine()).containsExactlyEntriesOf(Map.of("last", "v2"));
    }

    @Test
    void aSnapshotWithoutThisStateLayoutIsRefusedWithWhatToDo() throws Exception {
        String message = refusalOf(snapshotOfTheDedupStage(null));

        assertThat(message)
                .contains("earlier version")
                .contains(
                        "state layout 1: lines enriched in stages keyed by product and by currency")
                .contains("cannot take over the lines held in the old stages")
                .contains("Savepoint compatibility")
                .contains("committed");
    }

    @Test
    void aSnapshotOfStateLayout2IsRefusedWithWhyAndWhatToDo() throws Exception {
        String message = refusalOf(snapshotOfTheDedupStage(2));

        assertThat(message)
                .contains("taken by an earlier version of sales-aggregator")
                .contains("state layout 2: one-minute windows keyed by seller, product or region")
                .contains("This version (state layout 4) keys the one-minute windows")
                .contains("split between the old keys and the new ones")
                .contains("the restore is refused")
                .contains("from the input topics' committed offsets")
                .contains("from a fresh start")
                .contains("'Savepoint compatibility'")
                .doesNotContain("state layout 1");
    }

    @Test
    void aSnapshotOfStateLayout3IsRefusedWithWhyAndWhatToDo() throws Exception {
        String message = refusalOf(snapshotOfTheDedupStage(3));

        assertThat(message)
                .contains("taken by an earlier version of sales-aggregator")
                .contains("state layout 3: five-minute units per product built from a one-minute")
                .contains("This version (state layout 4) builds the panes in the five-minute stage")
                .contains("cannot take over the panes open in the savepoint's pane window")
                .contains("the restore is refused")
                .contains("from the input topics' committed offsets")
                .contains("from a fresh start")
                .contains("'Savepoint compatibility'")
                .doesNotContain("state layout 2");
    }

    @Test
    void aSnapshotOfALaterStateLayoutIsRefused() throws Exception {
        assertThat(refusalOf(snapshotOfTheDedupStage(5)))
                .contains("taken by a later version of sales-aggregator (state layout 5)")
                .contains("the restore is refused");
    }

    @Test
    void aSnapshotOfStateLayout4Restores() throws Exception {
        restore(snapshotOfTheDedupStage(4), 0);
        pricesAtOnce();

        line(order("o-1", 0, 3));
        line(order("o-2", 0, 4));

        assertThat(lines(priced())).extracting(SaleLine::lineId).containsExactly("o-2");
        assertThat(deadLetters())
                .extracting(DeadLetter::lineId, DeadLetter::reason)
                .as("the restored first delivery of o-1")
                .containsExactly(tuple("o-1", RejectReason.DUPLICATE));
    }

    /** Restores {@code snapshot} into a new stage; the messages of the refusal it throws. */
    private static String refusalOf(OperatorSubtaskState snapshot) throws Exception {
        Throwable thrown;
        try (var restored = newHarness(GRACE, LATENESS, 1, 1, 0)) {
            thrown = catchThrowable(() -> restored.initializeState(snapshot));
        }
        SuppressRestartsException refusal = find(thrown, SuppressRestartsException.class);
        assertThat(refusal)
                .as("no restart loop on a savepoint that can never restore: %s", thrown)
                .isNotNull();
        return messages(refusal);
    }

    // ---- harness

    private static KeyedTwoInputStreamOperatorTestHarness<
                    String, SaleLine, ReferenceChange, PricedLine>
            newHarness(
                    Duration grace,
                    Duration lateness,
                    int maxParallelism,
                    int parallelism,
                    int subtask)
                    throws Exception {
        return new KeyedTwoInputStreamOperatorTestHarness<>(
                new SalePricing(HORIZON, grace, lateness, TOPICS),
                new SaleIdentity(),
                NO_KEY,
                SaleIdentity.KEY_TYPE,
                maxParallelism,
                parallelism,
                subtask);
    }

    /** Replaces the harness with a new one restored from {@code snapshot}. */
    private void restore(OperatorSubtaskState snapshot, long ttlTime) throws Exception {
        harness.close();
        harness = newHarness(GRACE, LATENESS, 1, 1, 0);
        harness.setStateTtlProcessingTime(ttlTime);
        harness.initializeState(snapshot);
        harness.open();
    }

    /**
     * A snapshot of the stage that deduplicates by sale identity (uid {@code dedup-sales}): the
     * same key and the same first-delivery state (of o-1) as this one, marked with state layout
     * {@code layout}, or without the marker, as layout 1 (a stage of its own then) had none.
     */
    private static OperatorSubtaskState snapshotOfTheDedupStage(Integer layout) throws Exception {
        try (var earlier =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        layout == null
                                ? new KeyedProcessOperator<>(new EarlierDedup())
                                : new MarkedDedup(layout),
                        new SaleIdentity(),
                        Types.STRING)) {
            earlier.open();
            earlier.processElement(order("o-1", 0, 1), SALE_TIME);
            earlier.processElement(order("o-1", 0, 2), SALE_TIME);
            assertThat(earlier.extractOutputValues()).hasSize(1);
            return earlier.snapshot(1L, 1L);
        }
    }

    /** The dedup state, its snapshots marked as {@link SalePricing}'s are: "state-layout". */
    private static final class MarkedDedup
            extends KeyedProcessOperator<String, SaleLine, SaleLine> {

        private final int layout;
        private transient ListState<Integer> marker;

        MarkedDedup(int layout) {
            super(new EarlierDedup());
            this.layout = layout;
        }

        @Override
        public void initializeState(StateInitializationContext context) throws Exception {
            super.initializeState(context);
            marker =
                    context.getOperatorStateStore()
                            .getUnionListState(
                                    new ListStateDescriptor<>(
                                            "state-layout", IntSerializer.INSTANCE));
        }

        @Override
        public void snapshotState(StateSnapshotContext context) throws Exception {
            super.snapshotState(context);
            marker.update(List.of(layout));
        }
    }

    /** What the dedup stage keeps per sale identity: the first delivery, with a TTL. */
    private static final class EarlierDedup
            extends KeyedProcessFunction<String, SaleLine, SaleLine> {

        private transient ValueState<SourcePosition> firstDelivery;

        @Override
        public void open(OpenContext openContext) {
            ValueStateDescriptor<SourcePosition> descriptor =
                    new ValueStateDescriptor<>(
                            "first-delivery", TypeInformation.of(SourcePosition.class));
            descriptor.enableTimeToLive(
                    StateTtlConfig.newBuilder(HORIZON)
                            .updateTtlOnCreateAndWrite()
                            .neverReturnExpired()
                            .cleanupFullSnapshot()
                            .build());
            firstDelivery = getRuntimeContext().getState(descriptor);
        }

        @Override
        public void processElement(SaleLine line, Context ctx, Collector<SaleLine> out)
                throws Exception {
            if (firstDelivery.value() == null) {
                firstDelivery.update(
                        new SourcePosition(line.sourcePartition(), line.sourceOffset()));
                out.collect(line);
            }
        }
    }

    private static <T extends Throwable> T find(Throwable thrown, Class<T> type) {
        for (Throwable t = thrown; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }

    /** The messages of {@code thrown} and its causes, one a line. */
    private static String messages(Throwable thrown) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = thrown; t != null; t = t.getCause()) {
            all.append(t.getMessage()).append('\n');
        }
        return all.toString();
    }

    private static int subtaskOf(SaleLine line) {
        return KeyGroupRangeAssignment.assignKeyToParallelOperator(
                SaleIdentity.of(line), MAX_PARALLELISM, 2);
    }

    /** Products p0 to p4 known from time 0 and the watermark past the dedup tests' sales. */
    private void pricesAtOnce() throws Exception {
        for (int i = 0; i < 5; i++) {
            product(version("p" + i, "Tea", "0.40", 0));
        }
        watermark(SALE_TIME);
    }

    private void teaAtTenPointFiveCents() throws Exception {
        product(version("p1", "Tea", "0.105", 0));
    }

    private void line(SaleLine line) {
        try {
            harness.processElement1(line, line.eventTime());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private void product(ProductChange change) throws Exception {
        harness.processElement2(ReferenceChange.of(change), change.validFrom());
    }

    private void rate(String currency, String eurPerUnit, long validFrom) throws Exception {
        harness.processElement2(
                ReferenceChange.of(Lines.rate(currency, eurPerUnit, validFrom)), validFrom);
    }

    /** Both inputs' watermarks, as the old single-clock tests drove them. */
    private void watermark(long time) throws Exception {
        harness.processBothWatermarks(new Watermark(time));
    }

    private void salesWatermark(long time) throws Exception {
        harness.processWatermark1(new Watermark(time));
    }

    private void referenceWatermark(long time) throws Exception {
        harness.processWatermark2(new Watermark(time));
    }

    private List<Long> outputWatermarks() {
        return harness.getOutput().stream()
                .filter(o -> o instanceof Watermark)
                .map(o -> ((Watermark) o).getTimestamp())
                .toList();
    }

    private List<PricedLine> priced() {
        return harness.extractOutputValues();
    }

    private static List<SaleLine> lines(List<PricedLine> priced) {
        return priced.stream().map(PricedLine::line).toList();
    }

    private Map<String, String> namesByLine() {
        return byLine(PricedLine::productName);
    }

    private <V> Map<String, V> byLine(Function<PricedLine, V> value) {
        return priced().stream().collect(Collectors.toMap(p -> p.line().lineId(), value));
    }

    private List<DeadLetter> deadLetters() {
        var records = harness.getSideOutput(DeadLetters.TAG);
        // Null until the first dead letter.
        return records == null ? List.of() : records.stream().map(StreamRecord::getValue).toList();
    }

    /** No line waits and no timer is left; only the first deliveries of {@code sales} stay. */
    private void assertNothingWaits(int sales) {
        assertThat(harness.numEventTimeTimers()).as("event-time timers").isZero();
        assertThat(harness.numProcessingTimeTimers()).as("processing-time timers").isZero();
        // One entry per sale for its first delivery; waiting lines would add a second one.
        assertThat(harness.numKeyedStateEntries()).as("keyed state entries").isEqualTo(sales);
    }

    private static void assertDuplicate(DeadLetter d, SaleLine resend) {
        assertThat(d.reason()).isEqualTo(RejectReason.DUPLICATE);
        assertThat(d.sourceTopic()).isEqualTo("sales-online");
        assertThat(d.partition()).isEqualTo(resend.sourcePartition());
        assertThat(d.offset()).isEqualTo(resend.sourceOffset());
        assertThat(d.lineId()).isEqualTo(resend.lineId());
        assertThat(new String(d.key(), StandardCharsets.UTF_8)).isEqualTo(resend.orderId());
    }

    /** The same line read again from another offset of its partition: an upstream resend. */
    private static SaleLine resendOf(SaleLine line) {
        return new SaleLine(
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
                line.eventTime(),
                line.sourcePartition(),
                line.sourceOffset() + 1_000);
    }

    /** 3 x 0.55 USD of product p1. */
    private static SaleLine usd(String lineId, long eventTime) {
        return online(lineId, "p1", 3, "0.55", "USD", eventTime);
    }

    /** An online order of p1 at 2.50 EUR read from {@code partition} at {@code offset}. */
    private static SaleLine order(String orderId, int partition, long offset) {
        return new SaleLine(
                orderId,
                Channel.ONLINE,
                orderId,
                "s1",
                null,
                "eu",
                "p1",
                1,
                new BigDecimal("2.50"),
                "EUR",
                SALE_TIME,
                partition,
                offset);
    }

    /** The {@code lines} lines of a store receipt (products p0, p1, ...) at {@code offset}. */
    private static List<SaleLine> receipt(String receiptId, int lines, int partition, long offset) {
        String[] products = new String[lines];
        for (int i = 0; i < lines; i++) {
            products[i] = "p" + i;
        }
        return receipt(receiptId, partition, offset, SALE_TIME, products);
    }

    /** A store receipt read from {@code partition} at {@code offset}, one line per product. */
    private static List<SaleLine> receipt(
            String receiptId, int partition, long offset, long eventTime, String... products) {
        List<SaleLine> result = new ArrayList<>();
        for (int i = 0; i < products.length; i++) {
            result.add(
                    new SaleLine(
                            receiptId + SaleLine.LINE_INDEX_SEPARATOR + i,
                            Channel.STORE,
                            receiptId,
                            "s1",
                            "store-1",
                            "eu",
                            products[i],
                            1,
                            new BigDecimal("1.00"),
                            "EUR",
                            eventTime,
                            partition,
                            offset));
        }
        return result;
    }

    private static SalePricing.RateVersion rateVersion(long validFrom, String eurPerUnit) {
        return new SalePricing.RateVersion(validFrom, new BigDecimal(eurPerUnit));
    }

    /** {@link VersionHistory#prune} for catalog versions, as {@link SalePricing} calls it. */
    private static List<ProductChange> pruneCatalog(List<ProductChange> sorted, long horizon) {
        return VersionHistory.prune(
                new ArrayList<>(sorted),
                horizon,
                ProductChange::validFrom,
                ProductChange::withValidFrom);
    }

    /** {@link VersionHistory#prune} for rates, as {@link SalePricing} calls it. */
    private static List<SalePricing.RateVersion> pruneRates(
            List<SalePricing.RateVersion> sorted, long horizon) {
        return VersionHistory.prune(
                new ArrayList<>(sorted),
                horizon,
                SalePricing.RateVersion::validFrom,
                SalePricing.RateVersion::withValidFrom);
    }
}

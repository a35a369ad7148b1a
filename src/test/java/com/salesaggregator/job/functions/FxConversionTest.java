package com.salesaggregator.job.functions;

import static com.salesaggregator.job.functions.Lines.MINUTE;
import static com.salesaggregator.job.functions.Lines.SECOND;
import static com.salesaggregator.job.functions.Lines.TOPICS;
import static com.salesaggregator.job.functions.Lines.enriched;
import static com.salesaggregator.job.functions.Lines.online;
import static org.assertj.core.api.Assertions.assertThat;

import com.salesaggregator.codec.RejectReason;
import com.salesaggregator.job.records.DeadLetter;
import com.salesaggregator.job.records.EnrichedLine;
import com.salesaggregator.job.records.PricedLine;
import com.salesaggregator.model.FxRate;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Drives {@link FxConversion} through Flink's keyed two-input operator harness. */
class FxConversionTest {

    private static final Duration GRACE = Duration.ofMinutes(1);

    private KeyedTwoInputStreamOperatorTestHarness<String, EnrichedLine, FxRate, PricedLine>
            harness;

    @BeforeEach
    void openHarness() throws Exception {
        harness =
                new KeyedTwoInputStreamOperatorTestHarness<>(
                        new KeyedCoProcessOperator<>(new FxConversion(GRACE, TOPICS)),
                        line -> line.line().currency(),
                        FxRate::currency,
                        Types.STRING);
        harness.open();
    }

    @AfterEach
    void closeHarness() throws Exception {
        harness.close();
    }

    @Test
    void eurLinePassesAtOnceAtRateOneWithHalfEvenCents() throws Exception {
        // 10.005 is a tie: half-even gives 10.00 where half-up would give 10.01; the margin
        // 10.00 - 2.335 = 7.665 is a tie too: 7.66, not 7.67.
        line(enriched(online("o1", "p1", 1, "10.005", "EUR", 10 * SECOND), "Tea", "2.335"));

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
        // No rate needed, so nothing waits and nothing is kept.
        assertThat(harness.numEventTimeTimers()).isZero();
        assertThat(harness.numKeyedStateEntries()).isZero();
    }

    @Test
    void nonEurLineWaitsUntilTheWatermarkPassesItsEventTime() throws Exception {
        rate("USD", "0.5", 1 * SECOND);
        line(usd("o1", 10 * SECOND));

        watermark(10 * SECOND - 1);
        assertThat(priced()).isEmpty();

        watermark(10 * SECOND);
        assertThat(priced()).extracting(PricedLine::revenueCents).containsExactly(82L);
        assertOnlyRatesLeft(1);
    }

    @Test
    void lineTakesTheLatestRateValidAtOrBeforeItsEventTimeWhateverOrderRatesArriveIn()
            throws Exception {
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
        assertOnlyRatesLeft(1);
    }

    @Test
    void missingRateSendsTheLineToDeadLettersOnlyOnceTheWatermarkPassesEventTimePlusGrace()
            throws Exception {
        line(enriched(online("o1", "p1", 1, "5.00", "GBP", 10 * SECOND), "Tea", "1.00"));

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
        assertThat(harness.numEventTimeTimers()).isZero();
        assertThat(harness.numKeyedStateEntries()).isZero();
    }

    @Test
    void rateArrivingWithinTheGracePeriodRescuesTheLineAtTheRateInForceAtItsTime()
            throws Exception {
        line(usd("o1", 10 * SECOND));
        watermark(30 * SECOND);
        assertThat(priced()).isEmpty();

        // Both published after the watermark passed them, while the line waits out its grace.
        rate("USD", "0.5", 5 * SECOND);
        rate("USD", "0.9", 20 * SECOND);
        watermark(10 * SECOND + GRACE.toMillis());

        assertThat(priced()).extracting(PricedLine::revenueCents).containsExactly(82L);
        assertThat(deadLetters()).isEmpty();
        assertOnlyRatesLeft(1);
    }

    @Test
    void watermarkJumpingPastSeveralRatesStillGivesEachWaitingLineItsOwnRate() throws Exception {
        rate("USD", "0.9", 1 * SECOND);
        rate("USD", "0.5", 3 * SECOND);
        rate("USD", "0.25", 4 * SECOND);
        line(usd("at-0.9", 2 * SECOND));
        line(usd("at-0.5", 3 * SECOND + 500));

        watermark(Long.MAX_VALUE);

        assertThat(byLine(PricedLine::revenueCents))
                .containsExactlyInAnyOrderEntriesOf(Map.of("at-0.9", 148L, "at-0.5", 82L));
        assertOnlyRatesLeft(1);
    }

    @Test
    void lateLineIsConvertedAtOnce() throws Exception {
        rate("USD", "0.5", 1 * SECOND);
        watermark(10 * MINUTE);

        line(usd("late", 5 * MINUTE));

        assertThat(priced()).extracting(PricedLine::revenueCents).containsExactly(82L);
        assertOnlyRatesLeft(1);
    }

    @Test
    void ratesPrunedBelowTheWatermarkLeaveTheNewestForLateLines() throws Exception {
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
        List<FxConversion.RateVersion> sorted =
                List.of(
                        version(100, "0.9"),
                        version(200, "0.8"),
                        version(300, "0.7"),
                        version(400, "0.6"));

        assertThat(FxConversion.prune(new ArrayList<>(sorted), 300))
                .containsExactly(version(100, "0.7"), version(400, "0.6"));
        assertThat(FxConversion.prune(new ArrayList<>(sorted), 299))
                .containsExactly(version(100, "0.8"), sorted.get(2), sorted.get(3));
    }

    @Test
    void pruneLeavesTheListAloneWhenAtMostOneRateIsBelowTheHorizon() {
        List<FxConversion.RateVersion> sorted = List.of(version(100, "0.9"), version(200, "0.8"));

        assertThat(FxConversion.prune(new ArrayList<>(sorted), 50)).isEqualTo(sorted);
        assertThat(FxConversion.prune(new ArrayList<>(sorted), 150)).isEqualTo(sorted);
        assertThat(FxConversion.prune(new ArrayList<>(), 1_000)).isEmpty();
    }

    /** 3 x 0.55 USD of a product that cost 0.105 EUR a unit. */
    private static EnrichedLine usd(String lineId, long eventTime) {
        return enriched(online(lineId, "p1", 3, "0.55", "USD", eventTime), "Tea", "0.105");
    }

    private static FxConversion.RateVersion version(long validFrom, String eurPerUnit) {
        return new FxConversion.RateVersion(validFrom, new BigDecimal(eurPerUnit));
    }

    private void line(EnrichedLine line) throws Exception {
        harness.processElement1(line, line.line().eventTime());
    }

    private void rate(String currency, String eurPerUnit, long validFrom) throws Exception {
        harness.processElement2(Lines.rate(currency, eurPerUnit, validFrom), validFrom);
    }

    private void watermark(long time) throws Exception {
        harness.processBothWatermarks(new Watermark(time));
    }

    private List<PricedLine> priced() {
        return harness.extractOutputValues();
    }

    private <V> Map<String, V> byLine(Function<PricedLine, V> value) {
        return priced().stream().collect(Collectors.toMap(p -> p.line().lineId(), value));
    }

    private List<DeadLetter> deadLetters() {
        var records = harness.getSideOutput(DeadLetters.TAG);
        return records == null ? List.of() : records.stream().map(StreamRecord::getValue).toList();
    }

    /** Nothing waits and no timer is left; only the rates of {@code currencies} stay. */
    private void assertOnlyRatesLeft(int currencies) {
        assertThat(harness.numEventTimeTimers()).as("event-time timers").isZero();
        assertThat(harness.numProcessingTimeTimers()).as("processing-time timers").isZero();
        // One entry per currency for the rates; waiting lines would add a second one.
        assertThat(harness.numKeyedStateEntries()).as("keyed state entries").isEqualTo(currencies);
    }
}

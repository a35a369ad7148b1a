package com.salesaggregator.job.functions;

import com.salesaggregator.codec.RejectReason;
import com.salesaggregator.job.records.EnrichedLine;
import com.salesaggregator.job.records.PricedLine;
import com.salesaggregator.model.FxRate;
import com.salesaggregator.model.SaleLine;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Converts lines to EUR at the rate in force at their event time, keyed by currency: an event-time
 * temporal join. A line waits until the watermark passes its event time (no earlier rate can still
 * come), then takes the rate with the latest {@code valid_from} at or before it and computes its
 * revenue and margin in cents, once (see {@link Money}). EUR needs no rate. Without a rate after a
 * grace period the line goes to the dead letters as {@code NO_FX_RATE}.
 *
 * <p>Rates superseded well below the watermark (more than the grace period, and more than a minute
 * plus the allowed lateness) are pruned except the newest, which then applies to any older (late)
 * line back to the first rate's validity.
 */
public final class FxConversion
        extends KeyedCoProcessFunction<String, EnrichedLine, FxRate, PricedLine> {

    /** The currency every figure is reported in. */
    public static final String EUR = "EUR";

    private final long graceMillis;
    private final long retentionMillis;
    private final DeadLetters.SourceTopics sourceTopics;

    private transient ValueState<List<RateVersion>> rates;
    private transient WaitingLines<EnrichedLine> waiting;

    /**
     * One rate in force from {@code validFrom} on.
     *
     * @param validFrom epoch millis
     * @param eurPerUnit EUR per unit of the key currency
     */
    public record RateVersion(long validFrom, BigDecimal eurPerUnit) {}

    public FxConversion(Duration grace, DeadLetters.SourceTopics sourceTopics) {
        this(grace, Duration.ZERO, sourceTopics);
    }

    /**
     * @param grace how long a line waits for reference data that is not there yet
     * @param allowedLateness the aggregates' allowed lateness: a line up to a minute plus this
     *     behind the watermark still counts, so it must still find the version of its time
     * @param sourceTopics where lines come from, for dead letters
     */
    public FxConversion(
            Duration grace, Duration allowedLateness, DeadLetters.SourceTopics sourceTopics) {
        this.graceMillis = grace.toMillis();
        this.retentionMillis = VersionHistory.retentionMillis(grace, allowedLateness);
        this.sourceTopics = sourceTopics;
    }

    @Override
    public void open(OpenContext openContext) {
        rates =
                getRuntimeContext()
                        .getState(
                                new ValueStateDescriptor<>(
                                        "fx-rates",
                                        Types.LIST(TypeInformation.of(RateVersion.class))));
        waiting =
                new WaitingLines<>(
                        getRuntimeContext()
                                .getMapState(
                                        WaitingLines.descriptor(
                                                "lines-waiting-for-rate", EnrichedLine.class)),
                        getRuntimeContext()
                                .getState(
                                        WaitingLines.releaseTimesDescriptor(
                                                "release-times-for-rate")),
                        getRuntimeContext()
                                .getState(
                                        WaitingLines.nextReleaseDescriptor(
                                                "next-release-for-rate")));
    }

    @Override
    public void processElement1(EnrichedLine line, Context ctx, Collector<PricedLine> out)
            throws Exception {
        if (EUR.equals(line.line().currency())) {
            out.collect(price(line, BigDecimal.ONE));
            return;
        }
        long watermark = ctx.timerService().currentWatermark();
        if (line.line().eventTime() <= watermark) {
            resolve(line, watermark, ctx, out);
        } else {
            wait(line, line.line().eventTime(), ctx);
        }
    }

    @Override
    public void processElement2(FxRate rate, Context ctx, Collector<PricedLine> out)
            throws Exception {
        List<RateVersion> updated =
                VersionHistory.insert(
                        rates.value(),
                        new RateVersion(rate.validFrom().toEpochMilli(), rate.eurPerUnit()),
                        RateVersion::validFrom);
        rates.update(
                prune(
                        updated,
                        VersionHistory.horizon(
                                ctx.timerService().currentWatermark(), retentionMillis)));
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<PricedLine> out)
            throws Exception {
        long watermark = ctx.timerService().currentWatermark();
        WaitingLines.Released<EnrichedLine> due = waiting.release(watermark);
        for (EnrichedLine line : due.lines()) {
            resolve(line, watermark, ctx, out);
        }
        waiting.scheduleNext(ctx.timerService());
        List<RateVersion> current = rates.value();
        if (current != null) {
            // The latest release time, not the watermark: when the watermark jumps over several
            // keys' timers, the ones still to fire hold lines that need the rates in force at
            // their time.
            rates.update(
                    prune(
                            new ArrayList<>(current),
                            VersionHistory.horizon(
                                    Math.max(timestamp, due.latestReleaseTime()),
                                    retentionMillis)));
        }
    }

    private void resolve(EnrichedLine line, long watermark, Context ctx, Collector<PricedLine> out)
            throws Exception {
        SaleLine sale = line.line();
        RateVersion rate = rateAt(sale.eventTime());
        if (rate != null) {
            out.collect(price(line, rate.eurPerUnit()));
            return;
        }
        long giveUpAt = sale.eventTime() + graceMillis;
        if (watermark >= giveUpAt) {
            ctx.output(
                    DeadLetters.TAG,
                    DeadLetters.forLine(
                            sale,
                            sourceTopics,
                            RejectReason.NO_FX_RATE,
                            "no "
                                    + sale.currency()
                                    + " rate in force at "
                                    + Instant.ofEpochMilli(sale.eventTime())));
        } else {
            wait(line, giveUpAt, ctx);
        }
    }

    private static PricedLine price(EnrichedLine line, BigDecimal eurPerUnit) {
        SaleLine sale = line.line();
        long revenue = Money.revenueCents(sale.quantity(), sale.unitPrice(), eurPerUnit);
        long margin = Money.marginCents(revenue, sale.quantity(), line.unitCostEur());
        return new PricedLine(
                sale, line.productName(), line.category(), eurPerUnit, revenue, margin);
    }

    private void wait(EnrichedLine line, long until, Context ctx) throws Exception {
        waiting.hold(line, until, ctx.timerService());
    }

    private RateVersion rateAt(long time) throws Exception {
        return VersionHistory.inForceAt(rates.value(), time, RateVersion::validFrom);
    }

    /** Drops rates superseded at or before {@code horizon} (see {@link VersionHistory#prune}). */
    static List<RateVersion> prune(List<RateVersion> sorted, long horizon) {
        return VersionHistory.prune(
                sorted,
                horizon,
                RateVersion::validFrom,
                (rate, validFrom) -> new RateVersion(validFrom, rate.eurPerUnit()));
    }
}

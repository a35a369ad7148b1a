package com.salesaggregator.job.functions;

import com.salesaggregator.codec.RejectReason;
import com.salesaggregator.job.records.EnrichedLine;
import com.salesaggregator.job.records.ProductChange;
import com.salesaggregator.model.SaleLine;
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
 * Joins sale lines with the catalog version in force at their event time, keyed by product. A line
 * waits until the watermark passes its event time, so that no earlier version can still arrive;
 * then it takes the version with the latest {@code updated_at} at or before it. A line for a
 * product that is not known by then waits a grace period more and then goes to the dead letters as
 * {@code UNKNOWN_PRODUCT}; a line for a delisted product as {@code DELISTED_PRODUCT}.
 *
 * <p>Versions superseded well below the watermark (more than the grace period, and more than a
 * minute plus the allowed lateness, so every line that can still count finds its own) are pruned
 * except the newest, which then applies to any older (late) line back to the first version's
 * validity.
 */
public final class CatalogEnrichment
        extends KeyedCoProcessFunction<String, SaleLine, ProductChange, EnrichedLine> {

    private final long graceMillis;
    private final long retentionMillis;
    private final DeadLetters.SourceTopics sourceTopics;

    private transient ValueState<List<ProductChange>> versions;
    private transient WaitingLines<SaleLine> waiting;

    public CatalogEnrichment(Duration grace, DeadLetters.SourceTopics sourceTopics) {
        this(grace, Duration.ZERO, sourceTopics);
    }

    /**
     * @param grace how long a line waits for reference data that is not there yet
     * @param allowedLateness the aggregates' allowed lateness: a line up to a minute plus this
     *     behind the watermark still counts, so it must still find the version of its time
     * @param sourceTopics where lines come from, for dead letters
     */
    public CatalogEnrichment(
            Duration grace, Duration allowedLateness, DeadLetters.SourceTopics sourceTopics) {
        this.graceMillis = grace.toMillis();
        this.retentionMillis = VersionHistory.retentionMillis(grace, allowedLateness);
        this.sourceTopics = sourceTopics;
    }

    @Override
    public void open(OpenContext openContext) {
        versions =
                getRuntimeContext()
                        .getState(
                                new ValueStateDescriptor<>(
                                        "catalog-versions",
                                        Types.LIST(TypeInformation.of(ProductChange.class))));
        waiting =
                new WaitingLines<>(
                        getRuntimeContext()
                                .getMapState(
                                        WaitingLines.descriptor(
                                                "lines-waiting-for-catalog", SaleLine.class)),
                        getRuntimeContext()
                                .getState(
                                        WaitingLines.releaseTimesDescriptor(
                                                "release-times-for-catalog")),
                        getRuntimeContext()
                                .getState(
                                        WaitingLines.nextReleaseDescriptor(
                                                "next-release-for-catalog")));
    }

    @Override
    public void processElement1(SaleLine line, Context ctx, Collector<EnrichedLine> out)
            throws Exception {
        long watermark = ctx.timerService().currentWatermark();
        if (line.eventTime() <= watermark) {
            resolve(line, watermark, ctx, out);
        } else {
            wait(line, line.eventTime(), ctx);
        }
    }

    @Override
    public void processElement2(ProductChange change, Context ctx, Collector<EnrichedLine> out)
            throws Exception {
        List<ProductChange> updated =
                VersionHistory.insert(versions.value(), change, ProductChange::validFrom);
        versions.update(
                prune(
                        updated,
                        VersionHistory.horizon(
                                ctx.timerService().currentWatermark(), retentionMillis)));
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<EnrichedLine> out)
            throws Exception {
        long watermark = ctx.timerService().currentWatermark();
        WaitingLines.Released<SaleLine> due = waiting.release(watermark);
        for (SaleLine line : due.lines()) {
            resolve(line, watermark, ctx, out);
        }
        waiting.scheduleNext(ctx.timerService());
        List<ProductChange> current = versions.value();
        if (current != null) {
            // The latest release time, not the watermark: when the watermark jumps over several
            // keys' timers, the ones still to fire hold lines that need the versions in force at
            // their time.
            versions.update(
                    prune(
                            new ArrayList<>(current),
                            VersionHistory.horizon(
                                    Math.max(timestamp, due.latestReleaseTime()),
                                    retentionMillis)));
        }
    }

    private void resolve(SaleLine line, long watermark, Context ctx, Collector<EnrichedLine> out)
            throws Exception {
        ProductChange version = versionAt(line.eventTime());
        if (version == null) {
            long giveUpAt = line.eventTime() + graceMillis;
            if (watermark >= giveUpAt) {
                ctx.output(
                        DeadLetters.TAG,
                        DeadLetters.forLine(
                                line,
                                sourceTopics,
                                RejectReason.UNKNOWN_PRODUCT,
                                "product '"
                                        + line.productId()
                                        + "' is not in the catalog at "
                                        + Instant.ofEpochMilli(line.eventTime())));
            } else {
                wait(line, giveUpAt, ctx);
            }
        } else if (version.delisted()) {
            ctx.output(
                    DeadLetters.TAG,
                    DeadLetters.forLine(
                            line,
                            sourceTopics,
                            RejectReason.DELISTED_PRODUCT,
                            "product '"
                                    + line.productId()
                                    + "' was delisted at "
                                    + Instant.ofEpochMilli(version.validFrom())));
        } else {
            out.collect(
                    new EnrichedLine(
                            line, version.name(), version.category(), version.unitCostEur()));
        }
    }

    private void wait(SaleLine line, long until, Context ctx) throws Exception {
        waiting.hold(line, until, ctx.timerService());
    }

    private ProductChange versionAt(long time) throws Exception {
        return VersionHistory.inForceAt(versions.value(), time, ProductChange::validFrom);
    }

    /**
     * Drops versions superseded at or before {@code horizon} (see {@link VersionHistory#prune}).
     */
    static List<ProductChange> prune(List<ProductChange> sorted, long horizon) {
        return VersionHistory.prune(
                sorted,
                horizon,
                ProductChange::validFrom,
                (v, validFrom) ->
                        new ProductChange(
                                v.productId(),
                                v.name(),
                                v.category(),
                                v.unitCostEur(),
                                validFrom,
                                v.delisted()));
    }
}

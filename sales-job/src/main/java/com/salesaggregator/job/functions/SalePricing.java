package com.salesaggregator.job.functions;

import com.salesaggregator.codec.RejectReason;
import com.salesaggregator.job.records.PricedLine;
import com.salesaggregator.job.records.ProductChange;
import com.salesaggregator.job.records.ReferenceChange;
import com.salesaggregator.job.records.SourcePosition;
import com.salesaggregator.model.Channel;
import com.salesaggregator.model.FxRate;
import com.salesaggregator.model.SaleLine;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeutils.base.IntSerializer;
import org.apache.flink.runtime.execution.SuppressRestartsException;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.InternalTimer;
import org.apache.flink.streaming.api.operators.InternalTimerService;
import org.apache.flink.streaming.api.operators.Triggerable;
import org.apache.flink.streaming.api.operators.TwoInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;

/**
 * The one keyed stage between the sources and the aggregates. Sale lines arrive keyed by {@link
 * SaleIdentity}; catalog changes and exchange rates arrive broadcast, so every subtask holds every
 * version (event-time histories in broadcast state, {@link ReferenceVersions}). Each line is:
 *
 * <ol>
 *   <li>deduplicated: the input record that first delivered its sale is remembered for the dedup
 *       horizon (state TTL, processing time, from the first delivery); the lines of any other
 *       record with the same identity are upstream resends and go to the dead letters as {@code
 *       DUPLICATE}, whatever became of the original. The lines of the first record all pass: a
 *       receipt is kept or dropped as a whole;
 *   <li>held, in keyed state, until the <em>reference watermark</em> reaches its event time, so
 *       that no earlier version of its product or its currency can still arrive;
 *   <li>priced at its event time: the catalog version and the EUR rate in force then (EUR needs
 *       none), its revenue and margin computed once in cents ({@link Money}). A product not known
 *       by then, or a currency without a rate, waits a grace period more and then goes to the dead
 *       letters ({@code UNKNOWN_PRODUCT}, {@code NO_FX_RATE}); a delisted product goes there at
 *       once ({@code DELISTED_PRODUCT}).
 * </ol>
 *
 * <p><b>Two clocks.</b> Lines are released by the reference watermark alone (the watermark of the
 * broadcast input; when that input is idle, the sales watermark), not by the combined watermark:
 * the sales watermark trails the sales by their out-of-orderness, the reference watermark follows
 * the reference heartbeats, so a line waits about a heartbeat interval, not the out-of-orderness.
 * Downstream, the operator forwards the usual combined watermark (the smaller of both inputs', idle
 * inputs excluded), by which the chained {@link LatenessRouter} and the windows judge time. Lines
 * released ahead of that watermark are simply early; none is released behind it that was not
 * already behind it on arrival.
 *
 * <p>Versions superseded well below both clocks (by more than the grace period, and more than a
 * minute plus the allowed lateness, so that every line that can still count finds its own) are
 * pruned except the newest, which then applies to any older (late) line back to the first version's
 * validity.
 *
 * <p><b>State layout.</b> This stage replaced three keyed stages (dedup by sale identity, catalog
 * by product, FX by currency) in state layout 2; layout 3 keys the one-minute windows by key and
 * minute ({@link KeyAndMinute}); layout 4 builds the five-minute windows' one-minute panes in
 * {@link SlidingUnitsAssembler} instead of a window stage of their own. None of these changes can
 * carry the old state over (lines waiting in the old stages, windows open under the old keys, panes
 * open in the retired window stage), so this stage, which every snapshot of the job holds, marks
 * its snapshots with the layout ({@value #STATE_LAYOUT}) and refuses a snapshot of another layout
 * on restore with a message saying what to do, instead of restoring partly and giving wrong
 * figures.
 */
public final class SalePricing extends AbstractStreamOperator<PricedLine>
        implements TwoInputStreamOperator<SaleLine, ReferenceChange, PricedLine>,
                Triggerable<String, VoidNamespace> {

    /** The currency every figure is reported in. */
    public static final String EUR = "EUR";

    /**
     * The layout of this job's state, kept in every snapshot ("state-layout"); a snapshot of
     * another layout is refused on restore (one without the marker is of layout 1). Layout 2 priced
     * lines in this one stage; layout 3 keys the one-minute windows by key and minute; layout 4
     * builds the product panes of the five-minute windows in their own stage.
     */
    private static final int STATE_LAYOUT = 4;

    /**
     * The uids of the stages this one replaced: kept by placeholders, see {@code SalesTopology}.
     */
    public static final List<String> RETIRED_UIDS = List.of("catalog-enrichment", "fx-conversion");

    static final MapStateDescriptor<String, List<ProductChange>> CATALOG =
            new MapStateDescriptor<>(
                    "catalog-versions",
                    Types.STRING,
                    Types.LIST(TypeInformation.of(ProductChange.class)));

    static final MapStateDescriptor<String, List<RateVersion>> RATES =
            new MapStateDescriptor<>(
                    "fx-rate-versions",
                    Types.STRING,
                    Types.LIST(TypeInformation.of(RateVersion.class)));

    private static final ListStateDescriptor<Integer> LAYOUT =
            new ListStateDescriptor<>("state-layout", IntSerializer.INSTANCE);

    /** Prune the versions at most once per this much progress of the horizon. */
    private static final long PRUNE_STEP_MILLIS = 1_000;

    /**
     * One exchange rate in force from {@code validFrom} on.
     *
     * @param validFrom epoch millis
     * @param eurPerUnit EUR per unit of the currency
     */
    public record RateVersion(long validFrom, BigDecimal eurPerUnit) {

        /** This rate in force from {@code from} instead (what pruning older rates does). */
        public RateVersion withValidFrom(long from) {
            return new RateVersion(from, eurPerUnit);
        }
    }

    /**
     * A line held until the reference watermark reaches {@code releaseAt}.
     *
     * @param line the line
     * @param releaseAt its event time, or its event time plus the grace period when it waits for
     *     reference data that is not there yet
     */
    public record WaitingLine(SaleLine line, long releaseAt) {}

    private final Duration dedupHorizon;
    private final long graceMillis;
    private final long retentionMillis;
    private final DeadLetters.SourceTopics sourceTopics;

    private transient ValueState<SourcePosition> firstDelivery;
    private transient ValueState<List<WaitingLine>> waiting;
    private transient InternalTimerService<VoidNamespace> timers;
    private transient ReferenceVersions<ProductChange> catalog;
    private transient ReferenceVersions<RateVersion> rates;
    private transient ListState<Integer> layout;

    private transient long salesWatermark;
    private transient long referenceWatermark;
    private transient boolean referenceIdle;

    /** The reference watermark as lines are released by it: never goes back. */
    private transient long releaseClock;

    private transient long outputWatermark;
    private transient long prunedUpTo;

    /**
     * @param dedupHorizon how long the first delivery of a sale is remembered
     * @param grace how long a line waits for reference data that is not there yet
     * @param allowedLateness the aggregates' allowed lateness: a line up to a minute plus this
     *     behind the watermark still counts, so it must still find the version of its time
     * @param sourceTopics where lines come from, for dead letters
     */
    public SalePricing(
            Duration dedupHorizon,
            Duration grace,
            Duration allowedLateness,
            DeadLetters.SourceTopics sourceTopics) {
        this.dedupHorizon = dedupHorizon;
        this.graceMillis = grace.toMillis();
        this.retentionMillis = VersionHistory.retentionMillis(grace, allowedLateness);
        this.sourceTopics = sourceTopics;
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        layout = context.getOperatorStateStore().getUnionListState(LAYOUT);
        if (context.isRestored()) {
            int restored = restoredLayout(layout.get());
            if (restored != STATE_LAYOUT) {
                // Not a restart: this state can never restore, a restart loop would only hide why.
                throw new SuppressRestartsException(new IllegalStateException(refusal(restored)));
            }
        }
        catalog =
                new ReferenceVersions<>(
                        context.getOperatorStateStore().getBroadcastState(CATALOG),
                        ProductChange::validFrom,
                        ProductChange::withValidFrom);
        rates =
                new ReferenceVersions<>(
                        context.getOperatorStateStore().getBroadcastState(RATES),
                        RateVersion::validFrom,
                        RateVersion::withValidFrom);
    }

    /**
     * The state layout of a restored snapshot: its marker (the same on every subtask, union list
     * state), or 1 without one (layout 1 had no marker).
     */
    static int restoredLayout(Iterable<Integer> markers) {
        int restored = 1;
        for (int marker : markers) {
            restored = marker;
        }
        return restored;
    }

    /** Why a snapshot of state layout {@code restored} is refused, and what to do instead. */
    static String refusal(int restored) {
        String self = "This version (state layout " + STATE_LAYOUT + ")";
        String why =
                switch (restored) {
                    case 1 ->
                            "This savepoint or checkpoint was taken by an earlier version of"
                                    + " sales-aggregator (state layout 1: lines enriched in"
                                    + " stages keyed by product and by currency). "
                                    + self
                                    + " prices lines in one stage keyed by sale identity and"
                                    + " cannot take over the lines held in the old stages:"
                                    + " restoring would give wrong figures";
                    case 2 ->
                            "This savepoint or checkpoint was taken by an earlier version of"
                                    + " sales-aggregator (state layout 2: one-minute windows"
                                    + " keyed by seller, product or region alone). "
                                    + self
                                    + " keys the one-minute windows (revenue-per-seller-1m,"
                                    + " product-panes-1m, region-trend-1m) by key and minute and"
                                    + " cannot take over the windows open in the savepoint: they"
                                    + " would be split between the old keys and the new ones,"
                                    + " and their figures would be wrong";
                    case 3 ->
                            "This savepoint or checkpoint was taken by an earlier version of"
                                    + " sales-aggregator (state layout 3: five-minute units per"
                                    + " product built from a one-minute pane window of its own). "
                                    + self
                                    + " builds the panes in the five-minute stage"
                                    + " (units-per-product-5m) and cannot take over the panes open"
                                    + " in the savepoint's pane window: their units would be lost"
                                    + " from units-per-product-5m";
                    default ->
                            "This savepoint or checkpoint was taken by a later version of"
                                    + " sales-aggregator (state layout "
                                    + restored
                                    + "). "
                                    + self
                                    + " cannot read its state";
                };
        return why
                + ", so the restore is refused. Start this version without the savepoint"
                + " instead: from the input topics' committed offsets (the sources resume from"
                + " the consumer group's offsets when no state is restored;"
                + " starting-offsets=committed), or from a fresh start (a new consumer group or"
                + " starting-offsets=earliest). See docs/guarantees.md, 'Savepoint compatibility'.";
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        layout.update(List.of(STATE_LAYOUT));
    }

    @Override
    public void open() throws Exception {
        super.open();
        ValueStateDescriptor<SourcePosition> deliveries =
                new ValueStateDescriptor<>(
                        "first-delivery", TypeInformation.of(SourcePosition.class));
        deliveries.enableTimeToLive(
                StateTtlConfig.newBuilder(dedupHorizon)
                        .updateTtlOnCreateAndWrite()
                        .neverReturnExpired()
                        // Expired entries stay out of full snapshots (checkpoints, savepoints);
                        // on the heap, each state access also sweeps one hash bucket of the
                        // state table, so they leave memory gradually: a sale makes two
                        // accesses, and a full pass over the table takes about one horizon's
                        // worth of sales, so the heap holds up to about twice the live
                        // identities (BENCHMARKS.md, "Capacity"). Flink's default sweeps five
                        // buckets
                        // per access: a third of this stage's CPU in the profile.
                        .cleanupFullSnapshot()
                        .cleanupIncrementally(1, false)
                        .build());
        firstDelivery = getRuntimeContext().getState(deliveries);
        waiting =
                getRuntimeContext()
                        .getState(
                                new ValueStateDescriptor<>(
                                        "waiting-lines",
                                        Types.LIST(TypeInformation.of(WaitingLine.class))));
        timers = getInternalTimerService("line-release", VoidNamespaceSerializer.INSTANCE, this);
        salesWatermark = Long.MIN_VALUE;
        referenceWatermark = Long.MIN_VALUE;
        releaseClock = Long.MIN_VALUE;
        outputWatermark = Long.MIN_VALUE;
        prunedUpTo = Long.MIN_VALUE;
    }

    // ---- sale lines

    @Override
    public void processElement1(StreamRecord<SaleLine> element) throws Exception {
        SaleLine line = element.getValue();
        if (!firstDelivered(line)) {
            return;
        }
        long releaseAt = line.eventTime() <= releaseClock ? price(line) : line.eventTime();
        if (releaseAt != RESOLVED) {
            hold(line, releaseAt);
        }
    }

    /** Whether {@code line} belongs to its sale's first delivery; a resend goes to dead letters. */
    private boolean firstDelivered(SaleLine line) throws Exception {
        SourcePosition first = firstDelivery.value();
        if (first == null) {
            firstDelivery.update(new SourcePosition(line.sourcePartition(), line.sourceOffset()));
            return true;
        }
        if (first.partition() == line.sourcePartition() && first.offset() == line.sourceOffset()) {
            // Another line of the record that first delivered this sale.
            return true;
        }
        deadLetter(
                line,
                RejectReason.DUPLICATE,
                (line.channel() == Channel.ONLINE ? "order '" : "receipt '")
                        + line.orderId()
                        + "' was first delivered at partition "
                        + first.partition()
                        + " offset "
                        + first.offset()
                        + ", within the dedup horizon of "
                        + dedupHorizon);
        return false;
    }

    private void hold(SaleLine line, long releaseAt) throws Exception {
        List<WaitingLine> held = waiting.value();
        long earliest = Long.MAX_VALUE;
        if (held == null) {
            held = new ArrayList<>(1);
        } else {
            for (WaitingLine w : held) {
                earliest = Math.min(earliest, w.releaseAt());
            }
        }
        held.add(new WaitingLine(line, releaseAt));
        waiting.update(held);
        if (releaseAt < earliest) {
            timers.registerEventTimeTimer(VoidNamespace.INSTANCE, releaseAt);
        }
    }

    @Override
    public void onEventTime(InternalTimer<String, VoidNamespace> timer) throws Exception {
        List<WaitingLine> held = waiting.value();
        if (held == null) {
            return;
        }
        List<WaitingLine> still = new ArrayList<>(0);
        long earliest = Long.MAX_VALUE;
        for (WaitingLine w : held) {
            long releaseAt = w.releaseAt() <= releaseClock ? price(w.line()) : w.releaseAt();
            if (releaseAt != RESOLVED) {
                still.add(new WaitingLine(w.line(), releaseAt));
                earliest = Math.min(earliest, releaseAt);
            }
        }
        if (still.isEmpty()) {
            waiting.clear();
        } else {
            waiting.update(still);
            timers.registerEventTimeTimer(VoidNamespace.INSTANCE, earliest);
        }
    }

    @Override
    public void onProcessingTime(InternalTimer<String, VoidNamespace> timer) {}

    /** What {@link #price} returns when the line went on or to the dead letters. */
    private static final long RESOLVED = Long.MIN_VALUE;

    /**
     * Prices {@code line} at its event time (the release clock has reached it) and emits it, or
     * sends it to the dead letters; or, when its reference data are not there yet and the grace
     * period is not over, returns the time to wait for.
     */
    private long price(SaleLine line) throws Exception {
        long eventTime = line.eventTime();
        long giveUpAt = eventTime + graceMillis;
        ProductChange version = catalog.inForceAt(line.productId(), eventTime);
        if (version == null) {
            if (releaseClock < giveUpAt) {
                return giveUpAt;
            }
            deadLetter(
                    line,
                    RejectReason.UNKNOWN_PRODUCT,
                    "product '"
                            + line.productId()
                            + "' is not in the catalog at "
                            + Instant.ofEpochMilli(eventTime));
            return RESOLVED;
        }
        if (version.delisted()) {
            deadLetter(
                    line,
                    RejectReason.DELISTED_PRODUCT,
                    "product '"
                            + line.productId()
                            + "' was delisted at "
                            + Instant.ofEpochMilli(version.validFrom()));
            return RESOLVED;
        }
        BigDecimal eurPerUnit;
        if (EUR.equals(line.currency())) {
            eurPerUnit = BigDecimal.ONE;
        } else {
            RateVersion rate = rates.inForceAt(line.currency(), eventTime);
            if (rate == null) {
                if (releaseClock < giveUpAt) {
                    return giveUpAt;
                }
                deadLetter(
                        line,
                        RejectReason.NO_FX_RATE,
                        "no "
                                + line.currency()
                                + " rate in force at "
                                + Instant.ofEpochMilli(eventTime));
                return RESOLVED;
            }
            eurPerUnit = rate.eurPerUnit();
        }
        long revenue = Money.revenueCents(line.quantity(), line.unitPrice(), eurPerUnit);
        long margin = Money.marginCents(revenue, line.quantity(), version.unitCostEur());
        output.collect(
                new StreamRecord<>(
                        new PricedLine(
                                line,
                                version.name(),
                                version.category(),
                                eurPerUnit,
                                revenue,
                                margin),
                        eventTime));
        return RESOLVED;
    }

    private void deadLetter(SaleLine line, RejectReason reason, String message) {
        output.collect(
                DeadLetters.TAG,
                new StreamRecord<>(DeadLetters.forLine(line, sourceTopics, reason, message)));
    }

    // ---- reference data

    @Override
    public void processElement2(StreamRecord<ReferenceChange> element) throws Exception {
        ReferenceChange change = element.getValue();
        if (change.product() != null) {
            catalog.add(change.product().productId(), change.product());
        } else if (change.rate() != null) {
            FxRate rate = change.rate();
            rates.add(
                    rate.currency(),
                    new RateVersion(rate.validFrom().toEpochMilli(), rate.eurPerUnit()));
        }
    }

    // ---- time

    @Override
    public void processWatermark1(Watermark mark) throws Exception {
        salesWatermark = Math.max(salesWatermark, mark.getTimestamp());
        advance(0, mark.getTimestamp());
    }

    @Override
    public void processWatermark2(Watermark mark) throws Exception {
        referenceWatermark = Math.max(referenceWatermark, mark.getTimestamp());
        advance(1, mark.getTimestamp());
    }

    @Override
    protected void processWatermarkStatus(WatermarkStatus status, int index) throws Exception {
        if (index == 1) {
            referenceIdle = status.isIdle();
        }
        advanceReleaseClock();
        boolean wasIdle = combinedWatermark.isIdle();
        if (combinedWatermark.updateStatus(index, status.isIdle())) {
            emitWatermark(combinedWatermark.getCombinedWatermark());
        }
        if (combinedWatermark.isIdle() && salesWatermark > outputWatermark) {
            // Both inputs idle: nothing holds the sales watermark back any more. Forward it, as
            // when the reference input goes idle first, so that which input went idle last does
            // not decide whether the windows it passed close.
            emitWatermark(salesWatermark);
        }
        if (wasIdle != combinedWatermark.isIdle()) {
            output.emitWatermarkStatus(status);
        }
    }

    /** Releases what the inputs' progress allows, then forwards the combined watermark. */
    private void advance(int input, long watermark) throws Exception {
        advanceReleaseClock();
        if (combinedWatermark.updateWatermark(input, watermark)) {
            emitWatermark(combinedWatermark.getCombinedWatermark());
        }
    }

    /**
     * Moves the release clock to the reference watermark (to the sales watermark while the
     * reference input is idle: no reference partition holds it back then, whether the sales input
     * is idle too or not), releasing the lines it reaches. It never goes back.
     */
    private void advanceReleaseClock() throws Exception {
        long clock = referenceIdle ? salesWatermark : referenceWatermark;
        if (clock > releaseClock) {
            releaseClock = clock;
            timeServiceManager.advanceWatermark(new Watermark(clock));
        }
    }

    private void emitWatermark(long watermark) throws Exception {
        outputWatermark = watermark;
        long horizon =
                VersionHistory.horizon(Math.min(releaseClock, outputWatermark), retentionMillis);
        if (horizon != Long.MIN_VALUE
                && (prunedUpTo == Long.MIN_VALUE || horizon - prunedUpTo >= PRUNE_STEP_MILLIS)) {
            catalog.prune(horizon);
            rates.prune(horizon);
            prunedUpTo = horizon;
        }
        output.emitWatermark(new Watermark(watermark));
    }
}

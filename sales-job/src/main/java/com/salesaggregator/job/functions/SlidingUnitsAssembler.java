package com.salesaggregator.job.functions;

import com.salesaggregator.job.records.LinePartial;
import com.salesaggregator.job.records.ProductPane;
import com.salesaggregator.job.records.ProductWindowUnits;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.TimeDomain;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Builds five-minute windows sliding by one minute from one-minute panes, keyed by product. The
 * panes are its own state: each {@link LinePartial} of a product and minute (the pre-aggregated
 * on-time lines, {@link PreAggregator.Dimension#PRODUCT_MINUTE}) adds its units to the pane of its
 * minute, which takes the name and category of the pane's latest line. While a window is open, a
 * partial that changes it (in the open minute, or allowed-late) makes it publish its figure so far,
 * provisional, at most once per emit interval (processing time): at once when the product has
 * published nothing provisional within the interval, else when the interval since its last
 * provisional figure has passed. When the watermark passes its end, a window publishes its final
 * figure; an allowed-late partial re-emits every already-closed window that contains its pane,
 * under the same key, final. Panes only grow, so a provisional figure never exceeds the final one.
 * Panes are dropped once no window can use them any more.
 *
 * <p>Until state layout 4 the panes came from a one-minute window stage of their own; building them
 * here saves that stage (a keyed exchange and a window operator per partial).
 */
public final class SlidingUnitsAssembler
        extends KeyedProcessFunction<String, LinePartial, ProductWindowUnits> {

    private static final long PANE_MILLIS = Duration.ofMinutes(1).toMillis();
    public static final long WINDOW_MILLIS = Duration.ofMinutes(5).toMillis();

    private final long allowedLatenessMillis;
    private final long emitIntervalMillis;

    private transient MapState<Long, ProductPane> panes;

    /** Starts of the panes that changed an open window since its last provisional figure. */
    private transient MapState<Long, Boolean> changedPanes;

    /** When the pending provisional emission is due (processing time); empty when none is. */
    private transient ValueState<Long> pendingEmit;

    /** When this product last published provisional figures (processing time). */
    private transient ValueState<Long> emittedAt;

    /**
     * The last moment of the latest window this product has published final: every window ending by
     * then has closed, even while the watermark catches up again after a restore.
     */
    private transient ValueState<Long> closedThrough;

    public SlidingUnitsAssembler(Duration allowedLateness, Duration emitInterval) {
        this.allowedLatenessMillis = allowedLateness.toMillis();
        this.emitIntervalMillis = emitInterval.toMillis();
    }

    @Override
    public void open(OpenContext openContext) {
        panes =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "panes",
                                        Types.LONG,
                                        TypeInformation.of(ProductPane.class)));
        changedPanes =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "changed-panes", Types.LONG, Types.BOOLEAN));
        pendingEmit =
                getRuntimeContext()
                        .getState(new ValueStateDescriptor<>("pending-emit", Types.LONG));
        closedThrough =
                getRuntimeContext()
                        .getState(new ValueStateDescriptor<>("closed-through", Types.LONG));
        emittedAt =
                getRuntimeContext()
                        .getState(new ValueStateDescriptor<>("provisional-emitted-at", Types.LONG));
    }

    @Override
    public void processElement(LinePartial lines, Context ctx, Collector<ProductWindowUnits> out)
            throws Exception {
        long paneStart =
                lines.latestEventTime() - Math.floorMod(lines.latestEventTime(), PANE_MILLIS);
        ProductPane pane = panes.get(paneStart);
        boolean newPane = pane == null;
        panes.put(
                paneStart,
                newPane ? firstPane(ctx.getCurrentKey(), paneStart, lines) : grown(pane, lines));
        long closed = closedUpTo(ctx.timerService().currentWatermark());
        boolean changesAnOpenWindow = false;
        for (long start = paneStart - WINDOW_MILLIS + PANE_MILLIS;
                start <= paneStart;
                start += PANE_MILLIS) {
            long lastMoment = start + WINDOW_MILLIS - 1;
            if (lastMoment <= closed) {
                emit(ctx.getCurrentKey(), start, true, out);
            } else {
                if (newPane) {
                    // A pane's timers are set when it first appears: a pane dropped at its
                    // cleanup time never comes back, the lateness decision sees to that.
                    ctx.timerService().registerEventTimeTimer(lastMoment);
                }
                changesAnOpenWindow = true;
            }
        }
        if (newPane) {
            ctx.timerService().registerEventTimeTimer(cleanupTime(paneStart));
        }
        if (changesAnOpenWindow) {
            changedPanes.put(paneStart, true);
            if (emitIntervalMillis <= 0) {
                emitProvisional(ctx.getCurrentKey(), closed, out);
            } else if (pendingEmit.value() == null) {
                long now = ctx.timerService().currentProcessingTime();
                Long last = emittedAt.value();
                if (last == null || now >= last + emitIntervalMillis) {
                    emitProvisional(ctx.getCurrentKey(), closed, out);
                    emittedAt.update(now);
                } else {
                    long at = last + emitIntervalMillis;
                    ctx.timerService().registerProcessingTimeTimer(at);
                    pendingEmit.update(at);
                }
            }
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<ProductWindowUnits> out)
            throws Exception {
        if (ctx.timeDomain() == TimeDomain.PROCESSING_TIME) {
            Long pending = pendingEmit.value();
            if (pending != null && pending == timestamp) {
                pendingEmit.clear();
                emitProvisional(
                        ctx.getCurrentKey(),
                        closedUpTo(ctx.timerService().currentWatermark()),
                        out);
                emittedAt.update(timestamp);
            }
            return;
        }
        long start = timestamp + 1 - WINDOW_MILLIS;
        if (Math.floorMod(start, PANE_MILLIS) == 0) {
            emit(ctx.getCurrentKey(), start, true, out);
            closedThrough.update(Math.max(timestamp, closedUpTo(Long.MIN_VALUE)));
            forgetChangesOfClosedWindows(timestamp, ctx);
        }
        // The timer's time, not the watermark: when the watermark jumps over several timers
        // (end of input, a backlog), the window timers still to fire need these panes.
        List<Long> expired = new ArrayList<>();
        for (Long paneStart : panes.keys()) {
            if (cleanupTime(paneStart) <= timestamp) {
                expired.add(paneStart);
            }
        }
        for (Long paneStart : expired) {
            panes.remove(paneStart);
        }
        if (panes.isEmpty()) {
            closedThrough.clear();
            emittedAt.clear();
        }
    }

    /** The pane of {@code paneStart} with {@code lines} alone. */
    private static ProductPane firstPane(String productId, long paneStart, LinePartial lines) {
        return new ProductPane(
                productId,
                lines.name(),
                lines.category(),
                lines.latestEventTime(),
                paneStart,
                lines.units());
    }

    /** {@code pane} with {@code lines} added: the name and category of the latest line. */
    private static ProductPane grown(ProductPane pane, LinePartial lines) {
        boolean later = lines.latestEventTime() > pane.latestEventTime();
        return new ProductPane(
                pane.productId(),
                later ? lines.name() : pane.name(),
                later ? lines.category() : pane.category(),
                later ? lines.latestEventTime() : pane.latestEventTime(),
                pane.paneStart(),
                pane.units() + lines.units());
    }

    /** Every window ending at or before this has closed: the watermark, or what this key saw. */
    private long closedUpTo(long watermark) throws Exception {
        Long through = closedThrough.value();
        return through == null ? watermark : Math.max(watermark, through);
    }

    /**
     * Drops the changes that no open window contains any more, and the pending provisional emission
     * once none is left: a provisional figure never follows the final one.
     */
    private void forgetChangesOfClosedWindows(long closed, OnTimerContext ctx) throws Exception {
        List<Long> done = new ArrayList<>();
        for (Long paneStart : changedPanes.keys()) {
            // The last window containing the pane starts with it.
            if (paneStart + WINDOW_MILLIS - 1 <= closed) {
                done.add(paneStart);
            }
        }
        for (Long paneStart : done) {
            changedPanes.remove(paneStart);
        }
        Long pending = pendingEmit.value();
        if (pending != null && changedPanes.isEmpty()) {
            ctx.timerService().deleteProcessingTimeTimer(pending);
            pendingEmit.clear();
        }
    }

    /** The figure so far of every open window a changed pane is in, provisional. */
    private void emitProvisional(String productId, long closed, Collector<ProductWindowUnits> out)
            throws Exception {
        TreeSet<Long> starts = new TreeSet<>();
        for (Long paneStart : changedPanes.keys()) {
            for (long start = paneStart - WINDOW_MILLIS + PANE_MILLIS;
                    start <= paneStart;
                    start += PANE_MILLIS) {
                if (start + WINDOW_MILLIS - 1 > closed) {
                    starts.add(start);
                }
            }
        }
        changedPanes.clear();
        for (long start : starts) {
            emit(productId, start, false, out);
        }
    }

    /** After this, no window containing the pane can change or still be emitted. */
    private long cleanupTime(long paneStart) {
        return paneStart + WINDOW_MILLIS + allowedLatenessMillis;
    }

    private void emit(
            String productId, long start, boolean isFinal, Collector<ProductWindowUnits> out)
            throws Exception {
        long units = 0;
        ProductPane latest = null;
        for (Map.Entry<Long, ProductPane> entry : panes.entries()) {
            long paneStart = entry.getKey();
            if (paneStart >= start && paneStart < start + WINDOW_MILLIS) {
                ProductPane pane = entry.getValue();
                units += pane.units();
                if (latest == null || pane.latestEventTime() > latest.latestEventTime()) {
                    latest = pane;
                }
            }
        }
        if (latest != null) {
            out.collect(
                    new ProductWindowUnits(
                            productId,
                            latest.name(),
                            latest.category(),
                            start,
                            start + WINDOW_MILLIS,
                            units,
                            isFinal));
        }
    }
}

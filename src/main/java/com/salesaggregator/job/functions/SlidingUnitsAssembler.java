package com.salesaggregator.job.functions;

import com.salesaggregator.job.records.ProductPane;
import com.salesaggregator.job.records.ProductWindowUnits;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Builds five-minute windows sliding by one minute from one-minute panes, keyed by product. A
 * window is emitted when the watermark passes its end; a pane re-fired within the allowed lateness
 * re-emits every already-closed window that contains it, under the same key. Panes are dropped once
 * no window can use them any more.
 */
public final class SlidingUnitsAssembler
        extends KeyedProcessFunction<String, ProductPane, ProductWindowUnits> {

    public static final long PANE_MILLIS = Duration.ofMinutes(1).toMillis();
    public static final long WINDOW_MILLIS = Duration.ofMinutes(5).toMillis();

    private final long allowedLatenessMillis;
    private transient MapState<Long, ProductPane> panes;

    public SlidingUnitsAssembler(Duration allowedLateness) {
        this.allowedLatenessMillis = allowedLateness.toMillis();
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
    }

    @Override
    public void processElement(ProductPane pane, Context ctx, Collector<ProductWindowUnits> out)
            throws Exception {
        panes.put(pane.paneStart(), pane);
        long watermark = ctx.timerService().currentWatermark();
        for (long start = pane.paneStart() - WINDOW_MILLIS + PANE_MILLIS;
                start <= pane.paneStart();
                start += PANE_MILLIS) {
            long lastMoment = start + WINDOW_MILLIS - 1;
            if (lastMoment <= watermark) {
                emit(ctx.getCurrentKey(), start, out);
            } else {
                ctx.timerService().registerEventTimeTimer(lastMoment);
            }
        }
        ctx.timerService().registerEventTimeTimer(cleanupTime(pane.paneStart()));
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<ProductWindowUnits> out)
            throws Exception {
        long start = timestamp + 1 - WINDOW_MILLIS;
        if (Math.floorMod(start, PANE_MILLIS) == 0) {
            emit(ctx.getCurrentKey(), start, out);
        }
        // Up to this timer, not the watermark: when the watermark jumps (drain, catch-up), the
        // timers of later windows still fire after this one and need the panes.
        List<Long> expired = new ArrayList<>();
        for (Long paneStart : panes.keys()) {
            if (cleanupTime(paneStart) <= timestamp) {
                expired.add(paneStart);
            }
        }
        for (Long paneStart : expired) {
            panes.remove(paneStart);
        }
    }

    /** After this, no window containing the pane can change or still be emitted. */
    private long cleanupTime(long paneStart) {
        return paneStart + WINDOW_MILLIS + allowedLatenessMillis;
    }

    private void emit(String productId, long start, Collector<ProductWindowUnits> out)
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
                            units));
        }
    }
}

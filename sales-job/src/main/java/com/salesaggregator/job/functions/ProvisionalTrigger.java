package com.salesaggregator.job.functions;

import java.time.Duration;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.windowing.triggers.EventTimeTrigger;
import org.apache.flink.streaming.api.windowing.triggers.Trigger;
import org.apache.flink.streaming.api.windowing.triggers.TriggerResult;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;

/**
 * Fires an event-time window provisionally while it is open, at most once per emit interval
 * (processing time) and only after new elements: at once for an element that comes an interval or
 * more after the window's last firing (so an open window's first figure shows without delay), else
 * when the interval since that firing has passed; and finally when the watermark passes its end,
 * like {@link EventTimeTrigger}: then again at once for each allowed-late element. Never purges, so
 * each firing emits the whole window so far. A provisional firing still pending when the window
 * closes is dropped: no provisional figure follows the final one. An emit interval of zero fires on
 * every element.
 */
public final class ProvisionalTrigger extends Trigger<Object, TimeWindow> {

    private static final long serialVersionUID = 1L;

    /** When the pending provisional firing is due (processing time); empty when none is. */
    private static final ValueStateDescriptor<Long> PENDING =
            new ValueStateDescriptor<>("provisional-firing-at", Types.LONG);

    /** When the window last fired provisionally (processing time); empty before its first. */
    private static final ValueStateDescriptor<Long> FIRED =
            new ValueStateDescriptor<>("provisional-fired-at", Types.LONG);

    private final long emitIntervalMillis;

    public ProvisionalTrigger(Duration emitInterval) {
        this.emitIntervalMillis = emitInterval.toMillis();
    }

    @Override
    public TriggerResult onElement(
            Object element, long timestamp, TimeWindow window, TriggerContext ctx)
            throws Exception {
        if (window.maxTimestamp() <= ctx.getCurrentWatermark()) {
            // An allowed-late element: the closed window's figure again, final.
            return TriggerResult.FIRE;
        }
        ctx.registerEventTimeTimer(window.maxTimestamp());
        if (emitIntervalMillis <= 0) {
            return TriggerResult.FIRE;
        }
        ValueState<Long> pending = ctx.getPartitionedState(PENDING);
        if (pending.value() != null) {
            return TriggerResult.CONTINUE; // the pending firing will include this element
        }
        ValueState<Long> fired = ctx.getPartitionedState(FIRED);
        long now = ctx.getCurrentProcessingTime();
        Long last = fired.value();
        if (last == null || now >= last + emitIntervalMillis) {
            fired.update(now);
            return TriggerResult.FIRE;
        }
        long at = last + emitIntervalMillis;
        ctx.registerProcessingTimeTimer(at);
        pending.update(at);
        return TriggerResult.CONTINUE;
    }

    @Override
    public TriggerResult onProcessingTime(long time, TimeWindow window, TriggerContext ctx)
            throws Exception {
        ValueState<Long> pending = ctx.getPartitionedState(PENDING);
        Long at = pending.value();
        if (at == null || at != time) {
            return TriggerResult.CONTINUE;
        }
        pending.clear();
        ctx.getPartitionedState(FIRED).update(time);
        return TriggerResult.FIRE;
    }

    @Override
    public TriggerResult onEventTime(long time, TimeWindow window, TriggerContext ctx)
            throws Exception {
        if (time != window.maxTimestamp()) {
            return TriggerResult.CONTINUE;
        }
        cancelPending(ctx);
        return TriggerResult.FIRE;
    }

    @Override
    public void clear(TimeWindow window, TriggerContext ctx) throws Exception {
        ctx.deleteEventTimeTimer(window.maxTimestamp());
        cancelPending(ctx);
        ctx.getPartitionedState(FIRED).clear();
    }

    private static void cancelPending(TriggerContext ctx) throws Exception {
        ValueState<Long> pending = ctx.getPartitionedState(PENDING);
        Long at = pending.value();
        if (at != null) {
            ctx.deleteProcessingTimeTimer(at);
            pending.clear();
        }
    }

    @Override
    public String toString() {
        return "ProvisionalTrigger(every " + emitIntervalMillis + " ms, final at window end)";
    }
}

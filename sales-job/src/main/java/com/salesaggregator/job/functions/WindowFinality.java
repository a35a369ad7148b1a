package com.salesaggregator.job.functions;

import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;

/**
 * Whether a window firing publishes the window's final figure: once the watermark has passed the
 * window's end, and from then on for good. The window remembers that it closed, because after a
 * restore the watermark starts afresh: an allowed-late line read before it has caught up again
 * still updates a closed window, finally.
 */
final class WindowFinality {

    private static final ValueStateDescriptor<Boolean> CLOSED =
            new ValueStateDescriptor<>("closed", Types.BOOLEAN);

    private WindowFinality() {}

    /** True if the window being fired has closed; marks it closed the first time. */
    static <I, O, K> boolean isFinal(ProcessWindowFunction<I, O, K, TimeWindow>.Context ctx)
            throws Exception {
        ValueState<Boolean> closed = ctx.windowState().getState(CLOSED);
        if (closed.value() != null) {
            return true;
        }
        if (ctx.window().maxTimestamp() <= ctx.currentWatermark()) {
            closed.update(true);
            return true;
        }
        return false;
    }

    /** Forgets the window (its state is being purged). */
    static <I, O, K> void clear(ProcessWindowFunction<I, O, K, TimeWindow>.Context ctx) {
        ctx.windowState().getState(CLOSED).clear();
    }
}

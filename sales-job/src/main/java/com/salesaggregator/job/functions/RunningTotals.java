package com.salesaggregator.job.functions;

import com.salesaggregator.job.records.LinePartial;
import com.salesaggregator.job.records.RunningTotal;
import java.time.Duration;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Running totals per key (product or region) in keyed state, emitted at most once per key per emit
 * interval (processing time), so output volume stays bounded under load. An update to a key that
 * has not been emitted within the interval is emitted at once (no added latency for a quiet key);
 * later updates within the interval are emitted together when it has passed. The last value is
 * always emitted: when the interval has passed, and at the end of input (a timer at the end of
 * event time) for bounded runs and drains.
 */
public final class RunningTotals extends KeyedProcessFunction<String, LinePartial, RunningTotal> {

    /** What the totals are per. */
    public enum Dimension {
        PRODUCT,
        REGION
    }

    private final Dimension dimension;
    private final long emitIntervalMillis;

    private transient ValueState<RunningTotal> total;
    private transient ValueState<Long> pendingEmit;
    private transient ValueState<Long> emittedAt;

    public RunningTotals(Dimension dimension, Duration emitInterval) {
        this.dimension = dimension;
        this.emitIntervalMillis = emitInterval.toMillis();
    }

    @Override
    public void open(OpenContext openContext) {
        total =
                getRuntimeContext()
                        .getState(
                                new ValueStateDescriptor<>(
                                        "total", TypeInformation.of(RunningTotal.class)));
        pendingEmit =
                getRuntimeContext()
                        .getState(new ValueStateDescriptor<>("pending-emit", Types.LONG));
        emittedAt =
                getRuntimeContext().getState(new ValueStateDescriptor<>("emitted-at", Types.LONG));
    }

    @Override
    public void processElement(LinePartial lines, Context ctx, Collector<RunningTotal> out)
            throws Exception {
        RunningTotal current = total.value();
        long eventTime = lines.latestEventTime();
        boolean newer = current == null || eventTime > current.latestEventTime();
        String name =
                dimension == Dimension.PRODUCT ? (newer ? lines.name() : current.name()) : null;
        RunningTotal updated =
                new RunningTotal(
                        ctx.getCurrentKey(),
                        name,
                        newer ? eventTime : current.latestEventTime(),
                        (current == null ? 0 : current.units()) + lines.units(),
                        (current == null ? 0 : current.revenueCents()) + lines.revenueCents(),
                        (current == null ? 0 : current.marginCents()) + lines.marginCents());
        total.update(updated);
        if (emitIntervalMillis <= 0) {
            out.collect(updated);
            return;
        }
        if (pendingEmit.value() != null) {
            return; // the pending emission will carry this update
        }
        long now = ctx.timerService().currentProcessingTime();
        Long last = emittedAt.value();
        if (last == null || now >= last + emitIntervalMillis) {
            out.collect(updated);
            emittedAt.update(now);
            return;
        }
        long at = last + emitIntervalMillis;
        ctx.timerService().registerProcessingTimeTimer(at);
        pendingEmit.update(at);
        // Flushes the last value when event time ends (bounded input, drain).
        ctx.timerService().registerEventTimeTimer(Long.MAX_VALUE);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<RunningTotal> out)
            throws Exception {
        Long pending = pendingEmit.value();
        if (pending == null) {
            return;
        }
        if (ctx.timeDomain() == org.apache.flink.streaming.api.TimeDomain.EVENT_TIME) {
            ctx.timerService().deleteProcessingTimeTimer(pending);
        } else {
            ctx.timerService().deleteEventTimeTimer(Long.MAX_VALUE);
        }
        pendingEmit.clear();
        out.collect(total.value());
        emittedAt.update(ctx.timerService().currentProcessingTime());
    }
}

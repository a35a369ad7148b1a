package com.salesaggregator.job.functions;

import com.salesaggregator.job.records.LinePartial;
import com.salesaggregator.job.records.RegionMinute;
import org.apache.flink.api.common.functions.AggregateFunction;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;

/**
 * Incremental units and revenue per region per minute, added from the partials of {@link
 * PreAggregator}.
 */
public final class RegionMinuteAggregate
        implements AggregateFunction<
                LinePartial, RegionMinuteAggregate.Accumulator, RegionMinuteAggregate.Accumulator> {

    /** The running figures of one region-minute. */
    public static final class Accumulator {
        public long units;
        public long revenueCents;
    }

    @Override
    public Accumulator createAccumulator() {
        return new Accumulator();
    }

    @Override
    public Accumulator add(LinePartial lines, Accumulator acc) {
        acc.units += lines.units();
        acc.revenueCents += lines.revenueCents();
        return acc;
    }

    @Override
    public Accumulator getResult(Accumulator acc) {
        return acc;
    }

    @Override
    public Accumulator merge(Accumulator a, Accumulator b) {
        a.units += b.units;
        a.revenueCents += b.revenueCents;
        return a;
    }

    /** Attaches the region, the window bounds and whether the figure is final. */
    public static final class ToRegionMinute
            extends ProcessWindowFunction<
                    Accumulator, RegionMinute, Tuple2<String, Long>, TimeWindow> {
        @Override
        public void process(
                Tuple2<String, Long> key,
                Context context,
                Iterable<Accumulator> accumulators,
                Collector<RegionMinute> out)
                throws Exception {
            Accumulator acc = accumulators.iterator().next();
            out.collect(
                    new RegionMinute(
                            key.f0,
                            context.window().getStart(),
                            context.window().getEnd(),
                            acc.units,
                            acc.revenueCents,
                            WindowFinality.isFinal(context)));
        }

        @Override
        public void clear(Context context) {
            WindowFinality.clear(context);
        }
    }
}

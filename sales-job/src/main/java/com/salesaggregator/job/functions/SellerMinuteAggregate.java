package com.salesaggregator.job.functions;

import com.salesaggregator.job.records.LinePartial;
import com.salesaggregator.job.records.SellerMinute;
import java.util.HashSet;
import java.util.Set;
import org.apache.flink.api.common.functions.AggregateFunction;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;

/**
 * Incremental revenue per seller per minute: distinct orders, units and revenue cents, added from
 * the partials of {@link PreAggregator} (one line or many).
 */
public final class SellerMinuteAggregate
        implements AggregateFunction<
                LinePartial, SellerMinuteAggregate.Accumulator, SellerMinuteAggregate.Accumulator> {

    /**
     * The running figures of one seller-minute; a Flink POJO (the set has a built-in serializer).
     */
    public static final class Accumulator {
        public Set<String> orders = new HashSet<>();
        public long units;
        public long revenueCents;
    }

    @Override
    public Accumulator createAccumulator() {
        return new Accumulator();
    }

    @Override
    public Accumulator add(LinePartial lines, Accumulator acc) {
        acc.orders.addAll(lines.orders());
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
        a.orders.addAll(b.orders);
        a.units += b.units;
        a.revenueCents += b.revenueCents;
        return a;
    }

    /** Attaches the seller, the window bounds and whether the figure is final. */
    public static final class ToSellerMinute
            extends ProcessWindowFunction<
                    Accumulator, SellerMinute, Tuple2<String, Long>, TimeWindow> {
        @Override
        public void process(
                Tuple2<String, Long> key,
                Context context,
                Iterable<Accumulator> accumulators,
                Collector<SellerMinute> out)
                throws Exception {
            Accumulator acc = accumulators.iterator().next();
            TimeWindow window = context.window();
            out.collect(
                    new SellerMinute(
                            key.f0,
                            window.getStart(),
                            window.getEnd(),
                            acc.orders.size(),
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

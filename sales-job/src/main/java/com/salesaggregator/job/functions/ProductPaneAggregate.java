package com.salesaggregator.job.functions;

import com.salesaggregator.job.records.LinePartial;
import com.salesaggregator.job.records.ProductPane;
import org.apache.flink.api.common.functions.AggregateFunction;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;

/**
 * Units per product per one-minute pane, with the name and category of the pane's latest line: each
 * line updates one pane, and {@link SlidingUnitsAssembler} builds the five-minute windows from
 * panes instead of updating five windows per line.
 */
public final class ProductPaneAggregate
        implements AggregateFunction<
                LinePartial, ProductPaneAggregate.Accumulator, ProductPaneAggregate.Accumulator> {

    /** The running figures of one product pane. */
    public static final class Accumulator {
        public long units;
        public String name;
        public String category;
        public long latestEventTime = Long.MIN_VALUE;
    }

    @Override
    public Accumulator createAccumulator() {
        return new Accumulator();
    }

    @Override
    public Accumulator add(LinePartial lines, Accumulator acc) {
        acc.units += lines.units();
        if (lines.latestEventTime() > acc.latestEventTime) {
            acc.latestEventTime = lines.latestEventTime();
            acc.name = lines.name();
            acc.category = lines.category();
        }
        return acc;
    }

    @Override
    public Accumulator getResult(Accumulator acc) {
        return acc;
    }

    @Override
    public Accumulator merge(Accumulator a, Accumulator b) {
        a.units += b.units;
        if (b.latestEventTime > a.latestEventTime) {
            a.latestEventTime = b.latestEventTime;
            a.name = b.name;
            a.category = b.category;
        }
        return a;
    }

    /** Attaches the product and the pane start. */
    public static final class ToProductPane
            extends ProcessWindowFunction<
                    Accumulator, ProductPane, Tuple2<String, Long>, TimeWindow> {
        @Override
        public void process(
                Tuple2<String, Long> key,
                Context context,
                Iterable<Accumulator> accumulators,
                Collector<ProductPane> out) {
            Accumulator acc = accumulators.iterator().next();
            out.collect(
                    new ProductPane(
                            key.f0,
                            acc.name,
                            acc.category,
                            acc.latestEventTime,
                            context.window().getStart(),
                            acc.units));
        }
    }
}

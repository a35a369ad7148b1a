package com.salesaggregator.job.functions;

import com.salesaggregator.job.records.LinePartial;
import com.salesaggregator.job.records.PricedLine;
import java.io.Serializable;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Combines the on-time lines of each key (and minute, for the windowed outputs) into one {@link
 * LinePartial} before the shuffle to an aggregate, so that a handful of partials cross the network
 * instead of every line, once per aggregate.
 *
 * <p>Chained after the lateness decision, it holds partials only in memory, for a short while: it
 * emits them all before it forwards a watermark (so an aggregate never sees a watermark before the
 * lines that came ahead of it: a line on time for the lateness decision is on time for its window,
 * and windows fire with every line they hold), before a checkpoint barrier (so no state is needed
 * and exactly-once is kept), at the end of input, after {@link #MAX_DELAY_MILLIS} of processing
 * time and when it holds {@link #MAX_PARTIALS} of them. The figures are the same as adding line by
 * line: each aggregate adds partials the way it added lines.
 */
public final class PreAggregator extends AbstractStreamOperator<LinePartial>
        implements OneInputStreamOperator<PricedLine, LinePartial> {

    /** Longest time a line is held, in processing time. */
    static final long MAX_DELAY_MILLIS = 200;

    /** Most partials held at once. */
    static final int MAX_PARTIALS = 10_000;

    private static final long MINUTE = 60_000;

    /** What the partials are per. */
    public enum Dimension implements Serializable {
        /** Per seller and minute: orders, units, revenue. */
        SELLER_MINUTE,
        /** Per product and minute: units, with the latest line's name and category. */
        PRODUCT_MINUTE,
        /** Per region and minute: units, revenue. */
        REGION_MINUTE,
        /** Per product: units, revenue, margin, with the latest line's name. */
        PRODUCT,
        /** Per region: units, revenue, margin. */
        REGION
    }

    private final Dimension dimension;

    private transient Map<Object, Partial> partials;
    private transient boolean flushScheduled;

    public PreAggregator(Dimension dimension) {
        this.dimension = dimension;
    }

    @Override
    public void open() throws Exception {
        super.open();
        partials = new HashMap<>();
    }

    @Override
    public void processElement(StreamRecord<PricedLine> element) {
        PricedLine line = element.getValue();
        String key = keyOf(dimension, line);
        Object slot =
                switch (dimension) {
                    case SELLER_MINUTE, PRODUCT_MINUTE, REGION_MINUTE ->
                            new KeyMinute(key, Math.floorDiv(line.line().eventTime(), MINUTE));
                    case PRODUCT, REGION -> key;
                };
        partials.computeIfAbsent(slot, s -> new Partial(key)).add(dimension, line);
        if (partials.size() >= MAX_PARTIALS) {
            flush();
        } else if (!flushScheduled) {
            flushScheduled = true;
            getProcessingTimeService()
                    .registerTimer(
                            getProcessingTimeService().getCurrentProcessingTime()
                                    + MAX_DELAY_MILLIS,
                            time -> {
                                flushScheduled = false;
                                flush();
                            });
        }
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        flush();
        super.processWatermark(mark);
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        flush();
        super.prepareSnapshotPreBarrier(checkpointId);
    }

    @Override
    public void finish() throws Exception {
        flush();
        super.finish();
    }

    private void flush() {
        if (partials.isEmpty()) {
            return;
        }
        StreamRecord<LinePartial> record = new StreamRecord<>(null);
        for (Partial p : partials.values()) {
            output.collect(record.replace(p.toRecord(), p.latestEventTime));
        }
        partials.clear();
    }

    /** The key of {@code line} in {@code dimension}: its seller, product or region. */
    private static String keyOf(Dimension dimension, PricedLine line) {
        return switch (dimension) {
            case SELLER_MINUTE -> line.line().sellerId();
            case PRODUCT_MINUTE, PRODUCT -> line.line().productId();
            case REGION_MINUTE, REGION -> line.line().region();
        };
    }

    /** One line as a partial of {@code dimension}, as the aggregates would receive it alone. */
    public static LinePartial single(Dimension dimension, PricedLine line) {
        Partial p = new Partial(keyOf(dimension, line));
        p.add(dimension, line);
        return p.toRecord();
    }

    /**
     * A key and minute, as a map key: equality and hash written out and the hash computed once (a
     * record's are generic, and this map is looked up five times per line).
     */
    private static final class KeyMinute {
        private final String key;
        private final long minute;
        private final int hash;

        KeyMinute(String key, long minute) {
            this.key = key;
            this.minute = minute;
            this.hash = 31 * key.hashCode() + Long.hashCode(minute);
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof KeyMinute that
                    && hash == that.hash
                    && minute == that.minute
                    && key.equals(that.key);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    /** A partial being built. */
    private static final class Partial {
        final String key;
        long latestEventTime = Long.MIN_VALUE;
        String name;
        String category;
        Set<String> orders;
        long units;
        long revenueCents;
        long marginCents;

        Partial(String key) {
            this.key = key;
        }

        void add(Dimension dimension, PricedLine line) {
            long eventTime = line.line().eventTime();
            if (eventTime > latestEventTime) {
                latestEventTime = eventTime;
                if (dimension == Dimension.PRODUCT_MINUTE || dimension == Dimension.PRODUCT) {
                    name = line.productName();
                    category = dimension == Dimension.PRODUCT_MINUTE ? line.category() : null;
                }
            }
            if (dimension == Dimension.SELLER_MINUTE) {
                if (orders == null) {
                    orders = new HashSet<>();
                }
                orders.add(line.line().orderId());
            }
            units += line.line().quantity();
            revenueCents += line.revenueCents();
            marginCents += line.marginCents();
        }

        LinePartial toRecord() {
            return new LinePartial(
                    key,
                    latestEventTime,
                    name,
                    category,
                    orders == null ? Set.of() : orders,
                    units,
                    revenueCents,
                    marginCents);
        }
    }
}

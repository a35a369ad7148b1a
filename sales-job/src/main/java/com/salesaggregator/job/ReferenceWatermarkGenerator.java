package com.salesaggregator.job;

import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.util.function.SerializableFunction;

/**
 * The watermark of a reference partition, whose publisher writes changes in effective-time order
 * and heartbeats (PRODUCT.md, "Reference heartbeats"): no out-of-orderness. A heartbeat at {@code
 * t} promises that nothing later on the partition takes effect at or before {@code t}, so the
 * watermark reaches {@code t} and a line at {@code t} can be priced. A change at {@code t} lets it
 * reach {@code t - 1} only, as in Flink's monotonous watermarks: another change at {@code t} may
 * follow. A rejected record never moves it.
 *
 * @param <T> the source's union type
 */
final class ReferenceWatermarkGenerator<T> implements WatermarkGenerator<T> {

    /** What an element settles: the watermark it allows, or {@link Long#MIN_VALUE} for none. */
    private final SerializableFunction<T, Long> settledUpTo;

    private long watermark = Long.MIN_VALUE;

    ReferenceWatermarkGenerator(SerializableFunction<T, Long> settledUpTo) {
        this.settledUpTo = settledUpTo;
    }

    @Override
    public void onEvent(T event, long eventTimestamp, WatermarkOutput output) {
        watermark = Math.max(watermark, settledUpTo.apply(event));
    }

    @Override
    public void onPeriodicEmit(WatermarkOutput output) {
        if (watermark != Long.MIN_VALUE) {
            output.emitWatermark(new Watermark(watermark));
        }
    }
}

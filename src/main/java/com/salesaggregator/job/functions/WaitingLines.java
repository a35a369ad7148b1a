package com.salesaggregator.job.functions;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.TimerService;

/**
 * Lines held in keyed state until an event-time timer releases them, bucketed by release time: how
 * {@link CatalogEnrichment} and {@link FxConversion} wait for the watermark (and for late reference
 * data) without blocking anything else.
 *
 * @param <T> the line type
 */
final class WaitingLines<T> {

    private final MapState<Long, List<T>> buckets;

    WaitingLines(MapState<Long, List<T>> buckets) {
        this.buckets = buckets;
    }

    /** The state descriptor of a waiting-lines store of {@code type}. */
    static <T> MapStateDescriptor<Long, List<T>> descriptor(String name, Class<T> type) {
        return new MapStateDescriptor<>(name, Types.LONG, Types.LIST(TypeInformation.of(type)));
    }

    /** Holds {@code line} until the watermark reaches {@code until}. */
    void hold(T line, long until, TimerService timers) throws Exception {
        List<T> bucket = buckets.get(until);
        if (bucket == null) {
            bucket = new ArrayList<>(1);
        }
        bucket.add(line);
        buckets.put(until, bucket);
        timers.registerEventTimeTimer(until);
    }

    /** Removes and returns the lines held until {@code time}; empty if there are none. */
    List<T> release(long time) throws Exception {
        List<T> due = buckets.get(time);
        if (due == null) {
            return List.of();
        }
        buckets.remove(time);
        return due;
    }
}

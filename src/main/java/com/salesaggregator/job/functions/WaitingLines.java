package com.salesaggregator.job.functions;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.TimerService;

/**
 * Lines held in keyed state until the watermark reaches their release time: how {@link
 * CatalogEnrichment} and {@link FxConversion} wait for the watermark (and for late reference data)
 * without blocking anything else.
 *
 * <p>Lines are bucketed by release time, and the key's release times are also kept in order, so
 * that a firing takes the due buckets off the front instead of scanning them all. A key keeps a
 * single event-time timer, at its earliest release time: when it fires, every bucket the watermark
 * has reached is released at once (the buckets a timer per release time would release in the same
 * watermark advance, in the same order), and the timer moves to the next earliest. So the timer
 * queue holds one timer per waiting key instead of one per distinct event time, which on a busy key
 * is nearly one per line.
 *
 * @param <T> the line type
 */
final class WaitingLines<T> {

    /** Lines released by one firing, and the latest release time among them. */
    record Released<T>(List<T> lines, long latestReleaseTime) {}

    private final MapState<Long, List<T>> buckets;
    private final ValueState<List<Long>> releaseTimes;
    private final ValueState<Long> nextRelease;

    WaitingLines(
            MapState<Long, List<T>> buckets,
            ValueState<List<Long>> releaseTimes,
            ValueState<Long> nextRelease) {
        this.buckets = buckets;
        this.releaseTimes = releaseTimes;
        this.nextRelease = nextRelease;
    }

    /** The state descriptor of a waiting-lines store of {@code type}. */
    static <T> MapStateDescriptor<Long, List<T>> descriptor(String name, Class<T> type) {
        return new MapStateDescriptor<>(name, Types.LONG, Types.LIST(TypeInformation.of(type)));
    }

    /** The state descriptor of the key's release times, in order. */
    static ValueStateDescriptor<List<Long>> releaseTimesDescriptor(String name) {
        return new ValueStateDescriptor<>(name, Types.LIST(Types.LONG));
    }

    /** The state descriptor of the key's earliest release time with a timer. */
    static ValueStateDescriptor<Long> nextReleaseDescriptor(String name) {
        return new ValueStateDescriptor<>(name, Types.LONG);
    }

    /** Holds {@code line} until the watermark reaches {@code until}. */
    void hold(T line, long until, TimerService timers) throws Exception {
        List<T> bucket = buckets.get(until);
        if (bucket == null) {
            bucket = new ArrayList<>(1);
            List<Long> times = times();
            int at = Collections.binarySearch(times, until);
            times.add(-at - 1, until);
            releaseTimes.update(times);
        }
        bucket.add(line);
        buckets.put(until, bucket);
        Long next = nextRelease.value();
        if (next == null || until < next) {
            timers.registerEventTimeTimer(until);
            nextRelease.update(until);
        }
    }

    /**
     * Removes and returns the lines held until {@code watermark} or earlier, in release-time order;
     * call when the key's timer fires, then {@link #scheduleNext} once they are handled.
     */
    Released<T> release(long watermark) throws Exception {
        nextRelease.clear();
        List<Long> times = times();
        int due = 0;
        while (due < times.size() && times.get(due) <= watermark) {
            due++;
        }
        if (due == 0) {
            return new Released<>(List.of(), Long.MIN_VALUE);
        }
        List<T> lines = new ArrayList<>();
        for (Long until : times.subList(0, due)) {
            for (T line : buckets.get(until)) {
                lines.add(line);
            }
            buckets.remove(until);
        }
        long latest = times.get(due - 1);
        times.subList(0, due).clear();
        if (times.isEmpty()) {
            releaseTimes.clear();
        } else {
            releaseTimes.update(times);
        }
        return new Released<>(lines, latest);
    }

    /** Sets the key's timer to its earliest release time still held, if any. */
    void scheduleNext(TimerService timers) throws Exception {
        List<Long> times = releaseTimes.value();
        if (times == null || times.isEmpty()) {
            return;
        }
        long earliest = times.getFirst();
        Long next = nextRelease.value();
        if (next == null || earliest < next) {
            timers.registerEventTimeTimer(earliest);
            nextRelease.update(earliest);
        }
    }

    /**
     * The key's release times in order. State from before they were kept (a savepoint of an earlier
     * version) has buckets only: their times are read from the buckets once.
     */
    private List<Long> times() throws Exception {
        List<Long> times = releaseTimes.value();
        if (times == null) {
            times = new ArrayList<>();
            for (Long until : buckets.keys()) {
                times.add(until);
            }
            times.sort(null);
        }
        return times;
    }
}

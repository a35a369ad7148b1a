package com.salesaggregator.job.functions;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.ToLongFunction;

/**
 * Reference data versioned by event time, as used by {@link ReferenceVersions} for the catalog and
 * the exchange rates: versions sorted by the time they take effect, the one in force at an instant,
 * and pruning of versions no line can need any more.
 */
final class VersionHistory {

    private VersionHistory() {}

    /**
     * How long versions are kept below the watermark: a line waiting out the grace period, or one
     * that arrives behind the watermark but can still count in an aggregate (up to a minute plus
     * the allowed lateness behind), needs the version in force at its own event time.
     */
    static long retentionMillis(Duration grace, Duration allowedLateness) {
        return Math.max(grace.toMillis(), allowedLateness.plus(Duration.ofMinutes(1)).toMillis());
    }

    /**
     * The time up to which versions may be pruned once every line due before {@code time} has been
     * resolved. Callers pass the firing timer's time, not the watermark: when the watermark jumps
     * over several timers (idle inputs, catch-up, drain), the ones still to fire need their
     * versions.
     */
    static long horizon(long time, long retentionMillis) {
        return time < Long.MIN_VALUE + retentionMillis ? Long.MIN_VALUE : time - retentionMillis;
    }

    /**
     * {@code sorted} with {@code version} added in order; one taking effect at the same time is
     * replaced.
     */
    static <V> List<V> insert(List<V> sorted, V version, ToLongFunction<V> validFrom) {
        List<V> updated = sorted == null ? new ArrayList<>() : new ArrayList<>(sorted);
        long from = validFrom.applyAsLong(version);
        int at = 0;
        while (at < updated.size() && validFrom.applyAsLong(updated.get(at)) < from) {
            at++;
        }
        if (at < updated.size() && validFrom.applyAsLong(updated.get(at)) == from) {
            updated.set(at, version);
        } else {
            updated.add(at, version);
        }
        return updated;
    }

    /** The version with the latest validity at or before {@code time}, or null. */
    static <V> V inForceAt(List<V> sorted, long time, ToLongFunction<V> validFrom) {
        if (sorted == null) {
            return null;
        }
        V inForce = null;
        for (V version : sorted) {
            if (validFrom.applyAsLong(version) > time) {
                break;
            }
            inForce = version;
        }
        return inForce;
    }

    /**
     * Drops versions superseded at or before {@code horizon}. The newest of them stays and, having
     * lost its predecessors, takes effect from the first version's validity (before that there was
     * no version, and still is none).
     */
    static <V> List<V> prune(
            List<V> sorted,
            long horizon,
            ToLongFunction<V> validFrom,
            BiFunction<V, Long, V> withValidFrom) {
        int newestBelow = -1;
        for (int i = 0; i < sorted.size() && validFrom.applyAsLong(sorted.get(i)) <= horizon; i++) {
            newestBelow = i;
        }
        if (newestBelow <= 0) {
            return sorted;
        }
        List<V> kept = new ArrayList<>(sorted.subList(newestBelow, sorted.size()));
        kept.set(0, withValidFrom.apply(kept.get(0), validFrom.applyAsLong(sorted.get(0))));
        return kept;
    }
}

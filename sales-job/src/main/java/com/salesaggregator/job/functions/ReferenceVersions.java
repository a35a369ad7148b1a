package com.salesaggregator.job.functions;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.ToLongFunction;
import org.apache.flink.api.common.state.BroadcastState;

/**
 * Reference data versioned by event time, per key (a product, a currency), held in broadcast state
 * so that every subtask has all of it: the one implementation of "the version in force at a line's
 * event time" for the catalog and the exchange rates alike ({@link VersionHistory} holds the
 * rules).
 *
 * @param <V> the version type
 */
final class ReferenceVersions<V> {

    private final BroadcastState<String, List<V>> state;
    private final ToLongFunction<V> validFrom;
    private final BiFunction<V, Long, V> withValidFrom;

    ReferenceVersions(
            BroadcastState<String, List<V>> state,
            ToLongFunction<V> validFrom,
            BiFunction<V, Long, V> withValidFrom) {
        this.state = state;
        this.validFrom = validFrom;
        this.withValidFrom = withValidFrom;
    }

    /** Adds {@code version} of {@code key}; one taking effect at the same time is replaced. */
    void add(String key, V version) throws Exception {
        state.put(key, VersionHistory.insert(state.get(key), version, validFrom));
    }

    /** The version of {@code key} in force at {@code time}, or null. */
    V inForceAt(String key, long time) throws Exception {
        return VersionHistory.inForceAt(state.get(key), time, validFrom);
    }

    /** Drops, for every key, the versions superseded at or before {@code horizon}. */
    void prune(long horizon) throws Exception {
        List<Map.Entry<String, List<V>>> pruned = new ArrayList<>();
        for (Map.Entry<String, List<V>> entry : state.entries()) {
            List<V> kept =
                    VersionHistory.prune(entry.getValue(), horizon, validFrom, withValidFrom);
            if (kept != entry.getValue()) {
                pruned.add(Map.entry(entry.getKey(), kept));
            }
        }
        for (Map.Entry<String, List<V>> entry : pruned) {
            state.put(entry.getKey(), entry.getValue());
        }
    }
}

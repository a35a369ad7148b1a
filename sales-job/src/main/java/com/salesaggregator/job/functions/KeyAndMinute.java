package com.salesaggregator.job.functions;

import com.salesaggregator.job.records.LinePartial;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.api.java.tuple.Tuple2;

/**
 * Keys a per-minute partial by its key (seller, product or region) and its minute, for the
 * one-minute windows. Each key has one window, so the figures are those of keying by the seller,
 * product or region alone, but the windows of a few busy keys (20 sellers, 6 regions) spread over
 * every subtask minute by minute instead of staying with the subtask their key hashes to. A {@link
 * Tuple2}, whose hash code Flink defines, so that keys map to the same key groups on every JVM.
 */
public final class KeyAndMinute implements KeySelector<LinePartial, Tuple2<String, Long>> {

    private static final long serialVersionUID = 1L;

    private static final long MINUTE = 60_000;

    /** The key's type, for harnesses and explicit key types. */
    static final TypeInformation<Tuple2<String, Long>> TYPE = Types.TUPLE(Types.STRING, Types.LONG);

    @Override
    public Tuple2<String, Long> getKey(LinePartial partial) {
        return Tuple2.of(partial.key(), Math.floorDiv(partial.latestEventTime(), MINUTE) * MINUTE);
    }
}

package com.salesaggregator.job.functions;

import com.salesaggregator.model.SaleLine;
import com.salesaggregator.model.serialization.KeyStringSerializer;
import com.salesaggregator.model.serialization.KeyStringTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.functions.KeySelector;

/**
 * The identity of the sale a line belongs to: its channel and its order or receipt id, e.g. {@code
 * ONLINE:o-17} or {@code STORE:r-42}. Every line of one receipt has the same identity, so a receipt
 * is deduplicated as a whole.
 *
 * <p>Key the stream with {@link #KEY_TYPE}: the pricing stage keeps one dedup entry per identity,
 * millions of them, and every full snapshot writes every key; {@link KeyStringSerializer} writes
 * them in Flink's string format, in bulk.
 */
public final class SaleIdentity implements KeySelector<SaleLine, String> {

    /**
     * The key type to key by sale identity with: a string, written by {@link KeyStringSerializer}.
     */
    public static final TypeInformation<String> KEY_TYPE = KeyStringTypeInfo.INSTANCE;

    /** The identity of {@code line}'s sale. */
    public static String of(SaleLine line) {
        // The channel name has no ':', so the first ':' always separates it from the id.
        return line.channel().name() + ':' + line.orderId();
    }

    @Override
    public String getKey(SaleLine line) {
        return of(line);
    }
}

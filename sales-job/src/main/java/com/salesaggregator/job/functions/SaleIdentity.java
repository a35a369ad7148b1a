package com.salesaggregator.job.functions;

import com.salesaggregator.model.SaleLine;
import org.apache.flink.api.java.functions.KeySelector;

/**
 * The identity of the sale a line belongs to: its channel and its order or receipt id, e.g. {@code
 * ONLINE:o-17} or {@code STORE:r-42}. Every line of one receipt has the same identity, so a receipt
 * is deduplicated as a whole.
 */
public final class SaleIdentity implements KeySelector<SaleLine, String> {

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

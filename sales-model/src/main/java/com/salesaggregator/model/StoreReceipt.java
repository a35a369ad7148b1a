package com.salesaggregator.model;

import java.time.Instant;
import java.util.List;

/**
 * One till receipt from a physical store, keyed by {@code store_id} on {@code sales-store}. A
 * receipt is accepted or rejected as a whole; the job splits it into one sale line per entry.
 *
 * @param receiptId unique receipt id; line ids are {@code receipt_id#<index>}
 * @param eventTime when the receipt was issued (UTC)
 * @param storeId the store that issued it
 * @param sellerId the seller (store chain) the store belongs to
 * @param region sales region of the store
 * @param currency ISO 4217 code of every price on the receipt
 * @param lines the lines, at least one
 */
public record StoreReceipt(
        String receiptId,
        Instant eventTime,
        String storeId,
        String sellerId,
        String region,
        String currency,
        List<ReceiptLine> lines) {

    public StoreReceipt {
        lines = List.copyOf(lines);
    }
}

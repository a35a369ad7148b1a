package com.salesaggregator.output;

import java.math.BigDecimal;

/**
 * A {@code revenue-per-seller-1m} value: one seller's revenue in one tumbling minute.
 *
 * @param sellerId the seller
 * @param windowStart window start, ISO-8601 UTC
 * @param windowEnd window end (exclusive), ISO-8601 UTC
 * @param orders distinct orders and receipts with at least one counted line
 * @param units units sold
 * @param revenueEur revenue in EUR, two decimals
 * @param isFinal whether the window had closed (published as {@code final})
 */
public record SellerMinute(
        String sellerId,
        String windowStart,
        String windowEnd,
        long orders,
        long units,
        BigDecimal revenueEur,
        boolean isFinal) {}

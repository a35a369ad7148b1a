package com.salesaggregator.output;

import java.math.BigDecimal;

/** A {@code revenue-per-seller-1m} value, as published: one output figure. */
public record SellerMinute(
        String sellerId,
        String windowStart,
        String windowEnd,
        long orders,
        long units,
        BigDecimal revenueEur) {}

package com.salesaggregator.output;

import java.math.BigDecimal;

/** A {@code revenue-per-product} value, as published: one output figure. */
public record ProductTotal(
        String productId, String name, long units, BigDecimal revenueEur, BigDecimal marginEur) {}

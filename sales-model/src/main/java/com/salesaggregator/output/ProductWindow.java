package com.salesaggregator.output;

/** A {@code units-per-product-5m} value, as published: one output figure. */
public record ProductWindow(
        String productId,
        String name,
        String category,
        String windowStart,
        String windowEnd,
        long units) {}

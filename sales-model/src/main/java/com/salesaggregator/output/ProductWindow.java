package com.salesaggregator.output;

/**
 * A {@code units-per-product-5m} value: one product's units in a five-minute window.
 *
 * @param productId the product
 * @param name product name on the window's latest line
 * @param category product category on that line
 * @param windowStart window start, ISO-8601 UTC
 * @param windowEnd window end (exclusive), ISO-8601 UTC
 * @param units units sold in the window
 * @param isFinal whether the window had closed (published as {@code final})
 */
public record ProductWindow(
        String productId,
        String name,
        String category,
        String windowStart,
        String windowEnd,
        long units,
        boolean isFinal) {}

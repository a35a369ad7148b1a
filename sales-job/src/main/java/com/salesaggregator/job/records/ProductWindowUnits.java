package com.salesaggregator.job.records;

/**
 * Units of one product in a five-minute window sliding by one minute ({@code
 * units-per-product-5m}).
 *
 * @param productId the product
 * @param name product name on the window's latest line
 * @param category product category on that line
 * @param windowStart window start, epoch millis
 * @param windowEnd window end (exclusive), epoch millis
 * @param units units sold in the window
 * @param isFinal true once the watermark has passed the window's end (and for every later update by
 *     an allowed-late line); false for a figure that includes panes still open
 */
public record ProductWindowUnits(
        String productId,
        String name,
        String category,
        long windowStart,
        long windowEnd,
        long units,
        boolean isFinal) {}

package com.salesaggregator.job.records;

/**
 * Revenue of one seller in one tumbling minute ({@code revenue-per-seller-1m}).
 *
 * @param sellerId the seller
 * @param windowStart window start, epoch millis
 * @param windowEnd window end (exclusive), epoch millis
 * @param orders distinct orders and receipts with at least one counted line
 * @param units units sold
 * @param revenueCents revenue in EUR cents
 * @param isFinal true once the watermark has closed the window (and for every later update by an
 *     allowed-late line); false for the open window's provisional figure
 */
public record SellerMinute(
        String sellerId,
        long windowStart,
        long windowEnd,
        long orders,
        long units,
        long revenueCents,
        boolean isFinal) {}

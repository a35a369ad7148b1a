package com.salesaggregator.job.records;

/**
 * Sales of one region in one tumbling minute ({@code region-trend-1m}).
 *
 * @param region the region
 * @param windowStart window start, epoch millis
 * @param windowEnd window end (exclusive), epoch millis
 * @param units units sold
 * @param revenueCents revenue in EUR cents
 * @param isFinal true once the watermark has closed the window (and for every later update by an
 *     allowed-late line); false for the open window's provisional figure
 */
public record RegionMinute(
        String region,
        long windowStart,
        long windowEnd,
        long units,
        long revenueCents,
        boolean isFinal) {}

package com.salesaggregator.output;

import java.math.BigDecimal;

/**
 * A {@code region-trend-1m} value: one region's sales in one tumbling minute.
 *
 * @param region the region
 * @param windowStart window start, ISO-8601 UTC
 * @param windowEnd window end (exclusive), ISO-8601 UTC
 * @param units units sold
 * @param revenueEur revenue in EUR, two decimals
 * @param isFinal whether the window had closed (published as {@code final})
 */
public record RegionMinute(
        String region,
        String windowStart,
        String windowEnd,
        long units,
        BigDecimal revenueEur,
        boolean isFinal) {}

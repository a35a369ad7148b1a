package com.salesaggregator.output;

import java.math.BigDecimal;

/**
 * A {@code sales-per-region} value: one region's running totals.
 *
 * @param region the region
 * @param units units sold
 * @param revenueEur revenue in EUR, two decimals
 */
public record RegionTotal(String region, long units, BigDecimal revenueEur) {}

package com.salesaggregator.output;

import java.math.BigDecimal;

/** A {@code region-trend-1m} value, as published: one output figure. */
public record RegionMinute(
        String region, String windowStart, String windowEnd, long units, BigDecimal revenueEur) {}

package com.salesaggregator.output;

import java.math.BigDecimal;

/** A {@code sales-per-region} value, as published: one output figure. */
public record RegionTotal(String region, long units, BigDecimal revenueEur) {}

package com.salesaggregator.job.records;

/**
 * A running total since the job's first input, per product ({@code revenue-per-product}) or per
 * region ({@code sales-per-region}).
 *
 * @param key the product id or region
 * @param name product name on the latest line (null for regions)
 * @param latestEventTime event time of that line
 * @param units units sold
 * @param revenueCents revenue in EUR cents
 * @param marginCents gross margin in EUR cents
 */
public record RunningTotal(
        String key,
        String name,
        long latestEventTime,
        long units,
        long revenueCents,
        long marginCents) {}

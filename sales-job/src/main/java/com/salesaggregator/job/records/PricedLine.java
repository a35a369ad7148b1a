package com.salesaggregator.job.records;

import com.salesaggregator.model.SaleLine;
import java.math.BigDecimal;

/**
 * A sale line converted to EUR at the rate in force at its event time: what every aggregate sums.
 *
 * @param line the sale line
 * @param productName product name in the catalog version in force
 * @param category product category in that version
 * @param eurPerUnit the rate applied (1 for EUR)
 * @param revenueCents {@code quantity x unit_price x eur_per_unit}, half-even to cents
 * @param marginCents revenue minus {@code quantity x unit_cost_eur}, half-even to cents
 */
public record PricedLine(
        SaleLine line,
        String productName,
        String category,
        BigDecimal eurPerUnit,
        long revenueCents,
        long marginCents) {}

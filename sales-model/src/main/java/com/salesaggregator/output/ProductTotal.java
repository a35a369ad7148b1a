package com.salesaggregator.output;

import java.math.BigDecimal;

/**
 * A {@code revenue-per-product} value: one product's running totals.
 *
 * @param productId the product
 * @param name product name on the latest line counted
 * @param units units sold
 * @param revenueEur revenue in EUR, two decimals
 * @param marginEur gross margin in EUR, two decimals
 */
public record ProductTotal(
        String productId, String name, long units, BigDecimal revenueEur, BigDecimal marginEur) {}

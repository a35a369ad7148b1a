package com.salesaggregator.job.functions;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * The money rule: each line's EUR revenue is {@code quantity x unit_price x eur_per_unit} rounded
 * half-even to cents, once; its margin is that revenue minus {@code quantity x unit_cost_eur},
 * rounded the same way. Aggregates add these cents exactly.
 */
public final class Money {

    private Money() {}

    /** Revenue in EUR cents. */
    public static long revenueCents(int quantity, BigDecimal unitPrice, BigDecimal eurPerUnit) {
        return BigDecimal.valueOf(quantity)
                .multiply(unitPrice)
                .multiply(eurPerUnit)
                .setScale(2, RoundingMode.HALF_EVEN)
                .unscaledValue()
                .longValueExact();
    }

    /** Gross margin in EUR cents, from the line's rounded revenue. */
    public static long marginCents(long revenueCents, int quantity, BigDecimal unitCostEur) {
        return BigDecimal.valueOf(revenueCents, 2)
                .subtract(BigDecimal.valueOf(quantity).multiply(unitCostEur))
                .setScale(2, RoundingMode.HALF_EVEN)
                .unscaledValue()
                .longValueExact();
    }

    /** Cents as a decimal amount with two places, e.g. 1234 as 12.34. */
    public static BigDecimal fromCents(long cents) {
        return BigDecimal.valueOf(cents, 2);
    }
}

package com.salesaggregator.job.functions;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

/** The money rule of {@link Money} on hand-computed amounts. */
class MoneyTest {

    @Test
    void revenueTieRoundsDownWhenTheCentDigitIsEven() {
        // 10.005: half-up would give 10.01.
        assertThat(revenue(1, "10.005", "1")).isEqualTo(1000);
        // 3 x 0.55 x 0.5 = 0.825
        assertThat(revenue(3, "0.55", "0.5")).isEqualTo(82);
    }

    @Test
    void revenueTieRoundsUpWhenTheCentDigitIsOdd() {
        // 10.015 -> 10.02
        assertThat(revenue(1, "10.015", "1")).isEqualTo(1002);
        // 3 x 0.55 x 0.9 = 1.485 -> 1.48 (8 is even), and 1.495 -> 1.50
        assertThat(revenue(3, "0.55", "0.9")).isEqualTo(148);
        assertThat(revenue(1, "1.495", "1")).isEqualTo(150);
    }

    @Test
    void revenueIsRoundedOnceForTheWholeLineNotPerUnit() {
        // 3 x 0.335 = 1.005 -> 1.00; rounding each unit first would give 3 x 0.34 = 1.02.
        assertThat(revenue(3, "0.335", "1")).isEqualTo(100);
    }

    @Test
    void revenueAtTinyJpyLikeRates() {
        // 2 x 1500 x 0.006123 = 18.369
        assertThat(revenue(2, "1500", "0.006123")).isEqualTo(1837);
        // 125 x 0.0062 = 0.775 (tie, 7 odd -> up); 125 x 0.0058 = 0.725 (tie, 2 even -> down)
        assertThat(revenue(1, "125", "0.0062")).isEqualTo(78);
        assertThat(revenue(1, "125", "0.0058")).isEqualTo(72);
        // 1 x 1 x 0.004 = 0.004: less than half a cent is nothing.
        assertThat(revenue(1, "1", "0.004")).isZero();
    }

    @Test
    void revenueOfLargeQuantitiesIsExact() {
        // 1,000,001 x 0.005 = 5000.005, a tie at the cent: 5000.00
        assertThat(revenue(1_000_001, "0.005", "1")).isEqualTo(500_000);
        assertThat(revenue(1_000_000, "12.345", "1")).isEqualTo(1_234_500_000L);
        // 2,147,483,647 x 999.99 x 1.10 = 2,362,208,389,379.88530...
        assertThat(revenue(Integer.MAX_VALUE, "999.99", "1.10")).isEqualTo(236_220_838_937_988L);
    }

    @Test
    void marginIsTheRoundedRevenueMinusCostRoundedHalfEven() {
        // 0.82 - 3 x 0.105 = 0.505 -> 0.50 (half-up: 0.51)
        assertThat(Money.marginCents(82, 3, new BigDecimal("0.105"))).isEqualTo(50);
        // 10.00 - 2.335 = 7.665 -> 7.66
        assertThat(Money.marginCents(1000, 1, new BigDecimal("2.335"))).isEqualTo(766);
        // 1.48 - 0.315 = 1.165 -> 1.16
        assertThat(Money.marginCents(148, 3, new BigDecimal("0.105"))).isEqualTo(116);
    }

    @Test
    void negativeMarginTiesRoundToEvenToo() {
        // 1.00 - 1.005 = -0.005 -> -0.00 (half-up away from zero: -0.01)
        assertThat(Money.marginCents(100, 1, new BigDecimal("1.005"))).isZero();
        // 1.00 - 3 x 0.345 = -0.035 -> -0.04
        assertThat(Money.marginCents(100, 3, new BigDecimal("0.345"))).isEqualTo(-4);
    }

    @Test
    void centsBecomeAnAmountWithTwoPlaces() {
        assertThat(Money.fromCents(1234)).isEqualTo(new BigDecimal("12.34"));
        assertThat(Money.fromCents(-5)).isEqualTo(new BigDecimal("-0.05"));
        assertThat(Money.fromCents(0)).isEqualTo(new BigDecimal("0.00"));
    }

    private static long revenue(int quantity, String unitPrice, String eurPerUnit) {
        return Money.revenueCents(quantity, new BigDecimal(unitPrice), new BigDecimal(eurPerUnit));
    }
}

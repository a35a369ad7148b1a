package com.salesaggregator.job.functions;

import static com.salesaggregator.job.functions.Lines.online;
import static com.salesaggregator.job.functions.Lines.priced;
import static com.salesaggregator.job.functions.Lines.storeLine;
import static org.assertj.core.api.Assertions.assertThat;

import com.salesaggregator.job.records.LinePartial;
import com.salesaggregator.model.SaleLine;
import org.junit.jupiter.api.Test;

/** The seller-minute accumulator: distinct orders, units and revenue cents. */
class SellerMinuteAggregateTest {

    private final SellerMinuteAggregate aggregate = new SellerMinuteAggregate();

    @Test
    void newAccumulatorIsEmpty() {
        SellerMinuteAggregate.Accumulator acc = aggregate.createAccumulator();

        assertThat(acc.orders).isEmpty();
        assertThat(acc.units).isZero();
        assertThat(acc.revenueCents).isZero();
    }

    @Test
    void linesOfOneReceiptCountAsOneOrder() {
        SellerMinuteAggregate.Accumulator acc = aggregate.createAccumulator();

        acc = aggregate.add(line(storeLine("r1", 0, "s1", "eu", 2), 200), acc);
        acc = aggregate.add(line(storeLine("r1", 1, "s1", "eu", 3), 300), acc);
        acc = aggregate.add(line(storeLine("r1", 2, "s1", "eu", 1), 100), acc);
        acc = aggregate.add(line(online("o1", "p1", 4, "1.00", "EUR", 0), 400), acc);

        SellerMinuteAggregate.Accumulator result = aggregate.getResult(acc);
        assertThat(result.orders).containsExactlyInAnyOrder("r1", "o1");
        assertThat(result.units).isEqualTo(10);
        assertThat(result.revenueCents).isEqualTo(1000);
    }

    @Test
    void mergeCountsAnOrderSeenOnBothSidesOnce() {
        SellerMinuteAggregate.Accumulator a = aggregate.createAccumulator();
        a = aggregate.add(line(storeLine("r1", 0, "s1", "eu", 2), 200), a);
        a = aggregate.add(line(online("o1", "p1", 1, "1.00", "EUR", 0), 100), a);
        SellerMinuteAggregate.Accumulator b = aggregate.createAccumulator();
        b = aggregate.add(line(storeLine("r1", 1, "s1", "eu", 5), 500), b);
        b = aggregate.add(line(online("o2", "p1", 1, "1.00", "EUR", 0), 150), b);

        SellerMinuteAggregate.Accumulator merged = aggregate.merge(a, b);

        assertThat(merged.orders).containsExactlyInAnyOrder("r1", "o1", "o2");
        assertThat(merged.units).isEqualTo(9);
        assertThat(merged.revenueCents).isEqualTo(950);
    }

    private static LinePartial line(SaleLine sale, long revenueCents) {
        return PreAggregator.single(
                PreAggregator.Dimension.SELLER_MINUTE, priced(sale, "Tea", revenueCents, 0));
    }
}

package com.salesaggregator.job.functions;

import static com.salesaggregator.job.functions.Lines.priced;
import static com.salesaggregator.job.functions.Lines.storeLine;
import static org.assertj.core.api.Assertions.assertThat;

import com.salesaggregator.job.records.LinePartial;
import org.junit.jupiter.api.Test;

/** The region-minute accumulator: units and revenue cents. */
class RegionMinuteAggregateTest {

    private final RegionMinuteAggregate aggregate = new RegionMinuteAggregate();

    @Test
    void newAccumulatorIsEmpty() {
        RegionMinuteAggregate.Accumulator acc = aggregate.createAccumulator();

        assertThat(acc.units).isZero();
        assertThat(acc.revenueCents).isZero();
    }

    @Test
    void addSumsUnitsAndRevenueCents() {
        RegionMinuteAggregate.Accumulator acc = aggregate.createAccumulator();

        acc = aggregate.add(line(2, 199), acc);
        acc = aggregate.add(line(3, 1), acc);

        assertThat(aggregate.getResult(acc).units).isEqualTo(5);
        assertThat(aggregate.getResult(acc).revenueCents).isEqualTo(200);
    }

    @Test
    void mergeSumsBothSides() {
        RegionMinuteAggregate.Accumulator a =
                aggregate.add(line(2, 200), aggregate.createAccumulator());
        RegionMinuteAggregate.Accumulator b =
                aggregate.add(line(7, 1_000), aggregate.createAccumulator());

        RegionMinuteAggregate.Accumulator merged = aggregate.merge(a, b);

        assertThat(merged.units).isEqualTo(9);
        assertThat(merged.revenueCents).isEqualTo(1_200);
    }

    private static LinePartial line(int quantity, long revenueCents) {
        return PreAggregator.single(
                PreAggregator.Dimension.REGION_MINUTE,
                priced(storeLine("r1", 0, "s1", "eu", quantity), "Tea", revenueCents, 0));
    }
}

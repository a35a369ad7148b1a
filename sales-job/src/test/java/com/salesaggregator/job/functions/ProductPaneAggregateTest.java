package com.salesaggregator.job.functions;

import static com.salesaggregator.job.functions.Lines.SECOND;
import static com.salesaggregator.job.functions.Lines.online;
import static com.salesaggregator.job.functions.Lines.priced;
import static org.assertj.core.api.Assertions.assertThat;

import com.salesaggregator.job.records.LinePartial;
import org.junit.jupiter.api.Test;

/** The product-pane accumulator: units, and the name and category of the latest line. */
class ProductPaneAggregateTest {

    private final ProductPaneAggregate aggregate = new ProductPaneAggregate();

    @Test
    void newAccumulatorHasNoUnitsAndNoLine() {
        ProductPaneAggregate.Accumulator acc = aggregate.createAccumulator();

        assertThat(acc.units).isZero();
        assertThat(acc.name).isNull();
        assertThat(acc.latestEventTime).isEqualTo(Long.MIN_VALUE);
    }

    @Test
    void addSumsUnitsAndKeepsTheNameOfTheLatestLineWhateverTheArrivalOrder() {
        ProductPaneAggregate.Accumulator acc = aggregate.createAccumulator();

        acc = aggregate.add(line("Tea (new)", 3, 20 * SECOND), acc);
        acc = aggregate.add(line("Tea (old)", 4, 10 * SECOND), acc);

        ProductPaneAggregate.Accumulator result = aggregate.getResult(acc);
        assertThat(result.units).isEqualTo(7);
        assertThat(result.name).isEqualTo("Tea (new)");
        assertThat(result.category).isEqualTo("cat-Tea (new)");
        assertThat(result.latestEventTime).isEqualTo(20 * SECOND);
    }

    @Test
    void mergeTakesTheNameFromTheSideWithTheLatestLine() {
        ProductPaneAggregate.Accumulator older =
                aggregate.add(line("Tea (old)", 1, 10 * SECOND), aggregate.createAccumulator());
        ProductPaneAggregate.Accumulator newer =
                aggregate.add(line("Tea (new)", 2, 30 * SECOND), aggregate.createAccumulator());

        ProductPaneAggregate.Accumulator merged = aggregate.merge(older, newer);

        assertThat(merged.units).isEqualTo(3);
        assertThat(merged.name).isEqualTo("Tea (new)");
        assertThat(merged.latestEventTime).isEqualTo(30 * SECOND);
    }

    @Test
    void mergeKeepsTheNameWhenTheOtherSideIsOlder() {
        ProductPaneAggregate.Accumulator newer =
                aggregate.add(line("Tea (new)", 2, 30 * SECOND), aggregate.createAccumulator());
        ProductPaneAggregate.Accumulator older =
                aggregate.add(line("Tea (old)", 1, 10 * SECOND), aggregate.createAccumulator());

        ProductPaneAggregate.Accumulator merged = aggregate.merge(newer, older);

        assertThat(merged.units).isEqualTo(3);
        assertThat(merged.name).isEqualTo("Tea (new)");
    }

    private static LinePartial line(String name, int quantity, long eventTime) {
        return PreAggregator.single(
                PreAggregator.Dimension.PRODUCT_MINUTE,
                priced(
                        online("o-" + eventTime, "p1", quantity, "1.00", "EUR", eventTime),
                        name,
                        0,
                        0));
    }
}

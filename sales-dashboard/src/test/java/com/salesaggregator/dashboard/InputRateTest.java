package com.salesaggregator.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The input rate: the growth of the end offsets over the last window, per topic and in total. */
class InputRateTest {

    private final InputRate rate = new InputRate(10_000);

    @Test
    void noRateBeforeTwoSamples() {
        assertThat(rate.total()).isNull();
        rate.sample(0, Map.of("sales-online", 100L));
        assertThat(rate.total()).isNull();
        assertThat(rate.perTopic()).isEmpty();
    }

    @Test
    void recordsPerSecondOverTheWindow() {
        rate.sample(0, Map.of("sales-online", 0L, "sales-store", 0L));
        rate.sample(5_000, Map.of("sales-online", 60L, "sales-store", 40L));

        assertThat(rate.perTopic())
                .containsEntry("sales-online", 12.0)
                .containsEntry("sales-store", 8.0);
        assertThat(rate.total()).isEqualTo(20.0);
    }

    @Test
    void oldSamplesLeaveTheWindow() {
        rate.sample(0, Map.of("sales-online", 0L));
        rate.sample(10_000, Map.of("sales-online", 1_000L)); // a burst, then steady 10/s
        for (int s = 11; s <= 30; s++) {
            rate.sample(s * 1_000L, Map.of("sales-online", 1_000L + 10L * (s - 10)));
        }

        assertThat(rate.total()).isCloseTo(10.0, within(1e-9));
    }
}

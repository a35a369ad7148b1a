package com.salesaggregator.verify;

import static org.assertj.core.api.Assertions.assertThat;

import com.salesaggregator.verify.ReferenceModel.Expected;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SettledComparisonTest {

    private final SettledComparison comparison =
            new SettledComparison(Instant.parse("2026-11-22T10:05:00Z"), Duration.ofMinutes(1));

    @Test
    void aWindowSettlesWhenTheCutoffIsItsEndPlusTheDelay() {
        assertThat(comparison.settled("2026-11-22T10:04:00Z")).isTrue();
        assertThat(comparison.settled("2026-11-22T10:03:00Z")).isTrue();
        assertThat(comparison.settled("2026-11-22T10:04:00.001Z")).isFalse();
        assertThat(comparison.settled("2026-11-22T10:05:00Z")).isFalse();
    }

    @Test
    void nothingToCompareIsNotAMatch() {
        Expected nothing =
                new Expected(
                        Map.of(), Map.of(), Map.of(), Map.of(), Map.of(), List.of(), Map.of(),
                        List.of(), Map.of(), List.of());

        SettledComparison.Result result =
                comparison.compare(nothing, Map.of(), List.of(), Map.of());

        assertThat(result.differences()).isEmpty();
        assertThat(result.matches()).isFalse();
    }
}

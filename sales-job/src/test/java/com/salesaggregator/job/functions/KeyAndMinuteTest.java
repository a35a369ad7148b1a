package com.salesaggregator.job.functions;

import static org.assertj.core.api.Assertions.assertThat;

import com.salesaggregator.job.records.LinePartial;
import java.util.Arrays;
import java.util.Set;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.junit.jupiter.api.Test;

class KeyAndMinuteTest {

    private static final long MINUTE = 60_000;
    private static final int MAX_PARALLELISM = 128;

    private final KeyAndMinute keys = new KeyAndMinute();

    @Test
    void partialsOfOneKeyInOneMinuteShareAKeyAndTheNextMinuteIsAnother() {
        assertThat(keys.getKey(partial("seller-001", 5 * MINUTE)))
                .isEqualTo(keys.getKey(partial("seller-001", 6 * MINUTE - 1)));
        assertThat(keys.getKey(partial("seller-001", 5 * MINUTE)).f1).isEqualTo(5 * MINUTE);
        assertThat(keys.getKey(partial("seller-001", 6 * MINUTE)))
                .isNotEqualTo(keys.getKey(partial("seller-001", 6 * MINUTE - 1)));
        assertThat(keys.getKey(partial("seller-001", -1)).f1).isEqualTo(-MINUTE);
    }

    @Test
    void theWindowsOfTwentySellersSpreadEvenlyOverFourSubtasks() {
        // The seeder's 20 sellers over half an hour: keyed by seller alone, one subtask of four
        // gets up to 8 of them (1.6 x the mean); keyed by seller and minute, each minute lands
        // anywhere.
        int parallelism = 4;
        long[] windows = new long[parallelism];
        long[] bySellerAlone = new long[parallelism];
        for (int seller = 0; seller < 20; seller++) {
            String id = String.format("seller-%03d", seller);
            bySellerAlone[subtask(id, parallelism)] += 30;
            for (int minute = 0; minute < 30; minute++) {
                windows[subtask(keys.getKey(partial(id, minute * MINUTE)), parallelism)]++;
            }
        }
        assertThat(maxOverMean(windows)).isLessThan(1.25);
        assertThat(maxOverMean(bySellerAlone)).isGreaterThan(maxOverMean(windows));
    }

    private static int subtask(Object key, int parallelism) {
        return KeyGroupRangeAssignment.assignKeyToParallelOperator(
                key, MAX_PARALLELISM, parallelism);
    }

    private static double maxOverMean(long[] counts) {
        double mean = Arrays.stream(counts).sum() / (double) counts.length;
        return Arrays.stream(counts).max().orElse(0) / mean;
    }

    private static LinePartial partial(String key, long eventTime) {
        return new LinePartial(key, eventTime, null, null, Set.of(), 1, 100, 10);
    }
}

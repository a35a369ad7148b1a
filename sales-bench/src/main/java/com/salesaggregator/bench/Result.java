package com.salesaggregator.bench;

import java.util.List;

/**
 * One measured run of a contender: what it cost, whether its figures equal the reference model's
 * (empty {@code problems}), and, for Flink, its checkpoint durations.
 *
 * @param cost wall time until the last output was committed, CPU time and peak heap
 * @param problems why the run's figures are wrong, empty if they are right
 * @param checkpoints checkpoint durations, or null where there are none
 */
record Result(Meter.Cost cost, List<String> problems, Checkpoints checkpoints) {

    /** Completed checkpoints of a Flink run and their end-to-end durations. */
    record Checkpoints(int completed, long p50Millis, long p99Millis, long maxMillis) {}

    static Result of(Meter.Cost cost, List<String> problems, Checkpoints checkpoints) {
        return new Result(cost, List.copyOf(problems), checkpoints);
    }

    boolean correct() {
        return problems.isEmpty();
    }
}

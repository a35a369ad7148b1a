package com.salesaggregator.dashboard;

import java.util.Map;

/**
 * Everything the page shows, sent whole on every change (and on every (re)connect): the figures and
 * the pipeline's health. A few kilobytes, so a browser that missed updates needs nothing else.
 *
 * @param version increases with every snapshot sent
 * @param generatedAt when it was made (ISO-8601 UTC)
 * @param figures the four charts and the sellers table
 * @param health the health strip
 */
public record Snapshot(long version, String generatedAt, Figures figures, Health health) {

    /**
     * The health strip.
     *
     * @param flink job state, last checkpoint, event-time lag (Flink REST API)
     * @param inputRecordsPerSecond records per second arriving on the sales topics, null until
     *     measured
     * @param inputPerTopic the same per input topic
     * @param caughtUp whether the dashboard has read everything committed before it started
     * @param kafkaProblem what keeps it from reading the outputs, or null
     */
    public record Health(
            FlinkStatus flink,
            Double inputRecordsPerSecond,
            Map<String, Double> inputPerTopic,
            boolean caughtUp,
            String kafkaProblem) {}
}

package com.salesaggregator.bench;

/** The job's latency in streaming mode at a fixed input rate. */
final class Latency {

    /** The latency percentiles per output. */
    record Report(String markdown, String csv) {}
}

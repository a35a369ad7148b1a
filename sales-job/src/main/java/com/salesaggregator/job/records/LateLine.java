package com.salesaggregator.job.records;

/**
 * A valid line that reached the aggregation stage after its one-minute window had closed for longer
 * than the allowed lateness. Published to {@code sales-late}; counted in no aggregate.
 *
 * @param line the priced line
 * @param watermark the watermark it missed
 * @param windowStart start of its one-minute window (epoch millis)
 * @param windowEnd end of that window (exclusive)
 */
public record LateLine(PricedLine line, long watermark, long windowStart, long windowEnd) {}

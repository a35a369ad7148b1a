package com.salesaggregator.job.records;

/**
 * Where an input record sits in its topic: what the deduplication remembers of a sale's first
 * delivery (the topic follows from the sale's channel).
 *
 * @param partition partition of the record
 * @param offset offset of the record in that partition
 */
public record SourcePosition(int partition, long offset) {}

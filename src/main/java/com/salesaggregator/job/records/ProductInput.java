package com.salesaggregator.job.records;

/** What the products source emits: a change, or a dead letter. Exactly one field is set. */
public record ProductInput(ProductChange change, DeadLetter rejected) {}

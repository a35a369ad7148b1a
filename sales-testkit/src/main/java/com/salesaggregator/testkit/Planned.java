package com.salesaggregator.testkit;

/**
 * One input record for a test to produce: logical topic name (without the run's prefix), an
 * optional explicit partition (null: by key), key, value and record timestamp.
 */
public record Planned(String topic, Integer partition, byte[] key, byte[] value, long timestamp) {}

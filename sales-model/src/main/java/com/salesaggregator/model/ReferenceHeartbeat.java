package com.salesaggregator.model;

import java.time.Instant;

/**
 * A publisher's promise about one partition of {@code products} or {@code fx-rates}: nothing
 * published after it on that partition takes effect at or before {@code heartbeatTime}. Keyed
 * {@code __heartbeat-<partition>}, valued {@code {"heartbeat_time": "<ISO-8601 UTC>"}}; the job
 * reads it as watermark progress only.
 *
 * @param partition the partition the promise is about, the one it is published on
 * @param heartbeatTime up to when (inclusive) the partition's reference data are complete (UTC)
 */
public record ReferenceHeartbeat(int partition, Instant heartbeatTime) {}

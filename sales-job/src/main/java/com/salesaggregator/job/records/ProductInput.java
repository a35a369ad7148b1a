package com.salesaggregator.job.records;

import com.salesaggregator.output.DeadLetter;

/**
 * What the products source emits: a change, a heartbeat, or a dead letter. Exactly one field is
 * set.
 *
 * @param change a catalog change
 * @param heartbeat a reference heartbeat's time, epoch millis: watermark progress only, never state
 * @param rejected a record the decoder rejected
 */
public record ProductInput(ProductChange change, Long heartbeat, DeadLetter rejected) {

    /** A change or a dead letter. */
    public ProductInput(ProductChange change, DeadLetter rejected) {
        this(change, null, rejected);
    }

    /** A heartbeat at {@code heartbeatTime} (epoch millis). */
    public static ProductInput heartbeat(long heartbeatTime) {
        return new ProductInput(null, heartbeatTime, null);
    }
}

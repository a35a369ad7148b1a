package com.salesaggregator.job.records;

import com.salesaggregator.model.FxRate;
import com.salesaggregator.output.DeadLetter;

/**
 * What the FX source emits: a rate, a heartbeat, or a dead letter. Exactly one field is set.
 *
 * @param rate an exchange rate
 * @param heartbeat a reference heartbeat's time, epoch millis: watermark progress only, never state
 * @param rejected a record the decoder rejected
 */
public record FxRateInput(FxRate rate, Long heartbeat, DeadLetter rejected) {

    /** A rate or a dead letter. */
    public FxRateInput(FxRate rate, DeadLetter rejected) {
        this(rate, null, rejected);
    }

    /** A heartbeat at {@code heartbeatTime} (epoch millis). */
    public static FxRateInput heartbeat(long heartbeatTime) {
        return new FxRateInput(null, heartbeatTime, null);
    }
}

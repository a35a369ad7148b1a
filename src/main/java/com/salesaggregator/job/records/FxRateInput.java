package com.salesaggregator.job.records;

import com.salesaggregator.model.FxRate;

/** What the FX source emits: a rate, or a dead letter. Exactly one field is set. */
public record FxRateInput(FxRate rate, DeadLetter rejected) {}

package com.salesaggregator.model;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * The euro value of one unit of a currency from {@code validFrom} on, keyed by {@code currency} on
 * the compacted {@code fx-rates} topic. The rate in force at an instant is the one with the latest
 * {@code validFrom} at or before it.
 *
 * @param currency ISO 4217 code
 * @param eurPerUnit EUR for one unit of {@code currency}, positive
 * @param validFrom from when the rate applies (UTC)
 */
public record FxRate(String currency, BigDecimal eurPerUnit, Instant validFrom) {}

package com.salesaggregator.codec;

import java.io.Serializable;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;

/**
 * The bounds the {@link EventCodec} enforces on input records, so that no single record can exhaust
 * memory or poison an aggregate.
 *
 * @param maxRecordBytes largest accepted value, in bytes
 * @param maxReceiptLines most lines on one store receipt
 * @param maxNestingDepth deepest JSON nesting accepted
 * @param maxTextLength longest id, name or category, in characters
 * @param maxQuantity largest quantity on one line
 * @param maxPrice largest unit price or unit cost
 * @param maxPriceScale most decimal places in a price or cost
 * @param maxRateScale most decimal places in an exchange rate
 * @param minTime earliest accepted timestamp (inclusive)
 * @param maxTime latest accepted timestamp (exclusive)
 * @param maxTimeAhead how far an event's own time may lie after its Kafka record's timestamp
 */
public record CodecLimits(
        int maxRecordBytes,
        int maxReceiptLines,
        int maxNestingDepth,
        int maxTextLength,
        int maxQuantity,
        BigDecimal maxPrice,
        int maxPriceScale,
        int maxRateScale,
        Instant minTime,
        Instant maxTime,
        Duration maxTimeAhead)
        implements Serializable {

    /** 256 KiB: a receipt at the line limit fits with room to spare. */
    public static final int DEFAULT_MAX_RECORD_BYTES = 256 * 1024;

    public static final int DEFAULT_MAX_RECEIPT_LINES = 1_000;

    /**
     * One minute: less than the out-of-orderness plus the allowed lateness (1m30s by default), so
     * that an accepted event ahead of its record can never turn on-time lines late.
     */
    public static final Duration DEFAULT_MAX_TIME_AHEAD = Duration.ofMinutes(1);

    public CodecLimits {
        require(maxRecordBytes > 0, "maxRecordBytes must be positive");
        require(maxReceiptLines > 0, "maxReceiptLines must be positive");
        require(maxNestingDepth >= 3, "maxNestingDepth must be at least 3 (receipt lines)");
        require(maxTextLength > 0, "maxTextLength must be positive");
        require(maxQuantity > 0, "maxQuantity must be positive");
        require(maxPrice != null && maxPrice.signum() > 0, "maxPrice must be positive");
        require(maxPriceScale >= 0, "maxPriceScale must not be negative");
        require(maxRateScale >= 0, "maxRateScale must not be negative");
        require(
                minTime != null && maxTime != null && minTime.isBefore(maxTime),
                "minTime must be before maxTime");
        require(
                maxTimeAhead != null && !maxTimeAhead.isNegative(),
                "maxTimeAhead must not be negative");
    }

    /** The defaults: see docs/schemas.md, "Reason codes". */
    public static CodecLimits defaults() {
        return new CodecLimits(
                DEFAULT_MAX_RECORD_BYTES,
                DEFAULT_MAX_RECEIPT_LINES,
                16,
                128,
                1_000_000,
                new BigDecimal("1000000000"),
                4,
                10,
                Instant.parse("2000-01-01T00:00:00Z"),
                Instant.parse("2100-01-01T00:00:00Z"),
                DEFAULT_MAX_TIME_AHEAD);
    }

    /** These limits with another record size limit. */
    public CodecLimits withMaxRecordBytes(int bytes) {
        return new CodecLimits(
                bytes,
                maxReceiptLines,
                maxNestingDepth,
                maxTextLength,
                maxQuantity,
                maxPrice,
                maxPriceScale,
                maxRateScale,
                minTime,
                maxTime,
                maxTimeAhead);
    }

    /** These limits with another receipt line limit. */
    public CodecLimits withMaxReceiptLines(int lines) {
        return new CodecLimits(
                maxRecordBytes,
                lines,
                maxNestingDepth,
                maxTextLength,
                maxQuantity,
                maxPrice,
                maxPriceScale,
                maxRateScale,
                minTime,
                maxTime,
                maxTimeAhead);
    }

    /** These limits with another bound on event times ahead of their records. */
    public CodecLimits withMaxTimeAhead(Duration ahead) {
        return new CodecLimits(
                maxRecordBytes,
                maxReceiptLines,
                maxNestingDepth,
                maxTextLength,
                maxQuantity,
                maxPrice,
                maxPriceScale,
                maxRateScale,
                minTime,
                maxTime,
                ahead);
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }
}

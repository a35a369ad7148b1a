package com.salesaggregator.codec;

/**
 * Why an input record or sale line went to {@code sales-dlq}. The first group is decided by the
 * {@link EventCodec} from the record alone; the second by the job, which needs reference data or
 * history.
 */
public enum RejectReason {
    /** The record has no value (null or zero bytes) on a topic that needs one. */
    EMPTY_VALUE,
    /** The value is larger than the configured record size limit. */
    OVERSIZED_RECORD,
    /** The value is not valid UTF-8, or starts with a byte order mark. */
    INVALID_ENCODING,
    /**
     * The value is not one well-formed JSON object: syntax error, truncation, trailing data,
     * nesting deeper than the limit, or a number literal longer than the limit.
     */
    MALFORMED_JSON,
    /** The same field name appears twice in one JSON object. */
    DUPLICATE_FIELD,
    /** A required field is absent or null. */
    MISSING_FIELD,
    /** A field has the wrong JSON type (for example a string where a number belongs). */
    WRONG_TYPE,
    /** An id or text field is empty, longer than the limit, or contains control characters. */
    INVALID_TEXT,
    /** A quantity is not a whole number between 1 and the limit. */
    INVALID_QUANTITY,
    /** A price or cost is negative, not finite, above the limit, or has too many decimals. */
    INVALID_PRICE,
    /** An exchange rate is not a positive finite number within the limits. */
    INVALID_RATE,
    /** A timestamp is not an ISO-8601 instant, or lies outside the accepted range. */
    INVALID_TIMESTAMP,
    /** A currency code is not three upper-case ASCII letters. */
    INVALID_CURRENCY,
    /** A store receipt has no lines. */
    EMPTY_RECEIPT,
    /** A store receipt has more lines than the limit. */
    TOO_MANY_LINES,

    /** The product is not in the catalog at the line's event time (after a grace period). */
    UNKNOWN_PRODUCT,
    /** The product was delisted at or before the line's event time. */
    DELISTED_PRODUCT,
    /** No EUR rate for the line's currency is in force at its event time. */
    NO_FX_RATE,
    /**
     * An upstream resend: another record already delivered this order or receipt (same channel and
     * id) within the dedup horizon. Given to every line of the resend.
     */
    DUPLICATE,

    // Appended last, so that the other codes keep their ordinals.

    /**
     * (codec) An event time, {@code updated_at}, {@code valid_from} or {@code heartbeat_time} lies
     * further after the Kafka record's timestamp than the limit: accepted, it would drag the
     * watermark ahead and turn every later record late.
     */
    FUTURE_TIMESTAMP,

    /**
     * (codec) A reference heartbeat (key {@code __heartbeat-...} on {@code products} or {@code
     * fx-rates}) whose key does not name the partition it was read from: its promise is about
     * another partition, or none.
     */
    MISPLACED_HEARTBEAT
}

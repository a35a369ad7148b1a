package com.salesaggregator.job.records;

import com.salesaggregator.codec.RejectReason;

/**
 * An input record, or one line of it, that the job cannot use: where it came from, what it was, and
 * why. Published to {@code sales-dlq}.
 *
 * @param sourceTopic topic of the input record
 * @param partition partition of the input record
 * @param offset offset of the input record
 * @param lineId the rejected line, or null when the whole record was rejected
 * @param key the record key (null if it had none)
 * @param value the record value as received, or for a rejected line the line as the job saw it
 * @param reason the reason code
 * @param message what is wrong, naming the field
 */
public record DeadLetter(
        String sourceTopic,
        int partition,
        long offset,
        String lineId,
        byte[] key,
        byte[] value,
        RejectReason reason,
        String message) {}

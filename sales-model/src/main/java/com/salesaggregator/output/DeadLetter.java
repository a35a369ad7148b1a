package com.salesaggregator.output;

import com.salesaggregator.codec.RejectReason;
import java.util.Arrays;
import java.util.Objects;

/**
 * A {@code sales-dlq} value: an input record, or one line of it, that the job cannot use: where it
 * came from, what it was, and why. A dead letter carries at most {@link #MAX_CARRIED_BYTES} of the
 * source key and of the source value ({@link #of} cuts them), so that it stays far below a
 * producer's 1 MB whatever the input record was.
 *
 * @param sourceTopic topic of the input record
 * @param partition partition of the input record
 * @param offset offset of the input record
 * @param lineId the rejected line, or null when the whole record was rejected
 * @param key the record key as carried (null if it had none)
 * @param keyBytes the full size of a key cut to {@link #MAX_CARRIED_BYTES}, else null
 * @param value the record value as carried, or for a rejected line the line as the job saw it
 * @param valueBytes the full size of a value cut to {@link #MAX_CARRIED_BYTES}, else null
 * @param reason the reason code
 * @param message what is wrong, naming the field
 */
public record DeadLetter(
        String sourceTopic,
        int partition,
        long offset,
        String lineId,
        byte[] key,
        Integer keyBytes,
        byte[] value,
        Integer valueBytes,
        RejectReason reason,
        String message) {

    /**
     * Most bytes of a source key or value a dead letter carries. JSON escaping grows text at most
     * sixfold (a control character becomes a six-character escape) and base64 by a third, so a dead
     * letter stays well below the producers' and brokers' 1 MB default.
     */
    public static final int MAX_CARRIED_BYTES = 64 * 1024;

    /**
     * The dead letter of a source record (or line) with key and value as received: each cut to its
     * first {@link #MAX_CARRIED_BYTES} (at a UTF-8 character boundary) if longer, with its full
     * size kept.
     */
    public static DeadLetter of(
            String sourceTopic,
            int partition,
            long offset,
            String lineId,
            byte[] key,
            byte[] value,
            RejectReason reason,
            String message) {
        return new DeadLetter(
                sourceTopic,
                partition,
                offset,
                lineId,
                carried(key),
                fullSizeIfCut(key),
                carried(value),
                fullSizeIfCut(value),
                reason,
                message);
    }

    private static byte[] carried(byte[] bytes) {
        if (bytes == null || bytes.length <= MAX_CARRIED_BYTES) {
            return bytes;
        }
        int end = MAX_CARRIED_BYTES;
        // Continuation bytes are 10xxxxxx; a character starts at any other byte.
        for (int back = 0; back < 3 && (bytes[end] & 0xC0) == 0x80; back++) {
            end--;
        }
        return Arrays.copyOf(bytes, end);
    }

    private static Integer fullSizeIfCut(byte[] bytes) {
        return bytes != null && bytes.length > MAX_CARRIED_BYTES ? bytes.length : null;
    }

    @Override
    public boolean equals(Object o) {
        // Byte arrays by content.
        return o instanceof DeadLetter d
                && sourceTopic.equals(d.sourceTopic)
                && partition == d.partition
                && offset == d.offset
                && Objects.equals(lineId, d.lineId)
                && Arrays.equals(key, d.key)
                && Objects.equals(keyBytes, d.keyBytes)
                && Arrays.equals(value, d.value)
                && Objects.equals(valueBytes, d.valueBytes)
                && reason == d.reason
                && Objects.equals(message, d.message);
    }

    @Override
    public int hashCode() {
        return Objects.hash(
                sourceTopic,
                partition,
                offset,
                lineId,
                Arrays.hashCode(key),
                Arrays.hashCode(value),
                reason,
                message);
    }

    @Override
    public String toString() {
        return sourceTopic
                + ":"
                + partition
                + ":"
                + offset
                + (lineId == null ? "" : ":" + lineId)
                + " "
                + reason
                + " ("
                + message
                + ")";
    }
}

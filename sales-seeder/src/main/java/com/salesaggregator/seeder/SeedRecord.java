package com.salesaggregator.seeder;

/**
 * One record the seeder publishes, with what it was planned to be: the plan lets tests check the
 * job's verdict on every record.
 *
 * @param topic destination topic
 * @param key record key bytes
 * @param value record value bytes, or null for a tombstone
 * @param timestamp record timestamp in epoch millis (the event time)
 * @param kind what the record is
 * @param lines sale lines it carries (0 for reference data)
 * @param fault the planned defect, or null for a valid record
 * @param late whether it is a sale planned to arrive later than any allowed lateness
 * @param resend whether it is a second delivery of an earlier sale record, byte for byte (a
 *     producer resend: the job dead-letters its lines as DUPLICATE)
 */
public record SeedRecord(
        String topic,
        byte[] key,
        byte[] value,
        long timestamp,
        Kind kind,
        int lines,
        Fault fault,
        boolean late,
        boolean resend) {

    /** What a seed record carries. */
    public enum Kind {
        ONLINE_ORDER,
        STORE_RECEIPT,
        PRODUCT,
        PRODUCT_DELISTING,
        FX_RATE;

        /** Whether this kind is a sale (an order or a receipt). */
        public boolean isSale() {
            return this == ONLINE_ORDER || this == STORE_RECEIPT;
        }
    }
}

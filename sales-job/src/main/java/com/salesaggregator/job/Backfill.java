package com.salesaggregator.job;

import java.io.Serializable;
import java.time.Duration;
import java.time.Instant;

/**
 * A bounded run of the job over the event-time range {@code [from, to)}: its outputs go to the live
 * topic names plus {@code outputSuffix}. Built and checked by {@link JobConfig#from}.
 *
 * @param from first event time in the range (inclusive)
 * @param to end of the range (exclusive)
 * @param outputSuffix appended to the seven output topic names
 */
public record Backfill(Instant from, Instant to, String outputSuffix) implements Serializable {

    /** The consumer group and transactional id prefix a backfill uses unless given others. */
    public static final String DEFAULT_ID = "sales-backfill";

    /** Whether a line at {@code eventTime} (epoch millis) is in the range. */
    public boolean contains(long eventTime) {
        return eventTime >= from.toEpochMilli() && eventTime < to.toEpochMilli();
    }

    /**
     * The Kafka timestamp the sales sources start at: early enough that the watermark has the
     * history it had in the live job when the first line of the range arrives (out-of-orderness
     * plus allowed lateness), and early enough that no line of the range is missed: a line's event
     * time is at most {@code maxTimeAhead} after its record's timestamp (later ones are dead
     * letters), so every record holding a line of the range has a timestamp at or after {@code from
     * - maxTimeAhead}.
     */
    public long salesStartTimestamp(
            Duration outOfOrderness, Duration allowedLateness, Duration maxTimeAhead) {
        Duration history = outOfOrderness.plus(allowedLateness);
        Duration before = history.compareTo(maxTimeAhead) >= 0 ? history : maxTimeAhead;
        return from.minus(before).toEpochMilli();
    }
}

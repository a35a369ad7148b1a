package com.salesaggregator.job.metrics;

import com.salesaggregator.metrics.JobMetrics;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;

/**
 * The event-time lag gauge of one source subtask: wall clock minus the newest event time it has
 * decoded ({@link JobMetrics#EVENT_TIME_LAG}, grouped by source topic). Registered with the first
 * record, which names the topic (each source reads one).
 */
public final class EventTimeLag {

    private final MetricGroup group;
    private volatile long newest = Long.MIN_VALUE;
    private boolean registered;

    /**
     * @param group the source's metric group
     */
    public EventTimeLag(MetricGroup group) {
        this.group = group;
    }

    /** Takes the event time (epoch millis) of one valid record read from {@code topic}. */
    public void observe(String topic, long eventTime) {
        if (!registered) {
            registered = true;
            group.addGroup(JobMetrics.SOURCE_GROUP, topic)
                    .gauge(JobMetrics.EVENT_TIME_LAG, (Gauge<Double>) this::millis);
        }
        // One source reader thread writes; the reporter thread only reads.
        if (eventTime > newest) {
            newest = eventTime;
        }
    }

    /** The lag now, or NaN before the first record. */
    double millis() {
        long n = newest;
        return n == Long.MIN_VALUE ? Double.NaN : (double) (System.currentTimeMillis() - n);
    }
}

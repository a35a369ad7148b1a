package com.salesaggregator.job.metrics;

import com.salesaggregator.metrics.JobMetrics;
import java.io.Serializable;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.util.function.SerializableFunction;

/**
 * The counters of one output sink: records written ({@link JobMetrics#RECORDS_OUT}, grouped by
 * output topic) and, for the dead letters, records per reason ({@link JobMetrics#DEAD_LETTERS}) or,
 * for the late topic, lines ({@link JobMetrics#LATE_LINES}). Created on the client, opened in the
 * sink writer.
 */
public final class OutputCounters<T> implements Serializable {

    private static final long serialVersionUID = 1L;

    private final String topic;
    private final Kind kind;
    private final SerializableFunction<T, String> reason;
    private transient Counter recordsOut;
    private transient Counter lateLines;
    private transient MetricGroup reasons;
    private transient Map<String, Counter> byReason;

    private enum Kind {
        FIGURES,
        DEAD_LETTERS,
        LATE
    }

    private OutputCounters(String topic, Kind kind, SerializableFunction<T, String> reason) {
        this.topic = topic;
        this.kind = kind;
        this.reason = reason;
    }

    /** Counts the records of an output of figures. */
    public static <T> OutputCounters<T> figures(String topic) {
        return new OutputCounters<>(topic, Kind.FIGURES, null);
    }

    /** Counts dead letters, in total and by the reason {@code reason} reads from each. */
    public static <T> OutputCounters<T> deadLetters(
            String topic, SerializableFunction<T, String> reason) {
        return new OutputCounters<>(topic, Kind.DEAD_LETTERS, reason);
    }

    /** Counts late lines. */
    public static <T> OutputCounters<T> late(String topic) {
        return new OutputCounters<>(topic, Kind.LATE, null);
    }

    /** Registers the counters under the sink writer's {@code group}. */
    public void open(MetricGroup group) {
        recordsOut = group.addGroup(JobMetrics.OUTPUT_GROUP, topic).counter(JobMetrics.RECORDS_OUT);
        if (kind == Kind.LATE) {
            lateLines = group.counter(JobMetrics.LATE_LINES);
        }
        if (kind == Kind.DEAD_LETTERS) {
            reasons = group;
            byReason = new HashMap<>();
        }
    }

    /** Counts one record about to be written. */
    public void count(T element) {
        if (recordsOut == null) {
            return; // not opened: a serializer used outside a sink
        }
        recordsOut.inc();
        if (lateLines != null) {
            lateLines.inc();
        }
        if (byReason != null) {
            byReason.computeIfAbsent(
                            reason.apply(element),
                            r ->
                                    reasons.addGroup(JobMetrics.REASON_GROUP, r)
                                            .counter(JobMetrics.DEAD_LETTERS))
                    .inc();
        }
    }
}

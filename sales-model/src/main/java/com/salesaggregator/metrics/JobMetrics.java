package com.salesaggregator.metrics;

/**
 * The job's own Flink metrics: their names in Flink and as the Prometheus reporter exports them.
 * The reporter names a metric {@code flink_} + its scope ({@code taskmanager_job_task_operator}) +
 * its groups + its name, where a key/value group adds its key to the name and its value as a label.
 * Flink puts the metrics of a sink's serializer under a {@code user} group and those of a source's
 * deserializer under a {@code deserializer} group. The Grafana dashboard of the chart queries these
 * names; a test ties the two together.
 */
public final class JobMetrics {

    /** The group Flink gives the metrics of a sink's serialization schema. */
    private static final String SINK_GROUP = "user";

    /** The group Flink gives the metrics of a source's deserialization schema. */
    private static final String SOURCE_SCHEMA_GROUP = "deserializer";

    /** Key group of the output counters; its value (label) is the output topic. */
    public static final String OUTPUT_GROUP = "output";

    /** Records each output sink has written (counted when serialized, before the commit). */
    public static final String RECORDS_OUT = "recordsOut";

    /** Key group of the dead-letter counters; its value (label) is the reason code. */
    public static final String REASON_GROUP = "reason";

    /** Records written to the dead-letter topic, per reason. */
    public static final String DEAD_LETTERS = "deadLetters";

    /** Lines written to the late topic. */
    public static final String LATE_LINES = "lateLines";

    /**
     * What a backfill skipped as outside its event-time range: sale lines (by event time) and
     * rejected input records (by record timestamp), neither counted nor dead letters.
     */
    public static final String OUT_OF_RANGE = "outOfRangeSkipped";

    /** Key group of the event-time lag; its value (label) is the input topic. */
    public static final String SOURCE_GROUP = "source";

    /**
     * Wall clock minus the newest event time a source subtask has decoded, in milliseconds (NaN
     * until its first valid record). For sales: how far behind real time the job reads; for catalog
     * and FX rates: the age of the newest version.
     */
    public static final String EVENT_TIME_LAG = "eventTimeLagMs";

    /** Prometheus name of {@link #RECORDS_OUT}, label {@code output}. */
    public static final String PROMETHEUS_RECORDS_OUT =
            prometheus(SINK_GROUP + "_" + OUTPUT_GROUP + "_" + RECORDS_OUT);

    /** Prometheus name of {@link #DEAD_LETTERS}, label {@code reason}. */
    public static final String PROMETHEUS_DEAD_LETTERS =
            prometheus(SINK_GROUP + "_" + REASON_GROUP + "_" + DEAD_LETTERS);

    /** Prometheus name of {@link #LATE_LINES}. */
    public static final String PROMETHEUS_LATE_LINES = prometheus(SINK_GROUP + "_" + LATE_LINES);

    /** Prometheus name of {@link #EVENT_TIME_LAG}, label {@code source}. */
    public static final String PROMETHEUS_EVENT_TIME_LAG =
            prometheus(SOURCE_SCHEMA_GROUP + "_" + SOURCE_GROUP + "_" + EVENT_TIME_LAG);

    private JobMetrics() {}

    private static String prometheus(String name) {
        return "flink_taskmanager_job_task_operator_" + name;
    }
}

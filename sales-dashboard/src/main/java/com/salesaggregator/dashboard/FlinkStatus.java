package com.salesaggregator.dashboard;

import java.util.Map;

/**
 * The job's health as the Flink REST API reports it.
 *
 * @param status {@code off} (no REST URL configured), {@code unreachable}, {@code no-job} or {@code
 *     ok}
 * @param message what went wrong, for the user; null when ok
 * @param jobId the job's id; null without a job
 * @param jobState e.g. RUNNING, RESTARTING, FAILED; null without a job
 * @param jobStart when the job started (ISO-8601 UTC); null without a job
 * @param lastCheckpoint the last completed checkpoint; null before the first
 * @param lastFailedCheckpoint the last failed checkpoint; null if none failed
 * @param checkpointsCompleted completed checkpoints since the job started
 * @param checkpointsFailed failed checkpoints since the job started
 * @param eventTimeLagMs per input topic: wall clock minus the newest event time read (the job's
 *     {@code eventTimeLagMs} metric, the most behind of the source's subtasks)
 * @param checkedAt when the REST API was last asked (ISO-8601 UTC)
 */
public record FlinkStatus(
        String status,
        String message,
        String jobId,
        String jobState,
        String jobStart,
        Checkpoint lastCheckpoint,
        FailedCheckpoint lastFailedCheckpoint,
        long checkpointsCompleted,
        long checkpointsFailed,
        Map<String, Double> eventTimeLagMs,
        String checkedAt) {

    /**
     * A completed checkpoint: each one commits the outputs' Kafka transactions.
     *
     * @param id checkpoint id
     * @param completedAt when its last acknowledgement arrived (ISO-8601 UTC)
     * @param durationMs from trigger to completion
     */
    public record Checkpoint(long id, String completedAt, long durationMs) {}

    /**
     * A failed checkpoint: until a later one completes, nothing is committed.
     *
     * @param id checkpoint id
     * @param failedAt when it failed (ISO-8601 UTC)
     * @param message why, as Flink says it
     */
    public record FailedCheckpoint(long id, String failedAt, String message) {}

    static FlinkStatus off() {
        return new FlinkStatus(
                "off",
                "no Flink REST URL configured",
                null,
                null,
                null,
                null,
                null,
                0,
                0,
                Map.of(),
                null);
    }

    static FlinkStatus problem(String status, String message, String checkedAt) {
        return new FlinkStatus(
                status, message, null, null, null, null, null, 0, 0, Map.of(), checkedAt);
    }
}

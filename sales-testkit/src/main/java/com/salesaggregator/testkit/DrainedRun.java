package com.salesaggregator.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import com.salesaggregator.topics.Topic;
import com.salesaggregator.verify.ReferenceModel;
import com.salesaggregator.verify.ReferenceModel.Expected;
import com.salesaggregator.verify.ReferenceModel.Fate;
import com.salesaggregator.verify.ReferenceModel.InputRecord;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The end of a run with faults: once the job has read and checkpointed its whole input, drain it
 * (with the {@link CatalogHeartbeat} keeping a source active, FLINK-40499), read every output with
 * {@code read_committed} and run the exact check against the {@link ReferenceModel}: every figure,
 * every dead letter once, every line in exactly one place, the outputs adding up, no transaction
 * left open.
 */
public final class DrainedRun {

    private static final Logger LOG = LoggerFactory.getLogger(DrainedRun.class);

    private static final List<String> INPUTS = Topic.names(Topic.Role.SALES, Topic.Role.REFERENCE);

    private DrainedRun() {}

    /** What a checked run published and what the reference model expected. */
    public record Outcome(
            Expected expected, Published published, int inputRecords, int repricedLate) {

        private long countedLines() {
            return expected.fates().values().stream().filter(f -> f == Fate.COUNTED).count();
        }

        /** A one-line account of the run, for the log. */
        public String summary() {
            Map<String, Long> reasons = new TreeMap<>();
            expected.deadLetters().forEach(d -> reasons.merge(d.reason(), 1L, Long::sum));
            return String.format(
                    "%,d input records, %,d lines (%,d counted, %,d late%s), %,d resent lines,"
                            + " %,d region-minutes, %,d product totals, dead letters %s",
                    inputRecords,
                    expected.lines().size(),
                    countedLines(),
                    published.late().size(),
                    repricedLate == 0
                            ? ""
                            : String.format(
                                    ", %,d of them priced with the oldest reference data still"
                                            + " kept",
                                    repricedLate),
                    expected.resends().size(),
                    published.regionTrend().size(),
                    published.revenuePerProduct().size(),
                    reasons);
        }
    }

    /** How the check compares the money and names of late lines. */
    public enum LatePricing {
        /** As at their event time, like every counted line: late lines within the kept horizon. */
        AT_EVENT_TIME,
        /**
         * Only which lines are late and their windows: a line later than the reference data the job
         * keeps is priced with the oldest version kept (docs/semantics.md, Known limitations),
         * which the reference model does not follow. For seeder data, whose late sales are minutes
         * late.
         */
        ANY_KEPT_VERSION
    }

    /**
     * Ends the input, drains {@code job} once it has read and checkpointed all of it, and checks
     * what it published against {@code produced} (and the end markers). {@code latestEventTime}: no
     * sale of the input is later (the heartbeat's validity).
     */
    public static Outcome drainAndCheck(
            ItKafka kafka,
            RunTopics topics,
            JobClient job,
            List<InputRecord> produced,
            long latestEventTime,
            Path runDir)
            throws Exception {
        return drainAndCheck(
                kafka,
                topics,
                job,
                produced,
                latestEventTime,
                runDir,
                out -> {},
                LatePricing.AT_EVENT_TIME);
    }

    /**
     * As above; {@code reading} prepares the reader of the outputs (e.g. optional fields), {@code
     * latePricing} says how late lines are compared.
     */
    public static Outcome drainAndCheck(
            ItKafka kafka,
            RunTopics topics,
            JobClient job,
            List<InputRecord> produced,
            long latestEventTime,
            Path runDir,
            Consumer<CommittedOutputs> reading,
            LatePricing latePricing)
            throws Exception {
        long started = System.nanoTime();
        List<InputRecord> input = new ArrayList<>(produced);
        input.addAll(endInput(kafka, topics, job, latestEventTime, runDir));
        long drained = System.nanoTime();
        assertThat(job.getJobStatus().get(ItKafka.WAIT.toSeconds(), TimeUnit.SECONDS))
                .isEqualTo(JobStatus.FINISHED);
        Outcome outcome = check(kafka, topics, input, reading, latePricing);
        LOG.info(
                "{}: input read to its end and drained in {} ms, outputs read and checked in {}"
                        + " ms",
                topics.prefix(),
                millis(drained - started),
                millis(System.nanoTime() - drained));
        return outcome;
    }

    /**
     * Marks the end of every input partition with an undecodable record, waits until the job has
     * published all of them as committed dead letters (so it has read every partition to its end
     * and a checkpoint has committed what it read) and has read the {@link CatalogHeartbeat}, then
     * drains it. Returns the end markers as stored. (A drain reads nothing more: input still unread
     * would be missing. The job's committed group offsets would tell the same, but an idle Kafka
     * source commits them only when its fetcher's poll returns, up to 10 s later.)
     */
    private static List<InputRecord> endInput(
            ItKafka kafka, RunTopics topics, JobClient job, long latestEventTime, Path runDir)
            throws Exception {
        List<Planned> markers = new ArrayList<>();
        for (String input : INPUTS) {
            for (TopicPartition partition : topics.partitionsOf(input)) {
                markers.add(
                        new Planned(
                                input,
                                partition.partition(),
                                "end-of-input".getBytes(StandardCharsets.UTF_8),
                                "end of input (not JSON)".getBytes(StandardCharsets.UTF_8),
                                System.currentTimeMillis()));
            }
        }
        List<InputRecord> stored = kafka.produce(topics, markers);
        Set<String> positions = new HashSet<>();
        stored.forEach(r -> positions.add(r.topic() + ":" + r.partition() + ":" + r.offset()));
        // The heartbeat starts at once: its watermark (latestEventTime minus the out-of-orderness)
        // is no later than the one the sales reach, so it cannot turn any line of theirs late.
        try (CatalogHeartbeat heartbeat = CatalogHeartbeat.start(kafka, topics, latestEventTime);
                CommittedOutputs out = new CommittedOutputs(kafka, topics)) {
            JobRunner.awaitWhileRunning(job, "the end of every input partition read and committed")
                    .until(
                            () -> {
                                out.poll();
                                Set<String> published = new HashSet<>();
                                out.deadLetters().forEach(d -> published.add(d.key()));
                                return published.containsAll(positions)
                                        && heartbeat.readBy(JobRunner.groupId(topics));
                            });
            JobRunner.drainWithSavepoint(job, runDir);
        }
        return stored;
    }

    private static long millis(long nanos) {
        return nanos / 1_000_000;
    }

    /** The exact check of a finished run's outputs against {@code produced}. */
    public static Outcome check(
            ItKafka kafka,
            RunTopics topics,
            List<InputRecord> produced,
            Consumer<CommittedOutputs> reading,
            LatePricing latePricing)
            throws Exception {
        Published published;
        try (CommittedOutputs out = new CommittedOutputs(kafka, topics)) {
            reading.accept(out);
            out.readToEnd();
            published = out.published();
        }
        CommittedOutputs.assertNoTransactionLeftOpen(kafka.admin(), topics);
        Expected expected =
                ReferenceModel.compute(produced, topics.inputs(), published.late().keySet());
        ExactCheck.assertFiguresMatch(expected, published);
        ExactCheck.assertDeadLettersMatch(expected, published, produced);
        int repriced = 0;
        if (latePricing == LatePricing.AT_EVENT_TIME) {
            assertThat(published.late()).isEqualTo(expected.late());
        } else {
            Map<String, String> windows = new TreeMap<>();
            expected.late()
                    .forEach((id, l) -> windows.put(id, l.windowStart() + "/" + l.windowEnd()));
            Map<String, String> publishedWindows = new TreeMap<>();
            published
                    .late()
                    .forEach(
                            (id, l) ->
                                    publishedWindows.put(
                                            id, l.windowStart() + "/" + l.windowEnd()));
            assertThat(publishedWindows).as("late lines and their windows").isEqualTo(windows);
            for (String id : expected.late().keySet()) {
                if (!expected.late().get(id).equals(published.late().get(id))) {
                    repriced++;
                }
            }
        }
        ExactCheck.assertEveryLineAccountedForOnce(expected, published, topics, produced);
        ExactCheck.assertOutputsAddUp(published);
        return new Outcome(expected, published, produced.size(), repriced);
    }
}

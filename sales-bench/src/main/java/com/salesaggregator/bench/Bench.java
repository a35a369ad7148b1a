package com.salesaggregator.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code make bench}: preloads a deterministic data set into an embedded broker once, then measures
 * on it, side by side and in one JVM, the consume-and-parse ceiling, the aggregation job, a Flink
 * SQL peer and a Kafka Streams peer (each after a warm-up, several repetitions, figures checked
 * against the reference model on every run), the latency of the job and of the Kafka Streams peer
 * at a fixed input rate, and how evenly the job's keyed stages share the load at parallelism 4;
 * prints the report and writes it to {@code target/bench/report.md} and {@code .csv}.
 */
public final class Bench {

    private Bench() {}

    /**
     * A warm-up stops after this long if it has not finished: enough for the JIT to compile the hot
     * paths, without paying a slow contender's full run once more.
     */
    static final Duration WARMUP_LIMIT = Duration.ofSeconds(20);

    /** A contender's repeatable run. */
    @FunctionalInterface
    interface Run {
        /**
         * One run to the end, or, with a {@code limit}, until then at most (null if stopped there).
         */
        Result run(String runId, Duration limit) throws Exception;
    }

    public static void main(String[] args) throws Exception {
        BenchOptions options;
        try {
            options = BenchOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("bench: " + e.getMessage());
            System.exit(2);
            return;
        }
        int status = run(options);
        // Kafka Streams, Flink and the broker leave non-daemon threads behind on some paths.
        System.exit(status);
    }

    static int run(BenchOptions options) throws Exception {
        long started = System.nanoTime();
        Path out = options.outDir();
        deleteRecursively(out.resolve("kafka"));
        deleteRecursively(out.resolve("checkpoints"));
        deleteRecursively(out.resolve("checkpoints-skew"));
        deleteRecursively(out.resolve("streams"));
        Files.createDirectories(out);
        Progress.line(
                "%,d lines, %d warm-up + %d measured runs per contender, parallelism %d: %s",
                options.lines(),
                options.warmups(),
                options.reps(),
                options.parallelism(),
                String.join(", ", options.contenders()));
        if (!options.flinkSettings().isEmpty()) {
            Progress.line("Flink settings (BENCH_FLINK_CONF): %s", options.flinkSettings());
        }
        if (!options.jobOptions().isEmpty()) {
            Progress.line("the job's options (BENCH_JOB_OPTIONS): %s", options.jobOptions());
        }

        Report report = new Report(options);
        boolean complete = false;
        try (BenchKafka kafka = new BenchKafka(out.resolve("kafka"))) {
            Progress.line("broker at %s", kafka.bootstrapServers());
            DataSet data = DataSet.preload(kafka, options.lines(), options.seed());
            report.dataSet(data);

            if (options.runs(BenchOptions.CEILING)) {
                for (int threads : new int[] {1, 2}) {
                    Ceiling ceiling = new Ceiling(kafka, threads);
                    report.add(
                            Report.CEILING + threads,
                            ceiling.name(),
                            measure(
                                    ceiling.name(),
                                    options,
                                    data.saleLines(),
                                    (id, limit) -> ceiling.run(data)));
                }
            }
            StreamsContender streams =
                    new StreamsContender(
                            kafka, options.parallelism(), out.resolve("streams").toAbsolutePath());
            try (FlinkCluster flink =
                    options.runs(BenchOptions.JOB)
                                    || options.runs(BenchOptions.BACKFILL)
                                    || options.runs(BenchOptions.SQL)
                                    || options.runs(BenchOptions.LATENCY)
                            ? new FlinkCluster(
                                    options.parallelism(),
                                    out.resolve("checkpoints").toAbsolutePath(),
                                    org.apache.flink.configuration.Configuration.fromMap(
                                            options.flinkSettings()))
                            : null) {
                JobContender job =
                        flink == null
                                ? null
                                : new JobContender(
                                        kafka, flink, options.parallelism(), options.jobOptions());
                if (options.runs(BenchOptions.JOB)) {
                    report.add(
                            Report.JOB,
                            "the job (DataStream)",
                            measure(
                                    "job",
                                    options,
                                    data.saleLines(),
                                    (id, limit) -> job.run(id, data, limit)));
                }
                if (options.runs(BenchOptions.BACKFILL)) {
                    report.add(
                            Report.BACKFILL,
                            "the job as a backfill (range: the whole data set)",
                            measure(
                                    "backfill",
                                    options,
                                    data.saleLines(),
                                    (id, limit) -> job.runBackfill(id, data, limit)));
                }
                if (options.runs(BenchOptions.SQL)) {
                    SqlContender sql = new SqlContender(kafka, flink, options.parallelism());
                    report.add(
                            Report.SQL,
                            "Flink SQL peer",
                            measure(
                                    "sql",
                                    options,
                                    data.saleLines(),
                                    (id, limit) -> sql.run(id, data, limit)));
                }
                if (options.runs(BenchOptions.STREAMS)) {
                    report.add(
                            Report.STREAMS,
                            "Kafka Streams peer",
                            measure(
                                    "streams",
                                    options,
                                    data.saleLines(),
                                    (id, limit) -> streams.run(id, data, limit)));
                }
                if (options.runs(BenchOptions.LATENCY)) {
                    // Each fed at half its measured throughput (or the rate asked for), the Kafka
                    // Streams peer at most at the job's rate: a rate it sustains, with the same
                    // headroom.
                    Latency latency =
                            new Latency(
                                    kafka,
                                    options.seed(),
                                    options.latencyWarmup(),
                                    options.latencyDuration(),
                                    out);
                    double rate =
                            options.latencyRate() > 0
                                    ? options.latencyRate()
                                    : report.eventsPerSecond(Report.JOB) / 2;
                    try {
                        latency.measure(job.unbounded(), rate);
                        if (options.runs(BenchOptions.STREAMS)) {
                            latency.measure(
                                    streams.unbounded(job.checkpointInterval()),
                                    options.latencyRate() > 0
                                            ? rate
                                            : Math.min(
                                                    rate,
                                                    report.eventsPerSecond(Report.STREAMS) / 2));
                        }
                    } finally {
                        report.latency(latency.report());
                    }
                }
            }
            if (options.runs(BenchOptions.SKEW)) {
                report.skew(
                        new Skew(kafka, out.resolve("checkpoints-skew").toAbsolutePath())
                                .run(data));
            }
            complete = true;
        } finally {
            // What was measured is reported even when a later contender fails.
            if (report.hasData()) {
                if (!complete) {
                    Progress.line("the benchmark stopped early; reporting what it measured");
                }
                report.print(Progress.seconds(started));
                report.write(out);
            }
        }
        return 0;
    }

    /** Warm-up runs, then the measured repetitions, with a progress line after each. */
    static List<Result> measure(String name, BenchOptions options, long events, Run run)
            throws Exception {
        List<Result> results = new ArrayList<>();
        String id = name.replaceAll("[^a-z0-9]+", "-").replaceAll("-+$", "");
        for (int i = 1; i <= options.warmups() + options.reps(); i++) {
            boolean warmup = i <= options.warmups();
            String runId = id + (warmup ? "-warmup" + i : "-r" + (i - options.warmups()));
            Progress.line("%s: %s ...", name, warmup ? "warm-up " + i : runId);
            Result result = run.run(runId, warmup ? WARMUP_LIMIT : null);
            if (result == null) {
                Progress.line("%s: %s stopped after %s", name, runId, WARMUP_LIMIT);
                continue;
            }
            Progress.line(
                    "%s: %s %.1f s (%,.0f events/s), CPU %.1f s, live heap %s MiB%s%s",
                    name,
                    runId,
                    result.cost().seconds(),
                    events / result.cost().seconds(),
                    result.cost().cpuSeconds(),
                    result.cost().peakHeapBytes() < 0
                            ? "-"
                            : String.format("%,d", result.cost().peakHeapBytes() >> 20),
                    result.checkpoints() == null
                            ? ""
                            : String.format(
                                    ", %d checkpoints (p50 %d ms, p99 %d ms)",
                                    result.checkpoints().completed(),
                                    result.checkpoints().p50Millis(),
                                    result.checkpoints().p99Millis()),
                    result.correct() ? ", figures right" : ", FIGURES WRONG");
            result.problems().forEach(p -> Progress.line("%s:   %s", name, p));
            if (!warmup) {
                results.add(result);
            }
        }
        return results;
    }

    static void deleteRecursively(Path dir) throws Exception {
        org.apache.flink.util.FileUtils.deleteDirectory(dir.toFile());
    }
}

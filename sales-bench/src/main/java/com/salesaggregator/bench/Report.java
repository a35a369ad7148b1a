package com.salesaggregator.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The benchmark's report: per contender the median of its measured runs and their spread, ratios to
 * the ceiling and to each peer, CPU and heap, checkpoint and latency percentiles, whether its
 * figures were right; then the machine and the JVM. Printed, and written as Markdown and CSV.
 */
final class Report {

    static final String CEILING = "ceiling-";
    static final String JOB = "job";
    static final String BACKFILL = "backfill";
    static final String SQL = "sql";
    static final String STREAMS = "streams";

    private final BenchOptions options;
    private final Map<String, Contender> contenders = new LinkedHashMap<>();
    private DataSet data;
    private Latency.Report latency;
    private Skew.Measured skew;

    Report(BenchOptions options) {
        this.options = options;
    }

    /** One contender's measured runs. */
    record Contender(String label, List<Result> runs) {}

    void dataSet(DataSet data) {
        this.data = data;
    }

    boolean hasData() {
        return data != null;
    }

    void add(String key, String label, List<Result> runs) {
        contenders.put(key, new Contender(label, runs));
    }

    void latency(Latency.Report latency) {
        this.latency = latency;
    }

    void skew(Skew.Measured skew) {
        this.skew = skew;
    }

    /** Median events per second of a contender, 0 if it did not run. */
    double eventsPerSecond(String key) {
        Contender c = contenders.get(key);
        return c == null ? 0 : median(rates(c));
    }

    private List<Double> rates(Contender c) {
        return c.runs().stream().map(r -> data.saleLines() / r.cost().seconds()).toList();
    }

    void print(double totalSeconds) {
        System.out.println();
        System.out.println(markdown(totalSeconds));
    }

    void write(Path dir) throws IOException {
        Files.writeString(dir.resolve("report.md"), markdown(-1), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("report.csv"), csv(), StandardCharsets.UTF_8);
        Progress.line(
                "report written to %s and %s", dir.resolve("report.md"), dir.resolve("report.csv"));
    }

    String markdown(double totalSeconds) {
        StringBuilder md = new StringBuilder();
        md.append(
                String.format(
                        Locale.ROOT,
                        "Data set: %,d sale lines in %,d sale records (%,d input records with"
                                + " catalog and FX rates), %s of event time, seed %d; %d"
                                + " warm-up + %d measured runs per contender, parallelism %d."
                                + " Events are sale lines; medians, with min-max over the"
                                + " runs.%n%n",
                        data.saleLines(),
                        data.saleRecords(),
                        data.inputRecords(),
                        humanDuration(data.eventSpan().toSeconds()),
                        options.seed(),
                        options.warmups(),
                        options.reps(),
                        options.parallelism()));
        if (!options.flinkSettings().isEmpty() || !options.jobOptions().isEmpty()) {
            md.append(
                    String.format(
                            Locale.ROOT,
                            "Flink settings: %s; the job's options: %s (production defaults"
                                    + " otherwise).%n%n",
                            options.flinkSettings().isEmpty() ? "none" : options.flinkSettings(),
                            options.jobOptions().isEmpty() ? "none" : options.jobOptions()));
        }
        md.append(
                "| contender | events/s | min-max | x ceiling 2T | x SQL | x Streams | CPU s / M"
                        + " events | live heap MiB | checkpoints p50 / p99 ms | figures |\n");
        md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
        double ceiling2 = eventsPerSecond(CEILING + 2);
        double sql = eventsPerSecond(SQL);
        double streams = eventsPerSecond(STREAMS);
        for (Contender c : contenders.values()) {
            List<Double> rates = rates(c);
            double rate = median(rates);
            double cpuPerMillion =
                    median(
                            c.runs().stream()
                                    .map(r -> r.cost().cpuSeconds() / (data.saleLines() / 1e6))
                                    .toList());
            List<Double> heaps =
                    c.runs().stream()
                            .filter(r -> r.cost().peakHeapBytes() >= 0)
                            .map(r -> r.cost().peakHeapBytes() / 1048576.0)
                            .toList();
            String heap =
                    heaps.isEmpty() ? "-" : String.format(Locale.ROOT, "%,.0f", median(heaps));
            List<Result.Checkpoints> cps =
                    c.runs().stream().map(Result::checkpoints).filter(x -> x != null).toList();
            String checkpoints =
                    cps.isEmpty()
                            ? "-"
                            : String.format(
                                    Locale.ROOT,
                                    "%d / %d (%d per run)",
                                    Math.round(
                                            median(
                                                    cps.stream()
                                                            .map(x -> (double) x.p50Millis())
                                                            .toList())),
                                    cps.stream()
                                            .mapToLong(Result.Checkpoints::p99Millis)
                                            .max()
                                            .orElse(0),
                                    Math.round(
                                            median(
                                                    cps.stream()
                                                            .map(x -> (double) x.completed())
                                                            .toList())));
            long wrong = c.runs().stream().filter(r -> !r.correct()).count();
            md.append(
                    String.format(
                            Locale.ROOT,
                            "| %s | %,.0f | %,.0f-%,.0f | %s | %s | %s | %.1f | %s | %s | %s"
                                    + " |%n",
                            c.label(),
                            rate,
                            rates.stream().mapToDouble(Double::doubleValue).min().orElse(0),
                            rates.stream().mapToDouble(Double::doubleValue).max().orElse(0),
                            ratio(rate, ceiling2),
                            ratio(rate, sql),
                            ratio(rate, streams),
                            cpuPerMillion,
                            heap,
                            checkpoints,
                            wrong == 0
                                    ? "right"
                                    : "**WRONG** in " + wrong + " of " + c.runs().size()));
        }
        for (Contender c : contenders.values()) {
            c.runs().stream()
                    .filter(r -> !r.correct())
                    .findFirst()
                    .ifPresent(
                            r -> {
                                md.append("\n").append(c.label()).append(": figures differ:\n\n");
                                r.problems().forEach(p -> md.append("    ").append(p).append('\n'));
                            });
        }
        if (latency != null) {
            md.append('\n').append(latency.markdown());
        }
        if (skew != null) {
            md.append('\n').append(Skew.markdown(skew));
        }
        md.append('\n').append(machine());
        if (totalSeconds >= 0) {
            md.append(
                    String.format(
                            Locale.ROOT,
                            "%nTotal time of the benchmark: %.1f min.%n",
                            totalSeconds / 60));
        }
        return md.toString();
    }

    String csv() {
        StringBuilder csv = new StringBuilder();
        csv.append(
                "contender,runs,events_per_s_median,events_per_s_min,events_per_s_max,"
                        + "ratio_ceiling_2t,ratio_sql,ratio_streams,cpu_s_per_m_events,"
                        + "live_heap_mib,checkpoint_p50_ms,checkpoint_p99_ms,figures_right\n");
        double ceiling2 = eventsPerSecond(CEILING + 2);
        double sql = eventsPerSecond(SQL);
        double streams = eventsPerSecond(STREAMS);
        contenders.forEach(
                (key, c) -> {
                    List<Double> rates = rates(c);
                    double rate = median(rates);
                    List<Result.Checkpoints> cps =
                            c.runs().stream()
                                    .map(Result::checkpoints)
                                    .filter(x -> x != null)
                                    .toList();
                    csv.append(
                            String.format(
                                    Locale.ROOT,
                                    "%s,%d,%.0f,%.0f,%.0f,%s,%s,%s,%.2f,%.0f,%s,%s,%s%n",
                                    key,
                                    c.runs().size(),
                                    rate,
                                    rates.stream().mapToDouble(Double::doubleValue).min().orElse(0),
                                    rates.stream().mapToDouble(Double::doubleValue).max().orElse(0),
                                    csvRatio(rate, ceiling2),
                                    csvRatio(rate, sql),
                                    csvRatio(rate, streams),
                                    median(
                                            c.runs().stream()
                                                    .map(
                                                            r ->
                                                                    r.cost().cpuSeconds()
                                                                            / (data.saleLines()
                                                                                    / 1e6))
                                                    .toList()),
                                    median(
                                            c.runs().stream()
                                                    .filter(r -> r.cost().peakHeapBytes() >= 0)
                                                    .map(r -> r.cost().peakHeapBytes() / 1048576.0)
                                                    .toList()),
                                    cps.isEmpty()
                                            ? ""
                                            : String.valueOf(
                                                    Math.round(
                                                            median(
                                                                    cps.stream()
                                                                            .map(
                                                                                    x ->
                                                                                            (double)
                                                                                                    x
                                                                                                            .p50Millis())
                                                                            .toList()))),
                                    cps.isEmpty()
                                            ? ""
                                            : String.valueOf(
                                                    cps.stream()
                                                            .mapToLong(
                                                                    Result.Checkpoints::p99Millis)
                                                            .max()
                                                            .orElse(0)),
                                    c.runs().stream().allMatch(Result::correct)));
                });
        if (latency != null) {
            csv.append(latency.csv());
        }
        if (skew != null) {
            csv.append(Skew.csv(skew));
        }
        return csv.toString();
    }

    private static String ratio(double a, double b) {
        return a <= 0 || b <= 0 ? "-" : String.format(Locale.ROOT, "%.2f", a / b);
    }

    private static String csvRatio(double a, double b) {
        return a <= 0 || b <= 0 ? "" : String.format(Locale.ROOT, "%.3f", a / b);
    }

    static double median(List<Double> values) {
        if (values.isEmpty()) {
            return 0;
        }
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(Double::compare);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static String humanDuration(long seconds) {
        return seconds >= 3600
                ? String.format(Locale.ROOT, "%.1f h", seconds / 3600.0)
                : String.format(Locale.ROOT, "%.1f min", seconds / 60.0);
    }

    /** The machine and the JVM the numbers were measured on. */
    static String machine() {
        String cpu = "unknown CPU";
        try (Stream<String> lines = Files.lines(Path.of("/proc/cpuinfo"))) {
            cpu =
                    lines.filter(l -> l.startsWith("model name"))
                            .map(l -> l.substring(l.indexOf(':') + 1).strip())
                            .findFirst()
                            .orElse(cpu);
        } catch (IOException | RuntimeException e) {
            // Not Linux: the model stays unknown.
        }
        long memory =
                ((com.sun.management.OperatingSystemMXBean)
                                        ManagementFactory.getOperatingSystemMXBean())
                                .getTotalMemorySize()
                        >> 30;
        double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        return String.format(
                Locale.ROOT,
                "Machine: %s, %d cores, %d GiB RAM, %s %s; load average %.2f at the end."
                        + "%nJVM: %s %s (%s), max heap %,d MiB, %s; arguments: %s%n"
                        + "Measured %s.%n",
                cpu,
                Runtime.getRuntime().availableProcessors(),
                memory,
                System.getProperty("os.name"),
                System.getProperty("os.version"),
                load,
                System.getProperty("java.vm.name"),
                System.getProperty("java.runtime.version"),
                System.getProperty("java.vm.vendor"),
                Runtime.getRuntime().maxMemory() >> 20,
                ManagementFactory.getGarbageCollectorMXBeans().stream()
                        .map(g -> g.getName())
                        .toList(),
                ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                        .filter(a -> !a.startsWith("--add-opens"))
                        .toList(),
                Instant.now().truncatedTo(ChronoUnit.SECONDS));
    }
}

package com.salesaggregator.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How evenly the job's keyed stages share the load: the job bounded on the data set (the seeder's
 * mix of currencies, regions, sellers and products) at parallelism 4, on a cluster of its own with
 * 4 slots; then, from the REST API, the records each subtask of every vertex fed by a hash exchange
 * received, and per stage the largest and smallest subtask against the stage's mean. The run's
 * figures are checked against the reference model like any other.
 */
final class Skew {

    static final int PARALLELISM = 4;

    /** A keyed stage and the records each of its subtasks received. */
    record Stage(String name, long[] recordsIn) {
        double mean() {
            return Arrays.stream(recordsIn).average().orElse(0);
        }

        double maxOverMean() {
            double mean = mean();
            return mean == 0 ? 0 : Arrays.stream(recordsIn).max().orElse(0) / mean;
        }

        double minOverMean() {
            double mean = mean();
            return mean == 0 ? 0 : Arrays.stream(recordsIn).min().orElse(0) / mean;
        }
    }

    /** The stages and whether the run's figures were right. */
    record Measured(List<Stage> stages, Result result) {}

    private final BenchKafka kafka;
    private final Path checkpointDir;

    Skew(BenchKafka kafka, Path checkpointDir) {
        this.kafka = kafka;
        this.checkpointDir = checkpointDir;
    }

    Measured run(DataSet data) throws Exception {
        try (FlinkCluster flink = new FlinkCluster(PARALLELISM, checkpointDir)) {
            JobContender job = new JobContender(kafka, flink, PARALLELISM);
            Progress.line("skew: the job at parallelism %d ...", PARALLELISM);
            Result result = job.run("skew", data, null);
            List<Stage> stages = new ArrayList<>();
            for (Map.Entry<String, long[]> e : flink.keyedRecordsIn(job.lastJobId()).entrySet()) {
                stages.add(new Stage(e.getKey(), e.getValue()));
            }
            Measured measured = new Measured(stages, result);
            Progress.line(
                    "skew: %.1f s, figures %s; %s",
                    result.cost().seconds(),
                    result.correct() ? "right" : "WRONG",
                    String.join(
                            ", ",
                            stages.stream()
                                    .map(
                                            s ->
                                                    String.format(
                                                            Locale.ROOT,
                                                            "%s %.2f",
                                                            shortName(s.name()),
                                                            s.maxOverMean()))
                                    .toList()));
            result.problems().forEach(p -> Progress.line("skew:   %s", p));
            return measured;
        }
    }

    static String markdown(Measured measured) {
        StringBuilder md = new StringBuilder();
        md.append(
                String.format(
                        Locale.ROOT,
                        "Skew: the job at parallelism %d on the data set (figures %s); records"
                                + " received by each subtask of every stage fed by a hash exchange"
                                + " (REST API, read-records), against the stage's mean.%n%n",
                        PARALLELISM,
                        measured.result().correct() ? "right" : "WRONG"));
        md.append("| keyed stage | records in per subtask | mean | max / mean | min / mean |\n");
        md.append("|---|---|---:|---:|---:|\n");
        for (Stage s : measured.stages()) {
            md.append(
                    String.format(
                            Locale.ROOT,
                            "| %s | %s | %,.0f | %.2f | %.2f |%n",
                            shortName(s.name()),
                            String.join(
                                    ", ",
                                    Arrays.stream(s.recordsIn())
                                            .mapToObj(v -> String.format(Locale.ROOT, "%,d", v))
                                            .toList()),
                            s.mean(),
                            s.maxOverMean(),
                            s.minOverMean()));
        }
        return md.toString();
    }

    static String csv(Measured measured) {
        StringBuilder csv = new StringBuilder();
        for (Stage s : measured.stages()) {
            csv.append(
                    String.format(
                            Locale.ROOT,
                            "skew:%s,%d,,,,,,,,,,,%s%n",
                            shortName(s.name()).replace(',', ' '),
                            s.recordsIn().length,
                            String.format(Locale.ROOT, "%.3f", s.maxOverMean())));
        }
        return csv.toString();
    }

    /** A vertex name (an operator chain: "a -> b -> c") shortened for a table. */
    static String shortName(String name) {
        String n = name.replace('|', '/').replaceAll("\\s+", " ").strip();
        return n.length() <= 90 ? n : n.substring(0, 87) + "...";
    }
}

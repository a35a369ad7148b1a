package com.salesaggregator.bench;

import com.salesaggregator.config.DurationText;
import com.salesaggregator.job.JobConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What {@code make bench} measures and at which size; {@code --key value} arguments (the Makefile
 * passes its {@code BENCH_*} variables). A bad or unknown option fails at start, naming the key.
 *
 * @param lines sale lines to preload (approximate: whole sales are generated)
 * @param reps measured repetitions per contender
 * @param warmups unmeasured runs per contender before the repetitions
 * @param seed seed of the data set
 * @param contenders what to measure; always run in the order ceiling, job, backfill, sql, streams,
 *     latency (the job's, then the Kafka Streams peer's if it ran), skew
 * @param parallelism parallelism of the Flink job and the SQL peer, threads of Kafka Streams
 * @param latencyWarmup how long the latency run feeds the job before it measures
 * @param latencyDuration how long the latency run feeds the job at a fixed rate and measures
 * @param latencyRate sale lines per second the latency run feeds; 0: half the job's measured
 *     throughput
 * @param flinkSettings Flink configuration of the bench's cluster (e.g. a state backend or the
 *     changelog), on top of its own; empty: none
 * @param jobOptions the job's own options (its {@code ConfigOption}s, e.g. {@code dedup-horizon})
 *     on top of its production defaults, for every run of the job, the backfill and the latency
 *     run; empty: none. The job rejects an unknown key or a bad value at start, naming the key
 * @param outDir where the report and the broker's data go
 */
record BenchOptions(
        long lines,
        int reps,
        int warmups,
        long seed,
        List<String> contenders,
        int parallelism,
        Duration latencyWarmup,
        Duration latencyDuration,
        long latencyRate,
        Map<String, String> flinkSettings,
        Map<String, String> jobOptions,
        Path outDir) {

    static final String CEILING = "ceiling";
    static final String JOB = "job";
    static final String BACKFILL = "backfill";
    static final String SQL = "sql";
    static final String STREAMS = "streams";
    static final String LATENCY = "latency";
    static final String SKEW = "skew";
    static final Set<String> ALL_CONTENDERS =
            Set.of(CEILING, JOB, BACKFILL, SQL, STREAMS, LATENCY, SKEW);

    private static final Map<String, String> DEFAULTS = new LinkedHashMap<>();

    static {
        DEFAULTS.put("lines", "2000000");
        DEFAULTS.put("reps", "3");
        DEFAULTS.put("warmups", "1");
        DEFAULTS.put("seed", "42");
        DEFAULTS.put("contenders", "ceiling,job,backfill,sql,streams,latency,skew");
        DEFAULTS.put("parallelism", "2");
        DEFAULTS.put("latency-warmup", "60s");
        DEFAULTS.put("latency-duration", "4m");
        DEFAULTS.put("latency-rate", "0");
        DEFAULTS.put("flink-conf", "");
        DEFAULTS.put("job-options", "");
        DEFAULTS.put("out", "target/bench");
    }

    static BenchOptions parse(String[] args) {
        Map<String, String> values = new LinkedHashMap<>(DEFAULTS);
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("expected --key value, got '" + args[i] + "'");
            }
            String key = args[i].substring(2);
            if (!DEFAULTS.containsKey(key)) {
                throw new IllegalArgumentException(
                        "unknown option --" + key + "; known: " + DEFAULTS.keySet());
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("--" + key + " needs a value");
            }
            String value = args[++i].strip();
            // An empty Makefile variable means "the default".
            if (!value.isEmpty()) {
                values.put(key, value);
            }
        }
        List<String> contenders = new ArrayList<>();
        for (String c : values.get("contenders").split(",")) {
            String name = c.strip();
            if (!ALL_CONTENDERS.contains(name)) {
                throw new IllegalArgumentException(
                        "contenders: unknown '" + name + "'; known: " + ALL_CONTENDERS);
            }
            contenders.add(name);
        }
        long latencyRate = notNegative("latency-rate", Long.parseLong(values.get("latency-rate")));
        if (contenders.contains(LATENCY) && !contenders.contains(JOB) && latencyRate == 0) {
            throw new IllegalArgumentException(
                    "contenders: latency runs at half the job's measured throughput, so it needs"
                            + " job too, or a fixed latency-rate");
        }
        Map<String, String> jobOptions = settings("job-options", values.get("job-options"));
        try {
            // The job's own check, at the bench's start rather than at its first job run.
            JobConfig.from(jobOptions);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("job-options: " + e.getMessage(), e);
        }
        return new BenchOptions(
                positive("lines", Long.parseLong(values.get("lines"))),
                (int) positive("reps", Integer.parseInt(values.get("reps"))),
                (int) notNegative("warmups", Integer.parseInt(values.get("warmups"))),
                Long.parseLong(values.get("seed")),
                List.copyOf(contenders),
                (int) positive("parallelism", Integer.parseInt(values.get("parallelism"))),
                duration("latency-warmup", values.get("latency-warmup")),
                duration("latency-duration", values.get("latency-duration")),
                latencyRate,
                settings("flink-conf", values.get("flink-conf")),
                jobOptions,
                Path.of(values.get("out")));
    }

    boolean runs(String contender) {
        return contenders.contains(contender);
    }

    /** {@code key=value} pairs separated by commas or spaces. */
    private static Map<String, String> settings(String option, String text) {
        Map<String, String> settings = new LinkedHashMap<>();
        for (String pair : text.split("[,\\s]+")) {
            if (pair.isBlank()) {
                continue;
            }
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException(
                        option + ": expected key=value, got '" + pair + "'");
            }
            settings.put(pair.substring(0, eq), pair.substring(eq + 1));
        }
        return Map.copyOf(settings);
    }

    private static long positive(String key, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(key + " must be positive, was " + value);
        }
        return value;
    }

    private static long notNegative(String key, long value) {
        if (value < 0) {
            throw new IllegalArgumentException(key + " must not be negative, was " + value);
        }
        return value;
    }

    private static Duration duration(String key, String text) {
        try {
            Duration d = DurationText.parse(text);
            if (d.isZero() || d.isNegative()) {
                throw new IllegalArgumentException(key + " must be positive, was " + text);
            }
            return d;
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(key + ": " + e.getMessage(), e);
        }
    }
}

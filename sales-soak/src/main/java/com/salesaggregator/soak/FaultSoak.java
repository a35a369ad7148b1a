package com.salesaggregator.soak;

import com.salesaggregator.job.SalesAggregationJob;
import com.salesaggregator.testkit.DrainedRun;
import com.salesaggregator.testkit.Feeder;
import com.salesaggregator.testkit.ItKafka;
import com.salesaggregator.testkit.JobRestarts;
import com.salesaggregator.testkit.JobRunner;
import com.salesaggregator.testkit.RunTopics;
import com.salesaggregator.testkit.SeededSales;
import com.salesaggregator.testkit.TaskManagerCluster;
import com.salesaggregator.verify.ReferenceModel.InputRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.util.FileUtils;
import org.awaitility.Awaitility;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code make soak}: seeded sales on the real broker and a MiniCluster of several TaskManagers for
 * a set time, with a seeded random schedule of faults (a TaskManager killed, the broker restarted,
 * the job stopped with a savepoint and restored at another parallelism); progress lines while it
 * runs; then the end of input, a drain and the exact check against the reference model, and a
 * summary. Exits 0 when the check passes, 1 otherwise. The same seed gives the same data and the
 * same fault schedule. Not part of {@code make test}.
 */
@Command(
        name = "make soak",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description =
                "Seeded load with random faults on a real broker and a Flink MiniCluster, then the"
                        + " exact check against the reference model.")
public final class FaultSoak implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(FaultSoak.class);

    @Option(
            names = "--minutes",
            defaultValue = "30",
            description = "How long the load runs (default ${DEFAULT-VALUE}).")
    private double minutes;

    @Option(
            names = "--seed",
            description = "Seed of the data and the fault schedule (default: random, printed).")
    private Long seed;

    @Option(
            names = "--rate",
            defaultValue = "20",
            description = "Sales per second (default ${DEFAULT-VALUE}).")
    private int rate;

    @Option(
            names = "--dir",
            defaultValue = "target/soak",
            description = "Broker data, checkpoints and savepoints (default ${DEFAULT-VALUE}).")
    private Path dir;

    /** Parallelisms a rescale chooses from; each TaskManager has one slot. */
    private static final int[] PARALLELISMS = {1, 2, 3, 4};

    private static final int FIRST_PARALLELISM = 2;
    private static final Duration TICK = Duration.ofMillis(200);
    private static final Duration PROGRESS_EVERY = Duration.ofSeconds(10);
    private static final Duration FIRST_FAULT = Duration.ofSeconds(20);
    private static final int MIN_GAP_SECONDS = 30;
    private static final int MAX_GAP_SECONDS = 60;

    /** No fault this close to the end: the last recovery finishes before the drain. */
    private static final Duration QUIET_END = Duration.ofSeconds(40);

    /** Options of the soak's job, besides the test defaults of {@link JobRunner#options}. */
    private static final Map<String, String> JOB_OPTIONS =
            Map.of(
                    "restart-budget", "1m",
                    "transaction-timeout", "5m",
                    "emit-interval", "10s");

    /** Flink's settings of the soak's job, besides the test's {@link JobRunner#flinkSettings}. */
    private static final Map<String, String> FLINK_SETTINGS =
            Map.of(
                    "execution.checkpointing.interval", "2s",
                    "execution.checkpointing.timeout", "1m");

    enum Kind {
        TASKMANAGER_KILL("TaskManager kill"),
        BROKER_RESTART("broker restart"),
        SAVEPOINT_RESCALE("savepoint and rescale");

        final String label;

        Kind(String label) {
            this.label = label;
        }
    }

    /**
     * One planned fault: when (after the start), what, and its target (the TaskManager to kill, by
     * position among those running; or the parallelism to restore at).
     */
    record Fault(Duration at, Kind kind, int target, int parallelismBefore) {
        String describe() {
            return switch (kind) {
                case TASKMANAGER_KILL ->
                        kind.label
                                + " (TaskManager "
                                + (target + 1)
                                + " of "
                                + parallelismBefore
                                + ")";
                case BROKER_RESTART -> kind.label;
                case SAVEPOINT_RESCALE ->
                        kind.label + " (parallelism " + parallelismBefore + " -> " + target + ")";
            };
        }
    }

    /** A fault carried out: the time from the fault to the first checkpoint after it. */
    record Done(Fault fault, Duration recovery, String detail) {}

    private final List<Done> done = new ArrayList<>();

    // The running job and the counts of the jobs it replaced; changed together, under this.
    private volatile JobClient job;
    private int parallelism = FIRST_PARALLELISM;
    private long checkpointsOfEarlierJobs;
    private long failedCheckpointsOfEarlierJobs;
    private int restartsOfEarlierJobs;

    public static void main(String[] args) {
        System.exit(new CommandLine(new FaultSoak()).execute(args));
    }

    /** The seeded fault schedule for a run of {@code length}, starting at {@code parallelism}. */
    static List<Fault> schedule(long seed, Duration length, int parallelism) {
        Random random = new Random(seed);
        List<Kind> firstKinds = new ArrayList<>(List.of(Kind.values()));
        // Every kind among the first three faults, in a seeded order.
        Collections.shuffle(firstKinds, random);
        List<Fault> faults = new ArrayList<>();
        Duration at = FIRST_FAULT;
        while (at.compareTo(length.minus(QUIET_END)) <= 0) {
            Kind kind =
                    faults.size() < firstKinds.size()
                            ? firstKinds.get(faults.size())
                            : Kind.values()[random.nextInt(Kind.values().length)];
            int target =
                    switch (kind) {
                        case TASKMANAGER_KILL -> random.nextInt(parallelism);
                        case BROKER_RESTART -> 0;
                        case SAVEPOINT_RESCALE -> otherParallelism(random, parallelism);
                    };
            faults.add(new Fault(at, kind, target, parallelism));
            if (kind == Kind.SAVEPOINT_RESCALE) {
                parallelism = target;
            }
            at =
                    at.plusSeconds(
                            MIN_GAP_SECONDS
                                    + random.nextInt(MAX_GAP_SECONDS - MIN_GAP_SECONDS + 1));
        }
        return faults;
    }

    private static int otherParallelism(Random random, int current) {
        int next;
        do {
            next = PARALLELISMS[random.nextInt(PARALLELISMS.length)];
        } while (next == current);
        return next;
    }

    @Override
    public Integer call() throws Exception {
        long seedValue = seed != null ? seed : ThreadLocalRandom.current().nextLong(1, 1_000_000);
        Duration length = Duration.ofMillis(Math.round(minutes * 60_000));
        int salesPerTick = Math.max(1, Math.round(rate * TICK.toMillis() / 1000f));
        List<Fault> schedule = schedule(seedValue, length, FIRST_PARALLELISM);
        Path logFile =
                Path.of(System.getProperty("soak.log.file", dir.resolve("soak.log").toString()));
        System.out.printf(
                "make soak: %s of seeded load with random faults, then the exact check%n"
                        + "  seed %d (SOAK_SEED=%d repeats the data and the fault schedule),"
                        + " %d sales/s, logs in %s%n"
                        + "  fault schedule (%d faults):%n",
                clock(length),
                seedValue,
                seedValue,
                salesPerTick * 1000 / TICK.toMillis(),
                logFile,
                schedule.size());
        schedule.forEach(f -> System.out.printf("    %s  %s%n", clock(f.at()), f.describe()));
        System.out.flush();

        clean(dir);
        long started = System.currentTimeMillis();
        String result;
        DrainedRun.Outcome outcome = null;
        Throwable failure = null;
        try (ItKafka kafka = ItKafka.start(dir.resolve("kafka"));
                TaskManagerCluster cluster =
                        TaskManagerCluster.start(
                                FIRST_PARALLELISM,
                                TaskManagerCluster.configuration(
                                        50, dir.resolve("checkpoints").toAbsolutePath()))) {
            RunTopics topics = kafka.createTopics("soak-");
            SeededSales sales = SeededSales.forSoak(seedValue, rate, Duration.ofMinutes(2));
            JobRestarts restarts = new JobRestarts(cluster.restUrl());
            job =
                    JobRunner.start(
                            kafka,
                            topics,
                            FIRST_PARALLELISM,
                            JOB_OPTIONS,
                            FLINK_SETTINGS,
                            SalesAggregationJob::define,
                            null);
            List<InputRecord> produced;
            ScheduledExecutorService progress = Executors.newSingleThreadScheduledExecutor();
            try (Feeder feeder = Feeder.start(kafka, topics, sales, salesPerTick, TICK)) {
                progress.scheduleAtFixedRate(
                        () -> printProgress(started, feeder, cluster, restarts, schedule.size()),
                        PROGRESS_EVERY.toMillis(),
                        PROGRESS_EVERY.toMillis(),
                        TimeUnit.MILLISECONDS);
                for (Fault fault : schedule) {
                    waitUntil(started + fault.at().toMillis());
                    Done outcomeOfFault = inject(fault, kafka, cluster, restarts, topics);
                    synchronized (done) {
                        done.add(outcomeOfFault);
                    }
                    System.out.printf(
                            "[%s] fault %d/%d %s: %s%n",
                            clock(Duration.ofMillis(System.currentTimeMillis() - started)),
                            done.size(),
                            schedule.size(),
                            fault.describe(),
                            outcomeOfFault.detail());
                }
                waitUntil(started + length.toMillis());
                produced = feeder.stop();
            } finally {
                progress.shutdownNow();
            }
            System.out.printf(
                    "[%s] load done: %,d records produced; ending the input, draining, checking%n",
                    clock(Duration.ofMillis(System.currentTimeMillis() - started)),
                    produced.size());
            long checkpoints =
                    checkpointsOfEarlierJobs + cluster.completedCheckpoints(job.getJobID());
            long failedCheckpoints =
                    failedCheckpointsOfEarlierJobs
                            + cluster.checkpointStats(job.getJobID())
                                    .getCounts()
                                    .getNumberOfFailedCheckpoints();
            int jobRestarts = restartsOfEarlierJobs + restarts.failures(job.getJobID()).size();
            try {
                // The seeder's late sales are minutes late, beyond the reference data the job
                // keeps: their money is not compared (docs/semantics.md, Known limitations).
                outcome =
                        DrainedRun.drainAndCheck(
                                kafka,
                                topics,
                                job,
                                produced,
                                sales.latestEventTime(),
                                dir,
                                out -> {},
                                DrainedRun.LatePricing.ANY_KEPT_VERSION);
                result = "PASSED";
            } catch (AssertionError e) {
                failure = e;
                result = "FAILED";
            }
            printSummary(
                    seedValue,
                    length,
                    produced.size(),
                    checkpoints,
                    failedCheckpoints,
                    jobRestarts,
                    outcome,
                    result,
                    failure);
        } catch (Exception | AssertionError e) {
            System.out.printf("%nSOAK ABORTED: %s%n", e);
            e.printStackTrace(System.out);
            return 1;
        }
        return failure == null ? 0 : 1;
    }

    private Done inject(
            Fault fault,
            ItKafka kafka,
            TaskManagerCluster cluster,
            JobRestarts restarts,
            RunTopics topics)
            throws Exception {
        switch (fault.kind()) {
            case TASKMANAGER_KILL -> {
                long killedAt = cluster.killTaskManager(fault.target());
                Duration recovery = cluster.awaitRecovery(job, killedAt, fault.describe());
                return new Done(
                        fault,
                        recovery,
                        "first checkpoint after the kill " + seconds(recovery) + " later");
            }
            case BROKER_RESTART -> {
                long down = System.currentTimeMillis();
                kafka.restartBroker();
                long up = System.currentTimeMillis();
                Duration recovery = cluster.awaitRecovery(job, up, fault.describe());
                return new Done(
                        fault,
                        recovery,
                        "down "
                                + seconds(Duration.ofMillis(up - down))
                                + ", first checkpoint "
                                + seconds(recovery)
                                + " after it was back");
            }
            case SAVEPOINT_RESCALE -> {
                long stopping = System.currentTimeMillis();
                JobClient old = job;
                String savepoint = JobRunner.stopWithSavepoint(old, dir, false);
                long stopped = System.currentTimeMillis();
                long oldCheckpoints = cluster.completedCheckpoints(old.getJobID());
                long oldFailedCheckpoints =
                        cluster.checkpointStats(old.getJobID())
                                .getCounts()
                                .getNumberOfFailedCheckpoints();
                int oldRestarts = restarts.failures(old.getJobID()).size();
                cluster.resize(fault.target());
                JobClient restored =
                        JobRunner.start(
                                kafka,
                                topics,
                                fault.target(),
                                JOB_OPTIONS,
                                FLINK_SETTINGS,
                                SalesAggregationJob::define,
                                savepoint);
                // One step for the progress lines: the old job's counts and the new job.
                synchronized (this) {
                    checkpointsOfEarlierJobs += oldCheckpoints;
                    failedCheckpointsOfEarlierJobs += oldFailedCheckpoints;
                    restartsOfEarlierJobs += oldRestarts;
                    job = restored;
                    parallelism = fault.target();
                }
                Duration recovery = cluster.awaitRecovery(restored, stopping, fault.describe());
                return new Done(
                        fault,
                        recovery,
                        "savepoint in "
                                + seconds(Duration.ofMillis(stopped - stopping))
                                + ", first checkpoint at the new parallelism "
                                + seconds(recovery)
                                + " after the stop began");
            }
            default -> throw new IllegalStateException(fault.kind().toString());
        }
    }

    /** Waits until the wall clock reaches {@code millis}, failing as soon as the job fails. */
    private void waitUntil(long millis) {
        long remaining = Math.max(0, millis - System.currentTimeMillis());
        // The schedule is in wall-clock time; checking the job every second fails fast.
        Awaitility.await()
                .pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofSeconds(1))
                .atMost(Duration.ofMillis(remaining).plusSeconds(5))
                .until(
                        () -> {
                            JobRunner.assertRunning(job);
                            return System.currentTimeMillis() >= millis;
                        });
    }

    private void printProgress(
            long started,
            Feeder feeder,
            TaskManagerCluster cluster,
            JobRestarts restarts,
            int faults) {
        try {
            JobClient current;
            long earlierCheckpoints;
            int earlierRestarts;
            int currentParallelism;
            synchronized (this) {
                current = job;
                earlierCheckpoints = checkpointsOfEarlierJobs;
                earlierRestarts = restartsOfEarlierJobs;
                currentParallelism = parallelism;
            }
            long checkpoints =
                    earlierCheckpoints + cluster.completedCheckpoints(current.getJobID());
            int jobRestarts = earlierRestarts + restarts.failures(current.getJobID()).size();
            int faultsDone;
            synchronized (done) {
                faultsDone = done.size();
            }
            System.out.printf(
                    "[%s] records in %,d | faults %d/%d | job at parallelism %d: %,d checkpoints,"
                            + " %d restarts%n",
                    clock(Duration.ofMillis(System.currentTimeMillis() - started)),
                    feeder.records(),
                    faultsDone,
                    faults,
                    currentParallelism,
                    checkpoints,
                    jobRestarts);
        } catch (Exception e) {
            // The job is being replaced (a rescale): the next line will tell.
            System.out.printf(
                    "[%s] (progress unavailable: %s)%n",
                    clock(Duration.ofMillis(System.currentTimeMillis() - started)), e);
        }
    }

    private void printSummary(
            long seedValue,
            Duration length,
            int records,
            long checkpoints,
            long failedCheckpoints,
            int jobRestarts,
            DrainedRun.Outcome outcome,
            String result,
            Throwable failure) {
        Map<Kind, List<Done>> byKind = new EnumMap<>(Kind.class);
        for (Kind kind : Kind.values()) {
            byKind.put(kind, new ArrayList<>());
        }
        done.forEach(d -> byKind.get(d.fault().kind()).add(d));
        Map<String, String> lines = new LinkedHashMap<>();
        lines.put("seed", seedValue + " (" + clock(length) + ", " + rate + " sales/s)");
        lines.put("records in", String.format("%,d", records));
        lines.put("faults", String.valueOf(done.size()));
        byKind.forEach(
                (kind, list) ->
                        lines.put(
                                "  " + kind.label,
                                list.size()
                                        + (list.isEmpty()
                                                ? ""
                                                : "  recovery (to the first checkpoint) "
                                                        + recoveryStats(list))));
        lines.put(
                "checkpoints",
                String.format("%,d completed, %,d failed", checkpoints, failedCheckpoints));
        lines.put("job restarts", String.valueOf(jobRestarts));
        lines.put(
                "exact check",
                outcome != null
                        ? "passed: " + outcome.summary()
                        : "FAILED: " + firstLines(failure));
        lines.put("result", result);
        System.out.printf("%nSoak summary%n");
        lines.forEach((k, v) -> System.out.printf("  %-26s %s%n", k, v));
    }

    private static String recoveryStats(List<Done> list) {
        List<Duration> sorted =
                list.stream().map(Done::recovery).sorted(Comparator.naturalOrder()).toList();
        return "min "
                + seconds(sorted.get(0))
                + ", median "
                + seconds(sorted.get(sorted.size() / 2))
                + ", max "
                + seconds(sorted.get(sorted.size() - 1));
    }

    /** The start of the failure; the whole of it goes to the log. */
    private static String firstLines(Throwable failure) {
        LOG.error("The exact check failed", failure);
        String text = String.valueOf(failure);
        return text.length() > 8_000 ? text.substring(0, 8_000) + " ... (see the log)" : text;
    }

    private static String seconds(Duration duration) {
        return String.format("%.1f s", duration.toMillis() / 1000.0);
    }

    private static String clock(Duration duration) {
        long s = duration.toSeconds();
        return String.format("%02d:%02d", s / 60, s % 60);
    }

    /** A fresh start: the broker data, checkpoints and savepoints of an earlier soak go. */
    private static void clean(Path dir) throws IOException {
        for (String sub : List.of("kafka", "checkpoints", "savepoints")) {
            FileUtils.deleteDirectory(dir.resolve(sub).toFile());
        }
        Files.createDirectories(dir);
    }
}

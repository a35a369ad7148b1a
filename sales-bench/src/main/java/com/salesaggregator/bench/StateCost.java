package com.salesaggregator.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.salesaggregator.config.DurationText;
import com.salesaggregator.job.JobConfig;
import com.salesaggregator.job.JobEnvironment;
import com.salesaggregator.job.KafkaConnectors;
import com.salesaggregator.job.SalesAggregationJob;
import com.salesaggregator.job.SalesJobOptions;
import com.salesaggregator.job.SalesTopology;
import com.salesaggregator.job.records.SourcePosition;
import com.salesaggregator.seeder.SalesGenerator;
import com.salesaggregator.seeder.Seeder;
import com.salesaggregator.seeder.SeederMetrics;
import com.salesaggregator.seeder.SeederRunner;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessSpec;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessUtils;
import org.apache.flink.state.rocksdb.RocksDBNativeMetricOptions;
import org.apache.flink.state.rocksdb.RocksDBOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.TopicPartition;

/**
 * {@code make bench-state}: what one remembered sale identity costs in the pricing stage's dedup
 * state, on the heap backend and on RocksDB with incremental checkpoints, and what that makes the
 * capacity of one TaskManager of the Helm chart's default size.
 *
 * <p>For each data size the seeder preloads that many sales (each a distinct identity: no resends),
 * and the job (as deployed, unbounded sources, dedup horizon at its default, far longer than the
 * run) reads them all and is <em>held running</em>. Once its consumer group has committed the end
 * of every input (a checkpoint holds every sale), and the idleness timeout has passed (so that
 * lines waiting for reference data are released the same way at every size), a checkpoint taken
 * after that is read from the REST API (whole job and the pricing stage's vertex), the live heap is
 * taken with a class histogram (a full collection; minus the one taken just before the job
 * started), and, on RocksDB, the per-column-family native metrics and the size of the local working
 * directory. The cost per identity is the slope between two sizes: what grows with the sales
 * divided by how many more sales; whatever does not grow with them (open windows, running totals,
 * reference versions, buffers, the broker) falls out. A last run at a fixed rate with a short
 * horizon measures how many entries the heap holds in steady state, expired ones awaiting the TTL
 * sweep included, per sale within the horizon ({@link #steady}).
 */
public final class StateCost {

    private StateCost() {}

    /** The name of the pricing stage's operator (its vertex starts with it). */
    static final String PRICING = "Dedup, catalog and EUR at event time";

    /** The dedup state and the state of lines waiting for reference data, as Flink names them. */
    static final String DEDUP_STATE = "first-delivery";

    static final String WAITING_STATE = "waiting-lines";

    /** RocksDB native metrics read per column family. */
    static final List<String> ROCKSDB_METRICS =
            List.of(
                    "estimate-num-keys",
                    "total-sst-files-size",
                    "estimate-live-data-size",
                    "size-all-mem-tables",
                    "estimate-table-readers-mem",
                    "block-cache-usage");

    /**
     * Options: {@code --sales} two or more sizes; {@code --backends} hashmap and/or rocksdb; {@code
     * --tm-process-size} the chart's TaskManager memory; {@code --parallelism}; {@code --seed};
     * {@code --out}.
     */
    record Options(
            List<Long> sales,
            List<String> backends,
            MemorySize tmProcessSize,
            int parallelism,
            long seed,
            Path out,
            double steadyRate,
            Duration steadyHorizon,
            Duration steadyDuration) {

        static Options parse(String[] args) {
            Map<String, String> v = new LinkedHashMap<>();
            v.put("sales", "200000,1000000");
            v.put("backends", "hashmap,rocksdb");
            v.put("tm-process-size", "2048m");
            v.put("parallelism", "2");
            v.put("seed", "42");
            v.put("out", "target/bench-state");
            v.put("steady-rate", "2000");
            v.put("steady-horizon", "30s");
            v.put("steady-duration", "3m");
            for (int i = 0; i < args.length; i += 2) {
                String key = args[i].replaceFirst("^--", "");
                if (!v.containsKey(key) || i + 1 >= args.length) {
                    throw new IllegalArgumentException(
                            "expected --key value with a key of " + v.keySet() + ": " + args[i]);
                }
                if (!args[i + 1].isBlank()) {
                    v.put(key, args[i + 1].strip());
                }
            }
            List<Long> sales =
                    Stream.of(v.get("sales").split(","))
                            .filter(s -> !s.strip().equals("none"))
                            .map(s -> Long.parseLong(s.strip()))
                            .sorted()
                            .distinct()
                            .toList();
            if ((sales.size() < 2 && !sales.isEmpty()) || (!sales.isEmpty() && sales.get(0) <= 0)) {
                throw new IllegalArgumentException(
                        "sales: at least two positive sizes, e.g. 200000,1000000 (or none)");
            }
            List<String> backends = List.of(v.get("backends").split(","));
            for (String b : backends) {
                if (!b.equals("hashmap") && !b.equals("rocksdb")) {
                    throw new IllegalArgumentException("backends: hashmap or rocksdb, not " + b);
                }
            }
            return new Options(
                    sales,
                    backends,
                    MemorySize.parse(v.get("tm-process-size")),
                    Integer.parseInt(v.get("parallelism")),
                    Long.parseLong(v.get("seed")),
                    Path.of(v.get("out")),
                    Double.parseDouble(v.get("steady-rate")),
                    DurationText.parse(v.get("steady-horizon")),
                    DurationText.parse(v.get("steady-duration")));
        }
    }

    /**
     * What one held-open run measured.
     *
     * @param backend hashmap or rocksdb
     * @param identities distinct sale identities in the input (each remembered once)
     * @param lines sale lines in the input
     * @param consumeSeconds from submission until the consumer group committed every input's end
     * @param liveHeapBytes live heap while the job holds the state, minus the live heap before the
     *     job started
     * @param positions {@link SourcePosition} instances on the heap (one per remembered identity)
     * @param checkpointId the checkpoint read
     * @param jobStateBytes that checkpoint's full state size, the whole job
     * @param pricingStateBytes the same, the pricing stage's vertex
     * @param pricingCheckpointedBytes what that checkpoint wrote for the pricing vertex (less than
     *     the full size when incremental)
     * @param rocksDb the dedup and waiting-lines column families' native metrics (summed over
     *     subtasks), empty on the heap backend
     * @param localDirBytes size of RocksDB's local working directory (every keyed state of the
     *     job), -1 on the heap backend
     * @param growth how each class grew on the heap
     */
    record Sample(
            String backend,
            long identities,
            long lines,
            double consumeSeconds,
            long liveHeapBytes,
            long positions,
            long checkpointId,
            long jobStateBytes,
            long pricingStateBytes,
            long pricingCheckpointedBytes,
            Map<String, Long> rocksDb,
            long localDirBytes,
            Map<String, HeapHistogram.Growth> growth) {}

    public static void main(String[] args) throws Exception {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("bench-state: " + e.getMessage());
            System.exit(2);
            return;
        }
        run(options);
        // The broker and Flink leave non-daemon threads behind on some paths.
        System.exit(0);
    }

    static void run(Options options) throws Exception {
        long started = System.nanoTime();
        TaskExecutorProcessSpec tm = chartTaskManager(options.tmProcessSize());
        Progress.line(
                "the chart's TaskManager (%s process, Flink's default fractions): task heap %s,"
                        + " JVM heap %s, managed %s, network %s, metaspace %s, overhead %s",
                mib(options.tmProcessSize().getBytes()),
                mib(tm.getTaskHeapSize().getBytes()),
                mib(tm.getJvmHeapMemorySize().getBytes()),
                mib(tm.getManagedMemorySize().getBytes()),
                mib(tm.getNetworkMemSize().getBytes()),
                mib(tm.getJvmMetaspaceSize().getBytes()),
                mib(tm.getJvmOverheadSize().getBytes()));
        Path out = options.out().toAbsolutePath();
        Files.createDirectories(out);
        List<Sample> samples = new ArrayList<>();
        for (long sales : options.sales()) {
            Bench.deleteRecursively(out.resolve("kafka-" + sales));
            try (BenchKafka kafka = new BenchKafka(out.resolve("kafka-" + sales))) {
                long[] preloaded = preload(kafka, sales, options.seed());
                for (String backend : options.backends()) {
                    samples.add(
                            measure(
                                    kafka,
                                    backend,
                                    preloaded[0],
                                    preloaded[1],
                                    tm,
                                    options,
                                    out.resolve(backend + "-" + sales)));
                }
            }
            Bench.deleteRecursively(out.resolve("kafka-" + sales));
        }
        Steady steady = options.steadyRate() > 0 ? steady(options, tm, out) : null;
        String report =
                (samples.isEmpty()
                                ? ""
                                : report(
                                        samples,
                                        tm,
                                        options,
                                        steady == null ? Double.NaN : steady.mean(),
                                        Progress.seconds(started)))
                        + (steady == null ? "" : steady.text());
        System.out.println();
        System.out.println(report);
        Files.writeString(out.resolve("report.md"), report);
    }

    /** The TaskManager memory Flink derives from {@code processSize} with its default fractions. */
    static TaskExecutorProcessSpec chartTaskManager(MemorySize processSize) {
        Configuration config = new Configuration();
        config.set(TaskManagerOptions.TOTAL_PROCESS_MEMORY, processSize);
        return TaskExecutorProcessUtils.processSpecFromConfig(config);
    }

    /**
     * Preloads {@code sales} sales with the seeder in bulk mode, as {@code make bench} does;
     * returns the distinct sale identities (sales minus resends) and the lines.
     */
    static long[] preload(BenchKafka kafka, long sales, long seed) throws Exception {
        kafka.createTopics("", DataSet.INPUT_TOPICS);
        long started = System.nanoTime();
        SeederMetrics metrics = new SeederMetrics();
        SeederRunner.Progress sent;
        try (Producer<byte[], byte[]> producer =
                new KafkaProducer<>(Seeder.producerProperties(kafka.bootstrapServers(), null))) {
            SeederRunner runner =
                    new SeederRunner(
                            new SalesGenerator(
                                    DataSet.generatorConfig(
                                            seed, DataSet.START, DataSet.EVENT_RATE)),
                            producer,
                            new SeederRunner.Settings(
                                    DataSet.EVENT_RATE, true, sales, null, Duration.ofSeconds(30)),
                            metrics,
                            line -> Progress.line("preload: %s", line));
            runner.run();
            sent = runner.progress();
        }
        if (sent.errors() > 0) {
            throw new IllegalStateException("the seeder failed to send " + sent.errors());
        }
        long resends = resends(metrics);
        Progress.line(
                "preload: %,d sales (%,d resends, so %,d identities), %,d lines in %.1f s",
                sent.salesSent(),
                resends,
                sent.salesSent() - resends,
                sent.linesSent(),
                Progress.seconds(started));
        return new long[] {sent.salesSent() - resends, sent.linesSent()};
    }

    /** Resent sales (a second record of one identity), from the seeder's own counter. */
    private static long resends(SeederMetrics metrics) {
        for (MetricSnapshot s : metrics.registry().scrape()) {
            if (s instanceof CounterSnapshot counter
                    && counter.getMetadata().getName().equals("seeder_planned_sales")) {
                for (CounterSnapshot.CounterDataPointSnapshot p : counter.getDataPoints()) {
                    if ("resend".equals(p.getLabels().get("plan"))) {
                        return Math.round(p.getValue());
                    }
                }
            }
        }
        return 0;
    }

    static Sample measure(
            BenchKafka kafka,
            String backend,
            long identities,
            long lines,
            TaskExecutorProcessSpec tm,
            Options options,
            Path dir)
            throws Exception {
        String runId = "state-" + backend + "-" + identities;
        Progress.line("%s: %,d identities ...", runId, identities);
        Bench.deleteRecursively(dir);
        Configuration cluster = new Configuration();
        // RocksDB gets the managed memory of the chart's TaskManager (Flink's MiniCluster default
        // is a fixed 128 MiB), shared by the slots as on Kubernetes.
        cluster.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, tm.getManagedMemorySize());
        Configuration job = new Configuration();
        Path localDir = dir.resolve("rocksdb");
        job.set(StateBackendOptions.STATE_BACKEND, backend);
        if (backend.equals("rocksdb")) {
            job.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, true);
            job.set(RocksDBOptions.LOCAL_DIRECTORIES, localDir.toString());
            for (var metric :
                    List.of(
                            RocksDBNativeMetricOptions.ESTIMATE_NUM_KEYS,
                            RocksDBNativeMetricOptions.MONITOR_TOTAL_SST_FILES_SIZE,
                            RocksDBNativeMetricOptions.ESTIMATE_LIVE_DATA_SIZE,
                            RocksDBNativeMetricOptions.MONITOR_SIZE_ALL_MEM_TABLES,
                            RocksDBNativeMetricOptions.ESTIMATE_TABLE_READERS_MEM,
                            RocksDBNativeMetricOptions.BLOCK_CACHE_USAGE)) {
                job.set(metric, true);
            }
        }
        try (FlinkCluster flink =
                new FlinkCluster(
                        options.parallelism(),
                        dir.resolve("checkpoints").toAbsolutePath(),
                        cluster)) {
            Outputs outputs = new Outputs(kafka, runId + ".", Outputs.JOB_OUTPUTS).create();
            Map<String, String> jobOptions = JobContender.options(kafka, runId, outputs);
            JobConfig config = JobContender.config(jobOptions);
            StreamExecutionEnvironment env = flink.environment(options.parallelism(), job);
            JobEnvironment.configure(env, config);
            // Unbounded sources, as deployed: the job stays running with its state.
            SalesTopology.build(
                    KafkaConnectors.sources(env, config), KafkaConnectors.sinks(config), config);

            HeapHistogram before = cleanHeap();
            long submitted = System.nanoTime();
            JobClient client = env.executeAsync(SalesAggregationJob.NAME + " " + runId);
            try {
                awaitConsumed(kafka, config.groupId(), client);
                double consumeSeconds = Progress.seconds(submitted);
                Progress.line(
                        "%s: every input committed after %.1f s (%,.0f lines/s); waiting %s"
                                + " (idleness) for held lines to be released",
                        runId, consumeSeconds, lines / consumeSeconds, config.idleness());
                long releasedBy = System.currentTimeMillis() + config.idleness().toMillis() + 5_000;
                String jobId = client.getJobID().toString();
                JsonNode checkpoint = awaitCheckpointAfter(flink, jobId, releasedBy);
                long checkpointId = checkpoint.path("id").asLong();
                String pricingVertex = vertex(flink, jobId, PRICING);
                JsonNode task =
                        flink.get("/jobs/" + jobId + "/checkpoints/details/" + checkpointId)
                                .path("tasks")
                                .path(pricingVertex);
                Map<String, Long> rocksDb =
                        backend.equals("rocksdb")
                                ? rocksDbMetrics(flink, jobId, pricingVertex)
                                : Map.of();
                long localDirBytes = backend.equals("rocksdb") ? sizeOf(localDir) : -1;
                HeapHistogram held = HeapHistogram.take();
                Sample sample =
                        new Sample(
                                backend,
                                identities,
                                lines,
                                consumeSeconds,
                                held.totalBytes() - before.totalBytes(),
                                held.instances(SourcePosition.class.getName())
                                        - before.instances(SourcePosition.class.getName()),
                                checkpointId,
                                checkpoint.path("state_size").asLong(),
                                task.path("state_size").asLong(),
                                task.path("checkpointed_size").asLong(),
                                rocksDb,
                                localDirBytes,
                                held.growthSince(before));
                Progress.line(
                        "%s: checkpoint %d: job %s, pricing %s (written %s); live heap +%s;"
                                + " %,d SourcePosition%s%s",
                        runId,
                        checkpointId,
                        mib(sample.jobStateBytes()),
                        mib(sample.pricingStateBytes()),
                        mib(sample.pricingCheckpointedBytes()),
                        mib(sample.liveHeapBytes()),
                        sample.positions(),
                        rocksDb.isEmpty() ? "" : "; RocksDB " + rocksDb,
                        localDirBytes < 0 ? "" : "; local dir " + mib(localDirBytes));
                for (HeapHistogram.Growth g : HeapHistogram.largest(sample.growth(), 8)) {
                    Progress.line(
                            "%s:   heap +%s in %,d %s",
                            runId, mib(g.bytes()), g.instances(), g.className());
                }
                return sample;
            } finally {
                client.cancel().get(2, TimeUnit.MINUTES);
                // Its state is released only when its tasks have ended.
                client.getJobExecutionResult().handle((r, e) -> r).get(2, TimeUnit.MINUTES);
            }
        }
    }

    /**
     * Steady state on the heap backend: the seeder paced at {@code steadyRate} sales/s, the job
     * with a short dedup horizon, for several horizons. Identities expire then, and leave the heap
     * only when the incremental TTL sweep (one bucket per state access) reaches them, so the heap
     * holds more entries than rate x horizon: their count (one {@link SourcePosition} each) is
     * sampled every quarter horizon. Returns the report's paragraph.
     */
    static Steady steady(Options options, TaskExecutorProcessSpec tm, Path out) throws Exception {
        double rate = options.steadyRate();
        Duration horizon = options.steadyHorizon();
        String runId = "steady-hashmap";
        Path dir = out.resolve(runId);
        Bench.deleteRecursively(dir);
        Progress.line(
                "%s: %.0f sales/s for %s, dedup horizon %s",
                runId, rate, options.steadyDuration(), horizon);
        Configuration cluster = new Configuration();
        cluster.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, tm.getManagedMemorySize());
        Configuration job = new Configuration();
        job.set(StateBackendOptions.STATE_BACKEND, "hashmap");
        List<double[]> ratios = new ArrayList<>();
        try (BenchKafka kafka = new BenchKafka(dir.resolve("kafka"));
                FlinkCluster flink =
                        new FlinkCluster(
                                options.parallelism(),
                                dir.resolve("checkpoints").toAbsolutePath(),
                                cluster);
                Producer<byte[], byte[]> producer =
                        new KafkaProducer<>(
                                Seeder.producerProperties(kafka.bootstrapServers(), null))) {
            kafka.createTopics("", DataSet.INPUT_TOPICS);
            Outputs outputs = new Outputs(kafka, runId + ".", Outputs.JOB_OUTPUTS).create();
            Map<String, String> jobOptions = JobContender.options(kafka, runId, outputs);
            jobOptions.put(SalesJobOptions.DEDUP_HORIZON.key(), horizon.toMillis() + "ms");
            JobConfig config = JobContender.config(jobOptions);
            StreamExecutionEnvironment env = flink.environment(options.parallelism(), job);
            JobEnvironment.configure(env, config);
            SalesTopology.build(
                    KafkaConnectors.sources(env, config), KafkaConnectors.sinks(config), config);
            JobClient client = env.executeAsync(SalesAggregationJob.NAME + " " + runId);
            SeederMetrics metrics = new SeederMetrics();
            SeederRunner seeder =
                    new SeederRunner(
                            new SalesGenerator(
                                    DataSet.generatorConfig(
                                            options.seed(), java.time.Instant.now(), rate)),
                            producer,
                            new SeederRunner.Settings(
                                    rate,
                                    false,
                                    0,
                                    options.steadyDuration(),
                                    Duration.ofMinutes(1)),
                            metrics,
                            line -> Progress.line("%s: %s", runId, line));
            Thread feeding = new Thread(seeder::run, "steady-seeder");
            feeding.start();
            try {
                long every = horizon.toMillis() / 4;
                while (feeding.isAlive()) {
                    Thread.sleep(every);
                    long held = HeapHistogram.take().instances(SourcePosition.class.getName());
                    double seconds = seeder.progress().elapsed().toNanos() / 1e9;
                    double measuredRate = seeder.progress().salesPerSecond();
                    double live = measuredRate * Math.min(seconds, horizon.toMillis() / 1e3);
                    Progress.line(
                            "%s: %.0f s: %,d identities held, rate x horizon %,.0f: %.2f x",
                            runId, seconds, held, live, held / live);
                    // Only once entries have been expiring for a full horizon.
                    if (seconds >= 2.0 * horizon.toMillis() / 1e3) {
                        ratios.add(new double[] {held / live, measuredRate});
                    }
                }
            } finally {
                seeder.stop();
                feeding.join();
                client.cancel().get(2, TimeUnit.MINUTES);
                client.getJobExecutionResult().handle((r, e) -> r).get(2, TimeUnit.MINUTES);
            }
        }
        Bench.deleteRecursively(dir);
        double max = ratios.stream().mapToDouble(r -> r[0]).max().orElse(Double.NaN);
        double mean = ratios.stream().mapToDouble(r -> r[0]).average().orElse(Double.NaN);
        double measuredRate = ratios.stream().mapToDouble(r -> r[1]).average().orElse(rate);
        return new Steady(
                mean,
                String.format(
                        Locale.ROOT,
                        "%nSteady state (heap backend, %.0f sales/s, dedup horizon %s, %s):"
                                + " identities held on the heap / (rate x horizon), after the"
                                + " first two horizons, %d samples: mean %.2f, max %.2f.%n",
                        measuredRate,
                        horizon,
                        options.steadyDuration(),
                        ratios.size(),
                        mean,
                        max));
    }

    /**
     * The steady-state run's result.
     *
     * @param mean identities held on the heap per identity within the horizon (rate x horizon)
     * @param text its paragraph in the report
     */
    record Steady(double mean, String text) {}

    /**
     * The heap before a run: after the state of an earlier run is gone (its tasks release it a
     * moment after the job ends), so that the difference is this run's alone.
     */
    private static HeapHistogram cleanHeap() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        HeapHistogram heap = HeapHistogram.take();
        while (heap.instances(SourcePosition.class.getName()) > 0 && System.nanoTime() < deadline) {
            Thread.sleep(1_000);
            heap = HeapHistogram.take();
        }
        return heap;
    }

    /** Waits until the job's consumer group has committed the end of every input partition. */
    private static void awaitConsumed(BenchKafka kafka, String group, JobClient client)
            throws Exception {
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : DataSet.INPUT_TOPICS) {
            partitions.addAll(kafka.partitionsOf(topic, kafka.partitions(topic)));
        }
        Map<TopicPartition, Long> ends = kafka.committedEnds(partitions);
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(20);
        while (true) {
            Map<TopicPartition, OffsetAndMetadata> committed =
                    kafka.admin()
                            .listConsumerGroupOffsets(group)
                            .partitionsToOffsetAndMetadata()
                            .get(1, TimeUnit.MINUTES);
            boolean all =
                    partitions.stream()
                            .allMatch(
                                    p ->
                                            committed.get(p) != null
                                                    && committed.get(p).offset() >= ends.get(p));
            if (all) {
                return;
            }
            if (client.getJobStatus().get().isGloballyTerminalState()
                    || System.nanoTime() > deadline) {
                throw new IllegalStateException(
                        "the job did not consume its input: " + client.getJobStatus().get());
            }
            Thread.sleep(500);
        }
    }

    /** The first checkpoint completed that was triggered at or after {@code epochMillis}. */
    private static JsonNode awaitCheckpointAfter(FlinkCluster flink, String jobId, long epochMillis)
            throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (System.nanoTime() < deadline) {
            JsonNode latest =
                    flink.get("/jobs/" + jobId + "/checkpoints").path("latest").path("completed");
            if (!latest.isMissingNode()
                    && !latest.isNull()
                    && latest.path("trigger_timestamp").asLong() >= epochMillis) {
                return latest;
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException("no checkpoint completed after " + epochMillis);
    }

    /** The id of the job vertex whose name starts with {@code name}. */
    private static String vertex(FlinkCluster flink, String jobId, String name) throws Exception {
        for (JsonNode v : flink.get("/jobs/" + jobId).path("vertices")) {
            if (v.path("name").asText().startsWith(name)) {
                return v.path("id").asText();
            }
        }
        throw new IllegalStateException("no vertex named " + name);
    }

    /**
     * The RocksDB native metrics of the dedup and waiting-lines column families, each summed over
     * the subtasks; {@code block-cache-usage} is the cache of each slot (shared by its column
     * families), so it is read once per subtask.
     */
    private static Map<String, Long> rocksDbMetrics(FlinkCluster flink, String jobId, String vertex)
            throws Exception {
        String base = "/jobs/" + jobId + "/vertices/" + vertex + "/metrics";
        // Metrics reach the REST API with the metric fetcher's delay: wait until they are there.
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        Map<String, Long> sums = new TreeMap<>();
        List<String> ids = new ArrayList<>();
        while (sums.isEmpty() || sums.size() < ROCKSDB_METRICS.size() + 2) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(
                        "RocksDB metrics missing: " + sums + " among " + ids);
            }
            sums.clear();
            ids.clear();
            List<String> wanted = new ArrayList<>();
            for (JsonNode m : flink.get(base)) {
                String id = m.path("id").asText();
                ids.add(id);
                // e.g.
                // 0.Dedup__catalog_and_EUR_at_event_time.first-delivery.rocksdb_block-cache-usage
                if (ROCKSDB_METRICS.stream().anyMatch(p -> id.endsWith(".rocksdb_" + p))
                        && (id.contains("." + DEDUP_STATE + ".")
                                || id.contains("." + WAITING_STATE + "."))) {
                    wanted.add(id);
                }
            }
            for (String id : wanted) {
                JsonNode values = flink.get(base + "?get=" + encode(id));
                for (JsonNode value : values) {
                    String metric =
                            id.substring(id.lastIndexOf(".rocksdb_") + ".rocksdb_".length());
                    String family = id.contains("." + DEDUP_STATE + ".") ? "dedup" : "waiting";
                    if (metric.equals("block-cache-usage")) {
                        if (family.equals("waiting")) {
                            continue;
                        }
                        family = "slot";
                    }
                    sums.merge(family + " " + metric, parse(value.path("value")), Long::sum);
                }
            }
            if (sums.size() < ROCKSDB_METRICS.size() + 2) {
                Thread.sleep(1_000);
            }
        }
        return sums;
    }

    private static long parse(JsonNode value) {
        try {
            return Long.parseLong(value.asText());
        } catch (NumberFormatException e) {
            return Math.round(Double.parseDouble(value.asText()));
        }
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static long sizeOf(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile)
                    .mapToLong(
                            p -> {
                                try {
                                    return Files.size(p);
                                } catch (IOException e) {
                                    return 0; // a file RocksDB deleted meanwhile
                                }
                            })
                    .sum();
        }
    }

    // ---- the report

    /** What one figure costs per identity between the smallest and the largest size. */
    static double slope(List<Sample> samples, java.util.function.ToLongFunction<Sample> figure) {
        Sample small = samples.get(0);
        Sample large = samples.get(samples.size() - 1);
        return (double) (figure.applyAsLong(large) - figure.applyAsLong(small))
                / (large.identities() - small.identities());
    }

    /**
     * The report; {@code heldPerLive} (NaN if not measured) is how many identities the heap holds
     * per identity within the horizon, expired ones not yet swept included.
     */
    static String report(
            List<Sample> samples,
            TaskExecutorProcessSpec tm,
            Options options,
            double heldPerLive,
            double seconds) {
        StringBuilder md = new StringBuilder();
        md.append(
                String.format(
                        Locale.ROOT,
                        "## State cost per sale identity (make bench-state, %.1f min)%n%n",
                        seconds / 60));
        md.append(
                String.format(
                        Locale.ROOT,
                        "Chart TaskManager (%s process): task heap %s, JVM heap %s, managed"
                                + " memory %s, network %s; parallelism %d.%n%n",
                        mib(options.tmProcessSize().getBytes()),
                        mib(tm.getTaskHeapSize().getBytes()),
                        mib(tm.getJvmHeapMemorySize().getBytes()),
                        mib(tm.getManagedMemorySize().getBytes()),
                        mib(tm.getNetworkMemSize().getBytes()),
                        options.parallelism()));
        md.append(
                "| backend | identities | lines | consumed in | live heap of the job |"
                        + " SourcePosition objects | checkpoint: job | checkpoint: pricing stage |"
                        + " written by it | RocksDB local dir | RocksDB dedup column family |\n");
        md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
        for (Sample s : samples) {
            md.append(
                    String.format(
                            Locale.ROOT,
                            "| %s | %,d | %,d | %.1f s | %s | %,d | %s | %s | %s | %s | %s |%n",
                            s.backend(),
                            s.identities(),
                            s.lines(),
                            s.consumeSeconds(),
                            mib(s.liveHeapBytes()),
                            s.positions(),
                            mib(s.jobStateBytes()),
                            mib(s.pricingStateBytes()),
                            mib(s.pricingCheckpointedBytes()),
                            s.localDirBytes() < 0 ? "-" : mib(s.localDirBytes()),
                            rocksDbCell(s.rocksDb())));
        }
        md.append("\nBytes per identity (slope between the smallest and the largest size):\n\n");
        md.append("| backend | live heap | checkpoint (pricing stage) | RocksDB local dir |");
        md.append(
                " RocksDB dedup SST | RocksDB dedup live data |\n|---|---:|---:|---:|---:|---:|\n");
        for (String backend : options.backends()) {
            List<Sample> of = samples.stream().filter(s -> s.backend().equals(backend)).toList();
            boolean rocks = backend.equals("rocksdb");
            md.append(
                    String.format(
                            Locale.ROOT,
                            "| %s | %.0f | %.0f | %s | %s | %s |%n",
                            backend,
                            slope(of, Sample::liveHeapBytes),
                            slope(of, Sample::pricingStateBytes),
                            rocks ? String.format("%.0f", slope(of, Sample::localDirBytes)) : "-",
                            rocks
                                    ? String.format(
                                            "%.0f",
                                            slope(
                                                    of,
                                                    s ->
                                                            s.rocksDb()
                                                                    .getOrDefault(
                                                                            "dedup"
                                                                                + " total-sst-files-size",
                                                                            0L)))
                                    : "-",
                            rocks
                                    ? String.format(
                                            "%.0f",
                                            slope(
                                                    of,
                                                    s ->
                                                            s.rocksDb()
                                                                    .getOrDefault(
                                                                            "dedup"
                                                                                + " estimate-live-data-size",
                                                                            0L)))
                                    : "-"));
        }
        for (String backend : options.backends()) {
            if (!backend.equals("hashmap")) {
                continue;
            }
            List<Sample> of = samples.stream().filter(s -> s.backend().equals(backend)).toList();
            double perIdentity = slope(of, Sample::liveHeapBytes);
            long budget = tm.getTaskHeapSize().getBytes() / 2;
            double identities = budget / perIdentity;
            md.append(
                    String.format(
                            Locale.ROOT,
                            "%nHeap capacity: half the task heap (%s) / %.0f B = %,.0f identities"
                                    + " = %,.0f sales/s at a 1 h dedup horizon.%n",
                            mib(budget),
                            perIdentity,
                            identities,
                            identities / 3600));
            if (!Double.isNaN(heldPerLive)) {
                md.append(
                        String.format(
                                Locale.ROOT,
                                "In steady state the heap holds %.2f x rate x horizon (expired"
                                        + " entries until the sweep reaches them): rate x horizon"
                                        + " = %,.0f = %,.0f sales/s at a 1 h dedup horizon.%n",
                                heldPerLive,
                                identities / heldPerLive,
                                identities / heldPerLive / 3600));
            }
        }
        for (String backend : options.backends()) {
            if (!backend.equals("rocksdb")) {
                continue;
            }
            List<Sample> of = samples.stream().filter(s -> s.backend().equals(backend)).toList();
            double perIdentity = slope(of, Sample::localDirBytes);
            double perGib = (1L << 30) / perIdentity;
            md.append(
                    String.format(
                            Locale.ROOT,
                            "%nRocksDB: %.0f B of local disk per identity = %,.0f identities per"
                                + " GiB = %,.0f sales/s per GiB at a 1 h dedup horizon; its memory"
                                + " is capped by the managed memory (%s).%n",
                            perIdentity,
                            perGib,
                            perGib / 3600,
                            mib(tm.getManagedMemorySize().getBytes())));
            // The block cache is the managed memory, write buffers charged to it up to Flink's
            // default write-buffer ratio (0.5): the other half holds the tables' blocks.
            long cache = tm.getManagedMemorySize().getBytes() / 2;
            double sst = slope(of, s -> s.rocksDb().getOrDefault("dedup total-sst-files-size", 0L));
            md.append(
                    String.format(
                            Locale.ROOT,
                            "RocksDB in memory: half the managed memory (%s, the rest is write"
                                    + " buffers) / %.0f B of dedup SST per identity = %,.0f"
                                    + " identities = %,.0f sales/s at a 1 h dedup horizon with"
                                    + " every lookup served from the block cache.%n",
                            mib(cache),
                            sst,
                            cache / sst,
                            cache / sst / 3600));
        }
        md.append("\nBytes per identity by class on the heap (slope of each class's growth):\n\n");
        for (String backend : options.backends()) {
            List<Sample> of = samples.stream().filter(s -> s.backend().equals(backend)).toList();
            Sample small = of.get(0);
            Sample large = of.get(of.size() - 1);
            HeapHistogram.Growth none = new HeapHistogram.Growth("", 0, 0);
            Map<String, HeapHistogram.Growth> slopes = new LinkedHashMap<>();
            large.growth()
                    .forEach(
                            (name, g) -> {
                                HeapHistogram.Growth then = small.growth().getOrDefault(name, none);
                                slopes.put(
                                        name,
                                        new HeapHistogram.Growth(
                                                name,
                                                g.instances() - then.instances(),
                                                g.bytes() - then.bytes()));
                            });
            List<String> parts = new ArrayList<>();
            double per = large.identities() - small.identities();
            for (HeapHistogram.Growth g : HeapHistogram.largest(slopes, 8)) {
                parts.add(
                        String.format(
                                Locale.ROOT,
                                "%s %.1f B (%.2f per identity)",
                                g.className(),
                                g.bytes() / per,
                                g.instances() / per));
            }
            md.append("- ").append(backend).append(": ").append(String.join("; ", parts));
            md.append('\n');
        }
        return md.toString();
    }

    private static String rocksDbCell(Map<String, Long> m) {
        if (m.isEmpty()) {
            return "-";
        }
        List<String> parts = new ArrayList<>();
        m.forEach(
                (k, v) ->
                        parts.add(
                                k.endsWith("keys")
                                        ? String.format("%s %,d", k, v)
                                        : k + " " + mib(v)));
        return String.join(", ", parts);
    }

    private static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }
}

package com.salesaggregator.bench;

import com.salesaggregator.job.JobConfig;
import com.salesaggregator.job.JobEnvironment;
import com.salesaggregator.job.KafkaConnectors;
import com.salesaggregator.job.SalesAggregationJob;
import com.salesaggregator.job.SalesJobOptions;
import com.salesaggregator.job.SalesTopology;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.flink.api.common.JobID;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The aggregation job as deployed (its own topology, Kafka wiring, exactly-once sinks and
 * checkpointing settings, every option at its production default), with its sources bounded at the
 * preloaded end offsets: the run ends when the last output is committed.
 */
final class JobContender {

    private final BenchKafka kafka;
    private final FlinkCluster flink;
    private final int parallelism;
    private final Map<String, String> jobOptions;
    private JobID lastJobId;

    JobContender(BenchKafka kafka, FlinkCluster flink, int parallelism) {
        this(kafka, flink, parallelism, Map.of());
    }

    /**
     * @param jobOptions the job's own options on top of its defaults, for every run ({@code
     *     BENCH_JOB_OPTIONS})
     */
    JobContender(
            BenchKafka kafka, FlinkCluster flink, int parallelism, Map<String, String> jobOptions) {
        this.kafka = kafka;
        this.flink = flink;
        this.parallelism = parallelism;
        this.jobOptions = Map.copyOf(jobOptions);
    }

    /** The job options of a run: production defaults, the run's own group and outputs. */
    static Map<String, String> options(BenchKafka kafka, String runId, Outputs outputs) {
        Map<String, String> options = new LinkedHashMap<>();
        options.put(SalesJobOptions.BOOTSTRAP_SERVERS.key(), kafka.bootstrapServers());
        options.put(SalesJobOptions.GROUP_ID.key(), "bench-" + runId);
        options.put(SalesJobOptions.TRANSACTIONAL_ID_PREFIX.key(), "bench-" + runId);
        options.put(SalesJobOptions.STARTING_OFFSETS.key(), "earliest");
        for (String output : Outputs.JOB_OUTPUTS) {
            options.put(JobConfig.TOPIC_PREFIX + output, outputs.topic(output));
        }
        return options;
    }

    static JobConfig config(Map<String, String> options) {
        List<String> args = new ArrayList<>();
        options.forEach(
                (key, value) -> {
                    args.add("--" + key);
                    args.add(value);
                });
        return SalesAggregationJob.parse(args.toArray(String[]::new));
    }

    /** The job of the latest {@link #run}. */
    JobID lastJobId() {
        return lastJobId;
    }

    /** The job's checkpoint interval at its defaults: when its results become visible. */
    Duration checkpointInterval() {
        return JobEnvironment.CHECKPOINT_INTERVAL;
    }

    /** The job unbounded, as in production, for a latency run. */
    Latency.Subject unbounded() {
        return new Latency.Subject() {
            private JobClient job;

            @Override
            public String id() {
                return "job";
            }

            @Override
            public String label() {
                return "the job";
            }

            @Override
            public List<String> outputs() {
                return Outputs.JOB_OUTPUTS;
            }

            @Override
            public String groupId() {
                return "bench-latency-job";
            }

            @Override
            public Duration commitInterval() {
                return checkpointInterval();
            }

            @Override
            public boolean missingFinalMeansFinal() {
                return true;
            }

            @Override
            public void start(String prefix, Outputs outputs) throws Exception {
                Map<String, String> options = options(kafka, "latency-job", outputs);
                for (String input : DataSet.INPUT_TOPICS) {
                    options.put(JobConfig.TOPIC_PREFIX + input, prefix + input);
                }
                options.putAll(jobOptions);
                JobConfig config = config(options);
                StreamExecutionEnvironment env = flink.environment(parallelism);
                JobEnvironment.configure(env, config);
                SalesTopology.build(
                        KafkaConnectors.sources(env, config),
                        KafkaConnectors.sinks(config),
                        config);
                job = env.executeAsync(SalesAggregationJob.NAME + " latency");
            }

            @Override
            public FlinkCluster.CheckpointHistory checkpoints(long from, long to) throws Exception {
                return flink.checkpointHistory(job.getJobID(), from, to);
            }

            @Override
            public void writeCheckpointDetails(java.nio.file.Path file) throws Exception {
                flink.writeCheckpointDetails(job.getJobID(), file);
            }

            @Override
            public void stop() throws Exception {
                if (job != null) {
                    job.cancel().get(1, TimeUnit.MINUTES);
                    job = null;
                }
            }
        };
    }

    Result run(String runId, DataSet data, Duration limit) throws Exception {
        Outputs outputs = new Outputs(kafka, runId + ".", Outputs.JOB_OUTPUTS).create();
        return run(runId, data, limit, outputs, options(kafka, runId, outputs));
    }

    /**
     * The same job as a backfill ({@code --backfill-from/-to}) over a range holding the whole data
     * set: what a user's backfill of a past week costs against the job replaying the same records.
     */
    Result runBackfill(String runId, DataSet data, Duration limit) throws Exception {
        Outputs live = new Outputs(kafka, runId + ".", Outputs.JOB_OUTPUTS);
        Outputs outputs = new Outputs(kafka, runId + ".", Outputs.JOB_OUTPUTS, BACKFILL_SUFFIX);
        outputs.create();
        Map<String, String> options = options(kafka, runId, live);
        options.remove(SalesJobOptions.STARTING_OFFSETS.key());
        options.put(SalesJobOptions.BACKFILL_FROM.key(), BACKFILL_FROM.toString());
        options.put(
                SalesJobOptions.BACKFILL_TO.key(),
                DataSet.START.plus(data.eventSpan()).plus(Duration.ofDays(1)).toString());
        options.put(SalesJobOptions.BACKFILL_SUFFIX.key(), BACKFILL_SUFFIX);
        return run(runId, data, limit, outputs, options);
    }

    private static final String BACKFILL_SUFFIX = ".backfill";
    private static final java.time.Instant BACKFILL_FROM = DataSet.START.minus(Duration.ofDays(1));

    private Result run(
            String runId,
            DataSet data,
            Duration limit,
            Outputs outputs,
            Map<String, String> options)
            throws Exception {
        options.putAll(jobOptions);
        JobConfig config = config(options);
        StreamExecutionEnvironment env = flink.environment(parallelism);
        JobEnvironment.configure(env, config);
        SalesTopology.build(
                KafkaConnectors.sources(env, config, true), KafkaConnectors.sinks(config), config);

        Meter meter = Meter.start();
        JobClient job = env.executeAsync(SalesAggregationJob.NAME + " " + runId);
        lastJobId = job.getJobID();
        if (limit != null) {
            try {
                job.getJobExecutionResult().get(limit.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                job.cancel().get(1, TimeUnit.MINUTES);
                meter.discard();
                return null;
            }
        }
        job.getJobExecutionResult().get(30, TimeUnit.MINUTES);
        // The job ends after its final checkpoint has committed every transaction; checked, not
        // assumed.
        while (!kafka.allCommitted(outputs.partitions())) {
            Thread.sleep(20);
        }
        Meter.Cost cost = meter.stop();
        Result.Checkpoints checkpoints = flink.checkpoints(job.getJobID());
        return Result.of(cost, outputs.check(data.expected(), data.deadLetters()), checkpoints);
    }
}

package com.salesaggregator.bench;

import com.salesaggregator.bench.sql.SalesSql;
import com.salesaggregator.job.JobConfig;
import com.salesaggregator.job.JobEnvironment;
import com.salesaggregator.topics.Topic;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.StatementSet;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;

/**
 * The Flink SQL peer ({@link SalesSql}) on the same MiniCluster, parallelism and checkpointing
 * settings as the job (interval, timeout, pause, exactly once, aligned, heap state backend), its
 * sources bounded at the preloaded end offsets.
 */
final class SqlContender {

    private final BenchKafka kafka;
    private final FlinkCluster flink;
    private final int parallelism;

    SqlContender(BenchKafka kafka, FlinkCluster flink, int parallelism) {
        this.kafka = kafka;
        this.flink = flink;
        this.parallelism = parallelism;
    }

    Result run(String runId, DataSet data, Duration limit) throws Exception {
        Outputs outputs = new Outputs(kafka, runId + ".", Outputs.AGGREGATES).create();
        // The job's options, and its checkpointing settings and state backend at its defaults.
        JobConfig job =
                JobContender.config(
                        JobContender.options(
                                kafka,
                                runId,
                                new Outputs(kafka, runId + ".", Outputs.JOB_OUTPUTS)));
        StreamExecutionEnvironment env = flink.environment(parallelism);
        Configuration settings = new Configuration();
        for (JobEnvironment.Default<?> setting : JobEnvironment.DEFAULTS) {
            setting.applyIfAbsent(env.getConfiguration(), settings);
        }
        settings.set(
                CheckpointingOptions.CHECKPOINTING_CONSISTENCY_MODE,
                CheckpointingMode.EXACTLY_ONCE);
        settings.set(CheckpointingOptions.ENABLE_UNALIGNED, false);
        env.configure(settings, SqlContender.class.getClassLoader());

        StreamTableEnvironment tables =
                StreamTableEnvironment.create(env, EnvironmentSettings.inStreamingMode());
        Configuration table = tables.getConfig().getConfiguration();
        table.setString("table.local-time-zone", "UTC");
        table.setString("table.exec.source.idle-timeout", job.idleness().toMillis() + " ms");
        // No mini-batch: with it (in row-time mode, since the sources have watermarks) the planner
        // turns the processing-time deduplication into an updating one, and everything after it
        // into a retracting stream.

        SalesSql.Topics topics =
                new SalesSql.Topics(
                        kafka.bootstrapServers(),
                        "bench-" + runId,
                        "bench-" + runId,
                        Topic.SALES_ONLINE.topicName(),
                        Topic.SALES_STORE.topicName(),
                        Topic.PRODUCTS.topicName(),
                        Topic.FX_RATES.topicName(),
                        outputs.topic(Topic.REVENUE_PER_SELLER_1M.topicName()),
                        outputs.topic(Topic.UNITS_PER_PRODUCT_5M.topicName()),
                        outputs.topic(Topic.REVENUE_PER_PRODUCT.topicName()),
                        outputs.topic(Topic.SALES_PER_REGION.topicName()),
                        outputs.topic(Topic.REGION_TREND_1M.topicName()));
        for (String statement : SalesSql.statements(topics)) {
            tables.executeSql(statement);
        }
        StatementSet inserts = tables.createStatementSet();
        SalesSql.inserts().forEach(inserts::addInsertSql);

        java.nio.file.Files.writeString(
                java.nio.file.Path.of("target/bench/sql-plan.txt"), inserts.explain());

        Meter meter = Meter.start();
        TableResult result = inserts.execute();
        JobClient client = result.getJobClient().orElseThrow();
        if (limit != null) {
            try {
                client.getJobExecutionResult().get(limit.toMillis(), TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                client.cancel().get(1, TimeUnit.MINUTES);
                meter.discard();
                return null;
            }
        }
        client.getJobExecutionResult().get(30, TimeUnit.MINUTES);
        while (!kafka.allCommitted(outputs.partitions())) {
            Thread.sleep(20);
        }
        Meter.Cost cost = meter.stop();
        Result.Checkpoints stats = flink.checkpoints(client.getJobID());
        return Result.of(cost, outputs.check(data.expected(), 0), stats);
    }

    static Duration timeout() {
        return Duration.ofMinutes(30);
    }
}

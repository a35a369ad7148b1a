package com.salesaggregator.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.salesaggregator.testkit.FaultRig;
import com.salesaggregator.testkit.ItKafka;
import com.salesaggregator.testkit.JobRestarts;
import com.salesaggregator.testkit.JobRunner;
import com.salesaggregator.testkit.RunTopics;
import com.salesaggregator.testkit.SeededSales;
import com.salesaggregator.topics.Topic;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A fault that restarting cannot cure: the {@code sales-dlq} topic is gone (deleted, and the broker
 * creates no topics by itself) when the first malformed sale needs it. Each attempt fails the same
 * way; the bounded restart strategy (2 restarts here) must end the job FAILED, with the cause
 * naming the topic, instead of restarting forever.
 */
class PersistentFaultITCase {

    private static final Logger LOG = LoggerFactory.getLogger(PersistentFaultITCase.class);

    private static final int RESTARTS = 2;
    private static final long SEED = 5_005L;

    /** How long the sink waits for the topic's metadata (the producer's max.block.ms). */
    private static final int MAX_BLOCK_MS = 3_000;

    @RegisterExtension static final FaultRig RIG = new FaultRig(2, RESTARTS);

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void endsFailedNamingTheMissingTopicAfterBoundedRestarts(@TempDir Path runDir)
            throws Exception {
        RunTopics topics = RIG.kafka().createTopics("pf-");
        String dlq = topics.of(Topic.SALES_DLQ.topicName());
        RIG.kafka()
                .admin()
                .deleteTopics(List.of(dlq))
                .all()
                .get(ItKafka.WAIT.toSeconds(), TimeUnit.SECONDS);
        await("topic " + dlq + " deleted")
                .atMost(ItKafka.WAIT)
                .until(() -> !RIG.kafka().admin().listTopics().names().get().contains(dlq));
        Path clientConfig = runDir.resolve("client.properties");
        Files.writeString(clientConfig, "max.block.ms=" + MAX_BLOCK_MS + "\n");

        long started = System.currentTimeMillis();
        JobClient job =
                JobRunner.start(
                        RIG.kafka(),
                        topics,
                        2,
                        Map.of(SalesJobOptions.CLIENT_CONFIG.key(), clientConfig.toString()));
        JobRestarts restarts = new JobRestarts(RIG.cluster().restUrl());
        // Valid sales with a few malformed ones among them.
        RIG.kafka().produce(topics, SeededSales.forTest(SEED, 5, 0.05).next(200));

        Throwable failure = null;
        try {
            job.getJobExecutionResult().get(2, TimeUnit.MINUTES);
        } catch (ExecutionException e) {
            failure = e.getCause();
        }
        long failedAfter = System.currentTimeMillis() - started;
        assertThat(job.getJobStatus().get(10, TimeUnit.SECONDS)).isEqualTo(JobStatus.FAILED);
        assertThat(failure).as("the job's failure").isNotNull();
        StringWriter trace = new StringWriter();
        failure.printStackTrace(new PrintWriter(trace));
        String cause = "Topic " + dlq + " not present in metadata after " + MAX_BLOCK_MS + " ms";
        assertThat(trace.toString())
                .as("the job's failure names the missing topic")
                .contains(cause);

        List<String> failures = restarts.failures(job.getJobID());
        LOG.info(
                "FAILED after {} ms and {} restarts; failures {}; cause: {}",
                failedAfter,
                failures.size() - 1,
                failures,
                cause);
        assertThat(restarts.failureTraces(job.getJobID()))
                .as("the first failure and one per restart, then no more, each naming the topic")
                .hasSize(RESTARTS + 1)
                .allMatch(t -> t.contains(cause), "names the missing topic");
    }
}

package com.salesaggregator.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.salesaggregator.seeder.Seeder;
import com.salesaggregator.testkit.CommittedOutputs;
import com.salesaggregator.testkit.ItKafka;
import com.salesaggregator.testkit.JobRunner;
import com.salesaggregator.testkit.RunTopics;
import com.salesaggregator.topics.Topic;
import com.salesaggregator.verify.FigureCheck;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The check {@code make e2e} runs against a live deployment, run here against the real job on a
 * MiniCluster while it keeps running: it passes on the job's own figures, and it catches a figure
 * that differs from the reference model.
 */
class FigureCheckITCase {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String BACKFILL_SUFFIX = ".backfill";

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(4)
                            .setConfiguration(JobRunner.clusterConfiguration())
                            .build());

    @TempDir static Path kafkaDir;

    private static ItKafka kafka;

    @BeforeAll
    static void startBroker() {
        kafka = ItKafka.start(kafkaDir);
    }

    @AfterAll
    static void stopBroker() {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void passesOnTheRunningJobsFiguresAndCatchesAForgedOne() throws Exception {
        // The deployment's topic names: FigureCheck reads the default ones.
        RunTopics topics = kafka.createTopics("");
        // Seven minutes of event time (with the seeder's usual malformed and late records),
        // published at once.
        assertThat(
                        new CommandLine(new Seeder())
                                .execute(
                                        "--bootstrap-servers",
                                        kafka.bootstrapServers(),
                                        "--bulk",
                                        "--count",
                                        "14000",
                                        "--rate",
                                        "33",
                                        "--seed",
                                        "20261122"))
                .isZero();

        JobClient job = JobRunner.start(kafka, topics, 2);
        try (CommittedOutputs out = new CommittedOutputs(kafka, topics)) {
            JobRunner.awaitWhileRunning(job, "three minutes of region-trend-1m settled")
                    .until(
                            () -> {
                                out.poll();
                                return out.latestFinal(Topic.REGION_TREND_1M.topicName()).size()
                                        >= 3 * 3;
                            });

            Run pass = figureCheck(JobRunner.groupId(topics));
            assertThat(pass.exitCode()).as(pass.output()).isZero();
            assertThat(pass.output())
                    .contains("every settled figure equals the reference model")
                    .containsPattern(
                            Topic.REGION_TREND_1M.topicName() + " +[1-9][0-9,]* settled keys");

            forgeSettledRegionMinute(out);
            Run caught = figureCheck(JobRunner.groupId(topics));
            assertThat(caught.exitCode()).as(caught.output()).isEqualTo(1);
            assertThat(caught.output())
                    .contains("FIGURES DIFFER")
                    .contains(Topic.REGION_TREND_1M.topicName() + ": 1 of ");

            // A backfill of three minutes inside the data: the check over its suffixed outputs
            // passes, and catches a forged figure there too.
            Instant firstMinute =
                    out.latestFinal(Topic.REGION_TREND_1M.topicName()).values().stream()
                            .map(v -> Instant.parse(v.path("window_start").asText()))
                            .min(Instant::compareTo)
                            .orElseThrow();
            Instant from = firstMinute.plusSeconds(90);
            Instant to = from.plusSeconds(180);
            topics.createOutputsWithSuffix(kafka.admin(), BACKFILL_SUFFIX);
            JobClient backfill =
                    JobRunner.start(
                            kafka,
                            topics,
                            2,
                            Map.of(
                                    SalesJobOptions.BACKFILL_FROM.key(), from.toString(),
                                    SalesJobOptions.BACKFILL_TO.key(), to.toString(),
                                    SalesJobOptions.BACKFILL_SUFFIX.key(), BACKFILL_SUFFIX));
            backfill.getJobExecutionResult().get(2, TimeUnit.MINUTES);
            String[] range = {
                "--suffix", BACKFILL_SUFFIX, "--from", from.toString(), "--to", to.toString()
            };
            Run backfillPass = figureCheck("sales-backfill", range);
            assertThat(backfillPass.exitCode()).as(backfillPass.output()).isZero();
            assertThat(backfillPass.output())
                    .contains("every settled figure equals the reference model")
                    .containsPattern(
                            Topic.REVENUE_PER_SELLER_1M.topicName()
                                    + " +[1-9][0-9,]* settled keys");

            Run wrongRange =
                    figureCheck(
                            "sales-backfill",
                            "--suffix",
                            BACKFILL_SUFFIX,
                            "--from",
                            from.minusSeconds(60).toString(),
                            "--to",
                            to.toString());
            assertThat(wrongRange.exitCode())
                    .as("the check over another range than the backfill's: " + wrongRange.output())
                    .isEqualTo(1);
            assertThat(wrongRange.output()).contains("FIGURES DIFFER");

            Run refused = figureCheck("sales-backfill", "--suffix", BACKFILL_SUFFIX);
            assertThat(refused.exitCode()).isEqualTo(1);
            assertThat(refused.output()).contains("--suffix, --from and --to go together");
        } finally {
            job.cancel().get(30, TimeUnit.SECONDS);
        }
    }

    /** Publishes one more unit for the oldest region minute, as a buggy job might have. */
    private static void forgeSettledRegionMinute(CommittedOutputs out) throws Exception {
        Map.Entry<String, JsonNode> oldest =
                out.latestFinal(Topic.REGION_TREND_1M.topicName()).entrySet().stream()
                        .min(
                                (a, b) ->
                                        Instant.parse(a.getValue().path("window_end").asText())
                                                .compareTo(
                                                        Instant.parse(
                                                                b.getValue()
                                                                        .path("window_end")
                                                                        .asText())))
                        .orElseThrow();
        ObjectNode forged = oldest.getValue().deepCopy();
        forged.put("units", forged.path("units").asLong() + 1);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producerProps())) {
            producer.send(
                            new ProducerRecord<>(
                                    Topic.REGION_TREND_1M.topicName(),
                                    oldest.getKey().getBytes(StandardCharsets.UTF_8),
                                    JSON.writeValueAsBytes(forged)))
                    .get(30, TimeUnit.SECONDS);
        }
    }

    private record Run(int exitCode, String output) {}

    private static Run figureCheck(String groupId, String... more) {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        int exitCode;
        try {
            List<String> args =
                    new ArrayList<>(
                            List.of(
                                    "--bootstrap-servers",
                                    kafka.bootstrapServers(),
                                    "--group-id",
                                    groupId,
                                    "--timeout",
                                    Duration.ofMinutes(1).toSeconds() + "s"));
            args.addAll(List.of(more));
            exitCode = new CommandLine(new FigureCheck()).execute(args.toArray(String[]::new));
        } finally {
            System.setOut(stdout);
        }
        String output = captured.toString(StandardCharsets.UTF_8);
        stdout.print(output);
        return new Run(exitCode, output);
    }
}

package com.salesaggregator.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the real {@code scripts/await-flink} (what {@code make deploy}, {@code make scale}, {@code
 * make upgrade} and {@code make savepoint} wait with) against a fake {@code kubectl} on PATH that
 * replays recorded FlinkDeployment and FlinkStateSnapshot statuses (test resources {@code
 * await-flink/}, written after the operator 1.15 reconciler's steps), and a local HTTP server that
 * answers as Flink's REST API. Each guard is shown failing on a stale status, and an edited copy of
 * the script without the guard is shown accepting that stale status.
 */
class AwaitFlinkScriptTest {

    private static final Path SCRIPT = Path.of("scripts", "await-flink");
    private static final YAMLMapper YAML = new YAMLMapper();
    private static final String OLD_START = "1764930000000";
    private static final String NEW_JOB = "0a9b8c7d6e5f40312233445566778899";

    @TempDir Path dir;

    /** How long the script may wait: long where it must pass, short where it must time out. */
    private String timeout = "60s";

    private Path fake;
    private HttpServer rest;
    private final List<String> restPaths = new ArrayList<>();

    @BeforeEach
    void fakeKubectl() throws IOException {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        try (InputStream in = resource("fake-kubectl/kubectl")) {
            Files.copy(in, bin.resolve("kubectl"));
        }
        assertThat(bin.resolve("kubectl").toFile().setExecutable(true)).isTrue();
        fake = Files.createDirectories(dir.resolve("state"));
    }

    @AfterEach
    void stopRest() {
        if (rest != null) {
            rest.stop(0);
        }
    }

    // ---- await-flink job

    @Test
    void rescaleWaitPassesOnlyOnceTheNewGenerationRunsStable() throws Exception {
        replay("flinkdeployment", "rescale-2-to-4.yaml");

        Run run = job(SCRIPT, "--previous-generation", "2", "--previous-start-time", OLD_START);

        assertThat(run.exit()).as(run.output()).isZero();
        // It returned at the sixth status, the first with the new generation's job STABLE: not at
        // the stale STABLE/RUNNING of the first, nor at the RUNNING-but-DEPLOYED fifth.
        assertThat(served("flinkdeployment")).isEqualTo(6);
        assertThat(run.output()).contains("3|3|STABLE|RUNNING|1764930412345|" + NEW_JOB);
    }

    @Test
    void statusOfThePreviousSpecNeverPasses() throws Exception {
        timeout = "2s";
        replay("flinkdeployment", "stale-before-reconcile.yaml");

        Run run = job(SCRIPT);

        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.output())
                .contains("timed out after 2s", "not reconciled its current spec", "3|2|STABLE");
    }

    @Test
    void withoutTheGenerationGuardTheStaleStatusWouldPass() throws Exception {
        replay("flinkdeployment", "stale-before-reconcile.yaml");
        Path unguarded =
                editedCopy(
                        s -> s.replace("[ \"$observed\" = \"$generation\" ] || return 1", "true"));

        assertThat(job(unguarded).exit()).isZero();
    }

    @Test
    void theJobThatRanBeforeTheChangeNeverPasses() throws Exception {
        timeout = "2s";
        replay("flinkdeployment", "stale-same-job.yaml");

        Run run = job(SCRIPT, "--previous-generation", "2", "--previous-start-time", OLD_START);

        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.output()).contains("timed out", "3|3|STABLE|RUNNING|" + OLD_START);
    }

    @Test
    void withoutTheStartTimeGuardTheOldJobWouldPass() throws Exception {
        replay("flinkdeployment", "stale-same-job.yaml");
        Path unguarded =
                editedCopy(
                        s ->
                                s.replace(
                                        "[ -n \"$start\" ] && [ \"$start\" !="
                                                + " \"$previous_start_time\" ] || return 1",
                                        "true"));

        Run run = job(unguarded, "--previous-generation", "2", "--previous-start-time", OLD_START);

        assertThat(run.exit()).isZero();
    }

    @Test
    void anUnchangedSpecNeedsNoRestart() throws Exception {
        // helm upgrade with the values already deployed leaves the generation where it was.
        replay("flinkdeployment", "stale-same-job.yaml");

        Run run = job(SCRIPT, "--previous-generation", "3", "--previous-start-time", OLD_START);

        assertThat(run.exit()).as(run.output()).isZero();
    }

    @Test
    void rescaleIsCheckedVertexByVertexThroughTheRestApi() throws Exception {
        replay("flinkdeployment", "rescale-2-to-4.yaml");
        serveRest("rest-at-2.json", "rest-at-4-deploying.json", "rest-at-4.json");

        Run run =
                job(
                        SCRIPT,
                        "--previous-generation",
                        "2",
                        "--previous-start-time",
                        OLD_START,
                        "--parallelism",
                        "4");

        assertThat(run.exit()).as(run.output()).isZero();
        assertThat(restPaths).hasSize(3).allMatch(p -> p.equals("/jobs/" + NEW_JOB));
        assertThat(run.output())
                .contains("vertices not RUNNING at 4: 2 RUNNING 2 RUNNING")
                .contains("vertices not RUNNING at 4: 4 DEPLOYING")
                .contains("every vertex of job " + NEW_JOB + " is RUNNING at parallelism 4");
        assertThat(calls())
                .anyMatch(
                        c -> c.startsWith("port-forward -n sales svc/sales-aggregator-rest :8081"));
        // The port-forward does not outlive the script.
        long portForward =
                Long.parseLong(Files.readString(fake.resolve("port-forward.pid")).strip());
        await().atMost(Duration.ofSeconds(10))
                .until(() -> ProcessHandle.of(portForward).map(p -> !p.isAlive()).orElse(true));
    }

    @Test
    void aJobStillAtTheOldParallelismNeverPasses() throws Exception {
        // The plan in this response says 4 (what was asked); the vertices say 2 (what runs).
        timeout = "3s";
        replay("flinkdeployment", "rescaled-stable.yaml");
        serveRest("rest-at-2.json");

        Run run =
                job(
                        SCRIPT,
                        "--previous-generation",
                        "2",
                        "--previous-start-time",
                        OLD_START,
                        "--parallelism",
                        "4");

        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.output())
                .contains("is not running at parallelism 4 (vertices not RUNNING at 4: 2 RUNNING");
    }

    // ---- await-flink finished (make backfill-k8s)

    @Test
    void backfillWaitPassesOnlyOnceTheNewRangesJobHasFinished() throws Exception {
        replay("flinkdeployment", "backfill-second-range.yaml");

        Run run =
                finished(SCRIPT, "--previous-generation", "2", "--previous-start-time", OLD_START);

        assertThat(run.exit()).as(run.output()).isZero();
        // Not at the first range's FINISHED (first and second status), nor while the new job runs.
        assertThat(served("flinkdeployment")).isEqualTo(5);
        assertThat(run.output())
                .contains("3|3|STABLE|FINISHED|1764930412345|" + NEW_JOB)
                .contains("the job of sales-aggregator-backfill is FINISHED");
    }

    @Test
    void theFirstRangesFinishedJobNeverPasses() throws Exception {
        timeout = "2s";
        replay("flinkdeployment", "backfill-stale-finished.yaml");

        Run run =
                finished(SCRIPT, "--previous-generation", "2", "--previous-start-time", OLD_START);

        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.output())
                .contains(
                        "timed out after 2s", "to a STABLE, FINISHED, restarted job", "3|2|STABLE");
    }

    @Test
    void withoutTheGenerationGuardTheFirstRangesFinishedJobWouldPass() throws Exception {
        replay("flinkdeployment", "backfill-stale-finished.yaml");
        Path unguarded =
                editedCopy(
                        s -> s.replace("[ \"$observed\" = \"$generation\" ] || return 1", "true"));

        assertThat(finished(unguarded).exit()).isZero();
    }

    @Test
    void aFailedBackfillFailsAtOnceWithTheOperatorsError() throws Exception {
        replay("flinkdeployment", "backfill-failed.yaml");

        Run run = finished(SCRIPT);

        assertThat(run.exit()).isEqualTo(1);
        assertThat(served("flinkdeployment")).isEqualTo(2);
        assertThat(run.output())
                .contains("sales-aggregator-backfill FAILED: {\"type\":")
                .contains("JobInitializationException")
                .contains("backfill-to: 2027-01-01T00:00:00Z lies in the future")
                .doesNotContain("timed out")
                .doesNotContain("is FINISHED");
    }

    @Test
    void theFailureOfThePreviousRangeDoesNotStopTheNextOne() throws Exception {
        replay("flinkdeployment", "backfill-rerun-after-failure.yaml");

        Run run =
                finished(SCRIPT, "--previous-generation", "1", "--previous-start-time", OLD_START);

        assertThat(run.exit()).as(run.output()).isZero();
        assertThat(served("flinkdeployment")).isEqualTo(4);
        assertThat(run.output()).doesNotContain("FAILED:");
    }

    @Test
    void aBackfillJobThatIsStillRunningTimesOut() throws Exception {
        // A running job is what await-flink job accepts; await-flink finished must not.
        timeout = "2s";
        replay("flinkdeployment", "rescaled-stable.yaml");

        Run run = finished(SCRIPT);

        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.output()).contains("timed out after 2s", "FINISHED");
    }

    // ---- await-flink savepoint

    @Test
    void savepointWaitPrintsThePathOnceCompleted() throws Exception {
        replay("flinkstatesnapshot", "savepoint-completed.yaml");

        Run run = savepoint();

        assertThat(run.exit()).as(run.output()).isZero();
        assertThat(run.stdout().strip())
                .isEqualTo(
                        "file:/flink-state/sales-aggregator/savepoints/savepoint-0a9b8c-4f3e2d1c0b9a");
        assertThat(served("flinkstatesnapshot")).isEqualTo(4);
    }

    @Test
    void aFailedSavepointFailsAtOnceWithTheOperatorsError() throws Exception {
        replay("flinkstatesnapshot", "savepoint-failed.yaml");

        Run run = savepoint();

        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.stdout()).isEmpty();
        assertThat(run.output()).contains("FAILED: java.util.concurrent.CompletionException");
        assertThat(run.output()).doesNotContain("timed out");
    }

    @Test
    void aSavepointThatNeverCompletesTimesOut() throws Exception {
        timeout = "2s";
        replay("flinkstatesnapshot", "savepoint-stuck.yaml");

        Run run = savepoint();

        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.output()).contains("timed out after 2s", "is IN_PROGRESS");
    }

    // ---- running the script

    private record Run(int exit, String stdout, String output) {}

    private Run job(Path script, String... extra) throws Exception {
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "job",
                                "--name",
                                "sales-aggregator",
                                "--namespace",
                                "sales",
                                "--timeout",
                                timeout));
        args.addAll(List.of(extra));
        return run(script, args);
    }

    private Run finished(Path script, String... extra) throws Exception {
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "finished",
                                "--name",
                                "sales-aggregator-backfill",
                                "--namespace",
                                "sales",
                                "--timeout",
                                timeout));
        args.addAll(List.of(extra));
        return run(script, args);
    }

    private Run savepoint() throws Exception {
        return run(
                SCRIPT,
                List.of(
                        "savepoint",
                        "--name",
                        "sales-aggregator-savepoint-x7k2p",
                        "--namespace",
                        "sales",
                        "--timeout",
                        timeout.replace("s", "")));
    }

    private Run run(Path script, List<String> args) throws Exception {
        List<String> command = new ArrayList<>(List.of("bash", script.toString()));
        command.addAll(args);
        Path stdout = dir.resolve("stdout");
        Path stderr = dir.resolve("stderr");
        ProcessBuilder builder =
                new ProcessBuilder(command)
                        .redirectOutput(stdout.toFile())
                        .redirectError(stderr.toFile());
        Map<String, String> env = builder.environment();
        env.put("PATH", dir.resolve("bin") + ":" + env.get("PATH"));
        env.put("FAKE_KUBECTL_DIR", fake.toString());
        env.put("AWAIT_POLL_SECONDS", "0.05");
        env.remove("KUBECTL");
        Process process = builder.start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("script finished").isTrue();
        String out = Files.readString(stdout);
        return new Run(process.exitValue(), out, out + Files.readString(stderr));
    }

    private Path editedCopy(UnaryOperator<String> edit) throws IOException {
        String text = Files.readString(SCRIPT);
        String edited = edit.apply(text);
        assertThat(edited).as("the edit applies").isNotEqualTo(text);
        Path copy = dir.resolve("await-flink-edited");
        Files.writeString(copy, edited);
        return copy;
    }

    // ---- the recorded statuses

    /** Writes each document of a recorded sequence as the fake kubectl's path=value state. */
    private void replay(String kind, String fixture) throws IOException {
        Path states = Files.createDirectories(fake.resolve(kind));
        try (InputStream in = resource("await-flink/" + fixture)) {
            Iterator<JsonNode> documents = YAML.readerFor(JsonNode.class).readValues(in);
            int index = 0;
            while (documents.hasNext()) {
                StringBuilder lines = new StringBuilder();
                flatten(documents.next(), "", lines);
                Files.writeString(states.resolve("%03d".formatted(++index)), lines);
            }
        }
    }

    private static void flatten(JsonNode node, String path, StringBuilder lines) {
        if (node.isObject()) {
            node.fields()
                    .forEachRemaining(
                            e ->
                                    flatten(
                                            e.getValue(),
                                            path.isEmpty() ? e.getKey() : path + "." + e.getKey(),
                                            lines));
        } else {
            lines.append(path).append('=').append(node.asText()).append('\n');
        }
    }

    private int served(String kind) throws IOException {
        return Integer.parseInt(Files.readString(fake.resolve(kind + ".served")).strip());
    }

    private List<String> calls() throws IOException {
        return Files.readAllLines(fake.resolve("calls.log"));
    }

    /** Answers GET /jobs/... with the given responses in turn, the last one again and again. */
    private void serveRest(String... responses) throws IOException {
        rest = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        AtomicInteger next = new AtomicInteger();
        rest.createContext(
                "/jobs/",
                exchange -> {
                    synchronized (restPaths) {
                        restPaths.add(exchange.getRequestURI().getPath());
                    }
                    int i = Math.min(next.getAndIncrement(), responses.length - 1);
                    byte[] body;
                    try (InputStream in = resource("await-flink/" + responses[i])) {
                        body = in.readAllBytes();
                    }
                    exchange.getResponseHeaders().add("Content-Type", "application/json");
                    exchange.sendResponseHeaders(200, body.length);
                    exchange.getResponseBody().write(body);
                    exchange.close();
                });
        rest.start();
        Files.writeString(
                fake.resolve("rest-port"),
                String.valueOf(rest.getAddress().getPort()),
                StandardCharsets.UTF_8);
    }

    private static InputStream resource(String name) {
        InputStream in = AwaitFlinkScriptTest.class.getClassLoader().getResourceAsStream(name);
        if (in == null) {
            throw new UncheckedIOException(new IOException("missing test resource " + name));
        }
        return in;
    }
}

package com.salesaggregator.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.salesaggregator.testkit.CommittedOutputs;
import com.salesaggregator.testkit.FaultRig;
import com.salesaggregator.testkit.JobRestarts;
import com.salesaggregator.testkit.JobRunner;
import com.salesaggregator.testkit.RunTopics;
import com.salesaggregator.testkit.SeededSales;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.execution.SuppressRestartsException;
import org.apache.flink.runtime.executiongraph.AccessExecutionVertex;
import org.apache.flink.util.ExceptionUtils;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Real savepoints of the previous versions, each taken by the job of its commit and kept under
 * {@code src/test/resources/savepoints/} (each one's README says how), are refused on restore at
 * once: the job fails terminally, without a restart, with a message that says which layout the
 * savepoint has, why it cannot be taken over and what to do, and writes nothing. The cluster's
 * restart strategy would restart a failed job, so a failure that the job did not mark final would
 * show up as a restart. Layout 1: lines enriched in stages keyed by product and by currency (commit
 * cf46d25); layout 2: one-minute windows keyed by seller, product or region alone (commit d94efde),
 * whose window state the current windows could not even read (another key type); layout 3: the
 * five-minute windows' panes in a one-minute window stage of their own (commit a26ecb4), whose open
 * panes the current job, which builds them in the five-minute stage, would lose.
 */
class SavepointRefusalITCase {

    private static final Logger LOG = LoggerFactory.getLogger(SavepointRefusalITCase.class);

    /** The fixtures' parallelism. */
    private static final int PARALLELISM = 2;

    /** A savepoint of an earlier state layout, and what its refusal must say. */
    enum Fixture {
        LAYOUT_1(
                "state layout 1: lines enriched in stages keyed by product and by currency",
                "cannot take over the lines held in the old stages"),
        LAYOUT_2(
                "state layout 2: one-minute windows keyed by seller, product or region alone",
                "would be split between the old keys and the new ones"),
        LAYOUT_3(
                "state layout 3: five-minute units per product built from a one-minute pane window",
                "cannot take over the panes open in the savepoint's pane window");

        /** What the message says the savepoint is. */
        final String layout;

        /** Why the message says it cannot be taken over. */
        final String why;

        Fixture(String layout, String why) {
            this.layout = layout;
            this.why = why;
        }

        /** Its folder under {@code savepoints/}. */
        String folder() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        /** The fixture's topics were created with this prefix; its source state names them. */
        String topicPrefix() {
            return "sp-" + folder() + "-";
        }
    }

    /** The refusal must come at once, not after restarts or timeouts. */
    private static final Duration AT_ONCE = Duration.ofSeconds(60);

    @RegisterExtension static final FaultRig RIG = new FaultRig(PARALLELISM, 3);

    @ParameterizedTest(name = "{0}")
    @EnumSource(Fixture.class)
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void refusesASavepointOfAnEarlierStateLayout(Fixture fixture, @TempDir Path dir)
            throws Exception {
        String savepoint = copyFixture(fixture.folder(), dir);
        RunTopics topics = RIG.kafka().createTopics(fixture.topicPrefix());
        // Input the job would read and publish figures of, were the savepoint restored.
        RIG.kafka().produce(topics, SeededSales.forTest(1_001L, 2).next(200));

        long starting = System.nanoTime();
        JobClient job =
                JobRunner.start(
                        RIG.kafka(),
                        topics,
                        PARALLELISM,
                        Map.of(),
                        SalesAggregationJob::define,
                        savepoint);
        Throwable failure =
                catchThrowable(
                        () ->
                                job.getJobExecutionResult()
                                        .get(AT_ONCE.toSeconds(), TimeUnit.SECONDS));
        long failedMillis = (System.nanoTime() - starting) / 1_000_000;

        assertThat(failure)
                .as("the job's result restoring a savepoint of %s", fixture)
                .isInstanceOf(ExecutionException.class);
        assertThat(job.getJobStatus().get(10, TimeUnit.SECONDS)).isEqualTo(JobStatus.FAILED);
        assertThat(ExceptionUtils.findThrowable(failure, SuppressRestartsException.class))
                .as("a failure that suppresses restarts")
                .isPresent();
        String trace = stackTrace(failure);
        assertThat(trace)
                .contains("taken by an earlier version of sales-aggregator")
                .contains(fixture.layout)
                .contains(fixture.why)
                .contains("the restore is refused")
                .contains("from the input topics' committed offsets")
                .contains("from a fresh start")
                .contains("'Savepoint compatibility'");

        for (AccessExecutionVertex vertex :
                RIG.cluster().executionGraph(job.getJobID()).getAllExecutionVertices()) {
            assertThat(vertex.getCurrentExecutionAttempt().getAttemptNumber())
                    .as(
                            "execution attempt of %s (0: never restarted)",
                            vertex.getTaskNameWithSubtaskIndex())
                    .isZero();
        }
        JobRestarts restarts = new JobRestarts(RIG.cluster().restUrl());
        assertThat(restarts.failureTraces(job.getJobID()))
                .as("the job's exception history: one failure, the refusal, not recoverable")
                .singleElement()
                .asString()
                .contains("The failure is not recoverable")
                .contains(SuppressRestartsException.class.getName())
                .contains(fixture.layout);
        // The refusal decides, not a failure of another task: a window that could not read its
        // state (an old key type) would fail on its own, and then the job would restart.
        assertThat(restarts.concurrentFailureTraces(job.getJobID()))
                .as("the failures that came with it: the refusal on other subtasks, nothing else")
                .allSatisfy(
                        concurrent ->
                                assertThat(concurrent)
                                        .contains(SuppressRestartsException.class.getName())
                                        .contains(fixture.layout));

        try (CommittedOutputs out = new CommittedOutputs(RIG.kafka(), topics)) {
            out.readToEnd();
            for (String output : CommittedOutputs.OUTPUTS) {
                assertThat(out.records(output)).as("committed to %s", output).isEmpty();
            }
        }
        LOG.info("a savepoint of {} was refused {} ms after the submission", fixture, failedMillis);
    }

    /**
     * Copies the savepoint fixture {@code name} (a canonical savepoint of one {@code _metadata}
     * file, relocatable) into {@code dir}; returns its path to restore from.
     */
    private static String copyFixture(String name, Path dir) throws Exception {
        Path savepoint = Files.createDirectories(dir.resolve(name));
        try (InputStream metadata =
                SavepointRefusalITCase.class.getResourceAsStream(
                        "/savepoints/" + name + "/_metadata")) {
            assertThat(metadata).as("the fixture savepoints/%s/_metadata", name).isNotNull();
            Files.copy(metadata, savepoint.resolve("_metadata"));
        }
        return savepoint.toUri().toString();
    }

    private static String stackTrace(Throwable t) {
        StringWriter trace = new StringWriter();
        t.printStackTrace(new PrintWriter(trace));
        return trace.toString();
    }
}

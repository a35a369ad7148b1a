package com.salesaggregator.testkit;

import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.flink.util.FileUtils;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The broker and the {@link TaskManagerCluster} of a fault ITCase class: started once for the
 * class, the jobs of each test cancelled after it, both closed (and the broker's data deleted) at
 * the end. Register it with {@code @RegisterExtension static final FaultRig RIG = ...}.
 */
public final class FaultRig implements BeforeAllCallback, AfterEachCallback, AfterAllCallback {

    private final int taskManagers;
    private final int restartAttempts;
    private Path kafkaDir;
    private ItKafka kafka;
    private TaskManagerCluster cluster;

    /** {@code taskManagers} of one slot each; a failed job is restarted {@code restartAttempts}. */
    public FaultRig(int taskManagers, int restartAttempts) {
        this.taskManagers = taskManagers;
        this.restartAttempts = restartAttempts;
    }

    public ItKafka kafka() {
        return kafka;
    }

    public TaskManagerCluster cluster() {
        return cluster;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        kafkaDir = Files.createTempDirectory("fault-kafka-");
        kafka = ItKafka.start(kafkaDir);
        cluster =
                TaskManagerCluster.start(
                        taskManagers, TaskManagerCluster.configuration(restartAttempts));
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        cluster.cancelJobs();
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        try {
            if (cluster != null) {
                cluster.close();
            }
        } finally {
            if (kafka != null) {
                kafka.close();
            }
            if (kafkaDir != null) {
                FileUtils.deleteDirectory(kafkaDir.toFile());
            }
        }
    }
}

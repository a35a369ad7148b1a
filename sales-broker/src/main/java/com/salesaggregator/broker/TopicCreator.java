package com.salesaggregator.broker;

import com.salesaggregator.topics.TopicDefinition;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.CreateTopicsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates declared topics that do not exist yet through an {@link Admin} client, leaving existing
 * topics as they are.
 */
public final class TopicCreator {

    private static final Logger LOG = LoggerFactory.getLogger(TopicCreator.class);

    private final Admin admin;
    private final boolean singleBroker;
    private final Duration timeout;

    /**
     * @param admin the client to create topics with (not closed by this class)
     * @param singleBroker whether the cluster has one broker, so each definition is adapted with
     *     {@link TopicDefinition#forSingleBroker()}
     * @param timeout how long to wait for the cluster to answer
     */
    public TopicCreator(Admin admin, boolean singleBroker, Duration timeout) {
        this.admin = admin;
        this.singleBroker = singleBroker;
        this.timeout = timeout;
    }

    /** A creator that waits up to 30 seconds for the cluster. */
    public TopicCreator(Admin admin, boolean singleBroker) {
        this(admin, singleBroker, Duration.ofSeconds(30));
    }

    /**
     * Creates the topics of {@code definitions} that are missing and waits until the broker leads
     * every partition of them, so that producers can write at once.
     *
     * @return the definitions actually created, as applied (adapted for a single broker if so)
     */
    public List<TopicDefinition> createMissing(List<TopicDefinition> definitions) {
        Set<String> existing = await(admin.listTopics().names(), "list topics");
        List<TopicDefinition> wanted = new ArrayList<>();
        for (TopicDefinition definition : definitions) {
            if (!existing.contains(definition.name())) {
                wanted.add(singleBroker ? definition.forSingleBroker() : definition);
            }
        }
        if (wanted.isEmpty()) {
            LOG.info("All {} topics exist already", definitions.size());
            return List.of();
        }
        List<NewTopic> newTopics =
                wanted.stream()
                        .map(
                                d ->
                                        new NewTopic(
                                                        d.name(),
                                                        Optional.of(d.partitions()),
                                                        Optional.of((short) d.replicas()))
                                                .configs(d.config()))
                        .toList();
        Map<String, KafkaFuture<Void>> results =
                admin.createTopics(
                                newTopics,
                                new CreateTopicsOptions().timeoutMs((int) timeout.toMillis()))
                        .values();
        List<TopicDefinition> created = new ArrayList<>();
        for (TopicDefinition definition : wanted) {
            try {
                await(results.get(definition.name()), "create topic " + definition.name());
                created.add(definition);
            } catch (KafkaOperationException e) {
                // Someone else (another process sharing the broker) created it meanwhile: that
                // is the state we want, and it was not our creation.
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
            }
        }
        awaitLeaders(created);
        LOG.info(
                "Created {} topics ({} existed already): {}",
                created.size(),
                definitions.size() - created.size(),
                created.stream().map(TopicDefinition::name).toList());
        return List.copyOf(created);
    }

    /**
     * Waits until the leader of every partition answers. The controller acknowledges a creation
     * before the broker leads the partitions, and an idempotent producer whose first batch arrives
     * in between can lose it (KAFKA-15591: it retries with OUT_OF_ORDER_SEQUENCE_NUMBER until its
     * delivery timeout). ListOffsets is answered by the leader itself, and the admin client retries
     * NOT_LEADER_OR_FOLLOWER until it is.
     */
    private void awaitLeaders(List<TopicDefinition> topics) {
        Map<TopicPartition, OffsetSpec> partitions = new HashMap<>();
        for (TopicDefinition topic : topics) {
            for (int p = 0; p < topic.partitions(); p++) {
                partitions.put(new TopicPartition(topic.name(), p), OffsetSpec.latest());
            }
        }
        if (partitions.isEmpty()) {
            return;
        }
        // The broker may not even know the topics yet (its metadata trails the controller's), and
        // the admin client does not retry that: ask again until every leader answers.
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                await(admin.listOffsets(partitions).all(), "wait for partition leaders");
                return;
            } catch (KafkaOperationException e) {
                if (!(e.getCause() instanceof RetriableException) || System.nanoTime() > deadline) {
                    throw e;
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
            }
        }
    }

    private <T> T await(KafkaFuture<T> future, String operation) {
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaOperationException(operation + " interrupted", e);
        } catch (ExecutionException e) {
            throw new KafkaOperationException(
                    operation + " failed: " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new KafkaOperationException(operation + " did not complete within " + timeout, e);
        }
    }

    /** An admin operation that failed, timed out or was interrupted. */
    public static final class KafkaOperationException extends RuntimeException {
        KafkaOperationException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}

package com.salesaggregator.topics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.strimzi.api.kafka.model.topic.KafkaTopic;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.kafka.storage.internals.log.LogConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Checks {@code k8s/topics/topics.yaml} against Strimzi's typed model, ties it to {@link Topic} and
 * to what {@link TopicDefinitions} reads for the local platform.
 */
class TopicDefinitionsTest {

    private static final long SEVEN_DAYS_MS = 7L * 24 * 60 * 60 * 1000;

    private static final Set<String> COMPACTED =
            Set.of(
                    Topic.PRODUCTS.topicName(),
                    Topic.FX_RATES.topicName(),
                    Topic.REVENUE_PER_PRODUCT.topicName(),
                    Topic.SALES_PER_REGION.topicName());
    private static final Set<String> WINDOWED =
            Set.of(
                    Topic.REVENUE_PER_SELLER_1M.topicName(),
                    Topic.UNITS_PER_PRODUCT_5M.topicName(),
                    Topic.REGION_TREND_1M.topicName());

    private static List<KafkaTopic> resources;

    @BeforeAll
    static void parseWithStrimziModel() throws IOException {
        try (InputStream in = resource();
                MappingIterator<KafkaTopic> documents =
                        new YAMLMapper().readerFor(KafkaTopic.class).readValues(in)) {
            resources = documents.readAll();
        }
    }

    @Test
    void everyDocumentIsAStrictKafkaTopicOfTheSalesCluster() {
        assertThat(resources).isNotEmpty();
        for (KafkaTopic topic : resources) {
            String name = topic.getMetadata().getName();
            assertThat(topic.getApiVersion()).as(name).isEqualTo("kafka.strimzi.io/v1");
            assertThat(topic.getKind()).as(name).isEqualTo("KafkaTopic");
            // Strimzi's model keeps misspelled fields instead of rejecting them.
            assertThat(topic.getAdditionalProperties()).as(name + " resource").isEmpty();
            assertThat(topic.getMetadata().getAdditionalProperties())
                    .as(name + " metadata")
                    .isEmpty();
            assertThat(topic.getSpec().getAdditionalProperties()).as(name + " spec").isEmpty();
            assertThat(topic.getMetadata().getLabels())
                    .as(name)
                    .containsExactly(Map.entry("strimzi.io/cluster", "sales-kafka"));
            // Applied into whichever namespace the Kafka cluster runs in.
            assertThat(topic.getMetadata().getNamespace()).as(name).isNull();
            assertThat(topic.getSpec().getTopicName()).as(name).isNull();
            assertThat(topic.getStatus()).as(name).isNull();
            // spec.config preserves unknown fields, so a misspelled key would reach the broker.
            assertThat(LogConfig.configNames())
                    .as(name + " config keys")
                    .containsAll(topic.getSpec().getConfig().keySet());
        }
    }

    @Test
    void topicNamesAreExactlyTheTopicEnum() {
        List<String> names = resources.stream().map(t -> t.getMetadata().getName()).toList();

        assertThat(names)
                .doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(Topic.names());
        assertThat(Topic.names()).doesNotHaveDuplicates();
    }

    @Test
    void loaderAgreesWithStrimziModel() {
        Map<String, TopicDefinition> loaded =
                TopicDefinitions.load().stream()
                        .collect(Collectors.toMap(TopicDefinition::name, d -> d));

        assertThat(loaded).hasSameSizeAs(resources);
        for (KafkaTopic topic : resources) {
            TopicDefinition definition = loaded.get(topic.getMetadata().getName());
            assertThat(definition).as(topic.getMetadata().getName()).isNotNull();
            assertThat(definition.partitions()).isEqualTo(topic.getSpec().getPartitions());
            assertThat(definition.replicas()).isEqualTo(topic.getSpec().getReplicas());
            assertThat(definition.config()).isEqualTo(asStrings(topic.getSpec().getConfig()));
        }
    }

    @Test
    void everyTopicIsReplicatedForExactlyOnce() {
        for (TopicDefinition definition : TopicDefinitions.load()) {
            assertThat(definition.replicas()).as(definition.name()).isEqualTo(3);
            assertThat(definition.config())
                    .as(definition.name())
                    .containsEntry("min.insync.replicas", "2");
        }
    }

    @Test
    void cleanupPolicyFollowsWhatEachTopicHolds() {
        for (TopicDefinition definition : TopicDefinitions.load()) {
            String name = definition.name();
            Map<String, String> config = definition.config();
            if (COMPACTED.contains(name)) {
                assertThat(config).as(name).containsEntry("cleanup.policy", "compact");
                assertThat(config).as(name).doesNotContainKey("retention.ms");
            } else if (WINDOWED.contains(name)) {
                assertThat(config).as(name).containsEntry("cleanup.policy", "compact,delete");
                assertThat(config).as(name).containsEntry("retention.ms", "604800000");
            } else {
                assertThat(config).as(name).containsEntry("cleanup.policy", "delete");
                assertThat(config).as(name).containsKey("retention.ms");
            }
        }
    }

    @Test
    void referenceDataKeepsOldVersionsAndTombstonesAsLongAsTheSales() {
        Map<String, TopicDefinition> byName =
                TopicDefinitions.load().stream()
                        .collect(Collectors.toMap(TopicDefinition::name, d -> d));
        long salesRetention =
                Math.min(
                        Long.parseLong(
                                byName.get(Topic.SALES_ONLINE.topicName())
                                        .config()
                                        .get("retention.ms")),
                        Long.parseLong(
                                byName.get(Topic.SALES_STORE.topicName())
                                        .config()
                                        .get("retention.ms")));
        assertThat(salesRetention).isEqualTo(SEVEN_DAYS_MS);

        for (String name : Topic.names(Topic.Role.REFERENCE)) {
            Map<String, String> config = byName.get(name).config();
            assertThat(Long.parseLong(config.get("min.compaction.lag.ms")))
                    .as(name)
                    .isGreaterThanOrEqualTo(salesRetention);
            assertThat(Long.parseLong(config.get("delete.retention.ms")))
                    .as(name)
                    .isGreaterThanOrEqualTo(salesRetention);
        }
    }

    @Test
    void declaredPartitionCounts() {
        Map<String, Integer> partitions =
                TopicDefinitions.load().stream()
                        .collect(
                                Collectors.toMap(
                                        TopicDefinition::name,
                                        TopicDefinition::partitions,
                                        (a, b) -> a,
                                        TreeMap::new));

        assertThat(partitions)
                .containsExactlyInAnyOrderEntriesOf(
                        Map.ofEntries(
                                Map.entry(Topic.SALES_ONLINE.topicName(), 6),
                                Map.entry(Topic.SALES_STORE.topicName(), 6),
                                Map.entry(Topic.PRODUCTS.topicName(), 3),
                                Map.entry(Topic.FX_RATES.topicName(), 1),
                                Map.entry(Topic.REVENUE_PER_SELLER_1M.topicName(), 6),
                                Map.entry(Topic.UNITS_PER_PRODUCT_5M.topicName(), 6),
                                Map.entry(Topic.REGION_TREND_1M.topicName(), 3),
                                Map.entry(Topic.REVENUE_PER_PRODUCT.topicName(), 6),
                                Map.entry(Topic.SALES_PER_REGION.topicName(), 3),
                                Map.entry(Topic.SALES_DLQ.topicName(), 3),
                                Map.entry(Topic.SALES_LATE.topicName(), 3)));
    }

    @Test
    void forSingleBrokerDropsToOneReplicaAndKeepsTheRest() {
        TopicDefinition declared =
                new TopicDefinition(
                        "t", 6, 3, Map.of("cleanup.policy", "compact", "min.insync.replicas", "2"));

        TopicDefinition adapted = declared.forSingleBroker();

        assertThat(adapted.name()).isEqualTo("t");
        assertThat(adapted.partitions()).isEqualTo(6);
        assertThat(adapted.replicas()).isEqualTo(1);
        assertThat(adapted.config())
                .containsExactlyInAnyOrderEntriesOf(
                        Map.of("cleanup.policy", "compact", "min.insync.replicas", "1"));
        assertThat(declared.replicas()).as("the declared definition is unchanged").isEqualTo(3);
    }

    @Test
    void forSingleBrokerSetsMinInsyncReplicasEvenWhenNotDeclared() {
        TopicDefinition adapted = new TopicDefinition("t", 1, 3, Map.of()).forSingleBroker();

        assertThat(adapted.config()).containsExactly(Map.entry("min.insync.replicas", "1"));
    }

    @Test
    void loadsNumbersAndBooleansAsKafkaStrings() {
        List<TopicDefinition> definitions =
                TopicDefinitions.load(
                        yaml(
                                """
                                apiVersion: kafka.strimzi.io/v1
                                kind: KafkaTopic
                                metadata:
                                  name: a
                                spec:
                                  partitions: 2
                                  replicas: 1
                                  config:
                                    retention.ms: 1000
                                    preallocate: true
                                ---
                                """));

        assertThat(definitions)
                .containsExactly(
                        new TopicDefinition(
                                "a", 2, 1, Map.of("retention.ms", "1000", "preallocate", "true")));
    }

    @Test
    void malformedDocumentIsNamedInTheError() {
        InputStream in =
                yaml(
                        """
                        apiVersion: kafka.strimzi.io/v1
                        kind: KafkaTopic
                        metadata:
                          name: good
                        spec:
                          partitions: 1
                          replicas: 1
                        ---
                        apiVersion: kafka.strimzi.io/v1
                        kind: KafkaTopic
                        metadata:
                          name: bad
                        spec:
                          partitions: many
                          replicas: 1
                        """);

        assertThatThrownBy(() -> TopicDefinitions.load(in, "topics.yaml"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("topics.yaml, document 2 (bad)")
                .hasMessageContaining("spec.partitions");
    }

    @Test
    void wrongKindIsRejected() {
        InputStream in =
                yaml(
                        """
                        apiVersion: kafka.strimzi.io/v1
                        kind: KafkaUser
                        metadata:
                          name: someone
                        """);

        assertThatThrownBy(() -> TopicDefinitions.load(in, "topics.yaml"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("topics.yaml, document 1")
                .hasMessageContaining("kind must be KafkaTopic");
    }

    @Test
    void duplicateTopicIsRejected() {
        String topic =
                """
                apiVersion: kafka.strimzi.io/v1
                kind: KafkaTopic
                metadata:
                  name: twice
                spec:
                  partitions: 1
                  replicas: 1
                """;

        assertThatThrownBy(() -> TopicDefinitions.load(yaml(topic + "---\n" + topic), "x.yaml"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("x.yaml, document 2")
                .hasMessageContaining("twice is declared twice");
    }

    private static InputStream resource() {
        InputStream in =
                TopicDefinitionsTest.class
                        .getClassLoader()
                        .getResourceAsStream(TopicDefinitions.RESOURCE);
        assertThat(in).as("classpath resource " + TopicDefinitions.RESOURCE).isNotNull();
        return in;
    }

    private static InputStream yaml(String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
    }

    private static Map<String, String> asStrings(Map<String, Object> config) {
        return config.entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, e -> String.valueOf(e.getValue())));
    }
}

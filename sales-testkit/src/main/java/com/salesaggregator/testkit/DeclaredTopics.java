package com.salesaggregator.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import com.salesaggregator.topics.TopicDefinition;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;

/** Asserts that a single local broker holds exactly the declared topics, as declared. */
public final class DeclaredTopics {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private DeclaredTopics() {}

    /**
     * The broker has exactly the declared topics, each with its partitions, one replica and its
     * topic-level configs (min.insync.replicas 1 on one broker, the rest as in the file).
     */
    public static void assertOnBroker(Admin admin, List<TopicDefinition> declared)
            throws InterruptedException, ExecutionException, java.util.concurrent.TimeoutException {
        List<String> names = declared.stream().map(TopicDefinition::name).toList();
        assertThat(admin.listTopics().names().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS))
                .as("no topics beyond the declared ones (internal topics are hidden)")
                .containsExactlyInAnyOrderElementsOf(names);

        Map<String, TopicDescription> descriptions =
                admin.describeTopics(names)
                        .allTopicNames()
                        .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        List<ConfigResource> resources =
                names.stream().map(n -> new ConfigResource(ConfigResource.Type.TOPIC, n)).toList();
        Map<ConfigResource, Config> configs =
                admin.describeConfigs(resources).all().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);

        for (TopicDefinition definition : declared) {
            TopicDefinition expected = definition.forSingleBroker();
            TopicDescription description = descriptions.get(expected.name());
            assertThat(description.partitions())
                    .as(expected.name() + " partitions")
                    .hasSize(expected.partitions())
                    .allSatisfy(p -> assertThat(p.replicas()).hasSize(expected.replicas()));

            Map<String, String> topicLevel =
                    configs
                            .get(new ConfigResource(ConfigResource.Type.TOPIC, expected.name()))
                            .entries()
                            .stream()
                            .filter(
                                    e ->
                                            e.source()
                                                    == ConfigEntry.ConfigSource
                                                            .DYNAMIC_TOPIC_CONFIG)
                            .collect(Collectors.toMap(ConfigEntry::name, ConfigEntry::value));
            assertThat(topicLevel)
                    .as(expected.name() + " topic-level configs")
                    .containsExactlyInAnyOrderEntriesOf(expected.config());
        }
    }
}

package com.salesaggregator.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import com.salesaggregator.broker.TopicCreator;
import com.salesaggregator.topics.Topic;
import com.salesaggregator.topics.TopicDefinition;
import com.salesaggregator.topics.TopicDefinitions;
import com.salesaggregator.verify.ReferenceModel.InputTopics;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.TopicPartition;

/** The topics of one run: every topic of the job, with a prefix of the run's own. */
public record RunTopics(String prefix, Map<String, Integer> partitions) {

    /**
     * Creates every declared topic under {@code prefix}, with {@code extraConfig} (per logical
     * topic name) added to its declared configuration.
     */
    public static RunTopics create(
            Admin admin, String prefix, Map<String, Map<String, String>> extraConfig) {
        List<TopicDefinition> definitions = new ArrayList<>();
        Map<String, Integer> partitions = new HashMap<>();
        for (TopicDefinition d : TopicDefinitions.load()) {
            Map<String, String> config = new HashMap<>(d.config());
            config.putAll(extraConfig.getOrDefault(d.name(), Map.of()));
            definitions.add(
                    new TopicDefinition(prefix + d.name(), d.partitions(), d.replicas(), config));
            partitions.put(d.name(), d.partitions());
        }
        assertThat(new TopicCreator(admin, true).createMissing(definitions))
                .hasSameSizeAs(definitions);
        return new RunTopics(prefix, partitions);
    }

    /** The run's name of a topic. */
    public String of(String topic) {
        return prefix + topic;
    }

    public InputTopics inputs() {
        return new InputTopics(
                of(Topic.SALES_ONLINE.topicName()),
                of(Topic.SALES_STORE.topicName()),
                of(Topic.PRODUCTS.topicName()),
                of(Topic.FX_RATES.topicName()));
    }

    public List<TopicPartition> partitionsOf(String topic) {
        List<TopicPartition> list = new ArrayList<>();
        for (int p = 0; p < partitions.get(topic); p++) {
            list.add(new TopicPartition(of(topic), p));
        }
        return list;
    }
}

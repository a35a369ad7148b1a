package com.salesaggregator.topics;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TopicTest {

    @Test
    void theJobReadsTwoSalesAndTwoReferenceTopicsAndWritesSeven() {
        assertThat(Topic.names(Topic.Role.SALES)).containsExactly("sales-online", "sales-store");
        assertThat(Topic.names(Topic.Role.REFERENCE)).containsExactly("products", "fx-rates");
        assertThat(Topic.names(Topic.Role.REJECTS)).containsExactly("sales-dlq", "sales-late");
        assertThat(Topic.names(Topic.Role.FIGURES)).hasSize(5);
        assertThat(Topic.inputs()).hasSize(4).allMatch(t -> !t.isOutput());
        assertThat(Topic.outputs()).hasSize(7).allMatch(Topic::isOutput);
    }

    @Test
    void everyTopicIsFoundByItsNameAndNothingElseIs() {
        for (Topic topic : Topic.values()) {
            assertThat(Topic.byName(topic.topicName())).contains(topic);
        }
        assertThat(Topic.byName("SALES_ONLINE")).isEmpty();
        assertThat(Topic.byName("sales-online.backfill")).isEmpty();
    }

    @Test
    void inputsComeFirstInTheListOfNames() {
        assertThat(Topic.names().subList(0, 4))
                .containsExactlyElementsOf(Topic.names(Topic.Role.SALES, Topic.Role.REFERENCE));
    }
}

package com.salesaggregator.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.salesaggregator.helm.NetworkPolicyAccess.Pod;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

/**
 * Every port the rendered Flink configuration makes the JobManager and TaskManagers open to each
 * other (by Flink's own options, read as Flink's runtime reads them: {@link FlinkPorts}) is a fixed
 * port that the rendered NetworkPolicies let every Flink pod reach on every other. A port they
 * block breaks something only a live cluster shows: the metric query service, random by default,
 * leaves the web UI's per-subtask metrics and the dashboard's event-time lag empty.
 */
class FlinkNetworkPolicyTest {

    @Test
    void everyPortFlinkOpensBetweenItsPodsIsPinnedAndAllowed() {
        List<JsonNode> docs = Chart.render(Map.of());

        assertThat(blockedFlinkPorts(docs)).isEmpty();
        assertThat(FlinkPorts.opened(Chart.flinkConfigurationOf(docs)))
                .containsEntry("metrics.internal.query-service.port", "6125")
                .containsKeys(
                        "rest.bind-port",
                        "jobmanager.rpc.port",
                        "blob.server.port",
                        "taskmanager.rpc.port",
                        "taskmanager.data.port");
    }

    @Test
    void portsMovedInTheFlinkConfigurationMoveInThePolicy() {
        List<JsonNode> docs =
                Chart.render(
                        Map.of(
                                "job.flinkConfiguration.metrics\\.internal\\.query-service\\.port",
                                "7125",
                                "job.flinkConfiguration.taskmanager\\.data\\.port",
                                "7121"));

        assertThat(blockedFlinkPorts(docs)).isEmpty();
        assertThat(FlinkPorts.opened(Chart.flinkConfigurationOf(docs)))
                .containsEntry("metrics.internal.query-service.port", "7125")
                .containsEntry("taskmanager.data.port", "7121");
    }

    @Test
    void aPolicyWithoutTheQueryServicePortFailsTheCheck() {
        // The policy as it was before the query service port was pinned and allowed.
        List<JsonNode> docs = Chart.render(Map.of());
        removePort(docs, "sales-aggregator-flink", 6125);

        assertThat(blockedFlinkPorts(docs))
                .singleElement()
                .asString()
                .contains("metrics.internal.query-service.port 6125")
                .contains("blocked");
    }

    @Test
    void aRandomQueryServicePortFailsTheCheckAndTheChartRefusesIt() {
        // Flink's default: the flinkConfiguration without the pinned port.
        List<JsonNode> docs = Chart.render(Map.of());
        ((ObjectNode) Manifests.find(docs, "FlinkDeployment").at("/spec/flinkConfiguration"))
                .remove("metrics.internal.query-service.port");

        assertThat(blockedFlinkPorts(docs))
                .singleElement()
                .asString()
                .contains("metrics.internal.query-service.port")
                .contains("'0'");
        assertThatThrownBy(
                        () ->
                                Chart.render(
                                        Map.of(
                                                "job.flinkConfiguration.metrics\\.internal\\.query-service\\.port",
                                                "0")))
                .hasMessageContaining("metrics.internal.query-service.port must be one fixed port");
    }

    @Test
    void everyPortOptionOfFlinkIsModelledOrOpensNothingBetweenThePods() {
        Map<String, String> declared = FlinkPorts.declaredPortOptions();
        // The scan finds Flink's port options (it is not vacuous).
        assertThat(declared)
                .containsKeys(
                        "metrics.internal.query-service.port",
                        "taskmanager.data.port",
                        "blob.server.port");

        Set<String> unknown = new TreeSet<>(declared.keySet());
        unknown.removeAll(FlinkPorts.MODELLED);
        unknown.removeAll(FlinkPorts.NOT_BETWEEN_PODS.keySet());
        assertThat(unknown).as("port options FlinkPorts does not know").isEmpty();
    }

    @Test
    void theModelReadsBindPortsAndOptionalServices() {
        Configuration conf = new Configuration();
        conf.setString("taskmanager.data.bind-port", "7000");
        conf.setString("jmx.server.port", "9010");
        conf.setString("queryable-state.enable", "true");

        Map<String, String> opened = FlinkPorts.opened(conf);

        assertThat(opened)
                .containsEntry("taskmanager.data.bind-port", "7000")
                .doesNotContainKey("taskmanager.data.port")
                .containsEntry("jmx.server.port", "9010")
                .containsEntry("taskmanager.rpc.port", "0")
                .containsKeys("queryable-state.proxy.ports", "queryable-state.server.ports");
    }

    // ---- the check

    /**
     * Every port of {@link FlinkPorts#opened} that is not one fixed port, or that the rendered
     * NetworkPolicies block between two of the FlinkDeployment's pods (the JobManager and a
     * TaskManager: the pod template's labels plus the operator's {@code component} label).
     */
    static List<String> blockedFlinkPorts(List<JsonNode> docs) {
        return blockedFlinkPorts(docs, Manifests.find(docs, "FlinkDeployment"));
    }

    /** {@link #blockedFlinkPorts(List)} for the pods of {@code flink}, one of the documents. */
    static List<String> blockedFlinkPorts(List<JsonNode> docs, JsonNode flink) {
        Map<String, String> templateLabels = new HashMap<>();
        flink.at("/spec/podTemplate/metadata/labels")
                .properties()
                .forEach(e -> templateLabels.put(e.getKey(), e.getValue().asText()));
        List<Pod> pods = new ArrayList<>();
        for (String component : List.of("jobmanager", "taskmanager")) {
            Map<String, String> labels = new HashMap<>(templateLabels);
            labels.put("component", component);
            pods.add(new Pod(Chart.NAMESPACE, labels));
        }
        List<NetworkPolicy> policies =
                docs.stream()
                        .filter(d -> d.path("kind").asText().equals("NetworkPolicy"))
                        .map(d -> Manifests.as(d, NetworkPolicy.class))
                        .toList();

        List<String> problems = new ArrayList<>();
        Map<String, String> settings = new HashMap<>();
        flink.at("/spec/flinkConfiguration")
                .properties()
                .forEach(e -> settings.put(e.getKey(), e.getValue().asText()));
        Configuration conf = Configuration.fromMap(settings);
        FlinkPorts.opened(conf)
                .forEach(
                        (key, value) -> {
                            if (!value.matches("[1-9][0-9]*")) {
                                problems.add(key + " '" + value + "' is not one fixed port");
                                return;
                            }
                            int port = Integer.parseInt(value);
                            for (Pod source : pods) {
                                for (Pod target : pods) {
                                    if (!NetworkPolicyAccess.allows(
                                            policies, source, target, port)) {
                                        problems.add(
                                                key
                                                        + " "
                                                        + port
                                                        + " blocked from "
                                                        + source.labels().get("component")
                                                        + " to "
                                                        + target.labels().get("component"));
                                        return;
                                    }
                                }
                            }
                        });
        return problems;
    }

    private static void removePort(List<JsonNode> docs, String policy, int port) {
        JsonNode found =
                docs.stream()
                        .filter(d -> d.path("kind").asText().equals("NetworkPolicy"))
                        .filter(d -> d.at("/metadata/name").asText().equals(policy))
                        .findFirst()
                        .orElseThrow();
        int removed = 0;
        for (JsonNode rule : found.at("/spec/ingress")) {
            Iterator<JsonNode> ports = ((ArrayNode) rule.path("ports")).elements();
            while (ports.hasNext()) {
                if (ports.next().path("port").asInt() == port) {
                    ports.remove();
                    removed++;
                }
            }
        }
        assertThat(removed).as("rules opening " + port).isPositive();
    }
}

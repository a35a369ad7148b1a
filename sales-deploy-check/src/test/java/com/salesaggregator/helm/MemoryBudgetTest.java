package com.salesaggregator.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.Quantity;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The memory {@code make deploy e2e} needs on kind, summed from what it starts: the chart rendered
 * at parallelism 4 (JobManager, TaskManagers, seeder, dashboard, the figure-check test pod), the
 * Kafka nodes and entity operator of {@code k8s/}, the reader pod, and the operators' and kind's
 * own share (upstream figures, below). The README's minimum Docker memory and the threshold {@code
 * make kind-up} warns under must cover it.
 */
class MemoryBudgetTest {

    @TempDir Path dir;

    private static final long MIB = 1024L * 1024;
    private static final long GIB = 1024 * MIB;

    /**
     * What the chart and k8s/ do not size. Strimzi's cluster operator: its chart's default limit
     * (packaging/helm-charts/helm3/strimzi-kafka-operator/values.yaml at 1.2.0: resources.limits.
     * memory 384Mi). The others set no requests or limits, so these are estimates: the Flink
     * operator pod runs two JVMs, operator and webhook (helm/flink-kubernetes-operator/values.yaml
     * at release-1.15.0: operatorPod.resources and operatorPod.webhook.resources empty);
     * cert-manager's three controllers (cert-manager.yaml v1.18.2 sets no resources); the kind
     * nodes' control plane (etcd, API server, controllers, CoreDNS) and three kubelets.
     */
    private static final Map<String, Long> UPSTREAM =
            Map.of(
                    "strimzi cluster operator", 384 * MIB,
                    "flink operator (estimate)", 1024 * MIB,
                    "cert-manager (estimate)", 256 * MIB,
                    "kind control plane and kubelets (estimate)", 1536 * MIB);

    @Test
    void readmeAndKindUpCoverEverythingMakeE2eStarts() {
        assertThat(budgetProblems(render(Map.of()))).isEmpty();
    }

    @Test
    void biggerTaskManagersThanTheReadmeCoversAreCaught() {
        List<JsonNode> bigger = render(Map.of("job.taskManager.resources.memory", "4096m"));

        assertThat(budgetProblems(bigger))
                .anySatisfy(p -> assertThat(p).contains("README says 16 GiB"));
    }

    private static List<String> budgetProblems(List<JsonNode> chart) {
        long needed = limits(chart).values().stream().mapToLong(Long::longValue).sum();
        Matcher readme =
                Pattern.compile("Docker needs at least \\*\\*([0-9]+) GiB\\*\\* of memory")
                        .matcher(E2eManifestsTest.text(Path.of("README.md")));
        assertThat(readme.find()).as("the README states the Docker memory").isTrue();
        long stated = Long.parseLong(readme.group(1));
        String kindUp = E2eManifestsTest.makeVariable("KIND_MIN_MEMORY_GIB");
        List<String> problems = new java.util.ArrayList<>();
        if (stated * GIB < needed) {
            problems.add(
                    "README says "
                            + stated
                            + " GiB; make deploy e2e needs "
                            + needed / MIB
                            + " MiB: "
                            + limits(chart));
        }
        if (!kindUp.equals(String.valueOf(stated))) {
            problems.add("KIND_MIN_MEMORY_GIB is " + kindUp + ", the README says " + stated);
        }
        return problems;
    }

    /** Memory limit per component, in bytes (with replicas). */
    private static Map<String, Long> limits(List<JsonNode> chart) {
        Map<String, Long> limits = new LinkedHashMap<>();
        JsonNode flink = Manifests.find(chart, "FlinkDeployment").path("spec");
        int parallelism = flink.at("/job/parallelism").asInt();
        int slots = flink.at("/flinkConfiguration/taskmanager.numberOfTaskSlots").asInt();
        // The operator sets the pods' memory to Flink's process size (limit factor 1.0).
        limits.put(
                "jobmanager",
                flink.at("/jobManager/replicas").asInt(1)
                        * flinkBytes(flink.at("/jobManager/resource/memory").asText()));
        limits.put(
                "taskmanagers",
                (long) Math.ceilDiv(parallelism, slots)
                        * flinkBytes(flink.at("/taskManager/resource/memory").asText()));
        for (String component : List.of("seeder", "dashboard")) {
            JsonNode deployment = Manifests.find(chart, "Deployment", component);
            limits.put(
                    component,
                    deployment.at("/spec/replicas").asInt(1)
                            * podLimit(deployment.at("/spec/template/spec")));
        }
        limits.put(
                "figure-check",
                podLimit(Manifests.find(chart, "Pod", "figure-check").path("spec")));
        JsonNode pool = k8s("kafka-nodepool.yaml").path("spec");
        limits.put(
                "kafka nodes",
                pool.path("replicas").asInt() * bytes(pool.at("/resources/limits/memory")));
        JsonNode entity = k8s("kafka-cluster.yaml").at("/spec/entityOperator");
        limits.put(
                "entity operator",
                bytes(entity.at("/topicOperator/resources/limits/memory"))
                        + bytes(entity.at("/userOperator/resources/limits/memory")));
        limits.put("reader", podLimit(k8s("e2e/reader-pod.yaml").path("spec")));
        limits.putAll(UPSTREAM);
        return limits;
    }

    private static long podLimit(JsonNode podSpec) {
        long sum = 0;
        for (JsonNode container : podSpec.path("containers")) {
            JsonNode limit = container.at("/resources/limits/memory");
            assertThat(limit.isMissingNode())
                    .as("memory limit of " + container.path("name"))
                    .isFalse();
            sum += bytes(limit);
        }
        return sum;
    }

    private static long bytes(JsonNode quantity) {
        assertThat(quantity.isMissingNode()).as("a memory quantity").isFalse();
        return Quantity.getAmountInBytes(new Quantity(quantity.asText())).longValueExact();
    }

    /** Flink's memory sizes: a number and k/m/g/t (binary, with or without b), or Ki/Mi/Gi/Ti. */
    static long flinkBytes(String size) {
        Matcher m = Pattern.compile("([0-9.]+)\\s*([kmgtKMGT])?[bBi]?").matcher(size.strip());
        assertThat(m.matches()).as("Flink memory size " + size).isTrue();
        String unit = m.group(2) == null ? "" : m.group(2).toLowerCase();
        int shift = "kmgt".indexOf(unit.isEmpty() ? "x" : unit) + 1;
        return (long) (Double.parseDouble(m.group(1)) * (1L << (10 * shift)));
    }

    private static JsonNode k8s(String file) {
        return Manifests.parse(E2eManifestsTest.text(Path.of("k8s").resolve(file))).getFirst();
    }

    private List<JsonNode> render(Map<String, String> values) {
        TemplateCommand template =
                new Helm(
                                ChartWithHooks.copy(
                                        Path.of("helm", "sales-aggregator"), dir.resolve("chart")))
                        .template()
                        .withName("sales-aggregator")
                        .withNamespace("sales")
                        .withKubeVersion("1.35.0")
                        .set("job.parallelism", "4");
        values.forEach(template::set);
        return Manifests.parse(template.call());
    }
}

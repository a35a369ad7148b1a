package com.salesaggregator.helm;

import static com.salesaggregator.helm.ChartChecks.CHART;
import static com.salesaggregator.helm.ChartChecks.NAMESPACE;
import static com.salesaggregator.helm.ChartChecks.OTHER_VALUES;
import static com.salesaggregator.helm.ChartChecks.args;
import static com.salesaggregator.helm.ChartChecks.env;
import static com.salesaggregator.helm.ChartChecks.kinds;
import static com.salesaggregator.helm.ChartChecks.networkPolicy;
import static com.salesaggregator.helm.ChartChecks.render;
import static com.salesaggregator.helm.ChartChecks.seederContainer;
import static com.salesaggregator.helm.ChartChecks.verbs;
import static com.salesaggregator.helm.ChartChecks.violations;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.salesaggregator.job.JobConfig;
import com.salesaggregator.job.SalesAggregationJob;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The Helm chart renders: it lints strictly, every value is commented, the default and other values
 * render into manifests that pass every check of {@link ChartChecks}, optional parts go away when
 * turned off, and the values schema rejects what it must.
 */
class HelmChartRenderingTest {

    @Test
    void lintStrictIsClean() {
        LintResult result = new Helm(CHART).lint().strict().call();
        assertThat(result.isFailed()).as(String.join("\n", result.getMessages())).isFalse();
        assertThat(result.getMessages()).noneMatch(m -> m.contains("[WARNING]"));
        assertThat(result.getMessages()).noneMatch(m -> m.contains("[ERROR]"));
    }

    @Test
    void everyValueIsCommented() throws IOException {
        List<String> lines = Files.readAllLines(CHART.resolve("values.yaml"));
        List<String> uncommented = new ArrayList<>();
        String previous = "";
        int listIndent = -1;
        for (String line : lines) {
            if (line.isBlank()) {
                continue;
            }
            int indent = line.length() - line.stripLeading().length();
            if (line.stripLeading().startsWith("- ")) {
                listIndent = indent;
            } else if (line.matches("^\\s*[A-Za-z0-9_.-]+:.*")) {
                // Keys inside a list item are part of that (commented) value.
                if (listIndent >= 0 && indent > listIndent) {
                    previous = line;
                    continue;
                }
                listIndent = -1;
                if (!previous.stripLeading().startsWith("#")) {
                    uncommented.add(line);
                }
            }
            previous = line;
        }
        assertThat(uncommented).isEmpty();
    }

    @Test
    void defaultRenderingPassesEveryCheck() {
        List<JsonNode> docs = Manifests.parse(render(Map.of()));
        assertThat(violations(docs)).isEmpty();
        assertThat(kinds(docs))
                .containsExactlyInAnyOrder(
                        "ConfigMap",
                        "FlinkDeployment",
                        "Deployment",
                        "Deployment",
                        "Service",
                        "NetworkPolicy",
                        "NetworkPolicy",
                        "NetworkPolicy");
        NetworkPolicy flinkPolicy = networkPolicy(docs, "sales-aggregator-flink");
        assertThat(flinkPolicy.getSpec().getPolicyTypes()).containsExactly("Ingress");
        assertThat(flinkPolicy.getSpec().getIngress())
                .flatExtracting(rule -> rule.getPorts())
                .extracting(port -> port.getPort().getIntVal())
                .contains(8081, 6123, 6124, 6122, 6121, 9249);
        // The dashboard's pods may ask the JobManager's REST API, nothing else of Flink's.
        assertThat(flinkPolicy.getSpec().getIngress())
                .filteredOn(
                        rule ->
                                rule.getFrom().stream()
                                        .anyMatch(
                                                peer ->
                                                        peer.getPodSelector() != null
                                                                && "dashboard"
                                                                        .equals(
                                                                                peer.getPodSelector()
                                                                                        .getMatchLabels()
                                                                                        .get(
                                                                                                "app.kubernetes.io/component"))))
                .singleElement()
                .satisfies(
                        rule ->
                                assertThat(rule.getPorts())
                                        .extracting(port -> port.getPort().getIntVal())
                                        .containsExactly(8081));
        NetworkPolicy seederPolicy = networkPolicy(docs, "sales-aggregator-seeder");
        assertThat(seederPolicy.getSpec().getIngress())
                .flatExtracting(rule -> rule.getPorts())
                .extracting(port -> port.getPort().getIntVal())
                .containsExactly(8080);
        NetworkPolicy dashboardPolicy = networkPolicy(docs, "sales-aggregator-dashboard");
        assertThat(dashboardPolicy.getSpec().getPodSelector().getMatchLabels())
                .containsEntry("app.kubernetes.io/component", "dashboard");
        assertThat(dashboardPolicy.getSpec().getIngress())
                .flatExtracting(rule -> rule.getPorts())
                .extracting(port -> port.getPort().getIntVal())
                .containsOnly(8088);
        // Default: the operator's own `flink` service account, no RBAC of ours.
        assertThat(Manifests.find(docs, "FlinkDeployment").at("/spec/serviceAccount").asText())
                .isEqualTo("flink");
    }

    @Test
    void otherValuesPassEveryCheckAndReachTheManifests() {
        List<JsonNode> docs = Manifests.parse(render(OTHER_VALUES));
        assertThat(violations(docs)).isEmpty();

        JsonNode flink = Manifests.find(docs, "FlinkDeployment");
        assertThat(flink.at("/metadata/name").asText()).isEqualTo("demo");
        assertThat(flink.at("/spec/job/parallelism").asInt()).isEqualTo(4);
        assertThat(flink.at("/spec/flinkConfiguration/taskmanager.numberOfTaskSlots").asText())
                .isEqualTo("4");
        assertThat(flink.at("/spec/flinkConfiguration/parallelism.default").asText())
                .isEqualTo("4");
        assertThat(flink.at("/spec/flinkConfiguration/execution.checkpointing.interval").asText())
                .isEqualTo("30s");
        JobConfig config = SalesAggregationJob.parse(args(flink));
        assertThat(config.startingOffsets()).isEqualTo("earliest");

        // Our own service account, bound to our Role, used by the FlinkDeployment.
        ServiceAccount account =
                Manifests.as(Manifests.find(docs, "ServiceAccount"), ServiceAccount.class);
        RoleBinding binding = Manifests.as(Manifests.find(docs, "RoleBinding"), RoleBinding.class);
        Role role = Manifests.as(Manifests.find(docs, "Role"), Role.class);
        assertThat(flink.at("/spec/serviceAccount").asText())
                .isEqualTo(account.getMetadata().getName())
                .isEqualTo(binding.getSubjects().get(0).getName());
        assertThat(binding.getSubjects().get(0).getNamespace()).isEqualTo(NAMESPACE);
        assertThat(binding.getRoleRef().getName()).isEqualTo(role.getMetadata().getName());
        assertThat(verbs(role, "", "configmaps"))
                .containsExactlyInAnyOrder(
                        "get", "list", "watch", "create", "update", "patch", "delete");
        assertThat(verbs(role, "", "pods"))
                .containsExactlyInAnyOrder("get", "list", "watch", "create", "delete");
        assertThat(role.getRules())
                .allSatisfy(r -> assertThat(r.getVerbs()).doesNotContain("*"))
                .allSatisfy(r -> assertThat(r.getResources()).doesNotContain("*", "secrets"));

        Map<String, String> env = env(seederContainer(docs));
        assertThat(env)
                .containsEntry("SEEDER_RATE", "250")
                .containsEntry("SEEDER_LATE_FRACTION", "0.02");
        NetworkPolicy flinkPolicy = networkPolicy(docs, "demo-flink");
        assertThat(flinkPolicy.getSpec().getIngress())
                .flatExtracting(rule -> rule.getFrom())
                .filteredOn(peer -> peer.getNamespaceSelector() != null)
                .anySatisfy(
                        peer ->
                                assertThat(peer.getNamespaceSelector().getMatchLabels())
                                        .containsEntry("team", "obs"));
    }

    @Test
    void withoutSeederThereIsNoSeederDeploymentAndNoSeederPolicy() {
        List<JsonNode> docs = Manifests.parse(render(Map.of("seeder.enabled", false)));
        assertThat(violations(docs)).isEmpty();
        assertThat(docs)
                .noneMatch(
                        d ->
                                d.at("/metadata/labels/app.kubernetes.io~1component")
                                        .asText()
                                        .equals("seeder"));
        assertThat(kinds(docs)).containsOnlyOnce("Deployment");
    }

    @Test
    void withoutDashboardThereIsNoDashboardAndFlinksRestStaysClosedToIt() {
        List<JsonNode> docs =
                Manifests.parse(
                        render(Map.of("dashboard.enabled", false, "seeder.enabled", false)));
        assertThat(violations(docs)).isEmpty();
        assertThat(kinds(docs))
                .containsExactlyInAnyOrder("ConfigMap", "FlinkDeployment", "NetworkPolicy");
        assertThat(render(Map.of("dashboard.enabled", false))).doesNotContain("dashboard");
    }

    @Test
    void valuesSchemaRejectsUnknownKeysWrongTypesAndLatest() {
        assertThatThrownBy(() -> render(Map.of("job.paralelism", 2)))
                .hasMessageContaining("paralelism");
        assertThatThrownBy(() -> render(Map.of("job.upgradeMode", "savepiont")))
                .hasMessageContaining("upgradeMode");
        assertThatThrownBy(() -> render(Map.of("job.image.tag", "latest")))
                .hasMessageContaining("tag");
        assertThatThrownBy(() -> render(Map.of("seeder.replicas", "two")))
                .hasMessageContaining("replicas");
        assertThatThrownBy(() -> render(Map.of("dashboard.image.tag", "latest")))
                .hasMessageContaining("tag");
        assertThatThrownBy(() -> render(Map.of("dashboard.servce.port", 80)))
                .hasMessageContaining("servce");
        assertThatThrownBy(() -> render(Map.of("monitoring.interval", "often")))
                .hasMessageContaining("interval");
    }
}

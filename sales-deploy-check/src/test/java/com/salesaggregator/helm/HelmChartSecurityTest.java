package com.salesaggregator.helm;

import static com.salesaggregator.helm.ChartChecks.INLINE_SECRET;
import static com.salesaggregator.helm.ChartChecks.OTHER_VALUES;
import static com.salesaggregator.helm.ChartChecks.container;
import static com.salesaggregator.helm.ChartChecks.env;
import static com.salesaggregator.helm.ChartChecks.kinds;
import static com.salesaggregator.helm.ChartChecks.mountPath;
import static com.salesaggregator.helm.ChartChecks.render;
import static com.salesaggregator.helm.ChartChecks.secretRefs;
import static com.salesaggregator.helm.ChartChecks.seederContainer;
import static com.salesaggregator.helm.ChartChecks.violations;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Helm chart's security: secrets referenced, never inlined, client properties that resolve in
 * every pod, and the restricted Pod Security check failing on a pod that drops it.
 */
class HelmChartSecurityTest {

    @Test
    void secretsAreReferencedNeverInlined() {
        for (Map<String, Object> values : List.of(Map.<String, Object>of(), OTHER_VALUES)) {
            String rendered = render(values);
            assertThat(INLINE_SECRET.matcher(rendered).results().map(r -> r.group()).toList())
                    .isEmpty();
            assertThat(rendered).doesNotContain("LoginModule");
            List<JsonNode> docs = Manifests.parse(rendered);
            assertThat(kinds(docs)).doesNotContain("Secret");
            ConfigMap clientConfig =
                    Manifests.as(Manifests.find(docs, "ConfigMap"), ConfigMap.class);
            assertThat(clientConfig.getData().get("client.properties"))
                    .contains("sasl.jaas.config=${env:KAFKA_SASL_JAAS_CONFIG}")
                    .contains("ssl.truststore.password=${env:KAFKA_TRUSTSTORE_PASSWORD}")
                    .contains(
                            "config.providers.env.class=org.apache.kafka.common.config.provider.EnvVarConfigProvider");
        }
    }

    @Test
    void clientPropertiesResolveInEveryPod() throws IOException {
        List<JsonNode> docs = Manifests.parse(render(Map.of()));
        ConfigMap configMap = Manifests.as(Manifests.find(docs, "ConfigMap"), ConfigMap.class);
        Properties properties = new Properties();
        properties.load(new StringReader(configMap.getData().get("client.properties")));
        Pattern allowed =
                Pattern.compile(
                        properties.getProperty("config.providers.env.param.allowlist.pattern"));
        Set<String> referenced = new TreeSet<>();
        Pattern.compile("\\$\\{env:([A-Z_]+)}")
                .matcher(configMap.getData().get("client.properties"))
                .results()
                .forEach(m -> referenced.add(m.group(1)));
        assertThat(referenced)
                .containsExactlyInAnyOrder("KAFKA_SASL_JAAS_CONFIG", "KAFKA_TRUSTSTORE_PASSWORD");
        assertThat(referenced).allMatch(name -> allowed.matcher(name).matches());
        String truststore = properties.getProperty("ssl.truststore.location");

        Pod flinkPod =
                Manifests.as(
                        Manifests.find(docs, "FlinkDeployment").at("/spec/podTemplate"), Pod.class);
        Deployment seeder =
                Manifests.as(Manifests.find(docs, "Deployment", "seeder"), Deployment.class);
        Deployment dashboard =
                Manifests.as(Manifests.find(docs, "Deployment", "dashboard"), Deployment.class);
        for (PodSpec spec :
                List.of(
                        flinkPod.getSpec(),
                        seeder.getSpec().getTemplate().getSpec(),
                        dashboard.getSpec().getTemplate().getSpec())) {
            Container container = spec.getContainers().get(0);
            assertThat(secretRefs(container)).containsKeys(referenced.toArray(String[]::new));
            Volume ca =
                    spec.getVolumes().stream()
                            .filter(v -> v.getSecret() != null)
                            .findFirst()
                            .orElseThrow();
            assertThat(ca.getSecret().getSecretName()).isEqualTo("sales-kafka-cluster-ca-cert");
            String path = ca.getSecret().getItems().get(0).getPath();
            assertThat(mountPath(container, spec, ca.getName(), "CA") + "/" + path)
                    .isEqualTo(truststore);
        }
    }

    @Test
    void kafkaClientResolvesTheSecretsFromTheEnvironment(@TempDir Path dir) throws Exception {
        List<JsonNode> docs = Manifests.parse(render(Map.of()));
        ConfigMap configMap = Manifests.as(Manifests.find(docs, "ConfigMap"), ConfigMap.class);
        Path file = dir.resolve("client.properties");
        Files.writeString(file, configMap.getData().get("client.properties"));
        Container seeder = seederContainer(docs);
        String jvmOptions = env(seeder).get("JAVA_TOOL_OPTIONS");

        // A child JVM, because the provider reads the real process environment.
        List<String> command =
                new ArrayList<>(
                        List.of(
                                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                                "-cp",
                                System.getProperty("java.class.path")));
        command.addAll(List.of(jvmOptions.split(" ")));
        command.addAll(List.of(ClientConfigProbe.class.getName(), file.toString()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("KAFKA_SASL_JAAS_CONFIG", "jaas-from-secret");
        builder.environment().put("KAFKA_TRUSTSTORE_PASSWORD", "password-from-secret");
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes());
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        assertThat(output)
                .contains("sasl.jaas.config=jaas-from-secret")
                .contains("ssl.truststore.password=password-from-secret");
    }

    @Test
    void checksRejectDroppedRunAsNonRoot() {
        List<JsonNode> docs = Manifests.parse(render(Map.of()));
        JsonNode podTemplate = Manifests.find(docs, "FlinkDeployment").at("/spec/podTemplate/spec");
        ((ObjectNode) podTemplate.get("securityContext")).remove("runAsNonRoot");
        ((ObjectNode) podTemplate.at("/containers/0/securityContext")).remove("runAsNonRoot");
        JsonNode seederPod = Manifests.find(docs, "Deployment", "seeder").at("/spec/template/spec");
        ((ObjectNode) seederPod.get("securityContext")).remove("runAsNonRoot");
        ((ObjectNode) seederPod.at("/containers/0/securityContext")).remove("runAsNonRoot");
        ((ObjectNode) seederPod.at("/containers/0/securityContext/capabilities")).remove("drop");
        ((ArrayNode) seederPod.get("volumes"))
                .addObject()
                .put("name", "host")
                .putObject("hostPath")
                .put("path", "/");
        assertThat(violations(docs))
                .anyMatch(
                        v ->
                                v.contains("FlinkDeployment")
                                        && v.contains(
                                                "flink-main-container: runAsNonRoot not true"))
                .anyMatch(
                        v ->
                                v.contains("Deployment")
                                        && v.contains("seeder: runAsNonRoot not true"))
                .anyMatch(v -> v.contains("seeder: capabilities do not drop ALL"))
                .anyMatch(v -> v.contains("volume host: type hostPath not allowed"));
    }
}

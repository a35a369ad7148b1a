package com.salesaggregator.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import com.salesaggregator.dashboard.Dashboard;
import com.salesaggregator.dashboard.DashboardConfig;
import com.salesaggregator.job.JobConfig;
import com.salesaggregator.job.SalesAggregationJob;
import com.salesaggregator.seeder.Seeder;
import com.salesaggregator.testkit.GrafanaDashboard;
import com.salesaggregator.topics.TopicDefinition;
import com.salesaggregator.topics.TopicDefinitions;
import com.salesaggregator.topics.Topics;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The Helm chart: lints strictly, renders with default and other values into manifests that parse
 * without unknown fields (fabric8 models; the operator's FlinkDeployment CRD schema, closed), meet
 * the restricted Pod Security Standard, reference secrets without inlining them and agree with the
 * job's and the seeder's options. The checks themselves are shown to reject bad input.
 */
class HelmChartTest {

    private static final Path CHART = Path.of("helm", "sales-aggregator");
    private static final String RELEASE = "sales-aggregator";
    private static final String NAMESPACE = "sales";
    // What kind (kindest/node) runs in Strimzi's CI; helm template defaults to an old 1.20.
    private static final String KUBE_VERSION = "1.35.0";
    private static final String FLINK_CRD =
            "META-INF/fabric8/flinkdeployments.flink.apache.org-v1.yml";
    private static final String JAR_URI = "local:///opt/flink/usrlib/sales-aggregator.jar";
    private static final Pattern INLINE_SECRET =
            Pattern.compile("(?i)(password|jaas\\.config)\\s*[:=][ \\t]*(?!\\$\\{env:)\\S");

    /** Kinds the chart may render, with their pinned API versions and model classes. */
    private static final Map<String, Map.Entry<String, Class<?>>> KINDS =
            Map.of(
                    "ConfigMap", Map.entry("v1", ConfigMap.class),
                    "ServiceAccount", Map.entry("v1", ServiceAccount.class),
                    "Role", Map.entry("rbac.authorization.k8s.io/v1", Role.class),
                    "RoleBinding", Map.entry("rbac.authorization.k8s.io/v1", RoleBinding.class),
                    "NetworkPolicy", Map.entry("networking.k8s.io/v1", NetworkPolicy.class),
                    "Deployment", Map.entry("apps/v1", Deployment.class),
                    "Service", Map.entry("v1", Service.class),
                    "PodMonitor", Map.entry("monitoring.coreos.com/v1", Object.class),
                    "FlinkDeployment", Map.entry("flink.apache.org/v1beta1", Object.class));

    private static CrdSchemaValidator flinkDeploymentSchema;

    @BeforeAll
    static void loadFlinkDeploymentSchema() throws IOException {
        flinkDeploymentSchema = CrdSchemaValidator.closed(flinkDeploymentOpenApiSchema());
        // The newest operator API on Maven Central (1.10.0) lists flinkVersion up to v1_20; the
        // operator we deploy, 1.15.0, adds v2_0..v2_2 and supports Flink 2.2 (its release notes
        // and CRD). Extend the enum by exactly the version the chart uses, nothing more.
        flinkDeploymentSchema.extendEnum("v2_2", "spec", "flinkVersion");
    }

    private static JsonNode flinkDeploymentOpenApiSchema() throws IOException {
        try (InputStream in = HelmChartTest.class.getClassLoader().getResourceAsStream(FLINK_CRD)) {
            assertThat(in).as(FLINK_CRD + " on the test classpath").isNotNull();
            JsonNode crd = Manifests.YAML.readTree(in);
            for (JsonNode version : crd.path("spec").path("versions")) {
                if (version.path("name").asText().equals("v1beta1")) {
                    return version.path("schema").path("openAPIV3Schema");
                }
            }
            throw new AssertionError("no v1beta1 in " + FLINK_CRD);
        }
    }

    private static String render(Map<String, Object> values) {
        TemplateCommand template =
                new Helm(CHART)
                        .template()
                        .withName(RELEASE)
                        .withNamespace(NAMESPACE)
                        .withKubeVersion(KUBE_VERSION);
        values.forEach(template::set);
        return template.call();
    }

    private static final Map<String, Object> OTHER_VALUES =
            ordered(
                    "fullnameOverride", "demo",
                    "serviceAccount.create", true,
                    "serviceAccount.name", "",
                    "job.parallelism", 4,
                    "job.flinkConfiguration.execution\\.checkpointing\\.interval", "30s",
                    "job.options.starting-offsets", "earliest",
                    "job.taskManager.taskSlots", 4,
                    "job.flinkConfiguration.parallelism\\.default", "4",
                    "seeder.rate", 250,
                    "seeder.env.LATE_FRACTION", "0.02",
                    "networkPolicy.metricsFrom[0].namespaceSelector.matchLabels.team", "obs");

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

    @Test
    void jobArgumentsParseAsJobConfigAndMatchTopicsAndKafka() {
        List<JsonNode> docs = Manifests.parse(render(Map.of()));
        JsonNode flink = Manifests.find(docs, "FlinkDeployment");
        assertThat(flink.at("/spec/flinkVersion").asText()).isEqualTo("v2_2");
        assertThat(flink.at("/spec/image").asText()).isEqualTo("sales-aggregator-job:0.1.0");
        assertThat(flink.at("/spec/imagePullPolicy").asText()).isEqualTo("IfNotPresent");
        assertThat(flink.at("/spec/job/jarURI").asText()).isEqualTo(JAR_URI);
        assertThat(flink.at("/spec/job/entryClass").asText())
                .isEqualTo(SalesAggregationJob.class.getName());
        assertThat(flink.at("/spec/job/upgradeMode").asText()).isEqualTo("savepoint");

        // The production parser accepts every argument (unknown options fail it).
        String[] args = args(flink);
        JobConfig config = SalesAggregationJob.parse(args);
        assertThat(config.bootstrapServers()).isEqualTo("sales-kafka-kafka-bootstrap:9093");
        assertThat(config.topics()).isEqualTo(JobConfig.defaults().topics());
        assertThat(topicProblems(flink, declaredTopics())).isEmpty();

        // --client-config names the file of the mounted ConfigMap.
        Pod pod = Manifests.as(flink.at("/spec/podTemplate"), Pod.class);
        Container main = pod.getSpec().getContainers().get(0);
        assertThat(main.getName()).isEqualTo("flink-main-container");
        assertThat(config.clientConfig())
                .isEqualTo(mountedConfigMapFile(pod.getSpec(), main, docs, "client.properties"));
        assertThat(secretRefs(main))
                .containsEntry("KAFKA_SASL_JAAS_CONFIG", "sales-aggregator/sasl.jaas.config")
                .containsEntry(
                        "KAFKA_TRUSTSTORE_PASSWORD", "sales-kafka-cluster-ca-cert/ca.password");
        assertThat(mountPath(main, pod.getSpec(), "flink-state", "flink-state"))
                .isEqualTo("/flink-state");

        Map<String, String> conf = new HashMap<>();
        flink.at("/spec/flinkConfiguration")
                .fields()
                .forEachRemaining(e -> conf.put(e.getKey(), e.getValue().asText()));
        assertThat(conf)
                .containsEntry("high-availability.type", "kubernetes")
                .containsEntry(
                        "state.checkpoints.dir", "file:///flink-state/sales-aggregator/checkpoints")
                .containsEntry(
                        "state.savepoints.dir", "file:///flink-state/sales-aggregator/savepoints")
                .containsEntry(
                        "high-availability.storageDir", "file:///flink-state/sales-aggregator/ha")
                .containsEntry("restart-strategy.type", "exponential-delay")
                .containsEntry("web.submit.enable", "false")
                .containsEntry(
                        "metrics.reporter.prom.factory.class",
                        "org.apache.flink.metrics.prometheus.PrometheusReporterFactory")
                .containsEntry("metrics.reporter.prom.port", "9249")
                .containsKeys(
                        "restart-strategy.exponential-delay.initial-backoff",
                        "restart-strategy.exponential-delay.max-backoff");
    }

    @Test
    void seederUsesItsOwnUserAndOnlyKnownOptions() {
        List<JsonNode> docs = Manifests.parse(render(OTHER_VALUES));
        Deployment seeder =
                Manifests.as(Manifests.find(docs, "Deployment", "seeder"), Deployment.class);
        PodSpec spec = seeder.getSpec().getTemplate().getSpec();
        Container container = seederContainer(docs);
        assertThat(container.getImage()).isEqualTo("sales-aggregator-seeder:0.1.0");
        assertThat(container.getImagePullPolicy()).isEqualTo("IfNotPresent");
        assertThat(spec.getAutomountServiceAccountToken()).isFalse();
        assertThat(secretRefs(container))
                .containsEntry("KAFKA_SASL_JAAS_CONFIG", "sales-seeder/sasl.jaas.config")
                .containsEntry(
                        "KAFKA_TRUSTSTORE_PASSWORD", "sales-kafka-cluster-ca-cert/ca.password");

        Set<String> known =
                new CommandLine(new Seeder())
                        .getCommandSpec().options().stream()
                                .map(
                                        o ->
                                                Seeder.ENV_PREFIX
                                                        + o.longestName()
                                                                .substring(2)
                                                                .toUpperCase()
                                                                .replace('-', '_'))
                                .collect(Collectors.toSet());
        Map<String, String> env = env(container);
        assertThat(env.keySet().stream().filter(k -> k.startsWith(Seeder.ENV_PREFIX)))
                .isNotEmpty()
                .allSatisfy(k -> assertThat(known).as("seeder options").contains(k));
        assertThat(env)
                .containsEntry("SEEDER_BOOTSTRAP_SERVERS", "sales-kafka-kafka-bootstrap:9093")
                .containsEntry("SEEDER_HTTP_PORT", "8080");
        assertThat(env.get("SEEDER_CLIENT_CONFIG"))
                .isEqualTo(mountedConfigMapFile(spec, container, docs, "client.properties"));
        for (var probe : List.of(container.getLivenessProbe(), container.getReadinessProbe())) {
            assertThat(probe.getHttpGet().getPath()).isEqualTo("/healthz");
            assertThat(probe.getHttpGet().getPort().getStrVal()).isEqualTo("http");
        }
        assertThat(container.getPorts())
                .singleElement()
                .satisfies(
                        p -> {
                            assertThat(p.getName()).isEqualTo("http");
                            assertThat(p.getContainerPort()).isEqualTo(8080);
                        });
    }

    @Test
    void dashboardUsesItsOwnUserTheJobsTopicsAndOnlyKnownOptions() {
        List<JsonNode> docs =
                Manifests.parse(
                        render(
                                ordered(
                                        "job.topics.sales-dlq", "my-dlq",
                                        "dashboard.topN", 5,
                                        "dashboard.env.HEALTH_INTERVAL", "5s")));
        assertThat(violations(docs)).isEmpty();
        Deployment deployment =
                Manifests.as(Manifests.find(docs, "Deployment", "dashboard"), Deployment.class);
        PodSpec spec = deployment.getSpec().getTemplate().getSpec();
        Container container = container(docs, "dashboard");
        assertThat(container.getImage()).isEqualTo("sales-aggregator-dashboard:0.1.0");
        assertThat(container.getImagePullPolicy()).isEqualTo("IfNotPresent");
        assertThat(spec.getAutomountServiceAccountToken()).isFalse();
        assertThat(container.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(secretRefs(container))
                .containsEntry("KAFKA_SASL_JAAS_CONFIG", "sales-dashboard/sasl.jaas.config")
                .containsEntry(
                        "KAFKA_TRUSTSTORE_PASSWORD", "sales-kafka-cluster-ca-cert/ca.password");

        Map<String, String> env = env(container);
        Set<String> known =
                new CommandLine(new Dashboard())
                        .getCommandSpec().options().stream()
                                .map(
                                        o ->
                                                Dashboard.ENV_PREFIX
                                                        + o.longestName()
                                                                .substring(2)
                                                                .toUpperCase()
                                                                .replace('-', '_'))
                                .collect(Collectors.toSet());
        assertThat(env.keySet().stream().filter(k -> k.startsWith(Dashboard.ENV_PREFIX)))
                .isNotEmpty()
                .allSatisfy(k -> assertThat(known).as("dashboard options").contains(k));
        assertThat(env.get("DASHBOARD_CLIENT_CONFIG"))
                .isEqualTo(mountedConfigMapFile(spec, container, docs, "client.properties"));

        // The dashboard's own parser accepts the environment (the client file exists only in
        // the pod) and reads the topics the job writes, Flink's REST service and the options.
        Map<String, String> parseable = new HashMap<>(env);
        parseable.remove("DASHBOARD_CLIENT_CONFIG");
        DashboardConfig config = Dashboard.parse(parseable);
        JsonNode flink = Manifests.find(docs, "FlinkDeployment");
        String[] jobArgs = args(flink);
        for (int i = 0; i < jobArgs.length; i += 2) {
            if (jobArgs[i].startsWith("--" + JobConfig.TOPIC_PREFIX)) {
                String topic = jobArgs[i].substring(("--" + JobConfig.TOPIC_PREFIX).length());
                assertThat(config.topic(topic)).as(topic).isEqualTo(jobArgs[i + 1]);
            }
        }
        assertThat(config.topic(Topics.SALES_DLQ)).isEqualTo("my-dlq");
        assertThat(config.bootstrapServers()).isEqualTo("sales-kafka-kafka-bootstrap:9093");
        assertThat(config.flinkRestUrl())
                .isEqualTo("http://" + flink.at("/metadata/name").asText() + "-rest:8081");
        assertThat(config.topN()).isEqualTo(5);
        assertThat(config.healthInterval()).hasSeconds(5);
        assertThat(config.port()).isEqualTo(8088);

        assertThat(container.getPorts())
                .singleElement()
                .satisfies(
                        p -> {
                            assertThat(p.getName()).isEqualTo("http");
                            assertThat(p.getContainerPort()).isEqualTo(config.port());
                        });
        assertThat(container.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
        assertThat(container.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
        for (var probe : List.of(container.getLivenessProbe(), container.getReadinessProbe())) {
            assertThat(probe.getHttpGet().getPort().getStrVal()).isEqualTo("http");
        }

        // The Kafka listener admits pods by this label (networkPolicyPeers in k8s/).
        assertThat(deployment.getSpec().getTemplate().getMetadata().getLabels())
                .containsEntry("app.kubernetes.io/name", "sales-aggregator");

        Service service = Manifests.as(Manifests.find(docs, "Service", "dashboard"), Service.class);
        assertThat(deployment.getSpec().getTemplate().getMetadata().getLabels())
                .containsAllEntriesOf(service.getSpec().getSelector());
        assertThat(service.getSpec().getType()).isEqualTo("ClusterIP");
        assertThat(service.getSpec().getPorts())
                .singleElement()
                .satisfies(
                        p -> {
                            assertThat(p.getPort()).isEqualTo(8088);
                            assertThat(p.getTargetPort().getStrVal()).isEqualTo("http");
                        });
    }

    @Test
    void monitoringPodMonitorsSelectEachComponentByThePortItHas() {
        List<JsonNode> docs =
                Manifests.parse(
                        render(
                                Map.of(
                                        "monitoring.enabled",
                                        true,
                                        "monitoring.podMonitorLabels.release",
                                        "kps")));
        assertThat(violations(docs)).isEmpty();

        // Each component's pod labels and named container ports.
        Map<String, Map<String, String>> labels = new LinkedHashMap<>();
        Map<String, Map<String, Integer>> ports = new LinkedHashMap<>();
        Pod flinkPod =
                Manifests.as(
                        Manifests.find(docs, "FlinkDeployment").at("/spec/podTemplate"), Pod.class);
        labels.put("flink", flinkPod.getMetadata().getLabels());
        ports.put("flink", namedPorts(flinkPod.getSpec()));
        for (String component : List.of("seeder", "dashboard")) {
            Deployment d =
                    Manifests.as(Manifests.find(docs, "Deployment", component), Deployment.class);
            labels.put(component, d.getSpec().getTemplate().getMetadata().getLabels());
            ports.put(component, namedPorts(d.getSpec().getTemplate().getSpec()));
        }

        List<JsonNode> monitors =
                docs.stream().filter(d -> d.path("kind").asText().equals("PodMonitor")).toList();
        assertThat(monitors).hasSize(3);
        for (JsonNode monitor : monitors) {
            String name = monitor.at("/metadata/name").asText();
            Map<String, String> selector =
                    Manifests.JSON.convertValue(
                            monitor.at("/spec/selector/matchLabels"),
                            new com.fasterxml.jackson.core.type.TypeReference<
                                    Map<String, String>>() {});
            List<String> selected =
                    labels.entrySet().stream()
                            .filter(e -> e.getValue().entrySet().containsAll(selector.entrySet()))
                            .map(Map.Entry::getKey)
                            .toList();
            assertThat(selected).as(name + " selects").hasSize(1);
            String port = monitor.at("/spec/podMetricsEndpoints/0/port").asText();
            assertThat(ports.get(selected.get(0))).as(name + " port").containsKey(port);
            assertThat(monitor.at("/metadata/labels/release").asText()).isEqualTo("kps");
        }
        assertThat(ports.get("flink"))
                .containsEntry(
                        "metrics",
                        Integer.valueOf(
                                Manifests.find(docs, "FlinkDeployment")
                                        .at("/spec/flinkConfiguration/metrics.reporter.prom.port")
                                        .asText()));
    }

    @Test
    void grafanaDashboardQueriesOnlyMetricsThatAreExported() throws IOException {
        List<JsonNode> docs = Manifests.parse(render(Map.of("monitoring.enabled", true)));
        ConfigMap grafana =
                docs.stream()
                        .filter(d -> d.path("kind").asText().equals("ConfigMap"))
                        .map(d -> Manifests.as(d, ConfigMap.class))
                        .filter(
                                c ->
                                        "1"
                                                .equals(
                                                        c.getMetadata()
                                                                .getLabels()
                                                                .get("grafana_dashboard")))
                        .findFirst()
                        .orElseThrow(() -> new AssertionError("no ConfigMap for Grafana"));
        JsonNode dashboard =
                Manifests.JSON.readTree(grafana.getData().get("sales-aggregator.json"));
        assertThat(dashboard.path("uid").asText()).isEqualTo("sales-aggregator");

        List<String> queried = GrafanaDashboard.metrics(dashboard);
        assertThat(queried).isNotEmpty();
        assertThat(GrafanaDashboard.exported())
                .as("metrics the job, the seeder, the dashboard and Flink export")
                .containsAll(queried);
        assertThat(queried)
                .as("the job's own metrics are all on the dashboard")
                .containsAll(GrafanaDashboard.JOB_METRICS);
        // The check fails on a misspelled metric.
        assertThat(GrafanaDashboard.exported()).doesNotContain("seeder_records_send_total");
    }

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
    void checksRejectMisspelledFlinkDeploymentFields() {
        List<JsonNode> docs = Manifests.parse(render(Map.of()));
        ObjectNode spec = (ObjectNode) Manifests.find(docs, "FlinkDeployment").get("spec");
        ((ObjectNode) spec.get("job")).put("paralelism", 2);
        ((ObjectNode) spec.at("/podTemplate/spec/containers/0")).put("imagePullPolicyy", "Never");
        ((ObjectNode) spec.at("/jobManager/resource")).put("memory", 1600);
        assertThat(violations(docs))
                .anyMatch(v -> v.contains(".spec.job.paralelism: unknown field"))
                .anyMatch(v -> v.contains("containers[0].imagePullPolicyy: unknown field"))
                .anyMatch(v -> v.contains(".spec.jobManager.resource.memory: expected string"));

        // And in the core kinds, through fabric8's additionalProperties.
        List<JsonNode> other = Manifests.parse(render(Map.of()));
        ((ObjectNode) Manifests.find(other, "Deployment", "dashboard").at("/spec/template/spec"))
                .put("hostNetwrk", true);
        assertThat(violations(other)).anyMatch(v -> v.contains("hostNetwrk"));
    }

    @Test
    void schemaWithoutTheExplicitEnumExtensionRejectsV22() throws IOException {
        CrdSchemaValidator asPublished = CrdSchemaValidator.closed(flinkDeploymentOpenApiSchema());
        JsonNode flink = Manifests.find(Manifests.parse(render(Map.of())), "FlinkDeployment");
        ObjectNode body = Manifests.YAML.createObjectNode();
        body.set("spec", flink.get("spec"));
        assertThat(asPublished.validate(body))
                .singleElement()
                .asString()
                .contains(".spec.flinkVersion");
        assertThat(flinkDeploymentSchema.validate(body)).isEmpty();
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

    // ---- the checks ---------------------------------------------------------------------------

    /** Everything wrong with the rendered documents, each prefixed by kind and name. */
    static List<String> violations(List<JsonNode> docs) {
        List<String> found = new ArrayList<>();
        for (JsonNode doc : docs) {
            String kind = doc.path("kind").asText();
            String where = kind + "/" + doc.at("/metadata/name").asText() + " ";
            List<String> problems = new ArrayList<>();
            var expected = KINDS.get(kind);
            if (expected == null) {
                found.add(where + "unexpected kind");
                continue;
            }
            if (!doc.path("apiVersion").asText().equals(expected.getKey())) {
                problems.add("apiVersion " + doc.path("apiVersion").asText());
            }
            JsonNode labels = doc.at("/metadata/labels");
            for (String label :
                    List.of(
                            "app.kubernetes.io/name",
                            "app.kubernetes.io/instance",
                            "helm.sh/chart")) {
                if (!labels.has(label)) {
                    problems.add("label " + label + " missing");
                }
            }
            if (kind.equals("FlinkDeployment")) {
                problems.addAll(flinkDeploymentViolations(doc));
            } else if (kind.equals("PodMonitor")) {
                problems.addAll(podMonitorViolations(doc));
            } else {
                Object model = Manifests.as(doc, expected.getValue());
                UnknownFields.of(model).forEach(f -> problems.add(f + ": unknown field"));
                if (model instanceof Deployment deployment) {
                    PodSpec spec = deployment.getSpec().getTemplate().getSpec();
                    problems.addAll(RestrictedPodSecurity.violations(spec));
                    spec.getContainers().forEach(c -> problems.addAll(containerViolations(c)));
                }
                if (model instanceof HasMetadata m && m.getMetadata().getNamespace() != null) {
                    problems.add("hard-coded namespace");
                }
            }
            problems.forEach(p -> found.add(where + p));
        }
        return found;
    }

    /**
     * The fields of a PodMonitor (monitoring.coreos.com/v1) the chart may use, nothing else: there
     * is no typed model of the Prometheus Operator's resources on the classpath, so the check walks
     * the tree against this closed list.
     */
    private static List<String> podMonitorViolations(JsonNode doc) {
        List<String> problems = new ArrayList<>();
        closedFields(doc, "", Set.of("apiVersion", "kind", "metadata", "spec"), problems);
        closedFields(doc.path("metadata"), ".metadata", Set.of("name", "labels"), problems);
        JsonNode spec = doc.path("spec");
        closedFields(spec, ".spec", Set.of("selector", "podMetricsEndpoints"), problems);
        closedFields(spec.path("selector"), ".spec.selector", Set.of("matchLabels"), problems);
        if (spec.at("/selector/matchLabels").size() == 0) {
            problems.add(".spec.selector.matchLabels: empty selects every pod");
        }
        if (spec.path("podMetricsEndpoints").size() == 0) {
            problems.add(".spec.podMetricsEndpoints: none");
        }
        for (JsonNode endpoint : spec.path("podMetricsEndpoints")) {
            closedFields(
                    endpoint,
                    ".spec.podMetricsEndpoints[]",
                    Set.of("port", "path", "interval"),
                    problems);
            if (!endpoint.path("port").isTextual()) {
                problems.add(".spec.podMetricsEndpoints[].port: a port name expected");
            }
            if (!endpoint.path("interval").asText().matches("[0-9]+(ms|s|m|h)")) {
                problems.add(".spec.podMetricsEndpoints[].interval: not a duration");
            }
        }
        return problems;
    }

    private static void closedFields(
            JsonNode node, String where, Set<String> allowed, List<String> problems) {
        node.fieldNames()
                .forEachRemaining(
                        f -> {
                            if (!allowed.contains(f)) {
                                problems.add(where + "." + f + ": unknown field");
                            }
                        });
    }

    private static List<String> flinkDeploymentViolations(JsonNode doc) {
        List<String> problems = new ArrayList<>();
        Iterator<String> fields = doc.fieldNames();
        while (fields.hasNext()) {
            String field = fields.next();
            if (!Set.of("apiVersion", "kind", "metadata", "spec").contains(field)) {
                problems.add("." + field + ": unexpected top-level field");
            }
        }
        ObjectNode body = Manifests.YAML.createObjectNode();
        body.set("spec", doc.get("spec"));
        problems.addAll(flinkDeploymentSchema.validate(body));
        JsonNode spec = doc.path("spec");
        problems.addAll(imageViolations(spec.path("image").asText()));
        for (String role : List.of("jobManager", "taskManager")) {
            JsonNode resource = spec.path(role).path("resource");
            if (resource.path("cpu").asDouble(0) <= 0
                    || resource.path("memory").asText().isEmpty()) {
                problems.add(role + ": resource cpu and memory must be set");
            }
            // The operator sets requests from resource and limits = requests x limit-factor.
            for (String kind : List.of("cpu", "memory")) {
                String key = "kubernetes." + role.toLowerCase() + "." + kind + ".limit-factor";
                if (!spec.path("flinkConfiguration").path(key).asText().equals("1.0")) {
                    problems.add(key + " not 1.0: limits differ from requests");
                }
            }
        }
        if (spec.has("podTemplate")) {
            Pod pod = Manifests.as(spec.get("podTemplate"), Pod.class);
            UnknownFields.of(pod).forEach(f -> problems.add("podTemplate" + f + ": unknown field"));
            problems.addAll(RestrictedPodSecurity.violations(pod.getSpec()));
        } else {
            problems.add("no podTemplate: the restricted security context is missing");
        }
        return problems;
    }

    private static List<String> containerViolations(Container container) {
        List<String> problems = new ArrayList<>(imageViolations(container.getImage()));
        ResourceRequirements resources = container.getResources();
        for (String resource : List.of("cpu", "memory")) {
            Map<String, Quantity> requests = resources == null ? Map.of() : resources.getRequests();
            Map<String, Quantity> limits = resources == null ? Map.of() : resources.getLimits();
            if (!requests.containsKey(resource) || !limits.containsKey(resource)) {
                problems.add(
                        "container "
                                + container.getName()
                                + ": "
                                + resource
                                + " request or limit missing");
            }
        }
        for (EnvVar var : container.getEnv()) {
            if (var.getName().matches(".*(PASSWORD|JAAS|SECRET).*") && var.getValue() != null) {
                problems.add(
                        "container " + container.getName() + ": env " + var.getName() + " inlined");
            }
        }
        return problems;
    }

    private static List<String> imageViolations(String image) {
        int colon = image.lastIndexOf(':');
        if (colon < 0 || image.substring(colon + 1).equals("latest") || image.contains("/:")) {
            return List.of("image " + image + " not pinned to a version tag");
        }
        return List.of();
    }

    @Test
    void aTopicRenamedInOnePlaceOnlyFailsTheCheck() {
        JsonNode renamedInTheChart =
                Manifests.find(
                        Manifests.parse(
                                render(Map.of("job.topics.sales-online", "sales-online-v2"))),
                        "FlinkDeployment");
        assertThat(topicProblems(renamedInTheChart, declaredTopics()))
                .anySatisfy(p -> assertThat(p).contains("sales-online-v2"));

        JsonNode asShipped = Manifests.find(Manifests.parse(render(Map.of())), "FlinkDeployment");
        Set<String> renamedInK8s = new TreeSet<>(declaredTopics());
        renamedInK8s.remove(Topics.REGION_TREND_1M);
        renamedInK8s.add("region-trend-one-minute");
        assertThat(topicProblems(asShipped, renamedInK8s))
                .anySatisfy(p -> assertThat(p).contains(Topics.REGION_TREND_1M));

        assertThat(topicProblems(asShipped, declaredTopics())).isEmpty();
    }

    /**
     * Topic names must agree in three places: the job's defaults ({@link Topics}), the chart's
     * {@code job.topics} (rendered as {@code --topic.<name> <value>}) and the KafkaTopics applied
     * from {@code k8s/topics/topics.yaml}.
     */
    static List<String> topicProblems(JsonNode flinkDeployment, Set<String> declared) {
        List<String> problems = new ArrayList<>();
        String[] args = args(flinkDeployment);
        Set<String> passed = new TreeSet<>();
        String prefix = "--" + JobConfig.TOPIC_PREFIX;
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith(prefix)) {
                continue;
            }
            String name = args[i].substring(prefix.length());
            String value = args[i + 1];
            passed.add(name);
            if (!Topics.ALL.contains(name)) {
                problems.add(args[i] + " is not a topic of the job (Topics.ALL)");
            }
            if (!value.equals(name)) {
                problems.add(args[i] + " " + value + " differs from the job's default " + name);
            }
            if (!declared.contains(value)) {
                problems.add(args[i] + " " + value + " is not a KafkaTopic in k8s/topics");
            }
        }
        for (String topic : Topics.ALL) {
            if (!passed.contains(topic)) {
                problems.add("the chart passes no --topic." + topic);
            }
            if (!declared.contains(topic)) {
                problems.add(topic + " (a job default) is not a KafkaTopic in k8s/topics");
            }
        }
        return problems;
    }

    /** The KafkaTopics of k8s/topics, as packaged for the local platform. */
    private static Set<String> declaredTopics() {
        return TopicDefinitions.load().stream()
                .map(TopicDefinition::name)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    // ---- helpers -----------------------------------------------------------------------------

    private static List<String> kinds(List<JsonNode> docs) {
        return docs.stream().map(d -> d.path("kind").asText()).toList();
    }

    private static String[] args(JsonNode flinkDeployment) {
        List<String> args = new ArrayList<>();
        flinkDeployment.at("/spec/job/args").forEach(a -> args.add(a.asText()));
        return args.toArray(String[]::new);
    }

    /** Named container ports of a pod: name to port number. */
    private static Map<String, Integer> namedPorts(PodSpec spec) {
        Map<String, Integer> ports = new HashMap<>();
        spec.getContainers()
                .forEach(
                        c ->
                                c.getPorts().stream()
                                        .filter(p -> p.getName() != null)
                                        .forEach(
                                                p -> ports.put(p.getName(), p.getContainerPort())));
        return ports;
    }

    private static Container seederContainer(List<JsonNode> docs) {
        return container(docs, "seeder");
    }

    private static Container container(List<JsonNode> docs, String component) {
        Deployment deployment =
                Manifests.as(Manifests.find(docs, "Deployment", component), Deployment.class);
        return deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
    }

    private static Map<String, String> env(Container container) {
        Map<String, String> env = new LinkedHashMap<>();
        container.getEnv().stream()
                .filter(e -> e.getValue() != null)
                .forEach(e -> env.put(e.getName(), e.getValue()));
        return env;
    }

    /** env name -> secret/key of every variable taken from a secret. */
    private static Map<String, String> secretRefs(Container container) {
        Map<String, String> refs = new LinkedHashMap<>();
        for (EnvVar var : container.getEnv()) {
            if (var.getValueFrom() != null && var.getValueFrom().getSecretKeyRef() != null) {
                var ref = var.getValueFrom().getSecretKeyRef();
                refs.put(var.getName(), ref.getName() + "/" + ref.getKey());
            }
        }
        return refs;
    }

    /** Path, inside {@code container}, of {@code key} of the chart's ConfigMap. */
    private static String mountedConfigMapFile(
            PodSpec spec, Container container, List<JsonNode> docs, String key) {
        ConfigMap configMap = Manifests.as(Manifests.find(docs, "ConfigMap"), ConfigMap.class);
        assertThat(configMap.getData()).containsKey(key);
        Volume volume =
                spec.getVolumes().stream()
                        .filter(
                                v ->
                                        v.getConfigMap() != null
                                                && v.getConfigMap()
                                                        .getName()
                                                        .equals(configMap.getMetadata().getName()))
                        .findFirst()
                        .orElseThrow(() -> new AssertionError("ConfigMap not mounted"));
        return mountPath(container, spec, volume.getName(), volume.getName()) + "/" + key;
    }

    private static String mountPath(
            Container container, PodSpec spec, String volumeName, String what) {
        assertThat(spec.getVolumes()).extracting(Volume::getName).contains(volumeName);
        return container.getVolumeMounts().stream()
                .filter(m -> m.getName().equals(volumeName))
                .map(VolumeMount::getMountPath)
                .findFirst()
                .orElseThrow(
                        () -> new AssertionError(what + " not mounted in " + container.getName()));
    }

    private static List<String> verbs(Role role, String apiGroup, String resource) {
        return role.getRules().stream()
                .filter(
                        r ->
                                r.getApiGroups().contains(apiGroup)
                                        && r.getResources().contains(resource))
                .map(PolicyRule::getVerbs)
                .flatMap(List::stream)
                .toList();
    }

    private static NetworkPolicy networkPolicy(List<JsonNode> docs, String name) {
        return docs.stream()
                .filter(
                        d ->
                                d.path("kind").asText().equals("NetworkPolicy")
                                        && d.at("/metadata/name").asText().equals(name))
                .map(d -> Manifests.as(d, NetworkPolicy.class))
                .findFirst()
                .orElseThrow();
    }

    private static Map<String, Object> ordered(Object... keysAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }
}

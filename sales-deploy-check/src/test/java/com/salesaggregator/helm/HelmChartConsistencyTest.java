package com.salesaggregator.helm;

import static com.salesaggregator.helm.ChartChecks.JAR_URI;
import static com.salesaggregator.helm.ChartChecks.OTHER_VALUES;
import static com.salesaggregator.helm.ChartChecks.args;
import static com.salesaggregator.helm.ChartChecks.container;
import static com.salesaggregator.helm.ChartChecks.declaredTopics;
import static com.salesaggregator.helm.ChartChecks.env;
import static com.salesaggregator.helm.ChartChecks.mountPath;
import static com.salesaggregator.helm.ChartChecks.mountedConfigMapFile;
import static com.salesaggregator.helm.ChartChecks.namedPorts;
import static com.salesaggregator.helm.ChartChecks.ordered;
import static com.salesaggregator.helm.ChartChecks.render;
import static com.salesaggregator.helm.ChartChecks.secretRefs;
import static com.salesaggregator.helm.ChartChecks.seederContainer;
import static com.salesaggregator.helm.ChartChecks.topicProblems;
import static com.salesaggregator.helm.ChartChecks.violations;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.salesaggregator.dashboard.Dashboard;
import com.salesaggregator.dashboard.DashboardConfig;
import com.salesaggregator.job.JobConfig;
import com.salesaggregator.job.SalesAggregationJob;
import com.salesaggregator.seeder.Seeder;
import com.salesaggregator.testkit.GrafanaDashboard;
import com.salesaggregator.topics.Topic;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.IOException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The Helm chart agrees with the programs it deploys: the job's arguments parse as its options and
 * name the declared topics, the seeder's and the dashboard's settings are options they know, the
 * monitoring selects the ports that exist and Grafana queries only exported metrics.
 */
class HelmChartConsistencyTest {

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
        assertThat(config.topic(Topic.SALES_DLQ.topicName())).isEqualTo("my-dlq");
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
        renamedInK8s.remove(Topic.REGION_TREND_1M.topicName());
        renamedInK8s.add("region-trend-one-minute");
        assertThat(topicProblems(asShipped, renamedInK8s))
                .anySatisfy(p -> assertThat(p).contains(Topic.REGION_TREND_1M.topicName()));

        assertThat(topicProblems(asShipped, declaredTopics())).isEmpty();
    }
}

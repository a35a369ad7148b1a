package com.salesaggregator.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import com.salesaggregator.job.JobConfig;
import com.salesaggregator.k8s.K8sStrictModel;
import com.salesaggregator.topics.Topic;
import com.salesaggregator.topics.TopicDefinition;
import com.salesaggregator.topics.TopicDefinitions;
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
import io.strimzi.api.kafka.model.topic.KafkaTopic;
import io.strimzi.api.kafka.model.user.KafkaUser;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The Helm chart rendered in-process and the checks every rendering must pass: manifests that parse
 * without unknown fields (fabric8 models; the operator's FlinkDeployment CRD schema, closed), the
 * restricted Pod Security Standard, pinned images, topics that agree with the KafkaTopic files; and
 * the small readers the chart's tests share.
 */
final class ChartChecks {

    private ChartChecks() {}

    static final Path CHART = Path.of("helm", "sales-aggregator");
    static final String RELEASE = "sales-aggregator";
    static final String NAMESPACE = "sales";
    // What kind (kindest/node) runs in Strimzi's CI; helm template defaults to an old 1.20.
    static final String KUBE_VERSION = "1.35.0";
    static final String FLINK_CRD = "META-INF/fabric8/flinkdeployments.flink.apache.org-v1.yml";
    static final String JAR_URI = "local:///opt/flink/usrlib/sales-aggregator.jar";
    static final Pattern INLINE_SECRET =
            Pattern.compile("(?i)(password|jaas\\.config)\\s*[:=][ \\t]*(?!\\$\\{env:)\\S");

    /** Kinds the chart may render, with their pinned API versions and model classes. */
    static final Map<String, Map.Entry<String, Class<?>>> KINDS =
            Map.ofEntries(
                    Map.entry("ConfigMap", Map.entry("v1", ConfigMap.class)),
                    Map.entry("ServiceAccount", Map.entry("v1", ServiceAccount.class)),
                    Map.entry("Role", Map.entry("rbac.authorization.k8s.io/v1", Role.class)),
                    Map.entry(
                            "RoleBinding",
                            Map.entry("rbac.authorization.k8s.io/v1", RoleBinding.class)),
                    Map.entry(
                            "NetworkPolicy",
                            Map.entry("networking.k8s.io/v1", NetworkPolicy.class)),
                    Map.entry("Deployment", Map.entry("apps/v1", Deployment.class)),
                    Map.entry("Service", Map.entry("v1", Service.class)),
                    Map.entry("PodMonitor", Map.entry("monitoring.coreos.com/v1", Object.class)),
                    Map.entry(
                            "FlinkDeployment", Map.entry("flink.apache.org/v1beta1", Object.class)),
                    // A backfill's topics and user (backfill.enabled).
                    Map.entry("KafkaTopic", Map.entry("kafka.strimzi.io/v1", KafkaTopic.class)),
                    Map.entry("KafkaUser", Map.entry("kafka.strimzi.io/v1", KafkaUser.class)));

    /** The operator's FlinkDeployment schema, closed, with the one enum value the chart needs. */
    static final CrdSchemaValidator FLINK_DEPLOYMENT_SCHEMA = loadFlinkDeploymentSchema();

    private static CrdSchemaValidator loadFlinkDeploymentSchema() {
        CrdSchemaValidator schema;
        try {
            schema = CrdSchemaValidator.closed(flinkDeploymentOpenApiSchema());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // The newest operator API on Maven Central (1.10.0) lists flinkVersion up to v1_20; the
        // operator we deploy, 1.15.0, adds v2_0..v2_2 and supports Flink 2.2 (its release notes
        // and CRD). Extend the enum by exactly the version the chart uses, nothing more.
        schema.extendEnum("v2_2", "spec", "flinkVersion");
        return schema;
    }

    static JsonNode flinkDeploymentOpenApiSchema() throws IOException {
        try (InputStream in = ChartChecks.class.getClassLoader().getResourceAsStream(FLINK_CRD)) {
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

    static String render(Map<String, Object> values) {
        TemplateCommand template =
                new Helm(CHART)
                        .template()
                        .withName(RELEASE)
                        .withNamespace(NAMESPACE)
                        .withKubeVersion(KUBE_VERSION);
        values.forEach(template::set);
        return template.call();
    }

    static final Map<String, Object> OTHER_VALUES =
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
            } else if (expected.getValue().getName().startsWith("io.strimzi.")) {
                problems.addAll(strimziViolations(doc));
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
    static List<String> podMonitorViolations(JsonNode doc) {
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

    /**
     * A Strimzi resource, strictly (Strimzi's model: unknown fields, values it did not understand),
     * of a Strimzi cluster, in the release's namespace.
     */
    static List<String> strimziViolations(JsonNode doc) {
        List<String> problems = new ArrayList<>();
        try {
            K8sStrictModel.parse(Manifests.YAML.writeValueAsString(doc), "chart")
                    .forEach(d -> problems.addAll(d.problems()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (doc.at("/metadata/labels/strimzi.io~1cluster").asText().isEmpty()) {
            problems.add("label strimzi.io/cluster missing");
        }
        if (doc.at("/metadata/namespace").isTextual()) {
            problems.add("hard-coded namespace");
        }
        return problems;
    }

    static void closedFields(
            JsonNode node, String where, Set<String> allowed, List<String> problems) {
        node.fieldNames()
                .forEachRemaining(
                        f -> {
                            if (!allowed.contains(f)) {
                                problems.add(where + "." + f + ": unknown field");
                            }
                        });
    }

    static List<String> flinkDeploymentViolations(JsonNode doc) {
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
        problems.addAll(FLINK_DEPLOYMENT_SCHEMA.validate(body));
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

    static List<String> containerViolations(Container container) {
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

    static List<String> imageViolations(String image) {
        int colon = image.lastIndexOf(':');
        if (colon < 0 || image.substring(colon + 1).equals("latest") || image.contains("/:")) {
            return List.of("image " + image + " not pinned to a version tag");
        }
        return List.of();
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
            if (!Topic.names().contains(name)) {
                problems.add(args[i] + " is not a topic of the job (Topic.names())");
            }
            if (!value.equals(name)) {
                problems.add(args[i] + " " + value + " differs from the job's default " + name);
            }
            if (!declared.contains(value)) {
                problems.add(args[i] + " " + value + " is not a KafkaTopic in k8s/topics");
            }
        }
        for (String topic : Topic.names()) {
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
    static Set<String> declaredTopics() {
        return TopicDefinitions.load().stream()
                .map(TopicDefinition::name)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    // ---- helpers -----------------------------------------------------------------------------

    static List<String> kinds(List<JsonNode> docs) {
        return docs.stream().map(d -> d.path("kind").asText()).toList();
    }

    static String[] args(JsonNode flinkDeployment) {
        List<String> args = new ArrayList<>();
        flinkDeployment.at("/spec/job/args").forEach(a -> args.add(a.asText()));
        return args.toArray(String[]::new);
    }

    /** Named container ports of a pod: name to port number. */
    static Map<String, Integer> namedPorts(PodSpec spec) {
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

    static Container seederContainer(List<JsonNode> docs) {
        return container(docs, "seeder");
    }

    static Container container(List<JsonNode> docs, String component) {
        Deployment deployment =
                Manifests.as(Manifests.find(docs, "Deployment", component), Deployment.class);
        return deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
    }

    static Map<String, String> env(Container container) {
        Map<String, String> env = new LinkedHashMap<>();
        container.getEnv().stream()
                .filter(e -> e.getValue() != null)
                .forEach(e -> env.put(e.getName(), e.getValue()));
        return env;
    }

    /** env name -> secret/key of every variable taken from a secret. */
    static Map<String, String> secretRefs(Container container) {
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
    static String mountedConfigMapFile(
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

    static String mountPath(Container container, PodSpec spec, String volumeName, String what) {
        assertThat(spec.getVolumes()).extracting(Volume::getName).contains(volumeName);
        return container.getVolumeMounts().stream()
                .filter(m -> m.getName().equals(volumeName))
                .map(VolumeMount::getMountPath)
                .findFirst()
                .orElseThrow(
                        () -> new AssertionError(what + " not mounted in " + container.getName()));
    }

    static List<String> verbs(Role role, String apiGroup, String resource) {
        return role.getRules().stream()
                .filter(
                        r ->
                                r.getApiGroups().contains(apiGroup)
                                        && r.getResources().contains(resource))
                .map(PolicyRule::getVerbs)
                .flatMap(List::stream)
                .toList();
    }

    static NetworkPolicy networkPolicy(List<JsonNode> docs, String name) {
        return docs.stream()
                .filter(
                        d ->
                                d.path("kind").asText().equals("NetworkPolicy")
                                        && d.at("/metadata/name").asText().equals(name))
                .map(d -> Manifests.as(d, NetworkPolicy.class))
                .findFirst()
                .orElseThrow();
    }

    static Map<String, Object> ordered(Object... keysAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }
}

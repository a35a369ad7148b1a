package com.salesaggregator.helm;

import static com.salesaggregator.helm.ChartChecks.args;
import static com.salesaggregator.helm.ChartChecks.kinds;
import static com.salesaggregator.helm.ChartChecks.networkPolicy;
import static com.salesaggregator.helm.ChartChecks.ordered;
import static com.salesaggregator.helm.ChartChecks.render;
import static com.salesaggregator.helm.ChartChecks.violations;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.marcnuri.helm.Helm;
import com.salesaggregator.helm.NetworkPolicyAccess.Pod;
import com.salesaggregator.job.JobConfig;
import com.salesaggregator.job.SalesAggregationJob;
import com.salesaggregator.job.SalesJobOptions;
import com.salesaggregator.k8s.K8sStrictModel;
import com.salesaggregator.k8s.KafkaAcls;
import com.salesaggregator.topics.Topic;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.strimzi.api.kafka.model.topic.KafkaTopic;
import io.strimzi.api.kafka.model.user.KafkaUser;
import io.strimzi.api.kafka.model.user.KafkaUserScramSha512ClientAuthentication;
import io.strimzi.api.kafka.model.user.acl.AclRule;
import io.strimzi.api.kafka.model.user.acl.AclRuleGroupResource;
import io.strimzi.api.kafka.model.user.acl.AclRuleTopicResource;
import io.strimzi.api.kafka.model.user.acl.AclRuleTransactionalIdResource;
import io.strimzi.api.kafka.model.user.acl.AclRuleType;
import io.strimzi.api.kafka.model.user.acl.StrimziAclOperation;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chart's backfill (values {@code backfill.*}): disabled, nothing of it renders; enabled, a
 * second FlinkDeployment of the same job, bounded and stateless, with its own state paths, group
 * and transactional ids and the live one's restricted pods and network rules; KafkaTopics for the
 * seven suffixed outputs that match the live topics of {@code k8s/topics/topics.yaml}; and a
 * KafkaUser whose ACLs are exactly the live job's ({@code k8s/kafka-users.yaml}) under the
 * backfill's own names: it can read the inputs and write only the suffixed outputs.
 */
class BackfillChartTest {

    private static final String FROM = "2026-12-01T00:00:00Z";
    private static final String TO = "2026-12-02T00:00:00Z";
    private static final String SUFFIX = ".backfill";
    private static final String ID = "sales-backfill";
    private static final Map<String, Object> BACKFILL =
            ordered("backfill.enabled", true, "backfill.from", FROM, "backfill.to", TO);

    // The job's own topic lists: the chart's (_helpers.tpl inputTopics, outputTopics) must match.
    private static final List<String> INPUTS =
            Topic.inputs().stream().map(Topic::topicName).toList();
    private static final List<String> OUTPUTS =
            Topic.outputs().stream().map(Topic::topicName).toList();

    @TempDir Path dir;

    // ---- off by default

    @Test
    void disabledByDefaultRendersNothingOfTheBackfill() throws Exception {
        JsonNode values =
                Manifests.YAML.readTree(ChartChecks.CHART.resolve("values.yaml").toFile());
        assertThat(values.at("/backfill/enabled").asBoolean(true)).isFalse();
        String rendered = render(Map.of());
        List<JsonNode> docs = Manifests.parse(rendered);

        assertThat(kinds(docs)).containsOnlyOnce("FlinkDeployment");
        assertThat(kinds(docs)).doesNotContain("KafkaTopic", "KafkaUser");
        assertThat(rendered).doesNotContain("backfill");
        assertThat(renderWithHooks(Map.of())).doesNotContain("backfill");
    }

    // ---- enabled

    @Test
    void backfillRenderingPassesEveryCheck() {
        List<JsonNode> docs = Manifests.parse(render(with(BACKFILL, "monitoring.enabled", true)));

        assertThat(violations(docs)).isEmpty();
        assertThat(kinds(docs).stream().filter("FlinkDeployment"::equals)).hasSize(2);
        assertThat(kinds(docs).stream().filter("KafkaTopic"::equals)).hasSize(7);
        assertThat(kinds(docs).stream().filter("KafkaUser"::equals)).hasSize(1);
        assertThat(Manifests.find(docs, "PodMonitor", "flink-backfill").at("/spec/selector"))
                .hasToString(
                        Manifests.find(docs, "FlinkDeployment", "flink-backfill")
                                .at("/spec/podTemplate/metadata")
                                .toString()
                                .replace("\"labels\"", "\"matchLabels\""));
    }

    @Test
    void backfillIsTheLiveJobBoundedStatelessWithItsOwnStateAndCredentials() {
        List<JsonNode> docs = Manifests.parse(render(BACKFILL));
        JsonNode live = Manifests.find(docs, "FlinkDeployment", "flink");
        JsonNode backfill = Manifests.find(docs, "FlinkDeployment", "flink-backfill");

        assertThat(backfill.at("/metadata/name").asText()).isEqualTo("sales-aggregator-backfill");
        for (String same :
                List.of(
                        "/spec/image",
                        "/spec/imagePullPolicy",
                        "/spec/flinkVersion",
                        "/spec/serviceAccount",
                        "/spec/jobManager",
                        "/spec/taskManager",
                        "/spec/job/jarURI",
                        "/spec/job/entryClass",
                        "/spec/job/parallelism",
                        "/spec/podTemplate/spec/securityContext",
                        "/spec/podTemplate/spec/volumes",
                        "/spec/podTemplate/spec/containers/0/securityContext",
                        "/spec/podTemplate/spec/containers/0/volumeMounts",
                        "/spec/podTemplate/spec/containers/0/ports")) {
            assertThat(live.at(same).isMissingNode()).as(same).isFalse();
            assertThat(backfill.at(same)).as(same).isEqualTo(live.at(same));
        }
        assertThat(live.at("/spec/job/upgradeMode").asText()).isEqualTo("savepoint");
        assertThat(backfill.at("/spec/job/upgradeMode").asText()).isEqualTo("stateless");

        // The live job's Flink settings, but state of its own.
        Map<String, String> liveConf = settings(live);
        Map<String, String> conf = settings(backfill);
        assertThat(conf.keySet()).isEqualTo(liveConf.keySet());
        Set<String> paths =
                Set.of(
                        "state.checkpoints.dir",
                        "state.savepoints.dir",
                        "high-availability.storageDir");
        liveConf.forEach(
                (key, value) -> {
                    if (paths.contains(key)) {
                        assertThat(conf.get(key))
                                .as(key)
                                .startsWith("file:///flink-state/sales-aggregator-backfill/")
                                .isEqualTo(
                                        value.replace(
                                                "/flink-state/sales-aggregator/",
                                                "/flink-state/sales-aggregator-backfill/"));
                    } else {
                        assertThat(conf.get(key)).as(key).isEqualTo(value);
                    }
                });

        // Its own KafkaUser's secret, the same client properties and cluster CA.
        Container container =
                Manifests.as(
                                backfill.at("/spec/podTemplate"),
                                io.fabric8.kubernetes.api.model.Pod.class)
                        .getSpec()
                        .getContainers()
                        .getFirst();
        assertThat(ChartChecks.secretRefs(container))
                .containsEntry("KAFKA_SASL_JAAS_CONFIG", ID + "/sasl.jaas.config")
                .containsEntry(
                        "KAFKA_TRUSTSTORE_PASSWORD", "sales-kafka-cluster-ca-cert/ca.password");
    }

    @Test
    void jobArgsCarryTheRangeAndAGroupAndTransactionalIdsOfTheirOwn() {
        List<JsonNode> docs =
                Manifests.parse(
                        render(
                                with(
                                        BACKFILL,
                                        "job.options.group-id",
                                        "live-group",
                                        "job.options.starting-offsets",
                                        "earliest",
                                        "job.options.allowed-lateness",
                                        "2m")));
        String[] liveArgs = args(Manifests.find(docs, "FlinkDeployment", "flink"));
        String[] backfillArgs = args(Manifests.find(docs, "FlinkDeployment", "flink-backfill"));
        Map<String, List<String>> options = options(backfillArgs);

        assertThat(options)
                .containsEntry("backfill-from", List.of(FROM))
                .containsEntry("backfill-to", List.of(TO))
                .containsEntry("backfill-suffix", List.of(SUFFIX))
                .containsEntry("group-id", List.of(ID))
                .containsEntry("transactional-id-prefix", List.of(ID))
                // The live job's other options apply; its starting offsets do not.
                .containsEntry("allowed-lateness", List.of("2m"))
                .doesNotContainKey("starting-offsets");
        // Every other argument is the live job's, and the job accepts them.
        Map<String, List<String>> common = new LinkedHashMap<>(options);
        List.of("backfill-from", "backfill-to", "backfill-suffix").forEach(common::remove);
        Map<String, List<String>> liveOptions = options(liveArgs);
        liveOptions.remove("starting-offsets");
        liveOptions.remove("group-id");
        common.remove("group-id");
        common.remove("transactional-id-prefix");
        assertThat(common).isEqualTo(liveOptions);
        JobConfig backfill = SalesAggregationJob.parse(withoutBackfillRange(backfillArgs));
        JobConfig liveJob = SalesAggregationJob.parse(liveArgs);
        assertThat(backfill.groupId()).isEqualTo(ID).isNotEqualTo(liveJob.groupId());
        assertThat(backfill.transactionalIdPrefix("t"))
                .doesNotStartWith(liveJob.transactionalIdPrefix(""));
        assertThat(liveJob.transactionalIdPrefix("t"))
                .doesNotStartWith(backfill.transactionalIdPrefix(""));
    }

    @Test
    void suffixedTopicsAreTheLiveTopicsDefinitions() {
        List<JsonNode> docs = Manifests.parse(render(BACKFILL));

        assertThat(topicProblems(docs, SUFFIX)).isEmpty();
        assertThat(
                        topicProblems(
                                Manifests.parse(render(with(BACKFILL, "backfill.suffix", "-b2"))),
                                "-b2"))
                .isEmpty();
    }

    @Test
    void aSuffixedTopicThatDiffersFromTheLiveOneIsCaught() {
        List<JsonNode> docs = Manifests.parse(render(BACKFILL));
        JsonNode topic = topic(docs, "sales-late" + SUFFIX);
        ((ObjectNode) topic.at("/spec")).put("partitions", 1);
        ((ObjectNode) topic.at("/spec/config")).put("retention.ms", 1000);

        assertThat(topicProblems(docs, SUFFIX))
                .anySatisfy(
                        p -> assertThat(p).contains("sales-late.backfill").contains("partitions"))
                .anySatisfy(p -> assertThat(p).contains("sales-late.backfill").contains("config"));
    }

    @Test
    void kafkaUserHasExactlyTheLiveJobsRightsUnderTheBackfillsNames() {
        KafkaUser user = backfillUser(Manifests.parse(render(BACKFILL)));

        assertThat(user.getMetadata().getName()).isEqualTo(ID);
        assertThat(user.getMetadata().getLabels())
                .containsEntry("strimzi.io/cluster", kafkaClusterName());
        assertThat(user.getSpec().getAuthentication())
                .isInstanceOf(KafkaUserScramSha512ClientAuthentication.class);
        assertThat(rules(user)).isEqualTo(expectedRules(liveUser(), SUFFIX));
        assertThat(aclProblems(user, SUFFIX)).isEmpty();
    }

    @Test
    void aclsThatWouldWriteALiveOutputOrReadBeyondTheInputsAreCaught() {
        // Each edit of the rendered KafkaUser grants one thing too many (or too few).
        Map<String, Object> edits =
                ordered(
                        "may write the live output revenue-per-product",
                        "topic|revenue-per-product|literal|Write",
                        "may read the output revenue-per-product.backfill",
                        "topic|revenue-per-product.backfill|literal|Read",
                        "may read sales-late",
                        "topic|sales-late|prefix|Read",
                        "may write the input sales-online",
                        "topic|sales-online|literal|Write",
                        "may read in the live job's group",
                        "group|sales-aggregator|literal|Read",
                        "may use the live job's transactional id",
                        "transactionalId|sales-aggregator-|prefix|Write",
                        "has cluster operation",
                        "cluster||literal|IdempotentWrite",
                        "wildcard resource",
                        "topic|*|literal|Describe");
        edits.forEach(
                (problem, rule) -> {
                    List<JsonNode> docs = Manifests.parse(render(BACKFILL));
                    addRule(Manifests.find(docs, "KafkaUser"), rule.toString().split("\\|", -1));
                    assertThat(aclProblems(backfillUser(docs), SUFFIX))
                            .as(rule.toString())
                            .anySatisfy(p -> assertThat(p).contains(problem));
                    assertThat(rules(backfillUser(docs)))
                            .as(rule.toString())
                            .isNotEqualTo(expectedRules(liveUser(), SUFFIX));
                });

        List<JsonNode> docs = Manifests.parse(render(BACKFILL));
        ((ArrayNode) Manifests.find(docs, "KafkaUser").at("/spec/authorization/acls")).remove(0);
        assertThat(aclProblems(backfillUser(docs), SUFFIX))
                .anySatisfy(p -> assertThat(p).contains("lacks").contains("on topic sales-online"));
    }

    @Test
    void backfillPodsAreAdmittedAsTheLiveOnesAndIsolatedFromThem() {
        List<JsonNode> docs = Manifests.parse(render(BACKFILL));
        JsonNode backfill = Manifests.find(docs, "FlinkDeployment", "flink-backfill");
        List<NetworkPolicy> policies =
                docs.stream()
                        .filter(d -> d.path("kind").asText().equals("NetworkPolicy"))
                        .map(d -> Manifests.as(d, NetworkPolicy.class))
                        .toList();

        // JobManager and TaskManagers of the backfill reach each other on every Flink port.
        assertThat(FlinkNetworkPolicyTest.blockedFlinkPorts(docs, backfill)).isEmpty();
        assertThat(
                        FlinkNetworkPolicyTest.blockedFlinkPorts(
                                docs, Manifests.find(docs, "FlinkDeployment", "flink")))
                .isEmpty();
        Pod backfillJm = flinkPod(backfill, "jobmanager");
        Pod liveJm = flinkPod(Manifests.find(docs, "FlinkDeployment", "flink"), "jobmanager");
        Pod operator =
                new Pod(
                        "flink-operator",
                        Map.of("app.kubernetes.io/name", "flink-kubernetes-operator"));
        Pod prometheus = new Pod(Chart.NAMESPACE, Map.of("app", "prometheus"));
        // The operator reaches its REST API, Prometheus its reporter, as for the live job.
        assertThat(NetworkPolicyAccess.allows(policies, operator, backfillJm, 8081)).isTrue();
        assertThat(NetworkPolicyAccess.allows(policies, prometheus, backfillJm, 9249)).isTrue();
        // The two jobs' pods do not talk to each other.
        assertThat(NetworkPolicyAccess.allows(policies, liveJm, backfillJm, 6123)).isFalse();
        assertThat(NetworkPolicyAccess.allows(policies, backfillJm, liveJm, 6123)).isFalse();
        assertThat(networkPolicy(docs, "sales-aggregator-flink-backfill")).isNotNull();
        // The Kafka listener admits pods by the chart's name label (k8s/kafka-cluster.yaml).
        assertThat(backfillJm.labels())
                .containsEntry(
                        "app.kubernetes.io/name", liveJm.labels().get("app.kubernetes.io/name"));
    }

    @Test
    void aBadRangeOrSuffixIsRefusedNamingTheValue() {
        assertThatThrownBy(() -> render(with(BACKFILL, "backfill.from", TO)))
                .hasMessageContaining("backfill.from (" + TO + ") must be before backfill.to");
        assertThatThrownBy(() -> render(Map.of("backfill.enabled", true, "backfill.to", TO)))
                .hasMessageContaining("/backfill/from");
        assertThatThrownBy(() -> render(with(BACKFILL, "backfill.to", "2026-12-02")))
                .hasMessageContaining("/backfill/to");
        assertThatThrownBy(() -> render(with(BACKFILL, "backfill.suffix", "")))
                .hasMessageContaining("/backfill/suffix");
        assertThatThrownBy(() -> render(with(BACKFILL, "backfill.suffix", "_Backfill")))
                .hasMessageContaining("/backfill/suffix");
        // Offsets and fractions are instants too.
        assertThat(
                        render(
                                with(
                                        BACKFILL,
                                        "backfill.from",
                                        "2026-12-01T00:00:00+01:00",
                                        "backfill.to",
                                        "2026-12-01T00:00:00.5Z")))
                .contains("--backfill-from");
    }

    @Test
    void figureCheckOfTheBackfillIsASecondTestHookOverTheSuffixedOutputs() {
        List<JsonNode> docs = Manifests.parse(renderWithHooks(BACKFILL));
        JsonNode hook = Manifests.find(docs, "Pod", "figure-check-backfill");
        io.fabric8.kubernetes.api.model.Pod pod =
                Manifests.as(hook, io.fabric8.kubernetes.api.model.Pod.class);

        assertThat(hook.at("/metadata/name").asText())
                .isEqualTo("sales-aggregator-figure-check-backfill");
        assertThat(RestrictedPodSecurity.violations(pod.getSpec())).isEmpty();
        List<String> command = pod.getSpec().getContainers().getFirst().getCommand();
        assertThat(String.join(" ", command))
                .contains("com.salesaggregator.verify.FigureCheck")
                .endsWith("--suffix " + SUFFIX + " --from " + FROM + " --to " + TO);
        assertThat(Manifests.find(docs, "Pod", "figure-check").toString())
                .doesNotContain("--suffix");
    }

    // ---- the checks

    /**
     * The rendered suffixed KafkaTopics against {@code k8s/topics/topics.yaml}: one per output,
     * named {@code <output><suffix>}, with the live topic's partitions, replicas, config and
     * cluster; no live topic among them.
     */
    static List<String> topicProblems(List<JsonNode> docs, String suffix) {
        Map<String, KafkaTopic> live = new LinkedHashMap<>();
        K8sStrictModel.read(Path.of("k8s", "topics", "topics.yaml"), "k8s/topics/topics.yaml")
                .forEach(d -> live.put(d.name(), d.as(KafkaTopic.class)));
        List<String> problems = new ArrayList<>();
        Set<String> rendered = new TreeSet<>();
        for (JsonNode doc : docs) {
            if (doc.path("kind").asText().equals("KafkaTopic")) {
                rendered.add(doc.at("/metadata/name").asText());
            }
        }
        Set<String> expected =
                OUTPUTS.stream()
                        .map(o -> o + suffix)
                        .collect(Collectors.toCollection(TreeSet::new));
        if (!rendered.equals(expected)) {
            problems.add("KafkaTopics " + rendered + ", expected " + expected);
        }
        for (String output : OUTPUTS) {
            KafkaTopic want = live.get(output);
            if (want == null) {
                problems.add(output + " is not a KafkaTopic in k8s/topics/topics.yaml");
                continue;
            }
            String name = output + suffix;
            if (!rendered.contains(name)) {
                continue;
            }
            KafkaTopic got = Manifests.as(topic(docs, name), KafkaTopic.class);
            if (!want.getSpec().getPartitions().equals(got.getSpec().getPartitions())) {
                problems.add(name + ": partitions " + got.getSpec().getPartitions());
            }
            if (!want.getSpec().getReplicas().equals(got.getSpec().getReplicas())) {
                problems.add(name + ": replicas " + got.getSpec().getReplicas());
            }
            if (!strings(want.getSpec().getConfig()).equals(strings(got.getSpec().getConfig()))) {
                problems.add(
                        name
                                + ": config "
                                + got.getSpec().getConfig()
                                + ", live "
                                + want.getSpec().getConfig());
            }
            if (got.getSpec().getTopicName() != null) {
                problems.add(name + ": spec.topicName would rename it");
            }
            String cluster = want.getMetadata().getLabels().get("strimzi.io/cluster");
            if (!cluster.equals(got.getMetadata().getLabels().get("strimzi.io/cluster"))) {
                problems.add(name + ": not of the cluster " + cluster);
            }
        }
        rendered.stream()
                .filter(live::containsKey)
                .forEach(t -> problems.add(t + " is a live topic"));
        return problems;
    }

    /**
     * Least privilege of the backfill's KafkaUser, by what Kafka's authorizer would allow: what the
     * bounded job needs (read the inputs in its group, write the suffixed outputs in transactions
     * under its prefix), and nothing that touches the live job (its outputs, group, transactional
     * ids), no reading beyond the inputs, no cluster-wide rights beyond the live user's.
     */
    static List<String> aclProblems(KafkaUser user, String suffix) {
        List<String> problems = new ArrayList<>();
        JobConfig job =
                JobConfig.from(
                        Map.of(
                                SalesJobOptions.GROUP_ID.key(), ID,
                                SalesJobOptions.TRANSACTIONAL_ID_PREFIX.key(), ID));
        JobConfig liveJob = JobConfig.defaults();
        for (String input : INPUTS) {
            need(problems, user, "topic", input, StrimziAclOperation.READ);
            need(problems, user, "topic", input, StrimziAclOperation.DESCRIBE);
            forbid(
                    problems,
                    user,
                    "topic",
                    input,
                    StrimziAclOperation.WRITE,
                    "may write the input " + input);
        }
        need(problems, user, "group", job.groupId(), StrimziAclOperation.READ);
        forbid(
                problems,
                user,
                "group",
                liveJob.groupId(),
                StrimziAclOperation.READ,
                "may read in the live job's group");
        for (String output : OUTPUTS) {
            String topic = output + suffix;
            need(problems, user, "topic", topic, StrimziAclOperation.WRITE);
            need(problems, user, "topic", topic, StrimziAclOperation.DESCRIBE);
            // KafkaSink appends -<subtask>-<checkpoint> to the prefix it is given.
            String transactionalId = job.transactionalIdPrefix(topic) + "-0-1";
            need(problems, user, "transactionalId", transactionalId, StrimziAclOperation.WRITE);
            need(problems, user, "transactionalId", transactionalId, StrimziAclOperation.DESCRIBE);
            forbid(
                    problems,
                    user,
                    "topic",
                    output,
                    StrimziAclOperation.WRITE,
                    "may write the live output " + output);
            forbid(problems, user, "topic", output, StrimziAclOperation.READ, "may read " + output);
            forbid(
                    problems,
                    user,
                    "topic",
                    topic,
                    StrimziAclOperation.READ,
                    "may read the output " + topic);
            forbid(
                    problems,
                    user,
                    "transactionalId",
                    liveJob.transactionalIdPrefix(output) + "-0-1",
                    StrimziAclOperation.WRITE,
                    "may use the live job's transactional id");
        }
        for (AclRule rule : KafkaAcls.acls(user)) {
            String resource = rule.getResource().getType() + " " + KafkaAcls.resourceName(rule);
            if ("*".equals(KafkaAcls.resourceName(rule))) {
                problems.add(resource + ": wildcard resource");
            }
            if (rule.getType() == AclRuleType.DENY) {
                problems.add(resource + ": deny rules hide what is granted");
            }
            // The live user has no cluster-wide rights; neither may the backfill's.
            if (rule.getResource().getType().equals("cluster")) {
                rule.getOperations().forEach(op -> problems.add("has cluster operation " + op));
            }
            for (StrimziAclOperation op : rule.getOperations()) {
                if (!Set.of(
                                StrimziAclOperation.READ,
                                StrimziAclOperation.WRITE,
                                StrimziAclOperation.DESCRIBE)
                        .contains(op)) {
                    problems.add(resource + ": operation " + op);
                }
            }
            // Reads only the inputs (and its group).
            if (rule.getOperations().contains(StrimziAclOperation.READ)
                    && rule.getResource() instanceof AclRuleTopicResource topic
                    && !INPUTS.contains(topic.getName())) {
                problems.add("may read " + topic.getName());
            }
        }
        return problems;
    }

    /** The live job's KafkaUser's rules with the backfill's names: the backfill's exact rights. */
    static Set<String> expectedRules(KafkaUser live, String suffix) {
        Set<String> rules = new TreeSet<>();
        JobConfig liveJob = JobConfig.defaults();
        for (AclRule rule : KafkaAcls.acls(live)) {
            String name = KafkaAcls.resourceName(rule);
            String type = rule.getResource().getType();
            if (type.equals("topic") && OUTPUTS.contains(name)) {
                name = name + suffix;
            } else if (type.equals("group") && name.equals(liveJob.groupId())) {
                name = ID;
            } else if (type.equals("transactionalId")
                    && name.equals(liveJob.transactionalIdPrefix(""))) {
                name = ID + "-";
            }
            rules.add(rule(type, name, patternType(rule), rule));
        }
        return rules;
    }

    static Set<String> rules(KafkaUser user) {
        Set<String> rules = new TreeSet<>();
        for (AclRule rule : KafkaAcls.acls(user)) {
            rules.add(
                    rule(
                            rule.getResource().getType(),
                            KafkaAcls.resourceName(rule),
                            patternType(rule),
                            rule));
        }
        return rules;
    }

    // ---- helpers

    private static String rule(String type, String name, String patternType, AclRule rule) {
        return type
                + " "
                + name
                + " "
                + patternType
                + " "
                + rule.getType()
                + " "
                + new TreeSet<>(rule.getOperations());
    }

    private static String patternType(AclRule rule) {
        Object type =
                switch (rule.getResource()) {
                    case AclRuleTopicResource r -> r.getPatternType();
                    case AclRuleGroupResource r -> r.getPatternType();
                    case AclRuleTransactionalIdResource r -> r.getPatternType();
                    default -> "";
                };
        return String.valueOf(type);
    }

    private static void need(
            List<String> problems,
            KafkaUser user,
            String type,
            String name,
            StrimziAclOperation op) {
        if (!KafkaAcls.allows(user, type, name, op)) {
            problems.add(ID + " lacks " + op + " on " + type + " " + name);
        }
    }

    private static void forbid(
            List<String> problems,
            KafkaUser user,
            String type,
            String name,
            StrimziAclOperation op,
            String problem) {
        if (KafkaAcls.allows(user, type, name, op)) {
            problems.add(ID + " " + problem);
        }
    }

    private static void addRule(JsonNode user, String[] rule) {
        ObjectNode added = ((ArrayNode) user.at("/spec/authorization/acls")).addObject();
        ObjectNode resource = added.putObject("resource").put("type", rule[0]);
        if (!rule[0].equals("cluster")) {
            resource.put("name", rule[1]).put("patternType", rule[2]);
        }
        added.putArray("operations").add(rule[3]);
    }

    private static KafkaUser backfillUser(List<JsonNode> docs) {
        JsonNode doc = Manifests.find(docs, "KafkaUser");
        try {
            K8sStrictModel.Document parsed =
                    K8sStrictModel.parse(Manifests.YAML.writeValueAsString(doc), "chart")
                            .getFirst();
            assertThat(parsed.problems()).isEmpty();
            return parsed.as(KafkaUser.class);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static KafkaUser liveUser() {
        return K8sStrictModel.read(Path.of("k8s", "kafka-users.yaml"), "k8s/kafka-users.yaml")
                .stream()
                .filter(d -> d.name().equals("sales-aggregator"))
                .map(d -> d.as(KafkaUser.class))
                .findFirst()
                .orElseThrow();
    }

    private static String kafkaClusterName() {
        return K8sStrictModel.read(Path.of("k8s", "kafka-cluster.yaml"), "k8s/kafka-cluster.yaml")
                .getFirst()
                .name();
    }

    private static JsonNode topic(List<JsonNode> docs, String name) {
        return docs.stream()
                .filter(d -> d.path("kind").asText().equals("KafkaTopic"))
                .filter(d -> d.at("/metadata/name").asText().equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no KafkaTopic " + name));
    }

    private static Map<String, String> strings(Map<String, Object> config) {
        Map<String, String> strings = new java.util.TreeMap<>();
        config.forEach((k, v) -> strings.put(k, String.valueOf(v)));
        return strings;
    }

    private static Map<String, String> settings(JsonNode flink) {
        Map<String, String> conf = new java.util.TreeMap<>();
        flink.at("/spec/flinkConfiguration")
                .properties()
                .forEach(e -> conf.put(e.getKey(), e.getValue().asText()));
        return conf;
    }

    /** {@code --key value} pairs, each key with its values in order. */
    private static Map<String, List<String>> options(String[] args) {
        Map<String, List<String>> options = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            assertThat(args[i]).startsWith("--");
            options.computeIfAbsent(args[i].substring(2), k -> new ArrayList<>()).add(args[i + 1]);
        }
        return options;
    }

    /**
     * The arguments without the backfill's range options, which the job of this branch may not know
     * yet (the bounded mode is added beside this chart): the rest must parse as they are.
     */
    private static String[] withoutBackfillRange(String[] args) {
        List<String> kept = new ArrayList<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--backfill-")) {
                kept.add(args[i]);
                kept.add(args[i + 1]);
            }
        }
        return kept.toArray(String[]::new);
    }

    private static Pod flinkPod(JsonNode flink, String component) {
        Map<String, String> labels = new LinkedHashMap<>();
        flink.at("/spec/podTemplate/metadata/labels")
                .properties()
                .forEach(e -> labels.put(e.getKey(), e.getValue().asText()));
        labels.put("component", component);
        labels.put("app", flink.at("/metadata/name").asText());
        return new Pod(Chart.NAMESPACE, labels);
    }

    private String renderWithHooks(Map<String, Object> values) {
        var template =
                new Helm(ChartWithHooks.copy(ChartChecks.CHART, dir.resolve("chart")))
                        .template()
                        .withName(ChartChecks.RELEASE)
                        .withNamespace(ChartChecks.NAMESPACE)
                        .withKubeVersion(ChartChecks.KUBE_VERSION);
        values.forEach(template::set);
        return template.call();
    }

    private static Map<String, Object> with(Map<String, Object> base, Object... more) {
        Map<String, Object> values = new LinkedHashMap<>(base);
        values.putAll(ordered(more));
        return values;
    }
}

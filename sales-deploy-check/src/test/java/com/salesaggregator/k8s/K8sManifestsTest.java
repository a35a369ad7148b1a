package com.salesaggregator.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.salesaggregator.dashboard.DashboardConfig;
import com.salesaggregator.job.JobConfig;
import com.salesaggregator.job.SalesJobOptions;
import com.salesaggregator.k8s.K8sStrictModel.Document;
import com.salesaggregator.topics.Topic;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.strimzi.api.kafka.model.kafka.Kafka;
import io.strimzi.api.kafka.model.kafka.KafkaAuthorizationSimple;
import io.strimzi.api.kafka.model.kafka.listener.GenericKafkaListener;
import io.strimzi.api.kafka.model.kafka.listener.KafkaListenerAuthenticationScramSha512;
import io.strimzi.api.kafka.model.nodepool.KafkaNodePool;
import io.strimzi.api.kafka.model.nodepool.ProcessRoles;
import io.strimzi.api.kafka.model.topic.KafkaTopic;
import io.strimzi.api.kafka.model.user.KafkaUser;
import io.strimzi.api.kafka.model.user.KafkaUserScramSha512ClientAuthentication;
import io.strimzi.api.kafka.model.user.acl.AclRule;
import io.strimzi.api.kafka.model.user.acl.AclRuleGroupResource;
import io.strimzi.api.kafka.model.user.acl.AclRuleTopicResource;
import io.strimzi.api.kafka.model.user.acl.AclRuleType;
import io.strimzi.api.kafka.model.user.acl.StrimziAclOperation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Checks every manifest under {@code k8s/} offline: each document strictly against its typed model
 * (Strimzi's or fabric8's), and the manifests against each other and against what the job and the
 * seeder actually use (topics, group, transactional ids, transaction timeout). Each check returns
 * its problems, so the tests at the end can show it failing on a one-line edit.
 */
class K8sManifestsTest {

    private static final Path K8S = Path.of("k8s");
    private static final Path KIND_CONFIG = Path.of("kind-config.yaml");
    private static final String NAMESPACE = "sales";
    private static final String CLUSTER = "sales-kafka";

    /** The chart's default backfill.suffix: a backfill writes the outputs under these names. */
    private static final String BACKFILL_SUFFIX = ".backfill";

    /** The app.kubernetes.io/name label of the chart's pods: the chart's name. */
    private static final String CHART_POD_NAME = chartName();

    private static final String FLINK_STATE_MOUNT = "/var/lib/flink-state";
    private static final YAMLMapper YAML = new YAMLMapper();

    /** Every document of every YAML file under k8s/ except the kustomization. */
    private static List<Document> documents;

    @BeforeAll
    static void readManifests() {
        documents = new ArrayList<>();
        for (Path file : manifestFiles()) {
            documents.addAll(K8sStrictModel.read(K8S.resolve(file), "k8s/" + file));
        }
    }

    // ---- strict parsing

    @Test
    void everyDocumentHasAStrictTypedModel() {
        assertThat(documents).isNotEmpty();
        assertThat(documents.stream().flatMap(d -> d.problems().stream())).isEmpty();
    }

    @Test
    void kustomizationListsEveryManifestAndPlacesThemInTheSalesNamespace() {
        assertThat(kustomizationProblems(read(K8S.resolve("kustomization.yaml")), appliedFiles()))
                .isEmpty();
    }

    // ---- platform

    @Test
    void namespaceEnforcesTheRestrictedPodSecurityStandard() {
        assertThat(namespaceProblems(documents)).isEmpty();
    }

    @Test
    void kafkaClusterIsSecuredAndConfiguredForExactlyOnce() {
        assertThat(kafkaProblems(documents, JobConfig.defaults())).isEmpty();
    }

    @Test
    void nodePoolHasThreeDualRoleNodesOnPersistentStorage() {
        List<KafkaNodePool> pools = all(documents, KafkaNodePool.class);
        assertThat(pools).hasSize(1);
        KafkaNodePool pool = pools.getFirst();
        assertThat(pool.getSpec().getReplicas()).isEqualTo(3);
        assertThat(pool.getSpec().getRoles())
                .containsExactlyInAnyOrder(ProcessRoles.CONTROLLER, ProcessRoles.BROKER);
        JsonNode volumes = documentOf(KafkaNodePool.class).tree().at("/spec/storage/volumes");
        assertThat(volumes).isNotEmpty();
        volumes.forEach(v -> assertThat(v.path("type").asText()).isEqualTo("persistent-claim"));
    }

    @Test
    void everyStrimziResourceBelongsToTheSalesCluster() {
        for (Document d : documents) {
            if (d.typed() instanceof KafkaTopic
                    || d.typed() instanceof KafkaUser
                    || d.typed() instanceof KafkaNodePool) {
                assertThat(d.tree().at("/metadata/labels/strimzi.io~1cluster").asText())
                        .as(d.source())
                        .isEqualTo(CLUSTER);
            }
            // kustomize sets the namespace; a hard-coded one would fight it.
            assertThat(d.tree().at("/metadata/namespace").isMissingNode()).as(d.source()).isTrue();
        }
    }

    @Test
    void flinkStateVolumeIsTheKindMountSharedByEveryNode() {
        assertThat(storageProblems(documents, read(KIND_CONFIG))).isEmpty();
    }

    @Test
    void kindClusterHasAControlPlaneAndTwoWorkersOnAPinnedImage() {
        JsonNode nodes = read(KIND_CONFIG).path("nodes");
        List<String> roles = new ArrayList<>();
        nodes.forEach(n -> roles.add(n.path("role").asText()));
        assertThat(roles).containsExactly("control-plane", "worker", "worker");
        nodes.forEach(
                n ->
                        assertThat(n.path("image").asText())
                                .matches("kindest/node:v[0-9.]+@sha256:[0-9a-f]{64}"));
    }

    // ---- users and ACLs

    @Test
    void aclsCoverEverythingTheJobAndTheSeederUse() {
        assertThat(aclProblems(all(documents, KafkaUser.class), JobConfig.defaults())).isEmpty();
    }

    @Test
    void aclsGrantNoMoreThanEachClientNeeds() {
        assertThat(leastPrivilegeProblems(all(documents, KafkaUser.class), JobConfig.defaults()))
                .isEmpty();
    }

    @Test
    void aclsNameOnlyDeclaredTopics() {
        Set<String> declared = new TreeSet<>();
        all(documents, KafkaTopic.class).forEach(t -> declared.add(t.getMetadata().getName()));
        for (KafkaUser user : all(documents, KafkaUser.class)) {
            for (AclRule rule : KafkaAcls.acls(user)) {
                if (rule.getResource() instanceof AclRuleTopicResource topic) {
                    assertThat(declared).as(user.getMetadata().getName()).contains(topic.getName());
                }
            }
        }
    }

    @Test
    void usersAuthenticateWithScramAndTheirSecretsAreNamedAfterThem() {
        List<KafkaUser> users = all(documents, KafkaUser.class);
        assertThat(users)
                .extracting(u -> u.getMetadata().getName())
                .containsExactlyInAnyOrder(
                        "sales-seeder",
                        "sales-aggregator",
                        "sales-reader",
                        "sales-dashboard",
                        "sales-e2e-verifier");
        for (KafkaUser user : users) {
            assertThat(user.getSpec().getAuthentication())
                    .isInstanceOf(KafkaUserScramSha512ClientAuthentication.class);
            // The User Operator names the Secret after the user unless a prefix is configured.
            assertThat(user.getSpec().getTemplate()).isNull();
        }
    }

    // ---- each check can fail

    @Test
    void misspelledTopicFieldIsRejected() {
        List<Document> edited =
                edit("topics/topics.yaml", s -> s.replaceFirst("partitions: 6", "partitons: 6"));

        assertThat(edited.stream().flatMap(d -> d.problems().stream()))
                .anySatisfy(p -> assertThat(p).contains("partitons"));
    }

    @Test
    void misspelledFieldDeepInsideIsRejected() {
        List<Document> edited =
                edit(
                        "kafka-users.yaml",
                        s -> s.replaceFirst("patternType: prefix", "patern: prefix"));

        assertThat(edited.stream().flatMap(d -> d.problems().stream()))
                .anySatisfy(p -> assertThat(p).contains("patern"));
    }

    @Test
    void unknownEnumValueIsRejected() {
        List<Document> edited =
                edit(
                        "kafka-users.yaml",
                        s ->
                                s.replaceFirst(
                                        "operations: \\[Read, Describe]",
                                        "operations: [Raed, Describe]"));

        assertThat(edited.stream().flatMap(d -> d.problems().stream()))
                .anySatisfy(p -> assertThat(p).contains("Raed"));
    }

    @Test
    void misspelledCoreFieldIsRejected() {
        List<Document> edited =
                edit("flink-state-storage.yaml", s -> s.replace("volumeName:", "volumeNmae:"));

        assertThat(edited.stream().flatMap(d -> d.problems().stream()))
                .anySatisfy(p -> assertThat(p).contains("volumeNmae"));
    }

    @Test
    void unknownKindIsRejected() {
        List<Document> parsed =
                K8sStrictModel.parse(
                        "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n", "service.yaml");

        assertThat(parsed.getFirst().problems())
                .anySatisfy(p -> assertThat(p).contains("no typed model for v1/Service"));
    }

    @Test
    void kustomizationMissingAFileIsRejected() {
        JsonNode kustomization =
                yaml(text(K8S.resolve("kustomization.yaml")).replace("  - kafka-users.yaml\n", ""));

        assertThat(kustomizationProblems(kustomization, appliedFiles()))
                .anySatisfy(p -> assertThat(p).contains("kafka-users.yaml"));
    }

    @Test
    void namespaceWithoutRestrictedEnforcementIsRejected() {
        List<Document> edited =
                edit("namespace.yaml", s -> s.replace("enforce: restricted", "enforce: baseline"));

        assertThat(namespaceProblems(edited)).isNotEmpty();
    }

    @Test
    void brokerTransactionLimitBelowTheJobsTimeoutIsRejected() {
        JobConfig longer = JobConfig.from(Map.of(SalesJobOptions.TRANSACTION_TIMEOUT.key(), "15m"));
        List<Document> edited =
                edit(
                        "kafka-cluster.yaml",
                        s ->
                                s.replace(
                                        "transaction.max.timeout.ms: 900000",
                                        "transaction.max.timeout.ms: 600000"));

        assertThat(kafkaProblems(documents, longer)).isEmpty();
        assertThat(kafkaProblems(edited, JobConfig.defaults()))
                .isEmpty(); // 10m default equals 600000: allowed
        assertThat(
                        kafkaProblems(
                                edited,
                                JobConfig.from(
                                        Map.of(SalesJobOptions.TRANSACTION_TIMEOUT.key(), "11m"))))
                .anySatisfy(p -> assertThat(p).contains("transaction.max.timeout.ms"));
    }

    @Test
    void kafkaListenerOpenToEveryPodIsRejected() {
        List<Document> edited =
                edit(
                        "kafka-cluster.yaml",
                        s ->
                                s.replace(
                                        "app.kubernetes.io/name: sales-reader",
                                        "app.kubernetes.io/name: anyone"));

        assertThat(kafkaProblems(edited, JobConfig.defaults()))
                .anySatisfy(p -> assertThat(p).contains("must admit only"));
    }

    @Test
    void missingOutputAclIsRejected() {
        List<Document> edited =
                edit(
                        "kafka-users.yaml",
                        s -> s.replaceFirst("name: sales-late\n", "name: sales-lately\n"));

        assertThat(aclProblems(all(edited, KafkaUser.class), JobConfig.defaults()))
                .anySatisfy(p -> assertThat(p).contains("sales-aggregator").contains("sales-late"));
    }

    @Test
    void jobsTransactionalIdsOutsideTheAclPrefixAreRejected() {
        JobConfig renamed =
                JobConfig.from(
                        Map.of(
                                SalesJobOptions.TRANSACTIONAL_ID_PREFIX.key(),
                                "sales-aggregator-blue"));
        JobConfig otherPrefix =
                JobConfig.from(Map.of(SalesJobOptions.TRANSACTIONAL_ID_PREFIX.key(), "blue"));

        assertThat(aclProblems(all(documents, KafkaUser.class), renamed)).isEmpty();
        assertThat(aclProblems(all(documents, KafkaUser.class), otherPrefix))
                .anySatisfy(p -> assertThat(p).contains("transactionalId blue-"));
    }

    @Test
    void readingSeederOrWritingReaderIsRejected() {
        List<Document> edited =
                edit(
                        "kafka-users.yaml",
                        s ->
                                s.replaceFirst(
                                        "operations: \\[Write, Describe]",
                                        "operations: [Write, Read, Describe]"));

        assertThat(leastPrivilegeProblems(all(edited, KafkaUser.class), JobConfig.defaults()))
                .anySatisfy(p -> assertThat(p).contains("sales-seeder"));
    }

    @Test
    void dashboardReadingAnInputOrJoiningAGroupIsRejected() {
        List<Document> edited =
                edit(
                        "kafka-users.yaml",
                        s ->
                                s.replace(
                                        "          name: sales-online\n          patternType:"
                                                + " literal\n        operations: [Describe]",
                                        "          name: sales-online\n          patternType:"
                                                + " literal\n        operations: [Read,"
                                                + " Describe]\n      - resource:\n          type:"
                                                + " group\n          name: sales-dashboard\n     "
                                                + "     patternType: literal\n        operations:"
                                                + " [Read]"));

        assertThat(leastPrivilegeProblems(all(edited, KafkaUser.class), JobConfig.defaults()))
                .anySatisfy(p -> assertThat(p).contains("sales-dashboard may read the input"))
                .anySatisfy(p -> assertThat(p).contains("sales-dashboard uses no consumer group"));
    }

    @Test
    void readerThatCannotReadABackfillsResultsIsRejected() {
        List<Document> edited =
                edit(
                        "kafka-users.yaml",
                        s ->
                                s.replace(
                                        "          name: revenue-per-product\n"
                                                + "          patternType: prefix",
                                        "          name: revenue-per-product\n"
                                                + "          patternType: literal"));

        assertThat(aclProblems(all(edited, KafkaUser.class), JobConfig.defaults()))
                .anySatisfy(
                        p ->
                                assertThat(p)
                                        .contains("sales-reader lacks")
                                        .contains("revenue-per-product.backfill"));
    }

    @Test
    void everyKafkaUserOfTheChartIsAKafkaUserHere() {
        JsonNode values = read(Path.of("helm", "sales-aggregator", "values.yaml"));
        Set<String> declared = new TreeSet<>();
        all(documents, KafkaUser.class).forEach(u -> declared.add(u.getMetadata().getName()));
        List<String> chartUsers = new ArrayList<>();
        values.forEach(
                section -> {
                    if (section.has("kafkaUser")) {
                        chartUsers.add(section.path("kafkaUser").asText());
                    }
                });
        // The pods read their credentials from the Secret the User Operator names after the user.
        assertThat(chartUsers)
                .containsExactlyInAnyOrder(
                        "sales-aggregator",
                        "sales-seeder",
                        "sales-dashboard",
                        "sales-e2e-verifier");
        assertThat(declared).containsAll(chartUsers);
    }

    @Test
    void flinkStateVolumeOnAnotherPathIsRejected() {
        List<Document> edited =
                edit(
                        "flink-state-storage.yaml",
                        s -> s.replace("path: /var/lib/flink-state", "path: /tmp/flink-state"));

        assertThat(storageProblems(edited, read(KIND_CONFIG)))
                .anySatisfy(p -> assertThat(p).contains("/tmp/flink-state"));
    }

    @Test
    void kindNodesMountingDifferentHostDirectoriesAreRejected() {
        JsonNode kindConfig =
                yaml(
                        text(KIND_CONFIG)
                                .replaceFirst("hostPath: ./kind-state", "hostPath: ./other-state"));

        assertThat(storageProblems(documents, kindConfig))
                .anySatisfy(p -> assertThat(p).contains("different host directories"));
    }

    // ---- the checks

    static List<String> kustomizationProblems(JsonNode kustomization, List<Path> files) {
        List<String> problems = new ArrayList<>();
        if (!NAMESPACE.equals(kustomization.path("namespace").asText())) {
            problems.add("kustomization: namespace must be " + NAMESPACE);
        }
        Set<String> known = Set.of("apiVersion", "kind", "namespace", "resources");
        kustomization
                .fieldNames()
                .forEachRemaining(
                        f -> {
                            if (!known.contains(f)) {
                                problems.add("kustomization: unexpected field " + f);
                            }
                        });
        Set<String> listed = new TreeSet<>();
        kustomization.path("resources").forEach(r -> listed.add(r.asText()));
        Set<String> present = new TreeSet<>();
        files.forEach(f -> present.add(f.toString().replace('\\', '/')));
        for (String file : present) {
            if (!listed.contains(file)) {
                problems.add("kustomization: " + file + " is not listed in resources");
            }
        }
        for (String file : listed) {
            if (!present.contains(file)) {
                problems.add("kustomization: " + file + " is listed but missing");
            }
        }
        return problems;
    }

    static List<String> namespaceProblems(List<Document> docs) {
        List<String> problems = new ArrayList<>();
        List<Namespace> namespaces = all(docs, Namespace.class);
        if (namespaces.size() != 1
                || !NAMESPACE.equals(namespaces.getFirst().getMetadata().getName())) {
            problems.add("exactly one Namespace, " + NAMESPACE + ", expected");
            return problems;
        }
        Map<String, String> labels = namespaces.getFirst().getMetadata().getLabels();
        for (String mode : List.of("enforce", "audit", "warn")) {
            String key = "pod-security.kubernetes.io/" + mode;
            if (labels == null || !"restricted".equals(labels.get(key))) {
                problems.add("namespace " + NAMESPACE + ": " + key + " must be restricted");
            }
        }
        return problems;
    }

    static List<String> kafkaProblems(List<Document> docs, JobConfig job) {
        List<String> problems = new ArrayList<>();
        List<Kafka> clusters = all(docs, Kafka.class);
        if (clusters.size() != 1 || !CLUSTER.equals(clusters.getFirst().getMetadata().getName())) {
            problems.add("exactly one Kafka, " + CLUSTER + ", expected");
            return problems;
        }
        var kafka = clusters.getFirst().getSpec().getKafka();
        if (!(kafka.getAuthorization() instanceof KafkaAuthorizationSimple)) {
            problems.add("authorization must be simple");
        }
        List<GenericKafkaListener> listeners = kafka.getListeners();
        for (GenericKafkaListener listener : listeners) {
            if (!listener.isTls()
                    || !(listener.getAuth() instanceof KafkaListenerAuthenticationScramSha512)) {
                problems.add("listener " + listener.getName() + " must be TLS with SCRAM-SHA-512");
            }
        }
        for (GenericKafkaListener listener : listeners) {
            // Only the chart's pods (job and seeder, labelled with the chart name) and the
            // reader pod of `make read` may connect; without peers Strimzi lets everyone in.
            List<String> peers =
                    listener.getNetworkPolicyPeers() == null
                            ? List.of()
                            : listener.getNetworkPolicyPeers().stream()
                                    .map(
                                            peer ->
                                                    peer.getPodSelector() == null
                                                            ? "*"
                                                            : String.valueOf(
                                                                    peer.getPodSelector()
                                                                            .getMatchLabels()
                                                                            .get(
                                                                                    "app.kubernetes.io/name")))
                                    .toList();
            if (!List.of(CHART_POD_NAME, "sales-reader").equals(peers)) {
                problems.add(
                        "listener "
                                + listener.getName()
                                + " must admit only pods named "
                                + CHART_POD_NAME
                                + " and sales-reader, admits "
                                + peers);
            }
        }
        if (listeners.stream().noneMatch(l -> l.getName().equals("tls") && l.getPort() == 9093)) {
            problems.add("listener tls on port 9093 expected");
        }
        Map<String, Object> config = kafka.getConfig();
        Map<String, String> expected =
                Map.of(
                        "default.replication.factor", "3",
                        "min.insync.replicas", "2",
                        "offsets.topic.replication.factor", "3",
                        "transaction.state.log.replication.factor", "3",
                        "transaction.state.log.min.isr", "2",
                        "auto.create.topics.enable", "false");
        expected.forEach(
                (key, value) -> {
                    if (!value.equals(String.valueOf(config.get(key)))) {
                        problems.add("config " + key + " must be " + value);
                    }
                });
        Object max = config.get("transaction.max.timeout.ms");
        Duration brokerMax =
                Duration.ofMillis(max == null ? 900_000 : Long.parseLong(String.valueOf(max)));
        if (brokerMax.compareTo(job.transactionTimeout()) < 0) {
            problems.add(
                    "config transaction.max.timeout.ms ("
                            + brokerMax
                            + ") is below the job's transaction timeout ("
                            + job.transactionTimeout()
                            + ")");
        }
        var operators = clusters.getFirst().getSpec().getEntityOperator();
        if (operators == null
                || operators.getTopicOperator() == null
                || operators.getUserOperator() == null) {
            problems.add("entityOperator needs the topic and user operators");
        }
        return problems;
    }

    static List<String> storageProblems(List<Document> docs, JsonNode kindConfig) {
        List<String> problems = new ArrayList<>();
        List<PersistentVolume> volumes = all(docs, PersistentVolume.class);
        List<PersistentVolumeClaim> claims = all(docs, PersistentVolumeClaim.class);
        if (volumes.size() != 1 || claims.size() != 1) {
            problems.add("one PersistentVolume and one claim expected");
            return problems;
        }
        PersistentVolume pv = volumes.getFirst();
        PersistentVolumeClaim pvc = claims.getFirst();
        String path =
                pv.getSpec().getHostPath() == null ? null : pv.getSpec().getHostPath().getPath();
        if (!FLINK_STATE_MOUNT.equals(path)) {
            problems.add("PersistentVolume hostPath " + path + " is not " + FLINK_STATE_MOUNT);
        }
        Set<String> hostDirs = new TreeSet<>();
        kindConfig
                .path("nodes")
                .forEach(
                        node -> {
                            boolean mounted = false;
                            for (JsonNode m : node.path("extraMounts")) {
                                if (m.path("containerPath").asText().equals(path)) {
                                    mounted = true;
                                    hostDirs.add(m.path("hostPath").asText());
                                }
                            }
                            if (!mounted) {
                                problems.add(
                                        "kind node "
                                                + node.path("role").asText()
                                                + " does not mount "
                                                + path);
                            }
                        });
        if (hostDirs.size() > 1) {
            problems.add("kind nodes mount different host directories " + hostDirs);
        }
        if (!"flink-state".equals(pvc.getMetadata().getName())
                || !List.of("ReadWriteMany").equals(pvc.getSpec().getAccessModes())
                || !List.of("ReadWriteMany").equals(pv.getSpec().getAccessModes())) {
            problems.add("claim flink-state and its volume must be ReadWriteMany");
        }
        if (!"".equals(pvc.getSpec().getStorageClassName())
                || !"".equals(pv.getSpec().getStorageClassName())) {
            problems.add("storageClassName must be \"\" on both (no dynamic provisioning)");
        }
        if (!pv.getMetadata().getName().equals(pvc.getSpec().getVolumeName())
                || pv.getSpec().getClaimRef() == null
                || !NAMESPACE.equals(pv.getSpec().getClaimRef().getNamespace())
                || !pvc.getMetadata().getName().equals(pv.getSpec().getClaimRef().getName())) {
            problems.add("volume and claim must name each other");
        }
        if (pvc.getSpec()
                        .getResources()
                        .getRequests()
                        .get("storage")
                        .compareTo(pv.getSpec().getCapacity().get("storage"))
                > 0) {
            problems.add("claim asks for more than the volume holds");
        }
        return problems;
    }

    /** What each client does, checked the way Kafka's simple authorizer decides. */
    static List<String> aclProblems(List<KafkaUser> users, JobConfig job) {
        List<String> problems = new ArrayList<>();
        JobConfig.TopicNames t = job.topics();
        List<String> inputs =
                List.of(
                        t.of(Topic.SALES_ONLINE),
                        t.of(Topic.SALES_STORE),
                        t.of(Topic.PRODUCTS),
                        t.of(Topic.FX_RATES));
        List<String> outputs =
                List.of(
                        t.of(Topic.REVENUE_PER_SELLER_1M),
                        t.of(Topic.UNITS_PER_PRODUCT_5M),
                        t.of(Topic.REVENUE_PER_PRODUCT),
                        t.of(Topic.SALES_PER_REGION),
                        t.of(Topic.REGION_TREND_1M),
                        t.of(Topic.SALES_DLQ),
                        t.of(Topic.SALES_LATE));
        KafkaUser seeder = user(users, "sales-seeder", problems);
        KafkaUser aggregator = user(users, "sales-aggregator", problems);
        KafkaUser reader = user(users, "sales-reader", problems);
        for (String topic : inputs) {
            need(problems, seeder, "topic", topic, StrimziAclOperation.WRITE);
            need(problems, seeder, "topic", topic, StrimziAclOperation.DESCRIBE);
            need(problems, aggregator, "topic", topic, StrimziAclOperation.READ);
            need(problems, aggregator, "topic", topic, StrimziAclOperation.DESCRIBE);
        }
        need(problems, seeder, "cluster", "kafka-cluster", StrimziAclOperation.IDEMPOTENTWRITE);
        need(problems, aggregator, "group", job.groupId(), StrimziAclOperation.READ);
        for (String topic : outputs) {
            need(problems, aggregator, "topic", topic, StrimziAclOperation.WRITE);
            need(problems, aggregator, "topic", topic, StrimziAclOperation.DESCRIBE);
            // KafkaSink appends -<subtask>-<checkpoint> to the prefix it is given.
            String transactionalId = job.transactionalIdPrefix() + "-" + topic + "-0-1";
            need(
                    problems,
                    aggregator,
                    "transactionalId",
                    transactionalId,
                    StrimziAclOperation.WRITE);
            need(
                    problems,
                    aggregator,
                    "transactionalId",
                    transactionalId,
                    StrimziAclOperation.DESCRIBE);
            need(problems, reader, "topic", topic, StrimziAclOperation.READ);
            // make read and make figure-check-backfill on a backfill's results (any suffix).
            need(problems, reader, "topic", topic + BACKFILL_SUFFIX, StrimziAclOperation.READ);
        }
        need(problems, reader, "group", "sales-reader-cli", StrimziAclOperation.READ);
        // make e2e: FigureCheck reads every topic by partition and watches the job's group.
        KafkaUser verifier = user(users, "sales-e2e-verifier", problems);
        for (String topic : concat(inputs, outputs)) {
            need(problems, verifier, "topic", topic, StrimziAclOperation.READ);
            need(problems, verifier, "topic", topic, StrimziAclOperation.DESCRIBE);
        }
        for (String topic : outputs) {
            need(problems, verifier, "topic", topic + BACKFILL_SUFFIX, StrimziAclOperation.READ);
        }
        need(problems, verifier, "group", job.groupId(), StrimziAclOperation.DESCRIBE);
        // The dashboard reads the outputs by partition and describes the sales inputs (the
        // topics of k8s/topics keep their default names).
        KafkaUser dashboard = user(users, "sales-dashboard", problems);
        for (String topic : DashboardConfig.READS) {
            need(problems, dashboard, "topic", topic, StrimziAclOperation.READ);
        }
        for (String topic : DashboardConfig.DESCRIBES) {
            need(problems, dashboard, "topic", topic, StrimziAclOperation.DESCRIBE);
        }
        return problems;
    }

    static List<String> leastPrivilegeProblems(List<KafkaUser> users, JobConfig job) {
        List<String> problems = new ArrayList<>();
        for (KafkaUser user : users) {
            String name = user.getMetadata().getName();
            for (AclRule rule : KafkaAcls.acls(user)) {
                if (rule.getOperations().contains(StrimziAclOperation.ALL)) {
                    problems.add(name + ": operation All");
                }
                if ("*".equals(KafkaAcls.resourceName(rule))) {
                    problems.add(name + ": wildcard resource");
                }
                if (rule.getType() == AclRuleType.DENY) {
                    problems.add(name + ": deny rules hide what is granted; grant less instead");
                }
            }
        }
        JobConfig.TopicNames t = job.topics();
        List<String> inputs =
                List.of(
                        t.of(Topic.SALES_ONLINE),
                        t.of(Topic.SALES_STORE),
                        t.of(Topic.PRODUCTS),
                        t.of(Topic.FX_RATES));
        KafkaUser seeder = user(users, "sales-seeder", problems);
        KafkaUser aggregator = user(users, "sales-aggregator", problems);
        KafkaUser reader = user(users, "sales-reader", problems);
        forbid(problems, seeder, StrimziAclOperation.READ);
        forbid(problems, reader, StrimziAclOperation.WRITE);
        forbid(problems, reader, StrimziAclOperation.IDEMPOTENTWRITE);
        KafkaUser verifier = user(users, "sales-e2e-verifier", problems);
        forbid(problems, verifier, StrimziAclOperation.WRITE);
        forbid(problems, verifier, StrimziAclOperation.IDEMPOTENTWRITE);
        if (KafkaAcls.allows(verifier, "group", job.groupId(), StrimziAclOperation.READ)) {
            problems.add("sales-e2e-verifier may join or commit in the job's group");
        }
        KafkaUser dashboard = user(users, "sales-dashboard", problems);
        forbid(problems, dashboard, StrimziAclOperation.WRITE);
        forbid(problems, dashboard, StrimziAclOperation.IDEMPOTENTWRITE);
        if (dashboard != null
                && KafkaAcls.acls(dashboard).stream()
                        .anyMatch(rule -> rule.getResource() instanceof AclRuleGroupResource)) {
            problems.add("sales-dashboard uses no consumer group and needs no group ACL");
        }
        for (String topic : inputs) {
            if (KafkaAcls.allows(dashboard, "topic", topic, StrimziAclOperation.READ)) {
                problems.add("sales-dashboard may read the input " + topic);
            }
            if (KafkaAcls.allows(aggregator, "topic", topic, StrimziAclOperation.WRITE)) {
                problems.add("sales-aggregator may write its input " + topic);
            }
            if (KafkaAcls.allows(reader, "topic", topic, StrimziAclOperation.READ)) {
                problems.add("sales-reader may read the input " + topic);
            }
        }
        for (KafkaUser user : users) {
            for (StrimziAclOperation op :
                    List.of(
                            StrimziAclOperation.CREATE,
                            StrimziAclOperation.DELETE,
                            StrimziAclOperation.ALTER,
                            StrimziAclOperation.ALTERCONFIGS,
                            StrimziAclOperation.CLUSTERACTION)) {
                forbid(problems, user, op);
            }
        }
        return problems;
    }

    // ---- ACL evaluation (KafkaAcls)

    private static void need(
            List<String> problems,
            KafkaUser user,
            String type,
            String name,
            StrimziAclOperation op) {
        if (user != null && !KafkaAcls.allows(user, type, name, op)) {
            problems.add(
                    user.getMetadata().getName() + " lacks " + op + " on " + type + " " + name);
        }
    }

    private static void forbid(List<String> problems, KafkaUser user, StrimziAclOperation op) {
        if (user == null) {
            return;
        }
        for (AclRule rule : KafkaAcls.acls(user)) {
            if (rule.getOperations().contains(op)) {
                problems.add(
                        user.getMetadata().getName()
                                + " must not have "
                                + op
                                + " (on "
                                + rule.getResource().getType()
                                + " "
                                + KafkaAcls.resourceName(rule)
                                + ")");
            }
        }
    }

    private static KafkaUser user(List<KafkaUser> users, String name, List<String> problems) {
        for (KafkaUser user : users) {
            if (user.getMetadata().getName().equals(name)) {
                return user;
            }
        }
        problems.add("KafkaUser " + name + " is missing");
        return null;
    }

    // ---- reading

    /** Every YAML file under k8s/, relative to it, except the kustomization itself. */
    static List<Path> manifestFiles() {
        try (Stream<Path> files = Files.walk(K8S)) {
            return files.filter(
                            f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml"))
                    .map(K8S::relativize)
                    .filter(f -> !f.toString().equals("kustomization.yaml"))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The files {@code kubectl apply -k k8s/} applies: all but the ones only make e2e (e2e/) and
     * make savepoint (ops/) use.
     */
    static List<Path> appliedFiles() {
        return manifestFiles().stream()
                .filter(f -> !f.startsWith("e2e") && !f.startsWith("ops"))
                .toList();
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    /** The manifests with one file edited. */
    private static List<Document> edit(String file, UnaryOperator<String> change) {
        List<Document> edited = new ArrayList<>();
        for (Path f : manifestFiles()) {
            String text = text(K8S.resolve(f));
            if (f.toString().replace('\\', '/').equals(file)) {
                String changed = change.apply(text);
                assertThat(changed).as("the edit of " + file + " applies").isNotEqualTo(text);
                text = changed;
            }
            edited.addAll(K8sStrictModel.parse(text, "k8s/" + f));
        }
        return edited;
    }

    private static String chartName() {
        try {
            for (String line :
                    java.nio.file.Files.readAllLines(
                            Path.of("helm", "sales-aggregator", "Chart.yaml"))) {
                if (line.startsWith("name:")) {
                    return line.substring("name:".length()).trim();
                }
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        throw new IllegalStateException("helm/sales-aggregator/Chart.yaml has no name");
    }

    private static <T> List<T> all(List<Document> docs, Class<T> type) {
        return docs.stream().filter(d -> type.isInstance(d.typed())).map(d -> d.as(type)).toList();
    }

    private static Document documentOf(Class<?> type) {
        return documents.stream().filter(d -> type.isInstance(d.typed())).findFirst().orElseThrow();
    }

    private static String text(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode read(Path file) {
        return yaml(text(file));
    }

    private static JsonNode yaml(String text) {
        try {
            return YAML.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

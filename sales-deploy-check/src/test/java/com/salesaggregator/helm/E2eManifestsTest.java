package com.salesaggregator.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.marcnuri.helm.Helm;
import io.fabric8.kubernetes.api.model.Pod;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checks what {@code make read}, {@code make savepoint} and {@code make figure-check} run, offline:
 * the reader pod ({@code k8s/e2e/reader-pod.yaml}) passes the restricted standard and writes
 * consumer properties with {@code isolation.level=read_committed}; the savepoint ({@code
 * k8s/ops/savepoint.yaml}) is a FlinkStateSnapshot of the chart's FlinkDeployment that the
 * operator's CRD accepts; the figure check is the chart's {@code helm test} hook; and {@code make
 * -n kind-up deploy e2e} plans all three with the operator waits. Each check fails on an edited
 * copy.
 */
class E2eManifestsTest {

    private static final Path READER_POD = Path.of("k8s", "e2e", "reader-pod.yaml");
    private static final Path SAVEPOINT = Path.of("k8s", "ops", "savepoint.yaml");
    private static final Path CHART = Path.of("helm", "sales-aggregator");

    @TempDir Path dir;

    // ---- make read

    @Test
    void readerPodIsRestrictedAndReadsCommittedRecordsOnly() throws Exception {
        assertThat(readerProblems(text(READER_POD))).isEmpty();
    }

    @Test
    void aReaderWithoutReadCommittedIsRejected() throws Exception {
        String edited = edit(text(READER_POD), " isolation.level=read_committed", "");

        assertThat(readerProblems(edited))
                .containsExactly("reader: isolation.level is null, not read_committed");
    }

    @Test
    void aReaderThatMayEscalateIsRejected() throws Exception {
        String edited =
                edit(text(READER_POD), "allowPrivilegeEscalation: false", "privileged: false");

        assertThat(readerProblems(edited))
                .anySatisfy(p -> assertThat(p).contains("allowPrivilegeEscalation not false"));
    }

    /** What is wrong with the reader pod manifest {@code yaml}; empty when nothing. */
    private List<String> readerProblems(String yaml) throws Exception {
        List<String> problems = new ArrayList<>();
        JsonNode tree = Manifests.parse(yaml).getFirst();
        Pod pod = Manifests.as(tree, Pod.class);
        RestrictedPodSecurity.violations(pod.getSpec())
                .forEach(v -> problems.add("reader: restricted: " + v));
        // The Kafka listener admits this label (k8s/kafka-cluster.yaml, networkPolicyPeers).
        if (!"sales-reader".equals(pod.getMetadata().getLabels().get("app.kubernetes.io/name"))) {
            problems.add("reader: not labelled app.kubernetes.io/name=sales-reader");
        }
        String image = pod.getSpec().getContainers().getFirst().getImage();
        String pinned = "quay.io/strimzi/kafka:" + makeVariable("STRIMZI_VERSION") + "-kafka-";
        if (!image.equals(pinned + kafkaVersion())) {
            problems.add("reader: image " + image + " is not " + pinned + kafkaVersion());
        }
        // Run the part of the command that writes the properties, as the pod's shell would.
        String script = pod.getSpec().getContainers().getFirst().getCommand().get(2);
        Matcher write = Pattern.compile("(?s)^(.*?) > /tmp/client\\.properties\n").matcher(script);
        if (!write.find() || !script.contains("--consumer.config /tmp/client.properties")) {
            problems.add("reader: the consumer does not read the properties the pod writes");
            return problems;
        }
        Path properties = dir.resolve("client.properties");
        Process shell =
                new ProcessBuilder("sh", "-c", write.group(1) + " > " + properties)
                        .redirectErrorStream(true)
                        .start();
        shell.getOutputStream().close();
        assertThat(shell.waitFor(30, TimeUnit.SECONDS)).isTrue();
        Properties written = new Properties();
        written.load(new StringReader(Files.readString(properties)));
        String isolation = written.getProperty("isolation.level");
        if (!"read_committed".equals(isolation)) {
            problems.add("reader: isolation.level is " + isolation + ", not read_committed");
        }
        return problems;
    }

    // ---- make savepoint

    @Test
    void savepointIsAFlinkStateSnapshotOfTheChartsDeployment() throws Exception {
        assertThat(savepointProblems(text(SAVEPOINT))).isEmpty();
    }

    @Test
    void aMisspelledSnapshotFieldIsRejected() throws Exception {
        String edited = edit(text(SAVEPOINT), "disposeOnDelete: false", "disposeOnDelet: false");

        assertThat(savepointProblems(edited))
                .anySatisfy(p -> assertThat(p).contains("disposeOnDelet"));
    }

    @Test
    void aSnapshotOfAnotherDeploymentIsRejected() throws Exception {
        String edited = edit(text(SAVEPOINT), "    name: sales-aggregator\n", "    name: other\n");

        assertThat(savepointProblems(edited))
                .containsExactly(
                        "savepoint: refers to FlinkDeployment other, not sales-aggregator");
    }

    private List<String> savepointProblems(String yaml) throws Exception {
        List<String> problems = new ArrayList<>();
        JsonNode snapshot = Manifests.parse(yaml).getFirst();
        // The CRD of operator-api 1.10.0's jar; operator 1.15.0's FlinkStateSnapshot CRD is the
        // same.
        CrdSchemaValidator crd = CrdSchemaValidator.closed(snapshotSchema());
        // The CRD schema describes spec and status; apiVersion, kind and metadata are checked
        // below.
        JsonNode spec = crd.schema().path("properties").path("spec");
        CrdSchemaValidator.closed(spec)
                .validate(snapshot.path("spec"))
                .forEach(v -> problems.add("savepoint: spec" + v));
        if (!"flink.apache.org/v1beta1".equals(snapshot.path("apiVersion").asText())
                || !"FlinkStateSnapshot".equals(snapshot.path("kind").asText())) {
            problems.add("savepoint: not a flink.apache.org/v1beta1 FlinkStateSnapshot");
        }
        // make savepoint creates a new one each time: a generated name, never a fixed one.
        if (snapshot.at("/metadata/generateName").asText().isEmpty()
                || snapshot.at("/metadata/name").isTextual()) {
            problems.add("savepoint: needs metadata.generateName and no metadata.name");
        }
        String deployment = renderedFlinkDeploymentName();
        JsonNode job = snapshot.at("/spec/jobReference");
        if (!"FlinkDeployment".equals(job.path("kind").asText())
                || !deployment.equals(job.path("name").asText())) {
            problems.add(
                    "savepoint: refers to "
                            + job.path("kind").asText()
                            + " "
                            + job.path("name").asText()
                            + ", not "
                            + deployment);
        }
        if (!deployment.equals(makeVariable("FLINK_DEPLOYMENT"))) {
            problems.add("savepoint: k8s.mk's FLINK_DEPLOYMENT is not " + deployment);
        }
        if (!snapshot.at("/spec/savepoint").isObject()
                || snapshot.at("/spec/checkpoint").isObject()) {
            problems.add("savepoint: spec.savepoint (and no checkpoint) expected");
        }
        return problems;
    }

    private static JsonNode snapshotSchema() throws IOException {
        String crd = "META-INF/fabric8/flinkstatesnapshots.flink.apache.org-v1.yml";
        try (InputStream in = E2eManifestsTest.class.getClassLoader().getResourceAsStream(crd)) {
            assertThat(in).as(crd).isNotNull();
            JsonNode tree = Manifests.YAML.readTree(in);
            for (JsonNode version : tree.at("/spec/versions")) {
                if (version.path("name").asText().equals("v1beta1")) {
                    return version.at("/schema/openAPIV3Schema");
                }
            }
        }
        throw new AssertionError("no v1beta1 in " + crd);
    }

    // ---- make figure-check

    @Test
    void figureCheckIsTheChartsHelmTestAsTheVerifierUser() throws Exception {
        JsonNode hook = Manifests.find(render(), "Pod", "figure-check");

        assertThat(
                        hook.at(
                                        "/metadata/annotations/"
                                                + ChartWithHooks.RENAMED_HOOK.replace("/", "~1"))
                                .asText())
                .isEqualTo("test");
        // The pod is a partial shared with the backfill's check; the template renders it.
        assertThat(ChartWithHooks.testHooks(CHART))
                .extracting(f -> f.getFileName().toString())
                .containsExactly("_figurecheck.tpl", "figure-check-pod.yaml");
        assertThat(text(ChartWithHooks.testHooks(CHART).getFirst())).contains("helm.sh/hook: test");
        Pod pod = Manifests.as(hook, Pod.class);
        assertThat(RestrictedPodSecurity.violations(pod.getSpec())).isEmpty();
        assertThat(pod.getSpec().getRestartPolicy()).isEqualTo("Never");
        assertThat(pod.getSpec().getContainers().getFirst().getEnv())
                .anySatisfy(
                        e ->
                                assertThat(e.getValueFrom().getSecretKeyRef().getName())
                                        .isEqualTo("sales-e2e-verifier"));
        assertThat(text(Path.of("k8s", "e2e", "kafka-user-verifier.yaml")))
                .contains("name: sales-e2e-verifier");
        // Admitted by the Kafka listener's networkPolicyPeers, like the chart's other pods.
        assertThat(pod.getMetadata().getLabels())
                .containsEntry("app.kubernetes.io/name", "sales-aggregator");
        assertThat(pod.getSpec().getContainers().getFirst().getCommand())
                .contains("com.salesaggregator.verify.FigureCheck");
    }

    // ---- the plan of make kind-up deploy e2e

    @Test
    void e2ePlanUsesTheSnapshotResourceTheGenerationWaitsAndTheCommittedReader() throws Exception {
        Process make =
                new ProcessBuilder("make", "-n", "kind-up", "deploy", "e2e")
                        .redirectErrorStream(true)
                        .start();
        make.getOutputStream().close();
        String plan = new String(make.getInputStream().readAllBytes());
        assertThat(make.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(make.exitValue()).as(plan).isZero();

        assertThat(plan)
                .contains("FlinkStateSnapshot")
                .contains("k8s/ops/savepoint.yaml")
                .contains("scripts/await-flink savepoint")
                .contains(".status.observedGeneration = .metadata.generation")
                .contains("--previous-generation")
                .contains("--parallelism 4")
                .contains("read_committed")
                .contains("k8s/e2e/reader-pod.yaml")
                .contains("test sales-aggregator --namespace sales --logs")
                .contains("https://archive.apache.org/dist/flink/flink-kubernetes-operator-1.15.0/")
                .doesNotContain("savepointInfo")
                .doesNotContain("savepointTriggerNonce")
                .doesNotContain("target/kind-state");
    }

    @Test
    void backfillPlanSetsTheRangeAndWaitsForTheNewJobToFinish() throws Exception {
        Process make =
                new ProcessBuilder(
                                "make",
                                "-n",
                                "backfill-k8s",
                                "FROM=2026-12-01T00:00:00Z",
                                "TO=2026-12-02T00:00:00Z")
                        .redirectErrorStream(true)
                        .start();
        make.getOutputStream().close();
        String plan = new String(make.getInputStream().readAllBytes());
        assertThat(make.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(make.exitValue()).as(plan).isZero();

        assertThat(plan)
                .contains(
                        "upgrade sales-aggregator helm/sales-aggregator --namespace sales"
                                + " --reuse-values")
                .contains("--set backfill.enabled=true")
                .contains("'backfill.from=2026-12-01T00:00:00Z'")
                .contains("'backfill.to=2026-12-02T00:00:00Z'")
                .contains("'backfill.suffix=.backfill'")
                .contains("wait kafkauser/sales-backfill")
                .contains("scripts/await-flink finished --name sales-aggregator-backfill")
                .contains("--previous-generation")
                .contains("make read TOPIC=revenue-per-product.backfill")
                .contains("--set backfill.enabled=false");
    }

    // ---- helpers

    private List<JsonNode> render() {
        return Manifests.parse(
                new Helm(ChartWithHooks.copy(CHART, dir.resolve("chart")))
                        .template()
                        .withName("sales-aggregator")
                        .withNamespace("sales")
                        .withKubeVersion("1.35.0")
                        .call());
    }

    private String renderedFlinkDeploymentName() {
        return Manifests.find(render(), "FlinkDeployment").at("/metadata/name").asText();
    }

    /** The default of a {@code NAME ?= value## doc} variable in k8s.mk. */
    static String makeVariable(String name) {
        Matcher m =
                Pattern.compile("(?m)^" + name + " \\?= ?([^#\n]*)##")
                        .matcher(text(Path.of("k8s.mk")));
        assertThat(m.find()).as(name + " in k8s.mk").isTrue();
        return m.group(1).strip();
    }

    private static String kafkaVersion() {
        return Manifests.parse(text(Path.of("k8s", "kafka-cluster.yaml")))
                .getFirst()
                .at("/spec/kafka/version")
                .asText();
    }

    private static String edit(String text, String from, String to) {
        String edited = text.replace(from, to);
        assertThat(edited).as("the edit applies").isNotEqualTo(text);
        return edited;
    }

    static String text(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

package com.salesaggregator.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import com.salesaggregator.helm.ChartWithHooks;
import com.salesaggregator.k8s.ImageArchive.ImageFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Checks the images Jib builds against the chart that deploys them. The build (profile {@code
 * image-layout-check}) runs the {@code job-image}, {@code seeder-image} and {@code dashboard-image}
 * executions of {@code make images} on an empty base before the integration tests, so these are the
 * real layers, only without the Flink and JRE base layers underneath.
 */
class ImagesITCase {

    private static final Path LAYOUT = Path.of("target", "jib-layout");
    private static final Path JOB_JAR =
            Path.of("sales-job", "target", "job", "sales-aggregator.jar");
    private static final Path CHART = Path.of("helm", "sales-aggregator");

    /** The Kubernetes version of the kind node image (kind-config.yaml). */
    private static final String KUBE_VERSION = "1.35.0";

    private static final String SEEDER_MAIN = "com.salesaggregator.seeder.Seeder";
    private static final String DASHBOARD_MAIN = "com.salesaggregator.dashboard.Dashboard";

    private static ImageArchive jobImage;
    private static ImageArchive seederImage;
    private static ImageArchive dashboardImage;
    private static JsonNode flinkDeployment;
    private static JsonNode seederPod;
    private static JsonNode dashboardPod;

    @BeforeAll
    static void readImagesAndChart() throws IOException {
        jobImage = ImageArchive.read(LAYOUT.resolve("sales-aggregator-job.tar"));
        seederImage = ImageArchive.read(LAYOUT.resolve("sales-aggregator-seeder.tar"));
        dashboardImage = ImageArchive.read(LAYOUT.resolve("sales-aggregator-dashboard.tar"));
        List<JsonNode> rendered = render(Map.of());
        flinkDeployment = only(rendered, "FlinkDeployment");
        seederPod = deployment(rendered, "seeder").path("spec").path("template").path("spec");
        dashboardPod = deployment(rendered, "dashboard").path("spec").path("template").path("spec");
    }

    @Test
    void imagesAreBuiltForTheHostsArchitecture() {
        // What kind's nodes run on this host's Docker: an image of another architecture fails
        // there with "exec format error" (or runs emulated, slowly).
        String osArch = System.getProperty("os.arch");
        String expected = osArch.equals("aarch64") || osArch.equals("arm64") ? "arm64" : "amd64";
        for (ImageArchive image : List.of(jobImage, seederImage, dashboardImage)) {
            assertThat(image.os() + "/" + image.architecture())
                    .as(image.repoTags().toString())
                    .isEqualTo("linux/" + expected);
        }
    }

    @Test
    void jobJarIsWhereTheFlinkDeploymentsJarUriPoints() throws IOException {
        assertJarAt(jobImage, flinkDeployment.path("spec").path("job").path("jarURI").asText());
    }

    @Test
    void aJarUriPointingElsewhereFailsTheCheck() throws IOException {
        JsonNode moved =
                only(
                        render(
                                Map.of(
                                        "job.jarURI",
                                        "local:///opt/flink/usrlib/moved/sales-aggregator.jar")),
                        "FlinkDeployment");
        String jarUri = moved.path("spec").path("job").path("jarURI").asText();

        assertThatThrownBy(() -> assertJarAt(jobImage, jarUri))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("/opt/flink/usrlib/moved/sales-aggregator.jar");
    }

    @Test
    void jobImageOnlyAddsTheJarAndKeepsFlinksEntrypointAndUser() {
        assertThat(jobImage.files().keySet())
                .containsExactly("/opt/flink/usrlib/sales-aggregator.jar");
        // INHERIT: no entrypoint or command of its own, so Flink's docker-entrypoint.sh runs.
        assertThat(jobImage.config().has("Entrypoint")).isFalse();
        assertThat(jobImage.config().has("Cmd")).isFalse();
        assertThat(jobImage.config().path("User").asText()).isEqualTo("9999:9999");
    }

    @Test
    void imagesAreExactlyTheOnesTheChartDeploys() {
        assertThat(jobImage.repoTags())
                .containsExactly(flinkDeployment.path("spec").path("image").asText());
        assertThat(seederImage.repoTags())
                .containsExactly(seederPod.path("containers").get(0).path("image").asText());
        assertThat(dashboardImage.repoTags())
                .containsExactly(dashboardPod.path("containers").get(0).path("image").asText());
        for (String tag :
                List.of(
                        jobImage.repoTags().getFirst(),
                        seederImage.repoTags().getFirst(),
                        dashboardImage.repoTags().getFirst())) {
            assertThat(tag).doesNotEndWith(":latest").matches(".+:[0-9]+\\.[0-9]+\\.[0-9]+.*");
        }
    }

    @Test
    void seederImageStartsTheSeederAsNonRootOnTheChartsPort() {
        JsonNode config = seederImage.config();
        List<String> entrypoint = new ArrayList<>();
        config.path("Entrypoint").forEach(e -> entrypoint.add(e.asText()));

        assertThat(entrypoint).first().isEqualTo("java");
        assertThat(entrypoint).last().isEqualTo(SEEDER_MAIN);
        assertThat(seederImage.files())
                .containsKey("/app/classes/" + SEEDER_MAIN.replace('.', '/') + ".class");
        assertThat(config.path("User").asText()).matches("[1-9][0-9]*:[1-9][0-9]*");
        JsonNode port = seederPod.path("containers").get(0).path("ports").get(0);
        assertThat(config.path("ExposedPorts").has(port.path("containerPort").asInt() + "/tcp"))
                .as("image exposes the chart's seeder port %s", port)
                .isTrue();
    }

    @Test
    void dashboardImageStartsTheDashboardAsNonRootOnTheChartsPortWithItsPage() {
        JsonNode config = dashboardImage.config();
        List<String> entrypoint = new ArrayList<>();
        config.path("Entrypoint").forEach(e -> entrypoint.add(e.asText()));

        assertThat(entrypoint).first().isEqualTo("java");
        assertThat(entrypoint).last().isEqualTo(DASHBOARD_MAIN);
        assertThat(config.path("User").asText()).matches("[1-9][0-9]*:[1-9][0-9]*");
        JsonNode port = dashboardPod.path("containers").get(0).path("ports").get(0);
        assertThat(config.path("ExposedPorts").has(port.path("containerPort").asInt() + "/tcp"))
                .as("image exposes the chart's dashboard port %s", port)
                .isTrue();
        // The page, its script and Chart.js are in the image: nothing is fetched at run time.
        assertThat(dashboardImage.files())
                .containsKey("/app/classes/" + DASHBOARD_MAIN.replace('.', '/') + ".class")
                .containsKey("/app/resources/dashboard/index.html")
                .containsKey("/app/resources/dashboard/static/dashboard.js");
        assertThat(dashboardImage.files().keySet())
                .anyMatch(p -> p.matches("/app/libs/chart\\.js-[0-9.]+\\.jar"))
                .anyMatch(p -> p.matches("/app/libs/javalin-[0-9.]+\\.jar"));
    }

    @Test
    void seederImageAlsoCarriesTheFigureCheckThatHelmTestRuns() throws IOException {
        String main = "com.salesaggregator.verify.FigureCheck";
        // sales-verify is a runtime dependency of the seeder for this only.
        assertThat(seederImage.files().keySet())
                .anyMatch(p -> p.matches("/app/libs/sales-verify-[0-9.]+\\.jar"));
        // The chart's test hook (make figure-check) starts it from this image, on Jib's classpath.
        Path chart =
                ChartWithHooks.copy(CHART, Files.createTempDirectory(LAYOUT.getParent(), "chart"));
        JsonNode check =
                only(render(chart, Map.of()), "Pod").path("spec").path("containers").get(0);
        assertThat(seederImage.repoTags()).containsExactly(check.path("image").asText());
        List<String> command = new ArrayList<>();
        check.path("command").forEach(c -> command.add(c.asText()));
        assertThat(String.join(" ", command)).contains("-cp @/app/jib-classpath-file " + main);
    }

    @Test
    void jobJarHoldsNoSeederLocalPlatformCliOrVerificationClasses() throws IOException {
        try (JarFile jar = new JarFile(JOB_JAR.toFile())) {
            assertThat(jar.stream().map(JarEntry::getName))
                    .contains("com/salesaggregator/job/SalesAggregationJob.class")
                    .noneMatch(
                            n ->
                                    n.matches(
                                            "com/salesaggregator/(seeder|local|cli|verify|dashboard)/.*"))
                    .noneMatch(n -> n.startsWith("io/javalin/") || n.startsWith("dashboard/"));
        }
    }

    @Test
    void everyFileIsReadableByTheUidThePodsRunAs() {
        // The chart sets runAsUser for every pod; that UID owns none of the image's files.
        for (ImageArchive image : List.of(jobImage, seederImage, dashboardImage)) {
            image.files()
                    .forEach(
                            (path, file) ->
                                    assertThat(file.mode() & 0444)
                                            .as("%s readable by everyone", path)
                                            .isEqualTo(0444));
        }
    }

    @Test
    void seederAndDashboardImagesCarryNoFlinkRuntime() {
        // Flink's runtime is provided by the Flink image; the seeder and dashboard need none of it.
        for (ImageArchive image : List.of(seederImage, dashboardImage)) {
            assertThat(image.files().keySet())
                    .filteredOn(p -> p.startsWith("/app/libs/"))
                    .noneMatch(p -> p.matches("/app/libs/flink-(runtime|streaming-java|core)-.*"));
        }
    }

    /** The job jar that the build shaded lies, byte for byte, where {@code jarUri} points. */
    private static void assertJarAt(ImageArchive image, String jarUri) throws IOException {
        assertThat(jarUri).startsWith("local:///");
        String path = jarUri.substring("local://".length());
        ImageFile jar = image.files().get(path);
        if (jar == null) {
            throw new AssertionError(
                    "jarURI "
                            + jarUri
                            + " points to "
                            + path
                            + ", which the job image does not have; it has "
                            + image.files().keySet());
        }
        assertThat(jar.sha256()).isEqualTo(ImageArchive.sha256(Files.readAllBytes(JOB_JAR)));
        assertThat(jar.mode()).isEqualTo(0644);
    }

    private static List<JsonNode> render(Map<String, String> values) throws IOException {
        return render(CHART, values);
    }

    private static List<JsonNode> render(Path chart, Map<String, String> values)
            throws IOException {
        TemplateCommand template =
                new Helm(chart)
                        .template()
                        .withName("sales-aggregator")
                        .withNamespace("sales")
                        .withKubeVersion(KUBE_VERSION);
        values.forEach(template::set);
        List<JsonNode> documents = new ArrayList<>();
        try (var it =
                new YAMLMapper().readerFor(JsonNode.class).<JsonNode>readValues(template.call())) {
            while (it.hasNext()) {
                JsonNode document = it.next();
                if (document != null && document.isObject()) {
                    documents.add(document);
                }
            }
        }
        return documents;
    }

    private static JsonNode deployment(List<JsonNode> documents, String component) {
        List<JsonNode> found =
                documents.stream()
                        .filter(d -> d.path("kind").asText().equals("Deployment"))
                        .filter(
                                d ->
                                        d.at("/metadata/labels/app.kubernetes.io~1component")
                                                .asText()
                                                .equals(component))
                        .toList();
        assertThat(found).as(component + " Deployment").hasSize(1);
        return found.getFirst();
    }

    private static JsonNode only(List<JsonNode> documents, String kind) {
        List<JsonNode> found =
                documents.stream().filter(d -> d.path("kind").asText().equals(kind)).toList();
        assertThat(found).as(kind).hasSize(1);
        return found.getFirst();
    }
}

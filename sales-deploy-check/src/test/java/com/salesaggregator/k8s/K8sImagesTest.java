package com.salesaggregator.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * Checks the Jib configuration of the image modules ({@code sales-job}, {@code sales-seeder},
 * {@code sales-dashboard}) and the root {@code pom.xml}: the shaded job jar lands where the
 * FlinkDeployment's {@code jarURI} points, the Flink entrypoint is kept, the seeder and the
 * dashboard run as non-root users, base images are pinned and tags are the project version.
 * (Building the images needs the base images from a registry; this checks what decides the layout.)
 */
class K8sImagesTest {

    /** Where the FlinkDeployment finds the job jar inside the job image. */
    static final String JAR_URI = "local:///opt/flink/usrlib/sales-aggregator.jar";

    /** The root pom: properties and profiles. */
    private static Element project;

    private static Element jobModule;
    private static Element seederModule;
    private static Element dashboardModule;

    @BeforeAll
    static void readPoms() throws Exception {
        project = pom("pom.xml");
        jobModule = pom("sales-job/pom.xml");
        seederModule = pom("sales-seeder/pom.xml");
        dashboardModule = pom("sales-dashboard/pom.xml");
    }

    private static Element pom(String path) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        Document pom = factory.newDocumentBuilder().parse(Path.of(path).toFile());
        return pom.getDocumentElement();
    }

    @Test
    void imagesAreBuiltForTheHostsArchitecture() {
        // os.arch as the JVMs of Linux and macOS on Intel and on arm64 report it.
        for (String osArch : List.of("amd64", "x86_64", "aarch64")) {
            assertThat(platformProblems(project, osArch)).as(osArch).isEmpty();
        }
        assertThat(platformProblems(project, System.getProperty("os.arch"))).isEmpty();
        // The image modules inherit the platform; none sets one of its own.
        for (Element module : List.of(jobModule, seederModule, dashboardModule)) {
            assertThat(module.getElementsByTagName("platforms").getLength()).isZero();
        }
    }

    @Test
    void imagesForOneArchitectureOnlyFailTheCheck() throws Exception {
        // As before: no platform set, so Jib builds linux/amd64 whatever the host.
        Element withoutPlatforms = pom("pom.xml");
        Element from = child(managedJibPlugin(withoutPlatforms), "configuration", "from");
        from.removeChild(direct(from, "platforms"));
        assertThat(platformProblems(withoutPlatforms, "aarch64"))
                .anySatisfy(p -> assertThat(p).contains("no platform"));

        // The platform set, but no profile choosing arm64 on an arm64 host.
        Element withoutProfile = pom("pom.xml");
        Element profiles = direct(withoutProfile, "profiles");
        profiles.removeChild(profile(withoutProfile, "host-arm64"));
        assertThat(platformProblems(withoutProfile, "aarch64"))
                .singleElement()
                .asString()
                .contains("aarch64 host gets amd64 images");
        assertThat(platformProblems(withoutProfile, "amd64")).isEmpty();
    }

    /**
     * What is wrong with the images' platform in {@code pom} on a host whose JVM reports {@code
     * osArch}: Jib's plugin configuration must build every execution for linux and {@code
     * ${image.arch}} (no execution replacing it), and Maven must set {@code image.arch} to the
     * host's architecture (the default property, or a profile activated by {@code os.arch}).
     */
    static List<String> platformProblems(Element pom, String osArch) {
        List<String> problems = new ArrayList<>();
        Element jib = managedJibPlugin(pom);
        List<Element> configurations = all(jib, "configuration");
        List<Element> platforms =
                configurations.isEmpty()
                        ? List.of()
                        : all(direct(configurations.getFirst(), "from"), "platforms");
        if (platforms.isEmpty()) {
            problems.add("no platform: Jib builds linux/amd64 whatever the host");
        } else {
            List<Element> each = all(platforms.getFirst(), "platform");
            if (each.size() != 1
                    || !own(each.getFirst(), "architecture").equals("${image.arch}")
                    || !own(each.getFirst(), "os").equals("linux")) {
                problems.add("the platform must be linux/${image.arch}, and only that one");
            }
        }
        NodeList overriding = pom.getElementsByTagName("platforms");
        if (overriding.getLength() > platforms.size()) {
            problems.add("an execution or profile sets platforms of its own");
        }

        String arch = text(direct(pom, "properties"), "image.arch");
        for (Element profile : all(direct(pom, "profiles"), "profile")) {
            NodeList activation = profile.getElementsByTagName("arch");
            NodeList property = profile.getElementsByTagName("image.arch");
            if (activation.getLength() == 1
                    && property.getLength() == 1
                    && activation.item(0).getTextContent().trim().equalsIgnoreCase(osArch)) {
                arch = property.item(0).getTextContent().trim();
            }
        }
        String expected = osArch.equals("aarch64") || osArch.equals("arm64") ? "arm64" : "amd64";
        if (!arch.equals(expected)) {
            problems.add("an " + osArch + " host gets " + arch + " images, not " + expected);
        }
        return problems;
    }

    /** The root pom's managed Jib plugin: version and the configuration every image shares. */
    private static Element managedJibPlugin(Element pom) {
        Element managed = child(direct(pom, "build"), "pluginManagement", "plugins");
        return all(managed, "plugin").stream()
                .filter(p -> own(p, "artifactId").equals("jib-maven-plugin"))
                .findFirst()
                .orElseThrow();
    }

    private static Element profile(Element pom, String id) {
        return all(direct(pom, "profiles"), "profile").stream()
                .filter(p -> own(p, "id").equals(id))
                .findFirst()
                .orElseThrow();
    }

    @Test
    void jobJarLandsWhereJarUriPoints() {
        String shaded = text(shadePlugin(), "outputFile");
        assertThat(shaded).isEqualTo("${project.build.directory}/job/sales-aggregator.jar");
        Element path = child(jobImage(), "extraDirectories", "paths", "path");

        String jarInImage =
                text(path, "into") + "/" + shaded.substring(shaded.lastIndexOf('/') + 1);

        assertThat(text(path, "from") + "/" + text(path, "includes")).isEqualTo(shaded);
        assertThat("local://" + jarInImage).isEqualTo(JAR_URI);
    }

    @Test
    void jobImageKeepsFlinksEntrypointAndOnlyAddsTheJar() {
        Element container = child(jobImage(), "container");
        assertThat(text(container, "entrypoint")).isEqualTo("INHERIT");
        assertThat(text(container, "user")).isEqualTo("9999:9999");
        // Jib's own layers (classes, dependencies) go to appRoot; the filter drops all of them.
        assertThat(text(jobImage(), "glob")).isEqualTo(text(container, "appRoot") + "/**");
    }

    @Test
    void seederImageRunsTheSeederAsNonRoot() {
        Element container = child(seederImage(), "container");
        assertThat(text(container, "mainClass")).isEqualTo("com.salesaggregator.seeder.Seeder");
        assertThat(text(container, "user")).isEqualTo(chartUser());
    }

    @Test
    void dashboardImageRunsTheDashboardAsNonRootOnTheSeedersBase() {
        Element container = child(dashboardImage(), "container");
        assertThat(text(container, "mainClass"))
                .isEqualTo("com.salesaggregator.dashboard.Dashboard");
        assertThat(text(container, "user")).isEqualTo(chartUser());
        assertThat(text(container, "port")).isEqualTo("8088");
        assertThat(own(direct(dashboardImage(), "from"), "image"))
                .isEqualTo(own(direct(seederImage(), "from"), "image"));
        assertThat(property("image.dashboard.name")).isEqualTo("sales-aggregator-dashboard");
    }

    @Test
    void imagesArePinnedAndTaggedWithTheProjectVersion() {
        assertThat(property("image.tag")).isEqualTo("${project.version}");
        assertThat(property("image.job.base"))
                .isEqualTo("flink:${flink.version}-java21${image.job.base.digest}");
        assertThat(property("flink.version")).matches("2\\.2\\.[0-9]+");
        assertThat(property("image.seeder.base"))
                .isEqualTo("eclipse-temurin:${image.seeder.base.tag}${image.seeder.base.digest}");
        assertThat(property("image.seeder.base.tag")).matches("21[-.a-z0-9_]*jre");
        // Empty until scripts/pin-base-images has read the digests from the registry.
        for (String digest : List.of("image.job.base.digest", "image.seeder.base.digest")) {
            assertThat(property(digest)).matches("(@sha256:[0-9a-f]{64})?");
        }
        assertThat(property("image.job.from")).isEqualTo("${image.job.base}");
        assertThat(property("image.seeder.from")).isEqualTo("${image.seeder.base}");
        assertThat(property("image.out")).isEqualTo("${images.dir}/jib");
        for (Element execution : List.of(jobImage(), seederImage(), dashboardImage())) {
            assertThat(own(direct(execution, "to"), "image")).endsWith(":${image.tag}");
            assertThat(own(direct(execution, "from"), "image")).doesNotContain("latest");
            assertThat(text(execution, "tar")).startsWith("${image.out}/");
        }
    }

    @Test
    void theBuildRunsJibOnlyOnAnEmptyBaseAndMakeImagesTurnsThatOff() throws Exception {
        // The main build never pulls a base image: make test must work without a registry.
        Element build = direct(project, "build");
        for (Element plugin : all(direct(build, "plugins"), "plugin")) {
            assertThat(own(plugin, "artifactId")).isNotEqualTo("jib-maven-plugin");
        }
        // Each image module binds its one execution to ${image.phase}: none unless a profile
        // says otherwise.
        assertThat(property("image.phase")).isEqualTo("none");
        for (String id : List.of("job-image", "seeder-image", "dashboard-image")) {
            assertThat(own(execution(id), "phase")).isEqualTo("${image.phase}");
        }
        // The layout check runs the same executions with only the base and outputs changed.
        Element layoutCheck = profile("image-layout-check");
        assertThat(text(layoutCheck, "activation")).isEqualTo("!images");
        Element properties = direct(layoutCheck, "properties");
        assertThat(childNames(properties))
                .containsExactly("image.phase", "image.job.from", "image.seeder.from", "image.out");
        assertThat(own(properties, "image.phase")).isEqualTo("pre-integration-test");
        assertThat(own(properties, "image.job.from")).isEqualTo("scratch");
        assertThat(own(properties, "image.seeder.from")).isEqualTo("scratch");
        assertThat(own(properties, "image.out")).isEqualTo("${images.dir}/jib-layout");
        // make images (-Dimages) builds them when the image modules are packaged.
        Element images = profile("images");
        assertThat(text(images, "activation")).isEqualTo("images");
        assertThat(own(direct(images, "properties"), "image.phase")).isEqualTo("package");
        assertThat(Files.readString(Path.of("k8s.mk")))
                .contains(
                        "$(MVN) -Dimages -DskipTests -pl sales-job,sales-seeder,sales-dashboard"
                                + " -am package");
        assertThat(Files.readString(Path.of("k8s.mk")))
                .contains("kind load image-archive $(DASHBOARD_IMAGE_TAR)");
    }

    private static Element profile(String id) {
        return profile(project, id);
    }

    @Test
    void everyImageRunsAsTheOneUserTheChartSets() {
        // One UID, set in one place (values.yaml securityContext): the images agree with it, so
        // they run alike under docker run and in the cluster.
        assertThat(chartUser()).isEqualTo("9999:9999");
        for (Element image : List.of(jobImage(), seederImage(), dashboardImage())) {
            assertThat(text(image, "user")).isEqualTo(chartUser());
        }
    }

    /** runAsUser:runAsGroup of the chart's securityContext (values.yaml). */
    static String chartUser() {
        try {
            String values = Files.readString(Path.of("helm", "sales-aggregator", "values.yaml"));
            java.util.regex.Matcher m =
                    java.util.regex.Pattern.compile(
                                    "(?m)^securityContext:\n"
                                            + "(?:  .*\n"
                                            + ")*?  runAsUser: ([0-9]+)\n"
                                            + "(?:  .*\n"
                                            + ")*?  runAsGroup: ([0-9]+)")
                            .matcher(values);
            assertThat(m.find()).as("securityContext in values.yaml").isTrue();
            return m.group(1) + ":" + m.group(2);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    // ---- pom navigation

    private static Element jibPlugin(Element module) {
        return plugin(module, "jib-maven-plugin");
    }

    private static Element shadePlugin() {
        return plugin(jobModule, "maven-shade-plugin");
    }

    private static Element plugin(Element module, String artifactId) {
        return all(direct(direct(module, "build"), "plugins"), "plugin").stream()
                .filter(p -> own(p, "artifactId").equals(artifactId))
                .findFirst()
                .orElseThrow();
    }

    /** The configuration of the execution that builds the job image. */
    private static Element jobImage() {
        return direct(execution("job-image"), "configuration");
    }

    /** The configuration of the execution that builds the seeder image. */
    private static Element seederImage() {
        return direct(execution("seeder-image"), "configuration");
    }

    /** The configuration of the execution that builds the dashboard image. */
    private static Element dashboardImage() {
        return direct(execution("dashboard-image"), "configuration");
    }

    /** The one execution of the image module that builds image {@code id}. */
    private static Element execution(String id) {
        Element module =
                switch (id) {
                    case "job-image" -> jobModule;
                    case "seeder-image" -> seederModule;
                    default -> dashboardModule;
                };
        List<Element> executions = all(direct(jibPlugin(module), "executions"), "execution");
        assertThat(executions).extracting(e -> own(e, "id")).containsExactly(id);
        return executions.getFirst();
    }

    private static List<String> childNames(Element parent) {
        List<String> names = new ArrayList<>();
        NodeList children = parent.getChildNodes();
        for (int i = 0; i < children.getLength(); i++) {
            if (children.item(i) instanceof Element e) {
                names.add(e.getTagName());
            }
        }
        return names;
    }

    private static String property(String name) {
        return text(direct(project, "properties"), name);
    }

    private static Element child(Element parent, String... path) {
        Element e = parent;
        for (String name : path) {
            e = direct(e, name);
        }
        return e;
    }

    private static Element direct(Element parent, String name) {
        List<Element> found = all(parent, name);
        assertThat(found).as(name + " under " + parent.getTagName()).hasSize(1);
        return found.getFirst();
    }

    private static List<Element> all(Element parent, String name) {
        List<Element> found = new ArrayList<>();
        NodeList children = parent.getChildNodes();
        for (int i = 0; i < children.getLength(); i++) {
            Node n = children.item(i);
            if (n instanceof Element e && e.getTagName().equals(name)) {
                found.add(e);
            }
        }
        return found;
    }

    /** The text of the one direct child with this name. */
    private static String own(Element parent, String name) {
        return direct(parent, name).getTextContent().trim();
    }

    /** The text of the one descendant element with this name. */
    private static String text(Element parent, String name) {
        NodeList found = parent.getElementsByTagName(name);
        assertThat(found.getLength()).as(name + " under " + parent.getTagName()).isEqualTo(1);
        return found.item(0).getTextContent().trim();
    }
}

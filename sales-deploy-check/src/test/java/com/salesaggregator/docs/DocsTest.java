package com.salesaggregator.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The documentation a newcomer reads holds together: every relative link (and its {@code #anchor})
 * resolves, every {@code make} target it names exists, and the README stays short.
 */
class DocsTest {

    private static final Path ROOT = Path.of("").toAbsolutePath();

    /** Markdown links {@code [text](target)}; the target without spaces. */
    private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");

    /** {@code make target}, as a command in prose or a code block. */
    private static final Pattern MAKE = Pattern.compile("\\bmake ([a-z][a-z0-9-]*)");

    /** Words that follow "make" in prose without naming a target. */
    private static final Set<String> NOT_TARGETS =
            Set.of("sure", "it", "them", "the", "a", "an", "sense", "use", "one", "up", "that");

    @Test
    void everyRelativeLinkInTheDocumentationResolves() throws IOException {
        assertThat(linkProblems(ROOT, documents(ROOT))).isEmpty();
    }

    @Test
    void everyMakeTargetTheDocumentationNamesExists() throws IOException {
        assertThat(makeProblems(ROOT, documents(ROOT))).isEmpty();
    }

    @Test
    void theReadmeIsAtMostTwelveKilobytes() throws IOException {
        assertThat(Files.size(ROOT.resolve("README.md"))).isLessThanOrEqualTo(12 * 1024);
    }

    @Test
    void aBrokenLinkAMissingAnchorAndAnUnknownTargetAreReported(@TempDir Path dir)
            throws IOException {
        Files.createDirectories(dir.resolve("docs"));
        Files.writeString(dir.resolve("Makefile"), "run: jdk ## run it\n\ttrue\n");
        Files.writeString(dir.resolve("k8s.mk"), "kind-up:\n\ttrue\n");
        Files.writeString(dir.resolve("docs/a.md"), "# A\n\n## Job options\n\ntext\n");
        Files.writeString(
                dir.resolve("README.md"),
                "See [a](docs/a.md#job-options), [gone](docs/gone.md), [b](docs/a.md#no-such)"
                        + " and [web](https://example.org). Run `make run`, `make kind-up`"
                        + " and `make runn`.\n");
        List<Path> docs = List.of(dir.resolve("README.md"), dir.resolve("docs/a.md"));

        assertThat(linkProblems(dir, docs))
                .containsExactly(
                        "README.md: docs/gone.md does not exist",
                        "README.md: docs/a.md has no heading #no-such");
        assertThat(makeProblems(dir, docs)).containsExactly("README.md: no target 'runn'");
    }

    /** The Markdown files of the repository a reader meets (build output excluded). */
    static List<Path> documents(Path root) throws IOException {
        List<Path> docs = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root)) {
            files.filter(p -> p.toString().endsWith(".md"))
                    .filter(p -> !root.relativize(p).toString().startsWith("target"))
                    .filter(p -> !root.relativize(p).toString().contains("/target/"))
                    .filter(p -> !root.relativize(p).toString().startsWith("."))
                    .filter(p -> !root.relativize(p).toString().contains("node_modules"))
                    .sorted()
                    .forEach(docs::add);
        }
        return docs;
    }

    static List<String> linkProblems(Path root, List<Path> docs) {
        List<String> problems = new ArrayList<>();
        for (Path doc : docs) {
            Matcher m = LINK.matcher(read(doc));
            while (m.find()) {
                String target = m.group(1);
                if (target.matches("^(https?|mailto):.*")) {
                    continue;
                }
                int hash = target.indexOf('#');
                String file = hash < 0 ? target : target.substring(0, hash);
                String anchor = hash < 0 ? null : target.substring(hash + 1);
                Path resolved = file.isEmpty() ? doc : doc.getParent().resolve(file).normalize();
                String where = root.relativize(doc) + ": ";
                if (!Files.exists(resolved)) {
                    problems.add(where + target + " does not exist");
                } else if (anchor != null && !anchors(resolved).contains(anchor)) {
                    problems.add(where + file + " has no heading #" + anchor);
                }
            }
        }
        return problems;
    }

    static List<String> makeProblems(Path root, List<Path> docs) {
        Set<String> targets = new TreeSet<>();
        for (String makefile : List.of("Makefile", "k8s.mk")) {
            Path path = root.resolve(makefile);
            if (Files.exists(path)) {
                Matcher t = Pattern.compile("(?m)^([a-z][a-z0-9-]*)\\s*:(?!=)").matcher(read(path));
                while (t.find()) {
                    targets.add(t.group(1));
                }
            }
        }
        List<String> problems = new ArrayList<>();
        for (Path doc : docs) {
            Matcher m = MAKE.matcher(read(doc));
            Set<String> reported = new TreeSet<>();
            while (m.find()) {
                String target = m.group(1);
                if (!targets.contains(target)
                        && !NOT_TARGETS.contains(target)
                        && reported.add(target)) {
                    problems.add(root.relativize(doc) + ": no target '" + target + "'");
                }
            }
        }
        return problems;
    }

    /** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
    private static Set<String> anchors(Path doc) {
        Set<String> anchors = new TreeSet<>();
        for (String line : read(doc).split("\n")) {
            if (line.startsWith("#")) {
                String text = line.replaceFirst("^#+\\s*", "").strip().toLowerCase(Locale.ROOT);
                anchors.add(text.replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-'));
            }
        }
        return anchors;
    }

    private static String read(Path path) {
        try {
            return Files.readString(path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

package com.salesaggregator.helm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * A copy of a chart whose hooks render like its other templates. helm-java's {@code template()}
 * returns the release manifest, which leaves hooks out (the helm CLI prints them separately); the
 * copy renames the {@code helm.sh/hook} annotation of the test hooks, so that their pods can be
 * checked like the rest. The original annotation is checked on the template text itself.
 */
public final class ChartWithHooks {

    /** The annotation the copy gives the hooks instead of {@code helm.sh/hook}. */
    public static final String RENAMED_HOOK = "sales-aggregator.test/hook";

    private ChartWithHooks() {}

    /** Copies {@code chart} into {@code dir} with its test hooks' annotation renamed. */
    public static Path copy(Path chart, Path dir) {
        try (Stream<Path> files = Files.walk(chart)) {
            for (Path file : files.toList()) {
                Path target = dir.resolve(chart.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else if (chart.relativize(file).startsWith(Path.of("templates", "tests"))) {
                    Files.writeString(
                            target,
                            Files.readString(file).replace("helm.sh/hook:", RENAMED_HOOK + ":"));
                } else {
                    Files.copy(file, target);
                }
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The test hook templates of {@code chart}. */
    public static List<Path> testHooks(Path chart) {
        try (Stream<Path> files = Files.list(chart.resolve("templates").resolve("tests"))) {
            return files.sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

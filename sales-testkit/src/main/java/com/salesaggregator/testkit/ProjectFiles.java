package com.salesaggregator.testkit;

import java.nio.file.Files;
import java.nio.file.Path;

/** Files of the project (helm/, k8s/), found from whichever module directory a test runs in. */
public final class ProjectFiles {

    private ProjectFiles() {}

    /**
     * {@code first/more...} under the project's root: the nearest directory with {@code k8s.mk}.
     */
    public static Path path(String first, String... more) {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("k8s.mk"))) {
                return dir.resolve(Path.of(first, more));
            }
        }
        throw new IllegalStateException(
                "no project root (k8s.mk) above " + Path.of("").toAbsolutePath());
    }
}

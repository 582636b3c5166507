package io.github.miniwebvm.maven;

import java.io.File;
import java.nio.file.Path;

/** Default paths that work with and without a project POM. */
final class Defaults {
    private Defaults() {
    }

    /**
     * The configured path, or {@code relative} to the directory Maven runs in when the path still
     * holds an expression: without a POM, Maven leaves {@code ${project.build.directory}}
     * uninterpolated.
     */
    static Path resolve(File configured, File executionRoot, String relative) {
        if (configured != null && !configured.getPath().contains("${")) {
            return configured.toPath();
        }
        Path root = executionRoot != null ? executionRoot.toPath() : Path.of("").toAbsolutePath();
        return root.resolve(relative);
    }
}

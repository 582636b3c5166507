package io.github.miniwebvm.core.internal.pipeline;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The plugin replaces {@code outputDirectory} and clears parts of {@code workDirectory} on every
 * build, so it takes only folders that are its own: never one that holds the project, the build
 * context, the Dockerfile, the input image, the cache or the user's home, and never an existing
 * folder with other content. A folder it created carries a marker file; an empty or missing folder
 * is taken and marked.
 */
final class OwnedFolders {
    /** In every site the plugin writes; a folder without it (and not empty) is not replaced. */
    static final String SITE_MARKER = ".webvm-site";
    /** In every work folder the plugin uses. */
    static final String WORK_MARKER = ".webvm-work";

    private OwnedFolders() {
    }

    /**
     * Checks both folders against everything they must not contain, and each other, and that an
     * existing output or work folder is one written here (before anything is written).
     */
    static void check(PipelineOptions o) throws IOException {
        Map<String, Path> keep = new LinkedHashMap<>();
        if (o.projectDirectory != null) {
            keep.put("the project", o.projectDirectory);
        }
        if (o.image != null) {
            keep.put("the input image", o.image);
        } else {
            keep.put("the build context", o.context);
            keep.put("the Dockerfile", o.dockerfile);
        }
        keep.put("the cache directory", o.cacheDirectory);
        String home = System.getProperty("user.home");
        if (home != null && !home.isBlank()) {
            keep.put("your home directory", Path.of(home));
        }
        checkFolder("outputDirectory", o.outputDirectory, keep);
        requireOwnedOrEmpty(o.outputDirectory, SITE_MARKER, "outputDirectory");
        Map<String, Path> keepFromWork = new LinkedHashMap<>(keep);
        keepFromWork.put("outputDirectory", o.outputDirectory);
        checkFolder("workDirectory", o.workDirectory, keepFromWork);
        requireOwnedOrEmpty(o.workDirectory, WORK_MARKER, "workDirectory");
        if (within(real(o.workDirectory), real(o.outputDirectory))) {
            throw new IllegalArgumentException("workDirectory " + o.workDirectory + " is inside outputDirectory "
                    + o.outputDirectory + ", which every build replaces; keep them apart (defaults: target/webvm and"
                    + " target/webvm-site)");
        }
    }

    private static void checkFolder(String name, Path folder, Map<String, Path> keep) throws IOException {
        Path f = real(folder);
        if (f.getParent() == null) {
            throw new IllegalArgumentException(name + " " + folder + " is the root of the filesystem; use a folder of"
                    + " its own, e.g. target/webvm-site");
        }
        for (Map.Entry<String, Path> k : keep.entrySet()) {
            if (within(real(k.getValue()), f)) {
                throw new IllegalArgumentException(name + " " + folder + " holds " + k.getKey() + " (" + k.getValue()
                        + "); the plugin replaces that folder on every build, so it would delete it. Use a folder of"
                        + " its own, e.g. target/webvm-site (for GitHub Pages, a docs/ folder that holds nothing else)");
            }
        }
    }

    /**
     * Takes {@code folder} for the plugin: creates it with {@code marker} when it is missing or
     * empty; accepts it when it has the marker; refuses it otherwise.
     */
    static void claim(Path folder, String marker, String name) throws IOException {
        if (requireOwnedOrEmpty(folder, marker, name)) {
            return;
        }
        Files.createDirectories(folder);
        writeMarker(folder, marker);
    }

    /**
     * Refuses {@code folder} when it exists and is neither empty nor marked with {@code marker};
     * true when it carries the marker.
     */
    static boolean requireOwnedOrEmpty(Path folder, String marker, String name) throws IOException {
        if (Files.exists(folder, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(folder, LinkOption.NOFOLLOW_LINKS)) {
            throw new IllegalArgumentException(name + " " + folder + " is not a folder; remove it or choose another");
        }
        if (Files.isRegularFile(folder.resolve(marker), LinkOption.NOFOLLOW_LINKS)) {
            return true;
        }
        if (Files.isDirectory(folder, LinkOption.NOFOLLOW_LINKS)) {
            try (Stream<Path> entries = Files.list(folder)) {
                long n = entries.count();
                if (n > 0) {
                    throw new IllegalArgumentException(name + " " + folder + " already holds " + n + " entries that this"
                            + " plugin did not write (it has no " + marker + " file); the plugin replaces that folder on"
                            + " every build, so it will not use it. Choose an empty or new folder, or empty this one"
                            + " yourself");
                }
            }
        }
        return false;
    }

    static void writeMarker(Path folder, String marker) throws IOException {
        Files.writeString(folder.resolve(marker), "Written by webvm-maven-plugin, which replaces this folder on every build.\n");
    }

    /** The absolute, normalised path with symbolic links of its existing part resolved. */
    static Path real(Path p) throws IOException {
        Path abs = p.toAbsolutePath().normalize();
        Path existing = abs;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            return abs;
        }
        return existing.toRealPath().resolve(existing.relativize(abs));
    }

    private static boolean within(Path inner, Path outer) {
        return inner.startsWith(outer);
    }
}

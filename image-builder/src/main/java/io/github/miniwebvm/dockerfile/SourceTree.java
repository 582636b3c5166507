package io.github.miniwebvm.dockerfile;

import io.github.miniwebvm.fs.PathNames;
import io.github.miniwebvm.dockerfile.syntax.DockerIgnore;
import io.github.miniwebvm.dockerfile.syntax.Glob;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A directory that COPY and ADD read from (the build context, or the root of an earlier stage or
 * image) as Docker shows it to them. A source names a path below the root; symlinks on the way,
 * the last one included, are followed inside the tree: an absolute target starts again at the
 * root and {@code ..} stops there, so no link leads out of it. What {@code .dockerignore} excludes
 * is not there, whether named directly or reached through a link.
 */
final class SourceTree {
    final Path root;
    private final ConfinedRoot confined;
    private final DockerIgnore ignore;
    private final String description;

    /** One entry a source names: its name as the source spells it, and where it is once links are followed. */
    record Match(String name, Path path) {
    }

    /** {@code description} names the tree in messages, e.g. "the build context /src/app". */
    SourceTree(Path root, DockerIgnore ignore, String description) {
        this.root = root;
        this.confined = new ConfinedRoot(root);
        this.ignore = ignore;
        this.description = description;
    }

    /**
     * The entries {@code source} names, sorted: none, or each found at a file or directory below
     * the root with no symlink on its way. A segment with wildcards matches entry names as Go's
     * {@code filepath.Match} does ({@code **} is not special); symlinked directories are followed
     * before the first wildcard and not after it, as BuildKit does.
     *
     * @throws IllegalArgumentException when {@code source} climbs above the root with {@code ..},
     *                                  is a malformed pattern, or runs into a symlink loop
     */
    List<Match> matches(String source) throws IOException {
        List<String> segments = segments(source);
        int firstWildcard = 0;
        while (firstWildcard < segments.size() && !Glob.hasWildcards(segments.get(firstWildcard))) {
            firstWildcard++;
        }
        Path base = resolve(segments.subList(0, firstWildcard), source);
        if (base == null) {
            return List.of();
        }
        if (firstWildcard == segments.size()) {
            return List.of(new Match(segments.isEmpty() ? "" : segments.get(segments.size() - 1), base));
        }
        List<Path> level = List.of(base);
        for (int i = firstWildcard; i < segments.size(); i++) {
            Glob glob = compile(segments.get(i), source);
            boolean last = i == segments.size() - 1;
            List<Path> next = new ArrayList<>();
            for (Path dir : level) {
                if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                    continue;
                }
                try (var list = Files.list(dir)) {
                    for (Path child : (Iterable<Path>) list::iterator) {
                        if (glob.matches(child.getFileName().toString()) && isPresent(child)
                                && (last || Files.isDirectory(child, LinkOption.NOFOLLOW_LINKS))) {
                            next.add(child);
                        }
                    }
                }
            }
            level = next;
        }
        List<Match> out = new ArrayList<>();
        for (Path p : level.stream().sorted().toList()) {
            // a matched symlink is followed too; the components before it are real directories
            Path resolved = resolve(segments(relative(p)), source);
            if (resolved != null) {
                out.add(new Match(p.getFileName().toString(), resolved));
            }
        }
        return out;
    }

    /** {@code p} (below the root, no symlink on its way) relative to the root, '/'-separated. */
    String relative(Path p) {
        return root.relativize(p).toString();
    }

    /** The segments of {@code source} below the root, {@code .} and {@code ..} applied. */
    private List<String> segments(String source) {
        List<String> out = PathNames.inside(source);
        if (out == null) {
            throw new IllegalArgumentException("'" + source + "' is outside " + description
                    + ": '..' climbs above it; name a path inside it");
        }
        return out;
    }

    private static Glob compile(String segment, String source) {
        try {
            return Glob.compile(segment, Glob.Syntax.FILEPATH_MATCH);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bad pattern '" + source + "': " + e.getMessage(), e);
        }
    }

    /**
     * The host path of {@code segments} with every symlink followed inside the tree, or null when
     * something on the way does not exist or is excluded.
     */
    private Path resolve(List<String> segments, String source) throws IOException {
        try {
            return confined.walk(root, segments, "'" + source + "' in " + description, true,
                    (next, attrs, last) -> attrs != null && isPresent(next) ? next : null);
        } catch (ConfinedRoot.UnresolvablePathException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /**
     * False when {@code .dockerignore} leaves {@code p} out of the context; an excluded directory is
     * there when an exception may bring back something below it.
     */
    private boolean isPresent(Path p) {
        String rel = relative(p);
        return rel.isEmpty() || !ignore.excludes(rel)
                || Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) && ignore.hasExceptionsUnder(rel);
    }
}

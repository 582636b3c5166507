package io.github.miniwebvm.dockerfile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;

/**
 * A host directory seen as the root of an image: paths are resolved in it the way a chroot would
 * resolve them. Symlinks met on the way are followed inside the root (an absolute target starts
 * again at the root, {@code ..} stops at it), so no resolved path ever leaves the directory. Each
 * component is looked at without following it, so the host paths returned contain no symlink.
 */
final class ConfinedRoot {
    /** As Linux gives up with ELOOP. */
    static final int MAX_SYMLINK_HOPS = 40;

    final Path dir;

    ConfinedRoot(Path dir) {
        this.dir = dir;
    }

    /**
     * What a walk does with one component: {@code next} is its host path, {@code attrs} what is
     * there (null when nothing), {@code last} whether only {@code .} is left after it. Returns the
     * path to go on from ({@code next}, possibly just created), or null to give up the walk.
     */
    @FunctionalInterface
    interface Component {
        Path visit(Path next, BasicFileAttributes attrs, boolean last) throws IOException;
    }

    /**
     * The host path of {@code path} (absolute in the image, or relative to its root). Missing
     * components are kept as they are; the last component is followed only when {@code followLast}.
     */
    Path resolve(String path, boolean followLast) throws IOException {
        return walk(dir, Arrays.asList(path.split("/")), path, followLast, (next, attrs, last) -> next);
    }

    /**
     * The directory that {@code segments} name below {@code start} (a directory inside the root),
     * every component followed as above. A missing directory is created (0755, root-owned) when
     * {@code create}; otherwise a missing directory or a non-directory on the way gives null.
     *
     * @throws UnresolvablePathException when creating and a component is not a directory, or when
     *                                   symlinks loop
     */
    Path directory(Path start, List<String> segments, boolean create) throws IOException {
        return walk(start, segments, String.join("/", segments), true, (next, a, last) -> {
            if (a == null) {
                if (!create) {
                    return null;
                }
                createDirectory(next);
            } else if (!a.isSymbolicLink() && !a.isDirectory()) {
                if (!create) {
                    return null;
                }
                throw new UnresolvablePathException("/" + dir.relativize(next) + " is not a directory");
            }
            return next;
        });
    }

    /**
     * Walks {@code segments} from {@code start}: {@code .} is skipped, {@code ..} goes up but never
     * above the root, each component is shown to {@code component} before anything else and then,
     * when it is a symlink (the last one only when {@code followLast}), replaced by its target.
     *
     * @return where the walk ends, or null when {@code component} gave up
     * @throws UnresolvablePathException after more symlinks than Linux follows
     */
    Path walk(Path start, List<String> segments, String what, boolean followLast, Component component)
            throws IOException {
        Deque<String> todo = new ArrayDeque<>(segments);
        Path cur = start;
        int hops = 0;
        while (!todo.isEmpty()) {
            String s = todo.removeFirst();
            if (s.isEmpty() || s.equals(".")) {
                continue;
            }
            if (s.equals("..")) {
                cur = cur.equals(dir) ? dir : cur.getParent();
                continue;
            }
            Path next = cur.resolve(s);
            BasicFileAttributes a = lstat(next);
            boolean last = onlyDotsLeft(todo);
            Path went = component.visit(next, a, last);
            if (went == null) {
                return null;
            }
            if (a != null && a.isSymbolicLink() && (followLast || !last)) {
                if (++hops > MAX_SYMLINK_HOPS) {
                    throw new UnresolvablePathException(
                            "more than " + MAX_SYMLINK_HOPS + " symbolic links to follow resolving " + what
                                    + " (a link loop?)");
                }
                cur = follow(next, cur, todo);
                continue;
            }
            cur = went;
        }
        return cur;
    }

    /** Attributes of {@code p} itself (a symlink is not followed), or null when nothing is there. */
    static BasicFileAttributes lstat(Path p) throws IOException {
        try {
            return Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (java.nio.file.NoSuchFileException e) {
            return null;
        } catch (java.nio.file.FileSystemException e) {
            // ENOTDIR: a component before the last is not a directory, so nothing is there
            if (p.getParent() != null && !Files.isDirectory(p.getParent(), LinkOption.NOFOLLOW_LINKS)) {
                return null;
            }
            throw e;
        }
    }

    /** A path that goes through a non-directory or through too many symlinks. */
    static final class UnresolvablePathException extends ImageBuildException {
        UnresolvablePathException(String message) {
            super(message);
        }
    }

    /**
     * Puts the target of {@code link} (found in the directory {@code from}) in front of what is left
     * to resolve; returns the directory resolving goes on from.
     */
    private Path follow(Path link, Path from, Deque<String> todo) throws IOException {
        String target = Files.readSymbolicLink(link).toString();
        String[] segments = target.split("/");
        for (int i = segments.length - 1; i >= 0; i--) {
            todo.addFirst(segments[i]);
        }
        return target.startsWith("/") ? dir : from;
    }

    private static boolean onlyDotsLeft(Deque<String> todo) {
        return todo.stream().allMatch(t -> t.isEmpty() || t.equals("."));
    }

    private static void createDirectory(Path p) throws IOException {
        Files.createDirectory(p);
        Files.setAttribute(p, "unix:mode", 0755, LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(p, "unix:uid", 0, LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(p, "unix:gid", 0, LinkOption.NOFOLLOW_LINKS);
    }
}

package io.github.miniwebvm.build;

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
    private static final int MAX_SYMLINK_HOPS = 40;

    final Path dir;

    ConfinedRoot(Path dir) {
        this.dir = dir;
    }

    /**
     * The host path of {@code path} (absolute in the image, or relative to its root). Missing
     * components are kept as they are; the last component is followed only when {@code followLast}.
     */
    Path resolve(String path, boolean followLast) throws IOException {
        Deque<String> todo = new ArrayDeque<>(Arrays.asList(path.split("/")));
        Path cur = dir;
        int hops = 0;
        while (!todo.isEmpty()) {
            String s = todo.removeFirst();
            if (s.isEmpty() || s.equals(".")) {
                continue;
            }
            if (s.equals("..")) {
                cur = up(cur);
                continue;
            }
            Path next = cur.resolve(s);
            if (Files.isSymbolicLink(next) && (followLast || !onlyDotsLeft(todo))) {
                checkHops(++hops, path);
                cur = follow(next, cur, todo);
                continue;
            }
            cur = next;
        }
        return cur;
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
        Deque<String> todo = new ArrayDeque<>(segments);
        Path cur = start;
        int hops = 0;
        while (!todo.isEmpty()) {
            String s = todo.removeFirst();
            if (s.isEmpty() || s.equals(".")) {
                continue;
            }
            if (s.equals("..")) {
                cur = up(cur);
                continue;
            }
            Path next = cur.resolve(s);
            BasicFileAttributes a = lstat(next);
            if (a == null) {
                if (!create) {
                    return null;
                }
                createDirectory(next);
            } else if (a.isSymbolicLink()) {
                checkHops(++hops, String.join("/", segments));
                cur = follow(next, cur, todo);
                continue;
            } else if (!a.isDirectory()) {
                if (!create) {
                    return null;
                }
                throw new UnresolvablePathException("/" + dir.relativize(next) + " is not a directory");
            }
            cur = next;
        }
        return cur;
    }

    /** Attributes of {@code p} itself (a symlink is not followed), or null when nothing is there. */
    static BasicFileAttributes lstat(Path p) throws IOException {
        try {
            return Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (java.nio.file.NoSuchFileException e) {
            return null;
        }
    }

    /** A path that goes through a non-directory or through too many symlinks. */
    static final class UnresolvablePathException extends ImageBuildException {
        UnresolvablePathException(String message) {
            super(message);
        }
    }

    private Path up(Path cur) {
        return cur.equals(dir) ? dir : cur.getParent();
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

    private static void checkHops(int hops, String path) throws UnresolvablePathException {
        if (hops > MAX_SYMLINK_HOPS) {
            throw new UnresolvablePathException("too many levels of symbolic links resolving " + path);
        }
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

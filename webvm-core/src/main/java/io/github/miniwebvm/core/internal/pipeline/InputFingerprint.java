package io.github.miniwebvm.core.internal.pipeline;

import io.github.miniwebvm.io.Sha256;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A digest of everything a stage's output depends on: named values (parameters, plugin version)
 * and files or directory trees (Dockerfile, build context, an input image). Equal fingerprints
 * mean the stage can be skipped.
 *
 * <p>Small files are hashed by content; files of 1 MiB and more by size and modification time, so
 * that checking a multi-GiB input image stays fast.
 */
public final class InputFingerprint {
    private static final long CONTENT_HASH_LIMIT = 1 << 20;

    private final TreeMap<String, String> values = new TreeMap<>();
    private final List<Path[]> trees = new ArrayList<>();
    private final List<Set<Path>> excludes = new ArrayList<>();

    public InputFingerprint value(String name, Object value) {
        values.put(name, String.valueOf(value));
        return this;
    }

    public InputFingerprint values(String prefix, Map<String, ?> map) {
        if (map != null) {
            new TreeMap<>(map).forEach((k, v) -> value(prefix + "." + k, v));
        }
        return this;
    }

    /** A file or a directory tree; {@code exclude} lists absolute paths not to descend into. */
    public InputFingerprint tree(String name, Path path, Set<Path> exclude) {
        trees.add(new Path[] {Path.of(name), path});
        excludes.add(exclude);
        return this;
    }

    public String digest() throws IOException {
        MessageDigest md = Sha256.newDigest();
        values.forEach((k, v) -> update(md, "v:" + k + "=" + v + "\n"));
        for (int i = 0; i < trees.size(); i++) {
            String name = trees.get(i)[0].toString();
            Path root = trees.get(i)[1].toAbsolutePath().normalize();
            Set<Path> exclude = excludes.get(i);
            if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
                update(md, "t:" + name + " missing\n");
                continue;
            }
            TreeMap<String, Path> files = new TreeMap<>();
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                    if (exclude.contains(dir)) {
                        return FileVisitResult.SKIP_SUBTREE;
                    }
                    files.put(root.relativize(dir) + "/", dir);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    if (!exclude.contains(file)) {
                        files.put(root.relativize(file).toString(), file);
                    }
                    return FileVisitResult.CONTINUE;
                }
            });
            for (Map.Entry<String, Path> e : files.entrySet()) {
                update(md, "f:" + name + "/" + e.getKey() + " " + describe(e.getValue()) + "\n");
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static String describe(Path p) throws IOException {
        BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (a.isDirectory()) {
            return "dir";
        }
        if (a.isSymbolicLink()) {
            return "link " + Files.readSymbolicLink(p);
        }
        String mode = "";
        try {
            mode = Integer.toOctalString((Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS));
        } catch (UnsupportedOperationException | IllegalArgumentException e) {
            // not a POSIX filesystem: the mode cannot matter there
        }
        if (a.size() >= CONTENT_HASH_LIMIT) {
            return "file " + mode + " " + a.size() + " @" + a.lastModifiedTime().toMillis();
        }
        return "file " + mode + " " + Sha256.hex(p);
    }

    private static void update(MessageDigest md, String s) {
        md.update(s.getBytes(StandardCharsets.UTF_8));
    }
}

package io.github.miniwebvm.image;

import io.github.miniwebvm.fs.FileTree;
import io.github.miniwebvm.fs.Node;
import io.github.miniwebvm.io.Sha256;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * A comparable description of a filesystem: per path its type, mode, owner, mtime, link target or
 * device numbers and content hash, plus the hard-link groups. Built from our {@link FileTree} or
 * from a tar read with Commons Compress (for example {@code podman export}).
 */
record TreeSnapshot(Map<String, String> entries, Set<Set<String>> hardLinkGroups) {

    static TreeSnapshot of(FileTree tree) {
        Map<String, String> entries = new TreeMap<>();
        Map<Node, Set<String>> names = new IdentityHashMap<>();
        tree.walk((path, node) -> {
            if (path.equals("/")) {
                return;
            }
            String p = path.substring(1);
            entries.put(p, describe(node));
            if (!node.isDirectory()) {
                names.computeIfAbsent(node, n -> new TreeSet<>()).add(p);
            }
        });
        Set<Set<String>> groups = new java.util.HashSet<>();
        names.values().stream().filter(s -> s.size() > 1).forEach(groups::add);
        return new TreeSnapshot(entries, groups);
    }

    static String describe(Node node) {
        String common = String.format("%04o %d:%d @%d", node.permissions(), node.uid(), node.gid(), node.mtime());
        return switch (node.type()) {
            case DIRECTORY -> "dir " + common;
            case FILE -> "file " + common + " " + node.size() + " " + hash(node);
            case SYMLINK -> "symlink -> " + node.linkTarget() + " " + String.format("%d:%d @%d", node.uid(), node.gid(),
                    node.mtime());
            case CHAR_DEVICE -> "char " + common + " " + node.major() + "," + node.minor();
            case BLOCK_DEVICE -> "block " + common + " " + node.major() + "," + node.minor();
            case FIFO -> "fifo " + common;
            case SOCKET -> "socket " + common;
        };
    }

    private static String hash(Node node) {
        try (InputStream in = node.content().open()) {
            return Sha256.hex(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads a tar as an extractor would (later entries replace earlier ones). */
    static TreeSnapshot ofTar(Path tar) throws IOException {
        Map<String, String> entries = new TreeMap<>();
        Map<String, String> linkOf = new TreeMap<>();
        try (TarArchiveInputStream in = new TarArchiveInputStream(Files.newInputStream(tar))) {
            TarArchiveEntry e;
            while ((e = in.getNextEntry()) != null) {
                String p = normalise(e.getName());
                if (p.isEmpty()) {
                    continue;
                }
                String common = String.format("%04o %d:%d @%d", e.getMode() & 07777, e.getLongUserId(),
                        e.getLongGroupId(), e.getModTime().getTime() / 1000);
                String d;
                if (e.isLink()) {
                    String target = normalise(e.getLinkName());
                    d = entries.get(target);
                    linkOf.put(p, linkOf.getOrDefault(target, target));
                } else if (e.isDirectory()) {
                    d = "dir " + common;
                } else if (e.isSymbolicLink()) {
                    d = "symlink -> " + e.getLinkName() + " " + String.format("%d:%d @%d", e.getLongUserId(),
                            e.getLongGroupId(), e.getModTime().getTime() / 1000);
                } else if (e.isCharacterDevice()) {
                    d = "char " + common + " " + e.getDevMajor() + "," + e.getDevMinor();
                } else if (e.isBlockDevice()) {
                    d = "block " + common + " " + e.getDevMajor() + "," + e.getDevMinor();
                } else if (e.isFIFO()) {
                    d = "fifo " + common;
                } else {
                    d = "file " + common + " " + e.getSize() + " " + Sha256.hex(in);
                }
                entries.put(p, d);
            }
        }
        Map<String, Set<String>> groups = new TreeMap<>();
        linkOf.forEach((link, target) -> {
            groups.computeIfAbsent(target, t -> new TreeSet<>(List.of(t))).add(link);
        });
        return new TreeSnapshot(entries, new java.util.HashSet<>(groups.values()));
    }

    static String normalise(String name) {
        List<String> out = new ArrayList<>();
        for (String s : name.split("/")) {
            if (!s.isEmpty() && !s.equals(".")) {
                out.add(s);
            }
        }
        return String.join("/", out);
    }

    /** Human-readable differences, at most {@code limit} lines. */
    List<String> differencesFrom(TreeSnapshot expected, int limit) {
        List<String> out = new ArrayList<>();
        Set<String> all = new TreeSet<>(entries.keySet());
        all.addAll(expected.entries.keySet());
        for (String p : all) {
            String ours = entries.get(p);
            String theirs = expected.entries.get(p);
            if (!java.util.Objects.equals(ours, theirs)) {
                out.add(p + ":\n    ours:     " + ours + "\n    expected: " + theirs);
                if (out.size() >= limit) {
                    break;
                }
            }
        }
        if (!hardLinkGroups.equals(expected.hardLinkGroups)) {
            out.add("hard link groups differ:\n    ours:     " + new TreeSet<>(hardLinkGroups.stream().map(Object::toString)
                    .toList()) + "\n    expected: " + new TreeSet<>(expected.hardLinkGroups.stream().map(Object::toString)
                    .toList()));
        }
        return out;
    }
}

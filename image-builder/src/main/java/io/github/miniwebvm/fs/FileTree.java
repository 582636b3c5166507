package io.github.miniwebvm.fs;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A root filesystem as metadata: directories, files (whose bytes stay where they are, see
 * {@link Content}), symlinks, devices, fifos and sockets. The flattener produces it and the ext2
 * writer consumes it.
 *
 * <p>Paths are absolute or relative to the root, separated by {@code /}; they are normalised
 * lexically ({@code .} and empty segments dropped, {@code ..} refused). Lookups never follow
 * symlinks: a path through a symlink or a non-directory is an error, so nothing here can reach
 * outside the tree.
 */
public final class FileTree {
    private final Node root;

    public FileTree() {
        this(Node.directory(0755));
    }

    public FileTree(Node root) {
        if (!root.isDirectory()) {
            throw new IllegalArgumentException("the root must be a directory");
        }
        this.root = root;
    }

    public Node root() {
        return root;
    }

    /** Splits and normalises a path; throws {@link IllegalArgumentException} for {@code ..} and NUL. */
    public static List<String> segments(String path) {
        List<String> out = new ArrayList<>();
        for (String s : path.split("/")) {
            if (s.isEmpty() || s.equals(".")) {
                continue;
            }
            if (s.equals("..")) {
                throw new IllegalArgumentException("path leaves the root through '..': " + path);
            }
            if (s.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("path contains a NUL byte: " + path.replace("\0", "\\0"));
            }
            out.add(s);
        }
        return out;
    }

    /** The node at {@code path}, without following symlinks. */
    public Optional<Node> lookup(String path) {
        Node cur = root;
        for (String s : segments(path)) {
            if (!cur.isDirectory()) {
                return Optional.empty();
            }
            cur = cur.mutableChildren().get(s);
            if (cur == null) {
                return Optional.empty();
            }
        }
        return Optional.of(cur);
    }

    /**
     * Puts {@code node} at {@code path}, replacing what was there. The parent must exist and be a
     * directory. Putting a node that is already elsewhere in the tree makes a hard link.
     */
    public void put(String path, Node node) {
        List<String> segs = segments(path);
        if (segs.isEmpty()) {
            throw new IllegalArgumentException("cannot replace the root");
        }
        parentOf(path, segs).mutableChildren().put(segs.get(segs.size() - 1), node);
    }

    /**
     * Puts {@code node} as {@code name} in {@code directory}, replacing what was there: for callers
     * that walk the tree themselves and hold the parent already, so that a deep path costs one walk
     * instead of one per level. {@code directory} must be a directory of this tree.
     */
    public void putChild(Node directory, String name, Node node) {
        directory.mutableChildren().put(checkName(name), node);
    }

    /** Removes the entry {@code name} of {@code directory} (and, for a directory, everything below). */
    public Optional<Node> removeChild(Node directory, String name) {
        return Optional.ofNullable(directory.mutableChildren().remove(name));
    }

    private static String checkName(String name) {
        if (name.isEmpty() || name.equals(".") || name.equals("..") || name.indexOf('/') >= 0
                || name.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("not a file name: '" + name.replace("\0", "\\0") + "'");
        }
        return name;
    }

    /** Creates missing parent directories of {@code path} with {@code template}'s metadata. */
    public Node mkdirs(String path, Node template) {
        Node cur = root;
        for (String s : segments(path)) {
            Node next = cur.mutableChildren().get(s);
            if (next == null) {
                next = Node.directory(0).copyMetadataFrom(template);
                cur.mutableChildren().put(s, next);
            } else if (!next.isDirectory()) {
                throw new IllegalArgumentException("not a directory: '" + s + "' in " + path);
            }
            cur = next;
        }
        return cur;
    }

    /** Removes the entry at {@code path} (and, for a directory, everything below). */
    public Optional<Node> remove(String path) {
        List<String> segs = segments(path);
        if (segs.isEmpty()) {
            throw new IllegalArgumentException("cannot remove the root");
        }
        Optional<Node> parent = lookup(String.join("/", segs.subList(0, segs.size() - 1)));
        if (parent.isEmpty() || !parent.get().isDirectory()) {
            return Optional.empty();
        }
        return Optional.ofNullable(parent.get().mutableChildren().remove(segs.get(segs.size() - 1)));
    }

    /** Removes every child of the directory at {@code path}. */
    public void clearDirectory(String path) {
        Node dir = lookup(path).orElseThrow(() -> new IllegalArgumentException("no such directory: " + path));
        dir.mutableChildren().clear();
    }

    private Node parentOf(String path, List<String> segs) {
        Node cur = root;
        for (String s : segs.subList(0, segs.size() - 1)) {
            Node next = cur.mutableChildren().get(s);
            if (next == null) {
                throw new IllegalArgumentException("parent directory missing: '" + s + "' in " + path);
            }
            if (!next.isDirectory()) {
                throw new IllegalArgumentException("path goes through a non-directory ('" + s + "' is a "
                        + next.type() + "): " + path);
            }
            cur = next;
        }
        return cur;
    }

    /** Visits every entry once per path, depth first, children in name order; the root has path "/". */
    public void walk(Visitor visitor) {
        Deque<Map.Entry<String, Node>> stack = new ArrayDeque<>();
        stack.push(Map.entry("/", root));
        while (!stack.isEmpty()) {
            Map.Entry<String, Node> e = stack.pop();
            visitor.visit(e.getKey(), e.getValue());
            Node n = e.getValue();
            if (n.isDirectory()) {
                String prefix = e.getKey().equals("/") ? "/" : e.getKey() + "/";
                List<Map.Entry<String, Node>> kids = new ArrayList<>(n.mutableChildren().entrySet());
                for (int i = kids.size() - 1; i >= 0; i--) {
                    stack.push(Map.entry(prefix + kids.get(i).getKey(), kids.get(i).getValue()));
                }
            }
        }
    }

    /** How many names refer to each node (hard links); directories count their "." and children's "..". */
    public Map<Node, Integer> linkCounts() {
        Map<Node, Integer> counts = new IdentityHashMap<>();
        counts.put(root, 2);
        walk((path, node) -> {
            if (node.isDirectory()) {
                for (Node child : node.children().values()) {
                    if (child.isDirectory()) {
                        counts.merge(child, 2, Integer::sum);   // its name and its "."
                        counts.merge(node, 1, Integer::sum);    // the child's ".."
                    } else {
                        counts.merge(child, 1, Integer::sum);
                    }
                }
            }
        });
        return counts;
    }

    /** Number of distinct nodes (inodes) in the tree, the root included. */
    public int nodeCount() {
        return linkCounts().size();
    }

    @FunctionalInterface
    public interface Visitor {
        void visit(String path, Node node);
    }
}

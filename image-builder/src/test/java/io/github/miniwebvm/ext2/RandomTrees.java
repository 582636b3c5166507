package io.github.miniwebvm.ext2;

import io.github.miniwebvm.fs.Content;
import io.github.miniwebvm.fs.FileTree;
import io.github.miniwebvm.fs.Node;
import io.github.miniwebvm.fs.NodeType;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

/** Random small trees described as a list of entries, so the same tree can be built in any order. */
final class RandomTrees {
    private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.+~ #@=,äöü€漢字";
    private static final NodeType[] TYPES = NodeType.values();

    record Entry(String path, NodeType type, int permissions, long uid, long gid, long mtime, long atime,
                 long ctime, byte[] data, String target, int major, int minor, int linkTo,
                 Map<String, byte[]> xattrs) {
        int depth() {
            return (int) path.chars().filter(c -> c == '/').count();
        }
    }

    private RandomTrees() {
    }

    static List<Entry> generate(Random r, int blockSize, int entries) {
        List<Entry> out = new ArrayList<>();
        List<String> dirs = new ArrayList<>();
        dirs.add("");
        Set<String> used = new HashSet<>();
        for (int i = 0; i < entries; i++) {
            String parent = dirs.get(r.nextInt(dirs.size()));
            String name;
            do {
                name = name(r);
            } while (!used.add(parent + "/" + name) || (parent.isEmpty() && name.equals("lost+found")));
            String path = parent + "/" + name;
            List<Integer> linkable = new ArrayList<>();
            for (int j = 0; j < out.size(); j++) {
                if (out.get(j).type() != NodeType.DIRECTORY && out.get(j).linkTo() < 0) {
                    linkable.add(j);
                }
            }
            if (!linkable.isEmpty() && r.nextInt(8) == 0) {
                out.add(new Entry(path, null, 0, 0, 0, 0, 0, 0, null, null, 0, 0,
                        linkable.get(r.nextInt(linkable.size())), Map.of()));
                continue;
            }
            NodeType type = r.nextInt(3) == 0 ? NodeType.DIRECTORY : r.nextInt(2) == 0 ? NodeType.FILE : TYPES[r.nextInt(TYPES.length)];
            if (type == NodeType.DIRECTORY) {
                dirs.add(path);
            }
            byte[] data = type == NodeType.FILE ? data(r, blockSize) : null;
            String target = type == NodeType.SYMLINK ? target(r, blockSize) : null;
            int major = r.nextInt(4) == 0 ? r.nextInt(4096) : r.nextInt(256);
            int minor = r.nextInt(4) == 0 ? r.nextInt(1 << 20) : r.nextInt(256);
            Map<String, byte[]> xattrs = new TreeMap<>();
            if ((type == NodeType.FILE || type == NodeType.DIRECTORY) && r.nextInt(4) == 0) {
                int n = 1 + r.nextInt(3);
                for (int k = 0; k < n; k++) {
                    byte[] v = new byte[r.nextInt(40)];
                    r.nextBytes(v);
                    xattrs.put((r.nextBoolean() ? "user." : "trusted.") + "k" + r.nextInt(5), v);
                }
            }
            long mtime = r.nextInt(1_700_000_000);
            out.add(new Entry(path, type, r.nextInt(010000), uid(r), uid(r), mtime, r.nextInt(1_700_000_000),
                    r.nextInt(1_700_000_000), data, target, major, minor, -1, xattrs));
        }
        return out;
    }

    private static long uid(Random r) {
        return switch (r.nextInt(4)) {
            case 0 -> 0;
            case 1 -> r.nextInt(65536);
            case 2 -> 1000;
            default -> r.nextLong() & 0xFFFF_FFFFL;
        };
    }

    private static String name(Random r) {
        if (r.nextInt(20) == 0) {
            return "L".repeat(200 + r.nextInt(56));
        }
        StringBuilder sb = new StringBuilder();
        int len = 1 + r.nextInt(20);
        for (int i = 0; i < len; i++) {
            sb.append(ALPHABET.charAt(r.nextInt(ALPHABET.length())));
        }
        String s = sb.toString();
        return s.equals(".") || s.equals("..") ? s + "x" : s;
    }

    private static String target(Random r, int blockSize) {
        int len = switch (r.nextInt(3)) {
            case 0 -> 1 + r.nextInt(59);
            case 1 -> 60 + r.nextInt(200);
            default -> 1 + r.nextInt(blockSize - 1);
        };
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < len; i++) {
            sb.append("abc/._-xyz".charAt(r.nextInt(10)));
        }
        return sb.toString();
    }

    private static byte[] data(Random r, int blockSize) {
        int size = switch (r.nextInt(4)) {
            case 0 -> r.nextInt(100);
            case 1 -> r.nextInt(blockSize * 3);
            case 2 -> blockSize * (1 + r.nextInt(20));
            default -> r.nextInt(blockSize * 16 + 1);
        };
        byte[] data = new byte[size];
        r.nextBytes(data);
        int blocks = (size + blockSize - 1) / blockSize;
        for (int b = 0; b < blocks; b++) {
            if (r.nextInt(3) == 0) {
                java.util.Arrays.fill(data, b * blockSize, Math.min(size, (b + 1) * blockSize), (byte) 0);
            }
        }
        return data;
    }

    /** Builds the tree; with {@code shuffle}, siblings and nodes are created in a random order. */
    static FileTree build(List<Entry> entries, Random shuffle) {
        FileTree tree = new FileTree(Node.directory(0755).setTimes(1_500_000_000L, 1_500_000_001L, 1_500_000_002L));
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            order.add(i);
        }
        if (shuffle != null) {
            Collections.shuffle(order, shuffle);
        }
        Map<Integer, Node> nodes = new HashMap<>();
        for (int i : order) {
            Entry e = entries.get(i);
            if (e.linkTo() < 0) {
                nodes.put(i, node(e));
            }
        }
        List<Integer> byDepth = new ArrayList<>(order);
        byDepth.sort(Comparator.comparingInt(i -> entries.get(i).depth()));
        for (int i : byDepth) {
            Entry e = entries.get(i);
            tree.put(e.path(), nodes.get(e.linkTo() >= 0 ? e.linkTo() : i));
        }
        return tree;
    }

    private static Node node(Entry e) {
        Node n = switch (e.type()) {
            case DIRECTORY -> Node.directory(e.permissions());
            case FILE -> Node.file(e.permissions(), Content.ofBytes(e.data()));
            case SYMLINK -> Node.symlink(e.target());
            case CHAR_DEVICE, BLOCK_DEVICE -> Node.device(e.type(), e.permissions(), e.major(), e.minor());
            case FIFO -> Node.fifo(e.permissions());
            case SOCKET -> Node.socket(e.permissions());
        };
        n.setOwner(e.uid(), e.gid()).setTimes(e.mtime(), e.atime(), e.ctime());
        e.xattrs().forEach(n::setXattr);
        return n;
    }

    static String describe(List<Entry> entries) {
        StringBuilder sb = new StringBuilder();
        for (Entry e : entries) {
            sb.append(e.path().length() > 60 ? e.path().substring(0, 60) + "…" : e.path())
                    .append(' ').append(e.linkTo() >= 0 ? "link to #" + e.linkTo() : e.type()).append('\n');
        }
        return sb.toString();
    }
}

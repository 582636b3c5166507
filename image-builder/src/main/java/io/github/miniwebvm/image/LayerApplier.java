package io.github.miniwebvm.image;

import io.github.miniwebvm.fs.PathNames;
import io.github.miniwebvm.fs.Content;
import io.github.miniwebvm.fs.FileTree;
import io.github.miniwebvm.fs.Node;
import io.github.miniwebvm.fs.NodeType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Applies one layer tar on top of a {@link FileTree} with the OCI/AUFS rules: {@code .wh.<name>}
 * deletes a lower entry, {@code .wh..wh..opq} hides everything lower layers put in its directory
 * (entries of the same layer stay), a later entry replaces an earlier one of any other type, and
 * a hard link names the same {@link Node} as its target.
 *
 * <p>Paths are normalised lexically: a leading {@code /} is dropped (absolute names are relative
 * to the image root) and {@code ..} is resolved against the entry's own path; a name that climbs
 * above the root is refused. An entry whose parent in the tree is a symlink or a non-directory is
 * refused too, never resolved: layer tars made by a container engine never contain such paths, so
 * one is a hostile or broken archive; so is a path longer than Linux's {@code PATH_MAX}. Nothing is
 * ever written to the host filesystem, and no work recurses as deep as a path goes.
 */
final class LayerApplier {
    /** Linux's PATH_MAX less its NUL: no program in the VM can open a longer path, nor can tar extract one. */
    static final int MAX_PATH_BYTES = 4095;
    private static final int SHOWN_NAME_CHARS = 200;

    private final FileTree tree;
    private final String layerName;
    private final Path contentFile;
    private final long contentBase;
    /**
     * The names each directory got from this layer (entries and their ancestors): opaque markers
     * and whiteouts leave them alone. Keyed by directory node rather than by path, so that a deep
     * path costs one name per level instead of one string per prefix.
     */
    private final Map<Node, Set<String>> namesFromThisLayer = new IdentityHashMap<>();

    /**
     * @param contentFile the file holding this layer's uncompressed tar (the blob itself or a spool copy)
     * @param contentBase where the tar starts in {@code contentFile}
     */
    LayerApplier(FileTree tree, String layerName, Path contentFile, long contentBase) {
        this.tree = tree;
        this.layerName = layerName;
        this.contentFile = contentFile;
        this.contentBase = contentBase;
    }

    void apply(TarReader reader) throws IOException {
        TarHeader h;
        while ((h = reader.next()) != null) {
            applyEntry(h);
        }
    }

    void applyEntry(TarHeader h) throws IOException {
        List<String> segs = normalise(h.name(), h);
        if (segs.isEmpty()) {
            if (h.type() != '5') {
                throw error(h, "the image root must be a directory, not tar type '" + h.type() + "'");
            }
            setMetadata(tree.root(), h);
            return;
        }
        String base = segs.get(segs.size() - 1);
        List<String> parentSegs = segs.subList(0, segs.size() - 1);
        Whiteouts.Kind kind = Whiteouts.kindOf(base);
        if (kind != Whiteouts.Kind.ENTRY) {
            applyWhiteout(h, parentSegs, base, kind);
            return;
        }
        Node parent = parentDirectory(h, parentSegs, true);
        markFromThisLayer(parent, base);
        Node existing = parent.children().get(base);
        switch (h.type()) {
            case '5' -> {
                if (existing != null && existing.isDirectory()) {
                    setMetadata(existing, h);
                } else {
                    tree.putChild(parent, base, setMetadata(Node.directory(0), h));
                }
            }
            case '0', '\0', '7' -> tree.putChild(parent, base, setMetadata(Node.file(0, content(h)), h));
            case '2' -> {
                if (h.linkName().isEmpty()) {
                    throw error(h, "symlink without a target");
                }
                tree.putChild(parent, base, setMetadata(Node.symlink(h.linkName()), h));
            }
            case '1' -> {
                List<String> targetSegs = normalise(h.linkName(), h);
                Node target = lookupNoFollow(targetSegs);
                if (target == null) {
                    throw error(h, "hard link to a missing target '" + shown(h.linkName()) + "'");
                }
                if (target.isDirectory()) {
                    throw error(h, "hard link to a directory '" + shown(h.linkName()) + "'");
                }
                if (target != existing) {
                    tree.putChild(parent, base, target);
                }
                if (target.type() != NodeType.SYMLINK) {
                    setMetadata(target, h);
                }
            }
            case '3' -> tree.putChild(parent, base,
                    setMetadata(Node.device(NodeType.CHAR_DEVICE, 0, h.devMajor(), h.devMinor()), h));
            case '4' -> tree.putChild(parent, base,
                    setMetadata(Node.device(NodeType.BLOCK_DEVICE, 0, h.devMajor(), h.devMinor()), h));
            case '6' -> tree.putChild(parent, base, setMetadata(Node.fifo(0), h));
            default -> throw error(h, "unsupported tar entry type '" + h.type() + "'");
        }
    }

    /** The entry's bytes where they lie in the layer: one range, or the data segments of a sparse entry. */
    private Content content(TarHeader h) {
        if (h.size() == 0) {
            return Content.EMPTY;
        }
        long at = contentBase + h.dataOffset();
        return h.dataSegments() == null ? Content.ofRange(contentFile, at, h.size())
                : Content.ofSparseRange(contentFile, at, h.size(), h.dataSegments());
    }

    private void applyWhiteout(TarHeader h, List<String> parentSegs, String base, Whiteouts.Kind kind)
            throws ImageFormatException {
        Node parent = lookupNoFollow(parentSegs);
        if (kind == Whiteouts.Kind.OPAQUE) {
            if (parent == null) {
                // the directory is new in this layer, so there is nothing lower to hide; make sure it exists
                parentDirectory(h, parentSegs, false);
                return;
            }
            if (!parent.isDirectory()) {
                throw error(h, "opaque marker inside a " + parent.type());
            }
            hideLower(parent);
            return;
        }
        if (kind == Whiteouts.Kind.AUFS_METADATA) {
            return;
        }
        if (kind == Whiteouts.Kind.INVALID) {
            throw error(h, "whiteout for an invalid name");
        }
        String name = Whiteouts.deletedName(base);
        if (parent == null || !parent.isDirectory()) {
            return; // nothing to delete
        }
        if (!isFromThisLayer(parent, name)) {
            tree.removeChild(parent, name);
        }
    }

    /** Removes what lower layers put below {@code dir}; a loop, not a recursion, as archives choose the depth. */
    private void hideLower(Node dir) {
        Deque<Node> pending = new ArrayDeque<>();
        pending.push(dir);
        while (!pending.isEmpty()) {
            Node d = pending.pop();
            for (Map.Entry<String, Node> child : new ArrayList<>(d.children().entrySet())) {
                if (!isFromThisLayer(d, child.getKey())) {
                    tree.removeChild(d, child.getKey());
                } else if (child.getValue().isDirectory()) {
                    pending.push(child.getValue());
                }
            }
        }
    }

    /**
     * The parent directory, creating missing ones (0755 root:root); refuses symlinks and
     * non-directories on the way. {@code fromThisLayer}: whether the whole path counts as written
     * by this layer (it does for an entry, not for a whiteout: only the directories it creates).
     */
    private Node parentDirectory(TarHeader h, List<String> parentSegs, boolean fromThisLayer)
            throws ImageFormatException {
        Node cur = tree.root();
        for (int i = 0; i < parentSegs.size(); i++) {
            String s = parentSegs.get(i);
            Node next = cur.children().get(s);
            boolean created = next == null;
            if (created) {
                next = Node.directory(0755);
                tree.putChild(cur, s, next);
            } else if (next.type() == NodeType.SYMLINK) {
                throw error(h, "path goes through the symlink '" + pathTo(parentSegs, i) + "' -> '"
                        + shown(next.linkTarget()) + "'; entries are never written through symlinks");
            } else if (!next.isDirectory()) {
                throw error(h, "path goes through '" + pathTo(parentSegs, i) + "', which is a " + next.type()
                        + ", not a directory");
            }
            if (created || fromThisLayer) {
                markFromThisLayer(cur, s);
            }
            cur = next;
        }
        return cur;
    }

    /** The absolute path of the first {@code last + 1} segments, for a message. */
    private static String pathTo(List<String> segs, int last) {
        return "/" + shown(String.join("/", segs.subList(0, last + 1)));
    }

    private Node lookupNoFollow(List<String> segs) {
        Node cur = tree.root();
        for (String s : segs) {
            if (!cur.isDirectory()) {
                return null;
            }
            cur = cur.children().get(s);
            if (cur == null) {
                return null;
            }
        }
        return cur;
    }

    private void markFromThisLayer(Node dir, String name) {
        namesFromThisLayer.computeIfAbsent(dir, d -> new HashSet<>()).add(name);
    }

    private boolean isFromThisLayer(Node dir, String name) {
        Set<String> names = namesFromThisLayer.get(dir);
        return names != null && names.contains(name);
    }

    private Node setMetadata(Node node, TarHeader h) {
        node.setPermissions(h.mode() & 07777);
        node.setOwner(h.uid() & 0xFFFF_FFFFL, h.gid() & 0xFFFF_FFFFL);
        node.setTime(h.mtime());
        for (String name : new ArrayList<>(node.xattrs().keySet())) {
            node.removeXattr(name);
        }
        for (Map.Entry<String, byte[]> x : h.xattrs().entrySet()) {
            node.setXattr(x.getKey(), x.getValue());
        }
        return node;
    }

    /**
     * Lexical normalisation of {@code name} (the entry's name or its hard link target); {@code ..}
     * may not climb above the image root, and the result must fit in {@link #MAX_PATH_BYTES}.
     */
    private List<String> normalise(String name, TarHeader h) throws ImageFormatException {
        if (name.indexOf('\0') >= 0) {
            throw new ImageFormatException("layer " + layerName + ": entry name contains a NUL byte");
        }
        List<String> out = PathNames.inside(name);
        if (out == null) {
            throw error(h, "leaves the image root through '..' ('" + shown(name) + "'); refused");
        }
        long bytes = 0;
        for (String s : out) {
            bytes += 1 + s.getBytes(StandardCharsets.UTF_8).length;
        }
        if (bytes > MAX_PATH_BYTES) {
            String which = name.equals(h.name()) ? "its path" : "its hard link target '" + shown(name) + "'";
            throw error(h, which + " is " + bytes + " bytes long as an absolute path (" + out.size()
                    + " components), more than Linux's PATH_MAX allows (" + MAX_PATH_BYTES + " bytes and a NUL):"
                    + " no program in the VM could open it, and no container engine could have extracted it;"
                    + " shorten the path in the image");
        }
        return out;
    }

    private ImageFormatException error(TarHeader h, String problem) {
        return new ImageFormatException("layer " + layerName + ": entry '" + shown(h.name()) + "': " + problem);
    }

    /** {@code name} for a message: a hostile name can be megabytes long. */
    static String shown(String name) {
        return name.length() <= SHOWN_NAME_CHARS ? name
                : name.substring(0, SHOWN_NAME_CHARS) + "[... " + name.length() + " characters in all]";
    }
}

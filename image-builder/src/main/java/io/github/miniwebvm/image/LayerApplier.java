package io.github.miniwebvm.image;

import io.github.miniwebvm.fs.Content;
import io.github.miniwebvm.fs.FileTree;
import io.github.miniwebvm.fs.Node;
import io.github.miniwebvm.fs.NodeType;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
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
 * one is a hostile or broken archive. Nothing is ever written to the host filesystem.
 */
final class LayerApplier {
    private static final String WHITEOUT = ".wh.";
    private static final String OPAQUE = ".wh..wh..opq";

    private final FileTree tree;
    private final String layerName;
    private final Path contentFile;
    private final long contentBase;
    /** Paths created by this layer and their ancestors: opaque markers and whiteouts leave them alone. */
    private final Set<String> touched = new HashSet<>();

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
        List<String> segs = normalise(h.name(), h.name());
        if (segs.isEmpty()) {
            if (h.type() != '5') {
                throw error(h, "the image root must be a directory, not tar type '" + h.type() + "'");
            }
            setMetadata(tree.root(), h);
            return;
        }
        String base = segs.get(segs.size() - 1);
        List<String> parentSegs = segs.subList(0, segs.size() - 1);
        if (base.startsWith(WHITEOUT)) {
            applyWhiteout(h, parentSegs, base);
            return;
        }
        Node parent = parentDirectory(h, parentSegs);
        String path = String.join("/", segs);
        markTouched(segs);
        Node existing = parent.children().get(base);
        switch (h.type()) {
            case '5' -> {
                if (existing != null && existing.isDirectory()) {
                    setMetadata(existing, h);
                } else {
                    tree.put(path, setMetadata(Node.directory(0), h));
                }
            }
            case '0', '\0', '7' -> {
                Content content = h.size() == 0 ? Content.EMPTY
                        : Content.ofRange(contentFile, contentBase + h.dataOffset(), h.size());
                tree.put(path, setMetadata(Node.file(0, content), h));
            }
            case '2' -> {
                if (h.linkName().isEmpty()) {
                    throw error(h, "symlink without a target");
                }
                tree.put(path, setMetadata(Node.symlink(h.linkName()), h));
            }
            case '1' -> {
                List<String> targetSegs = normalise(h.linkName(), h.name());
                Node target = lookupNoFollow(targetSegs);
                if (target == null) {
                    throw error(h, "hard link to a missing target '" + h.linkName() + "'");
                }
                if (target.isDirectory()) {
                    throw error(h, "hard link to a directory '" + h.linkName() + "'");
                }
                if (target != existing) {
                    tree.put(path, target);
                }
                if (target.type() != NodeType.SYMLINK) {
                    setMetadata(target, h);
                }
            }
            case '3' -> tree.put(path, setMetadata(Node.device(NodeType.CHAR_DEVICE, 0, h.devMajor(), h.devMinor()), h));
            case '4' -> tree.put(path, setMetadata(Node.device(NodeType.BLOCK_DEVICE, 0, h.devMajor(), h.devMinor()), h));
            case '6' -> tree.put(path, setMetadata(Node.fifo(0), h));
            default -> throw error(h, "unsupported tar entry type '" + h.type() + "'");
        }
    }

    private void applyWhiteout(TarHeader h, List<String> parentSegs, String base) throws ImageFormatException {
        Node parent = lookupNoFollow(parentSegs);
        if (base.equals(OPAQUE)) {
            if (parent == null) {
                // the directory is new in this layer, so there is nothing lower to hide; make sure it exists
                parentDirectory(h, parentSegs);
                return;
            }
            if (!parent.isDirectory()) {
                throw error(h, "opaque marker inside a " + parent.type());
            }
            hideLower(String.join("/", parentSegs), parent);
            return;
        }
        if (base.startsWith(WHITEOUT + WHITEOUT)) {
            return; // other AUFS metadata (.wh..wh.plnk, .wh..wh.aufs): not part of the filesystem
        }
        String name = base.substring(WHITEOUT.length());
        if (name.isEmpty() || name.equals(".") || name.equals("..")) {
            throw error(h, "whiteout for an invalid name");
        }
        if (parent == null || !parent.isDirectory()) {
            return; // nothing to delete
        }
        String path = parentSegs.isEmpty() ? name : String.join("/", parentSegs) + "/" + name;
        if (!touched.contains(path)) {
            tree.remove(path);
        }
    }

    private void hideLower(String dirPath, Node dir) {
        for (Map.Entry<String, Node> child : new ArrayList<>(dir.children().entrySet())) {
            String childPath = dirPath.isEmpty() ? child.getKey() : dirPath + "/" + child.getKey();
            if (!touched.contains(childPath)) {
                tree.remove(childPath);
            } else if (child.getValue().isDirectory()) {
                hideLower(childPath, child.getValue());
            }
        }
    }

    /** The parent directory, creating missing ones (0755 root:root); refuses symlinks and non-directories on the way. */
    private Node parentDirectory(TarHeader h, List<String> parentSegs) throws ImageFormatException {
        Node cur = tree.root();
        StringBuilder path = new StringBuilder();
        for (String s : parentSegs) {
            if (path.length() > 0) {
                path.append('/');
            }
            path.append(s);
            Node next = cur.children().get(s);
            if (next == null) {
                next = Node.directory(0755);
                tree.put(path.toString(), next);
                touched.add(path.toString());
            } else if (next.type() == NodeType.SYMLINK) {
                throw error(h, "path goes through the symlink '/" + path + "' -> '" + next.linkTarget()
                        + "'; entries are never written through symlinks");
            } else if (!next.isDirectory()) {
                throw error(h, "path goes through '/" + path + "', which is a " + next.type() + ", not a directory");
            }
            cur = next;
        }
        return cur;
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

    private void markTouched(List<String> segs) {
        StringBuilder p = new StringBuilder();
        for (String s : segs) {
            if (p.length() > 0) {
                p.append('/');
            }
            p.append(s);
            touched.add(p.toString());
        }
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

    /** Lexical normalisation; {@code ..} may not climb above the image root. */
    private List<String> normalise(String name, String entryName) throws ImageFormatException {
        List<String> out = new ArrayList<>();
        for (String s : name.split("/")) {
            if (s.isEmpty() || s.equals(".")) {
                continue;
            }
            if (s.equals("..")) {
                if (out.isEmpty()) {
                    throw new ImageFormatException("layer " + layerName + ": entry '" + entryName
                            + "' leaves the image root through '..' ('" + name + "'); refused");
                }
                out.remove(out.size() - 1);
                continue;
            }
            if (s.indexOf('\0') >= 0) {
                throw new ImageFormatException("layer " + layerName + ": entry name contains a NUL byte");
            }
            out.add(s);
        }
        return out;
    }

    private ImageFormatException error(TarHeader h, String problem) {
        return new ImageFormatException("layer " + layerName + ": entry '" + h.name() + "': " + problem);
    }
}

package io.github.miniwebvm.fs;

import java.util.Collections;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One inode of a {@link FileTree}: its type, metadata and type-specific payload. A node that is
 * the child of several directories (or of one directory under several names) is a hard link; its
 * link count is derived from the tree, never stored.
 *
 * <p>Metadata is mutable because flattening applies layers on top of each other; everything the
 * ext2 writer needs is here and nowhere else.
 */
public final class Node {
    private final NodeType type;
    private int permissions;          // the low 12 bits of st_mode: rwx, setuid, setgid, sticky
    private long uid;                 // 32-bit unsigned
    private long gid;                 // 32-bit unsigned
    private long mtime;               // seconds since the epoch
    private long atime;
    private long ctime;
    private NavigableMap<String, byte[]> xattrs;     // null while there are none: most nodes have none

    private Content content;          // FILE
    private String linkTarget;        // SYMLINK
    private int major;                // CHAR_DEVICE, BLOCK_DEVICE
    private int minor;
    private final NavigableMap<String, Node> children; // DIRECTORY, sorted by name

    private Node(NodeType type, int permissions) {
        this.type = Objects.requireNonNull(type);
        setPermissions(permissions);
        this.children = type == NodeType.DIRECTORY ? new TreeMap<>() : null;
    }

    public static Node directory(int permissions) {
        return new Node(NodeType.DIRECTORY, permissions);
    }

    public static Node file(int permissions, Content content) {
        Node n = new Node(NodeType.FILE, permissions);
        n.content = Objects.requireNonNull(content);
        return n;
    }

    public static Node symlink(String target) {
        if (target == null || target.isEmpty()) {
            throw new IllegalArgumentException("a symlink needs a non-empty target");
        }
        Node n = new Node(NodeType.SYMLINK, 0777);
        n.linkTarget = target;
        return n;
    }

    public static Node device(NodeType type, int permissions, int major, int minor) {
        if (type != NodeType.CHAR_DEVICE && type != NodeType.BLOCK_DEVICE) {
            throw new IllegalArgumentException("not a device type: " + type);
        }
        Node n = new Node(type, permissions);
        n.major = major;
        n.minor = minor;
        return n;
    }

    public static Node fifo(int permissions) {
        return new Node(NodeType.FIFO, permissions);
    }

    public static Node socket(int permissions) {
        return new Node(NodeType.SOCKET, permissions);
    }

    public NodeType type() { return type; }
    public boolean isDirectory() { return type == NodeType.DIRECTORY; }

    public int permissions() { return permissions; }
    public Node setPermissions(int permissions) {
        if ((permissions & ~07777) != 0) {
            throw new IllegalArgumentException("permissions beyond 07777: " + Integer.toOctalString(permissions));
        }
        this.permissions = permissions;
        return this;
    }

    public long uid() { return uid; }
    public long gid() { return gid; }
    public Node setOwner(long uid, long gid) {
        if (uid < 0 || uid > 0xFFFF_FFFFL || gid < 0 || gid > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("uid/gid must be 32-bit unsigned: " + uid + "/" + gid);
        }
        this.uid = uid;
        this.gid = gid;
        return this;
    }

    public long mtime() { return mtime; }
    public long atime() { return atime; }
    public long ctime() { return ctime; }
    public Node setTimes(long mtime, long atime, long ctime) {
        this.mtime = mtime;
        this.atime = atime;
        this.ctime = ctime;
        return this;
    }
    /** Sets mtime, atime and ctime to the same instant. */
    public Node setTime(long epochSeconds) {
        return setTimes(epochSeconds, epochSeconds, epochSeconds);
    }

    /** Extended attributes by full name ({@code security.capability}, {@code user.x}), sorted. */
    public Map<String, byte[]> xattrs() {
        return xattrs == null ? Collections.emptyNavigableMap() : Collections.unmodifiableNavigableMap(xattrs);
    }
    public Node setXattr(String name, byte[] value) {
        Objects.requireNonNull(name);
        if (xattrs == null) {
            xattrs = new TreeMap<>();
        }
        xattrs.put(name, value.clone());
        return this;
    }
    public Node removeXattr(String name) {
        if (xattrs != null) {
            xattrs.remove(name);
        }
        return this;
    }

    public Content content() { requireType(NodeType.FILE); return content; }
    public Node setContent(Content content) {
        requireType(NodeType.FILE);
        this.content = Objects.requireNonNull(content);
        return this;
    }
    public long size() {
        return switch (type) {
            case FILE -> content.size();
            case SYMLINK -> linkTarget.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
            default -> 0;
        };
    }

    public String linkTarget() { requireType(NodeType.SYMLINK); return linkTarget; }
    public int major() { return major; }
    public int minor() { return minor; }

    /** Children by name, sorted; read-only (change them through {@link FileTree}). */
    public NavigableMap<String, Node> children() {
        requireType(NodeType.DIRECTORY);
        return Collections.unmodifiableNavigableMap(children);
    }

    NavigableMap<String, Node> mutableChildren() {
        requireType(NodeType.DIRECTORY);
        return children;
    }

    /** Copies the metadata (mode bits, owner, times, xattrs) of {@code other} onto this node. */
    public Node copyMetadataFrom(Node other) {
        this.permissions = other.permissions;
        this.uid = other.uid;
        this.gid = other.gid;
        this.mtime = other.mtime;
        this.atime = other.atime;
        this.ctime = other.ctime;
        this.xattrs = other.xattrs == null ? null : new TreeMap<>(other.xattrs);
        return this;
    }

    private void requireType(NodeType expected) {
        if (type != expected) {
            throw new IllegalStateException("not a " + expected + " but a " + type);
        }
    }

    @Override
    public String toString() {
        return type + " " + Integer.toOctalString(permissions) + " " + uid + ":" + gid;
    }
}

package io.github.miniwebvm.ext2;

import io.github.miniwebvm.fs.Node;

/** What the writer remembers about one inode between scanning the tree and writing it. */
final class InodeRecord {
    final Node node;
    final long ino;
    private final InodeRecord parent;    // where it was first seen (null for the root)
    private final String name;           // under that name; the root's is "/"
    long parentIno;             // directories
    int links;
    long dirBlocks;             // directories: blocks the entries need
    InodeRecord[] entries;      // directories: the records of the children, in name order
    int xattrSet = -1;          // index into the distinct attribute sets, -1 for none
    long[] extents;             // regular files: where the content may hold data (Content#dataExtents)

    InodeRecord(Node node, long ino, InodeRecord parent, String name) {
        this.node = node;
        this.ino = ino;
        this.parent = parent;
        this.name = name;
    }

    /** The first path it was seen at, for messages: built when asked, not kept for every inode. */
    String path() {
        return parent == null ? name : childPath(parent, name);
    }

    /** The path of {@code name} in the directory {@code dir}. */
    static String childPath(InodeRecord dir, String name) {
        String dirPath = dir.path();
        return (dirPath.endsWith("/") ? dirPath : dirPath + "/") + name;
    }
}

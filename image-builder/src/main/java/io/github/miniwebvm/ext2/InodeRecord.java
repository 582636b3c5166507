package io.github.miniwebvm.ext2;

import io.github.miniwebvm.fs.Node;

/** What the writer remembers about one inode between scanning the tree and writing it. */
final class InodeRecord {
    final Node node;
    final long ino;
    final String path;          // the first path seen, for messages
    long parentIno;             // directories
    int links;
    long dirBlocks;             // directories: blocks the entries need
    InodeRecord[] entries;      // directories: the records of the children, in name order
    int xattrSet = -1;          // index into the distinct attribute sets, -1 for none
    long[] extents;             // regular files: where the content may hold data (Content#dataExtents)

    InodeRecord(Node node, long ino, String path) {
        this.node = node;
        this.ino = ino;
        this.path = path;
    }
}

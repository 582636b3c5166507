package io.github.miniwebvm.ext2;

/** One directory entry: inode number, name (1 to 255 bytes) and, with the filetype feature, the type. */
final class DirEntry {
    static final int TYPE_FILE = 1;
    static final int TYPE_DIR = 2;
    static final int TYPE_CHAR = 3;
    static final int TYPE_BLOCK = 4;
    static final int TYPE_FIFO = 5;
    static final int TYPE_SOCKET = 6;
    static final int TYPE_SYMLINK = 7;

    final long inode;
    final byte[] name;
    final int fileType;

    DirEntry(long inode, byte[] name, int fileType) {
        this.inode = inode;
        this.name = name;
        this.fileType = fileType;
    }

    int recordLength() {
        return recordLength(name.length);
    }

    static int recordLength(int nameLength) {
        return (8 + nameLength + 3) & ~3;
    }
}

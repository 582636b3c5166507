package io.github.miniwebvm.fs;

/** The kind of a filesystem entry, as POSIX and ext2 know them. */
public enum NodeType {
    FILE, DIRECTORY, SYMLINK, CHAR_DEVICE, BLOCK_DEVICE, FIFO, SOCKET
}

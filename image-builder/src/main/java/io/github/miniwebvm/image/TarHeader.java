package io.github.miniwebvm.image;

import java.util.Map;

/**
 * One logical tar entry after PAX/GNU extensions were merged; {@code dataOffset} is from the start
 * of the tar. A sparse file (GNU sparse formats) is a regular file whose {@code size} is its real
 * size and whose {@code dataSegments} ({@code [start, end)} pairs) are stored one after another
 * from {@code dataOffset}; for every other entry {@code dataSegments} is null.
 */
record TarHeader(
        String name,
        char type,
        int mode,
        long uid,
        long gid,
        long size,
        long mtime,
        String linkName,
        int devMajor,
        int devMinor,
        Map<String, byte[]> xattrs,
        long dataOffset,
        long[] dataSegments) {

    boolean isRegularFile() {
        return type == '0' || type == '\0' || type == '7';
    }

    boolean isSparse() {
        return dataSegments != null;
    }
}

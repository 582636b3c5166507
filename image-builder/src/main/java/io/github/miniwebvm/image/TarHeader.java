package io.github.miniwebvm.image;

import java.util.Map;

/** One logical tar entry after PAX/GNU extensions were merged; {@code dataOffset} is from the start of the tar. */
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
        long dataOffset) {

    boolean isRegularFile() {
        return type == '0' || type == '\0' || type == '7';
    }
}

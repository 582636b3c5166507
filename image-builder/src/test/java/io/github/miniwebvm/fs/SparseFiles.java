package io.github.miniwebvm.fs;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.Arrays;

/** Test helper: sparse files on the host. */
public final class SparseFiles {
    private SparseFiles() {
    }

    /** A file of {@code size} bytes, holes except for 4 KiB of 0x5A at each offset in {@code dataAt}. */
    public static Path create(Path file, long size, long... dataAt) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(size);
            byte[] data = new byte[4096];
            Arrays.fill(data, (byte) 0x5A);
            for (long at : dataAt) {
                f.seek(at);
                f.write(data, 0, (int) Math.min(data.length, size - at));
            }
        }
        return file;
    }
}

package io.github.miniwebvm.fs;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;

import java.nio.file.Path;
import java.util.Arrays;

/**
 * Where a host file holds data, asked of the kernel with {@code lseek(SEEK_DATA / SEEK_HOLE)}
 * (through JNA, as Java 17 has no such call), so the holes of a sparse file are skipped instead of
 * read as gigabytes of zeros; {@code mke2fs -d} does the same. Answers {@code null} whenever it
 * cannot tell (JNA missing or failing to load, another OS, an error): the caller then reads
 * everything, which is always correct.
 */
final class HostFileExtents {
    /** Smaller files are read whole: the probe costs more than the zeros it could skip. */
    static final long PROBE_MIN_SIZE = 8L << 20;

    private static final int O_RDONLY = 0;
    private static final int ENXIO = 6;

    private HostFileExtents() {
    }

    interface LibC extends Library {
        int open(String path, int flags) throws LastErrorException;

        long lseek(int fd, long offset, int whence) throws LastErrorException;

        int close(int fd) throws LastErrorException;
    }

    private static final class Native64 {
        static final LibC LIBC;
        static final int SEEK_DATA;
        static final int SEEK_HOLE;

        static {
            LibC lib = null;
            int data = -1;
            int hole = -1;
            try {
                if (Platform.is64Bit() && (Platform.isLinux() || Platform.isMac())) {
                    lib = Native.load(Platform.C_LIBRARY_NAME, LibC.class);
                    data = Platform.isLinux() ? 3 : 4;
                    hole = Platform.isLinux() ? 4 : 3;
                }
            } catch (Throwable e) {
                lib = null;      // no native access: read whole files
            }
            LIBC = lib;
            SEEK_DATA = data;
            SEEK_HOLE = hole;
        }
    }

    /**
     * The data extents of the first {@code size} bytes of {@code file} as ascending, disjoint
     * {@code [start, end)} pairs (a file of holes only gives an empty array), or {@code null}.
     */
    static long[] find(Path file, long size) {
        LibC libc;
        try {
            libc = Native64.LIBC;
        } catch (Throwable e) {
            return null;       // JNA absent from the class path
        }
        if (libc == null) {
            return null;
        }
        int fd;
        try {
            fd = libc.open(file.toString(), O_RDONLY);
        } catch (LastErrorException e) {
            return null;
        }
        try {
            long[] extents = new long[8];
            int n = 0;
            long pos = 0;
            while (pos < size) {
                long data;
                try {
                    data = libc.lseek(fd, pos, Native64.SEEK_DATA);
                } catch (LastErrorException e) {
                    if (e.getErrorCode() == ENXIO) {
                        break;          // only holes from pos to the end
                    }
                    return null;        // e.g. EINVAL: the call is not supported here
                }
                if (data >= size) {
                    break;
                }
                long hole;
                try {
                    hole = Math.min(libc.lseek(fd, data, Native64.SEEK_HOLE), size);
                } catch (LastErrorException e) {
                    return null;
                }
                if (hole <= data) {
                    return null;        // the file changed under us
                }
                if (n == extents.length) {
                    extents = Arrays.copyOf(extents, n * 2);
                }
                extents[n++] = data;
                extents[n++] = hole;
                pos = hole;
            }
            return Arrays.copyOf(extents, n);
        } finally {
            try {
                libc.close(fd);
            } catch (LastErrorException e) {
                // a read-only descriptor: nothing was lost
            }
        }
    }
}

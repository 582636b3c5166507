package io.github.miniwebvm.testsupport;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Sparse files on the host and GNU tar's {@code --sparse} archives of them, for the tests of sparse entries. */
public final class SparseTars {
    /** The formats of {@link #gnuTar}: old GNU, and the three PAX versions. */
    public static final List<String> FORMATS = List.of("gnu", "posix-0.0", "posix-0.1", "posix-1.0");
    public static final long SIZE = 64L << 20;
    /** Where {@link #sparseFile} holds data: {offset, length}; the rest are holes. */
    public static final long[][] DATA = {{1000, 5}, {20_000_000, 10_000}, {SIZE - 3, 3}};

    private SparseTars() {
    }

    /** A {@link #SIZE}-byte sparse file with data at {@link #DATA}, its bytes {@link #expectedBytes}. */
    public static Path sparseFile(Path file) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(SIZE);
            for (long[] d : DATA) {
                f.seek(d[0]);
                f.write(expectedBytes(d[0], (int) d[1]));
            }
        }
        return file;
    }

    /** The data of the test files at {@code offset}: byte i is {@code (i * 31) % 251 + 1}, never zero. */
    public static byte[] expectedBytes(long offset, int length) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) ((offset + i) * 31 % 251 + 1);
        }
        return b;
    }

    /** {@code tar --sparse} of {@code name} in {@code dir}, in one of the {@link #FORMATS}. */
    public static Path gnuTar(Path dir, String name, String format, Path out) throws IOException {
        MissingOracle.require(Tools.available("tar") && Tools.run(List.of("tar", "--version"), null).contains("GNU tar"),
                "GNU tar not installed");
        List<String> cmd = new ArrayList<>(List.of("tar", "--sparse", "-C", dir.toString(), "-cf", out.toString()));
        if (format.equals("gnu")) {
            cmd.add("--format=gnu");
        } else {
            cmd.addAll(List.of("--format=posix", "--sparse-version=" + format.substring("posix-".length())));
        }
        cmd.add(name);
        Tools.run(cmd, null);
        return out;
    }
}

package io.github.miniwebvm.ext2;

import io.github.miniwebvm.fs.Content;

import java.io.InputStream;
import java.util.Arrays;

/**
 * Test content of any size without storing it: zeros except for {@code dataLength} bytes of a
 * position-dependent pattern at each of {@code dataOffsets}. Zeros are produced fast, so a
 * 4 GiB mostly-zero file streams in seconds.
 */
final class PatternContent implements Content {
    private final long size;
    private final long[] dataOffsets;
    private final int dataLength;
    private final int seed;

    PatternContent(long size, int seed, int dataLength, long... dataOffsets) {
        this.size = size;
        this.seed = seed;
        this.dataLength = dataLength;
        this.dataOffsets = dataOffsets.clone();
        Arrays.sort(this.dataOffsets);
    }

    /** Pattern bytes everywhere (no holes). */
    static PatternContent dense(long size, int seed) {
        return new PatternContent(size, seed, (int) Math.min(Integer.MAX_VALUE, size), 0);
    }

    byte byteAt(long pos) {
        for (long o : dataOffsets) {
            if (pos >= o && pos < o + dataLength) {
                long x = pos * 0x9E3779B97F4A7C15L + seed;
                byte b = (byte) (x >>> 56);
                return b == 0 ? 1 : b;
            }
        }
        return 0;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public String describe() {
        return "pattern content of " + size + " bytes";
    }

    @Override
    public InputStream open() {
        return new InputStream() {
            long pos;

            @Override
            public int read() {
                if (pos >= size) {
                    return -1;
                }
                return byteAt(pos++) & 0xFF;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (pos >= size) {
                    return -1;
                }
                int n = (int) Math.min(len, size - pos);
                long end = pos + n;
                Arrays.fill(b, off, off + n, (byte) 0);
                for (long o : dataOffsets) {
                    long from = Math.max(o, pos);
                    long to = Math.min(o + dataLength, end);
                    for (long p = from; p < to; p++) {
                        long x = p * 0x9E3779B97F4A7C15L + seed;
                        byte v = (byte) (x >>> 56);
                        b[off + (int) (p - pos)] = v == 0 ? 1 : v;
                    }
                }
                pos = end;
                return n;
            }
        };
    }
}

package io.github.miniwebvm.fs;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * A sparse file whose data segments are stored one after another in a host file, as a GNU sparse
 * tar entry stores them: everything between the segments is a hole and reads as zeros. Only the
 * segment list is held in memory, and {@link #dataExtents} hands it to writers so that holes are
 * skipped rather than read as zeros.
 */
final class SparseFileRange implements Content {
    private static final int ZEROS = 65536;
    private static final ByteBuffer ZERO_BUFFER = ByteBuffer.allocateDirect(ZEROS).asReadOnlyBuffer();

    private final Path file;
    private final long storedAt;
    private final long size;
    private final long[] segments;     // {start, end} pairs of the logical file, ascending, disjoint, none empty
    private final long[] storedStart;  // where each segment's bytes begin in the file

    /**
     * @param storedAt where the first segment's bytes begin in {@code file}
     * @param size     the logical size, holes included
     * @param segments {@code [start, end)} pairs within {@code [0, size]}, ascending and disjoint
     */
    SparseFileRange(Path file, long storedAt, long size, long[] segments) {
        if (segments.length % 2 != 0 || size < 0 || storedAt < 0) {
            throw new IllegalArgumentException("a sparse range needs {start, end} pairs and a size of at least 0");
        }
        long[] kept = new long[segments.length];
        int n = 0;
        long previousEnd = 0;
        for (int i = 0; i < segments.length; i += 2) {
            long start = segments[i];
            long end = segments[i + 1];
            if (start < previousEnd || end < start || end > size) {
                throw new IllegalArgumentException("sparse segments must be ascending, disjoint and within the size "
                        + size + ": [" + start + ", " + end + ") after " + previousEnd);
            }
            if (end > start) {
                kept[n++] = start;
                kept[n++] = end;
            }
            previousEnd = end;
        }
        this.file = file;
        this.storedAt = storedAt;
        this.size = size;
        this.segments = Arrays.copyOf(kept, n);
        this.storedStart = new long[n / 2];
        long at = storedAt;
        for (int i = 0; i < n; i += 2) {
            storedStart[i / 2] = at;
            at += this.segments[i + 1] - this.segments[i];
        }
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public InputStream open() throws IOException {
        return Channels.newInputStream(openChannel(0));
    }

    @Override
    public ReadableByteChannel openChannel() throws IOException {
        return openChannel(0);
    }

    @Override
    public ReadableByteChannel openChannel(long position) throws IOException {
        return new Reader(FileChannel.open(file, StandardOpenOption.READ), Math.max(0, Math.min(position, size)));
    }

    @Override
    public long[] dataExtents() {
        return segments.clone();
    }

    @Override
    public String describe() {
        return file + " @" + storedAt + " (sparse, " + size + " bytes in " + segments.length / 2 + " data segments)";
    }

    /** Reads the logical file from a position: zeros in holes, the stored bytes in segments. */
    private final class Reader implements ReadableByteChannel {
        private final FileChannel channel;
        private long position;
        private int segment;        // the first segment that ends after position

        Reader(FileChannel channel, long position) {
            this.channel = channel;
            this.position = position;
            this.segment = firstEndingAfter(position);
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            if (position >= size) {
                return -1;
            }
            if (!dst.hasRemaining()) {
                return 0;
            }
            long nextStart = segment * 2 < segments.length ? segments[segment * 2] : size;
            if (position < nextStart) {
                return readZeros(dst, nextStart - position);
            }
            long end = segments[segment * 2 + 1];
            int oldLimit = dst.limit();
            if (dst.remaining() > end - position) {
                dst.limit(dst.position() + (int) (end - position));
            }
            int n;
            try {
                n = channel.read(dst, storedStart[segment] + position - segments[segment * 2]);
            } finally {
                dst.limit(oldLimit);
            }
            if (n < 0) {
                return -1;       // the file is shorter than its segments: the reader reports the short content
            }
            advance(n);
            return n;
        }

        private int readZeros(ByteBuffer dst, long holeLeft) {
            int n = (int) Math.min(Math.min(dst.remaining(), holeLeft), ZEROS);
            dst.put(ZERO_BUFFER.duplicate().limit(n));
            advance(n);
            return n;
        }

        private void advance(long n) {
            position += n;
            while (segment * 2 < segments.length && segments[segment * 2 + 1] <= position) {
                segment++;
            }
        }

        private int firstEndingAfter(long at) {
            int lo = 0;
            int hi = segments.length / 2;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (segments[mid * 2 + 1] <= at) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            return lo;
        }

        @Override
        public boolean isOpen() {
            return channel.isOpen();
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }
}

package io.github.miniwebvm.image;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * The budget of one load against hostile inputs: how many tar headers may be read (a header bomb
 * of millions of empty entries would otherwise fill memory with tree nodes), how many data
 * segments sparse entries may list (each is kept in memory) and how many bytes may be
 * decompressed into spool files (a gzip bomb would otherwise fill the disk).
 */
final class LoadLimits {
    private final long maxEntries;
    private final long maxSparseSegments;
    private final long maxSpoolBytes;
    private long entries;
    private long sparseSegments;
    private long spooled;

    LoadLimits(long maxEntries, long maxSpoolBytes) {
        this(maxEntries, Long.MAX_VALUE, maxSpoolBytes);
    }

    LoadLimits(long maxEntries, long maxSparseSegments, long maxSpoolBytes) {
        this.maxEntries = maxEntries;
        this.maxSparseSegments = maxSparseSegments;
        this.maxSpoolBytes = maxSpoolBytes;
    }

    static LoadLimits unlimited() {
        return new LoadLimits(Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE);
    }

    /** Fresh counts with the same limits, for indexing an archive that is read again later. */
    LoadLimits freshCount() {
        return new LoadLimits(maxEntries, maxSparseSegments, maxSpoolBytes);
    }

    /** Counts one tar header of {@code archive} (at byte {@code headerAt}). */
    void countEntry(String archive, long headerAt) throws ImageFormatException {
        if (++entries > maxEntries) {
            throw new ImageFormatException(archive + " has more than " + maxEntries + " tar entries (the limit was"
                    + " passed at byte " + headerAt + "); refused as a tar header bomb. If the image is really that"
                    + " large, raise the entry limit (ImageLoader.Builder.maxEntries)");
        }
    }

    /** Counts one data segment of a sparse entry of {@code archive} whose header is at byte {@code headerAt}. */
    void countSparseSegment(String archive, long headerAt) throws ImageFormatException {
        if (++sparseSegments > maxSparseSegments) {
            throw new ImageFormatException(archive + " has sparse entries with more than " + maxSparseSegments
                    + " data segments in all (the limit was passed by the entry at byte " + headerAt + "); refused,"
                    + " as each is kept in memory. If the image really has such fragmented files, raise the limit"
                    + " (ImageLoader.Builder.maxSparseSegments)");
        }
    }

    /** {@code out} counting what is written against the spool budget; {@code what} names the stream. */
    OutputStream spool(OutputStream out, String what) {
        return new FilterOutputStream(out) {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                spooled += len;
                if (spooled > maxSpoolBytes) {
                    throw new ImageFormatException(what + " decompresses to more than " + maxSpoolBytes + " bytes"
                            + " (with the layers before it); refused as a decompression bomb. If the image is really"
                            + " that large, raise the limit (ImageLoader.Builder.maxSpoolBytes)");
                }
                out.write(b, off, len);
            }
        };
    }
}

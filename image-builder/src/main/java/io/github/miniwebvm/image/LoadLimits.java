package io.github.miniwebvm.image;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * The budget of one load against hostile inputs: how many tar headers may be read (a header bomb
 * of millions of empty entries would otherwise fill memory with tree nodes) and how many bytes may
 * be decompressed into spool files (a gzip bomb would otherwise fill the disk).
 */
final class LoadLimits {
    private final long maxEntries;
    private final long maxSpoolBytes;
    private long entries;
    private long spooled;

    LoadLimits(long maxEntries, long maxSpoolBytes) {
        this.maxEntries = maxEntries;
        this.maxSpoolBytes = maxSpoolBytes;
    }

    static LoadLimits unlimited() {
        return new LoadLimits(Long.MAX_VALUE, Long.MAX_VALUE);
    }

    /** A fresh entry count with the same limits, for indexing an archive that is read again later. */
    LoadLimits freshCount() {
        return new LoadLimits(maxEntries, maxSpoolBytes);
    }

    /** Counts one tar header of {@code archive} (at byte {@code headerAt}). */
    void countEntry(String archive, long headerAt) throws ImageFormatException {
        if (++entries > maxEntries) {
            throw new ImageFormatException(archive + " has more than " + maxEntries + " tar entries (the limit was"
                    + " passed at byte " + headerAt + "); refused as a tar header bomb. If the image is really that"
                    + " large, raise the entry limit (ImageLoader.Builder.maxEntries)");
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

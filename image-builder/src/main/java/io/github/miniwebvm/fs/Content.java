package io.github.miniwebvm.fs;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The bytes of a regular file, read on demand: a tree holds only where the bytes are, never the
 * bytes themselves (except for small in-memory contents), so memory grows with the number of
 * files, not with their size. Every {@code open} gives an independent reader, and may be called
 * from other threads than the one that built the tree, several at once (the ext2 writer reads
 * files on up to three threads).
 */
public interface Content {

    /** Length in bytes. */
    long size();

    /** A fresh stream over exactly {@link #size()} bytes. The caller closes it. */
    InputStream open() throws IOException;

    /**
     * A fresh channel over exactly {@link #size()} bytes, for bulk readers; the caller closes it.
     * The default wraps {@link #open()}; file-backed content reads the file directly.
     */
    default ReadableByteChannel openChannel() throws IOException {
        return Channels.newChannel(open());
    }

    /**
     * A fresh channel over the bytes from {@code position} to the end; the caller closes it. The
     * default skips by reading; file-backed content seeks.
     */
    default ReadableByteChannel openChannel(long position) throws IOException {
        ReadableByteChannel channel = openChannel();
        ByteBuffer skip = ByteBuffer.allocate((int) Math.min(position, 65536));
        long left = position;
        try {
            while (left > 0) {
                skip.clear().limit((int) Math.min(left, skip.capacity()));
                int n = channel.read(skip);
                if (n < 0) {
                    break;
                }
                left -= n;
            }
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        return channel;
    }

    /**
     * The parts that may hold bytes other than zero, as ascending, disjoint {@code [start, end)}
     * pairs; everything outside them reads as zeros. A sparse host file reports its holes here so
     * that writers skip them without reading; the default is the whole content.
     */
    default long[] dataExtents() {
        return size() == 0 ? new long[0] : new long[] {0, size()};
    }

    /** A short description for error messages (a path, a layer and entry name). */
    default String describe() {
        return toString();
    }

    Content EMPTY = ofBytes(new byte[0]);

    static Content ofBytes(byte[] bytes) {
        byte[] copy = bytes.clone();
        return new Content() {
            @Override public long size() { return copy.length; }
            @Override public InputStream open() { return new ByteArrayInputStream(copy); }
            @Override public String describe() { return "in-memory content (" + copy.length + " bytes)"; }
        };
    }

    /** The whole of {@code file}; a sparse file reports its holes ({@link #dataExtents}). */
    static Content ofFile(Path file) throws IOException {
        return ofFile(file, Files.size(file));
    }

    /** The first {@code size} bytes of {@code file} (its size, when the caller has it from a stat). */
    static Content ofFile(Path file, long size) {
        return fileRange(file, 0, size, true);
    }

    /** {@code length} bytes of {@code file} starting at {@code offset} (a part of a spool file, say). */
    static Content ofRange(Path file, long offset, long length) {
        return fileRange(file, offset, length, false);
    }

    /**
     * A sparse file of {@code size} bytes whose data segments ({@code [start, end)} pairs, ascending
     * and disjoint) are stored one after another from {@code offset} of {@code file}, as in a GNU
     * sparse tar entry; the rest are holes, which read as zeros and are left out of {@link #dataExtents}.
     */
    static Content ofSparseRange(Path file, long offset, long size, long[] dataSegments) {
        return new SparseFileRange(file, offset, size, dataSegments);
    }

    private static Content fileRange(Path file, long offset, long length, boolean probeHoles) {
        return new Content() {
            @Override public long size() { return length; }

            @Override public InputStream open() throws IOException {
                FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
                channel.position(offset);
                return new BoundedInputStream(Channels.newInputStream(channel), length);
            }

            @Override public ReadableByteChannel openChannel() throws IOException {
                return openChannel(0);
            }

            @Override public ReadableByteChannel openChannel(long position) throws IOException {
                FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
                long start = offset + Math.min(position, length);
                try {
                    if (start > 0) {
                        channel.position(start);
                    }
                } catch (IOException | RuntimeException e) {
                    channel.close();
                    throw e;
                }
                return new BoundedChannel(channel, length - Math.min(position, length));
            }

            private long[] extents;     // asked once: the first probe of a JVM loads JNA (~80 ms)

            @Override public synchronized long[] dataExtents() {
                if (extents == null) {
                    long[] found = probeHoles && length >= HostFileExtents.PROBE_MIN_SIZE
                            ? HostFileExtents.find(file, length) : null;
                    extents = found != null ? found : Content.super.dataExtents();
                }
                return extents.clone();
            }

            @Override public String describe() {
                return offset == 0 ? file.toString() : file + " @" + offset + "+" + length;
            }
        };
    }
}

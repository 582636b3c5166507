package io.github.miniwebvm.image;

import java.util.Arrays;

/**
 * The data segments of one GNU sparse tar entry, checked as its map lists them: offsets and
 * lengths are not negative and do not overflow, segments ascend without overlapping, they end
 * within the file's real size and their lengths add up to the bytes the archive stores. Empty
 * segments (GNU tar ends a map with one at the real size) are dropped.
 */
final class SparseMap {
    private final String archiveName;
    private final String entryName;
    private final long headerAt;
    private final LoadLimits limits;
    private long[] segments = new long[16];   // {start, end} pairs
    private int used;
    private long end;                         // where the last segment listed ends
    private long dataBytes;

    SparseMap(String archiveName, String entryName, long headerAt, LoadLimits limits) {
        this.archiveName = archiveName;
        this.entryName = entryName;
        this.headerAt = headerAt;
        this.limits = limits;
    }

    /** Adds the next segment of the map: {@code length} bytes of data at {@code offset} of the file. */
    void add(long offset, long length) throws ImageFormatException {
        if (offset < 0 || length < 0) {
            throw error("its map lists a negative offset or length (" + offset + ", " + length + ")");
        }
        if (offset < end) {
            throw error("its map lists a segment at byte " + offset + ", before the previous one ends (byte " + end
                    + "); segments must ascend without overlapping");
        }
        if (length > Long.MAX_VALUE - offset) {
            throw error("its map lists a segment of " + length + " bytes at byte " + offset + ", beyond any file size");
        }
        end = offset + length;
        if (length == 0) {
            return;
        }
        limits.countSparseSegment(archiveName, headerAt);
        if (used == segments.length) {
            segments = Arrays.copyOf(segments, used * 2);
        }
        segments[used++] = offset;
        segments[used++] = end;
        dataBytes += length;      // cannot overflow: the segments are disjoint and end below Long.MAX_VALUE
    }

    /**
     * The segments as {@code [start, end)} pairs, once the map is complete: {@code realSize} is the
     * file's size holes included, {@code storedBytes} how many bytes of data the archive holds for it.
     */
    long[] finish(long realSize, long storedBytes) throws ImageFormatException {
        if (realSize < 0) {
            throw error("its real size is negative (" + realSize + ")");
        }
        if (end > realSize) {
            throw error("its map reaches byte " + end + " of a file of " + realSize + " bytes");
        }
        if (dataBytes != storedBytes) {
            throw error("its map lists " + dataBytes + " bytes of data but the archive stores " + storedBytes);
        }
        return Arrays.copyOf(segments, used);
    }

    String entryName() {
        return entryName;
    }

    ImageFormatException error(String problem) {
        return new ImageFormatException("corrupt GNU sparse tar entry '" + LayerApplier.shown(entryName) + "' at byte "
                + headerAt + " in " + archiveName + ": " + problem);
    }
}

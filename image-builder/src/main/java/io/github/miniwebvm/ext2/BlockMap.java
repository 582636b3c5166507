package io.github.miniwebvm.ext2;

import java.io.IOException;
import java.util.Arrays;

/**
 * Which data block holds each logical block of one inode, as runs of consecutive blocks (holes
 * have none), and the direct/indirect/double/triple indirect pointer tree built from it.
 */
final class BlockMap {
    static final int DIRECT = 12;

    private long[] logical = new long[4];
    private long[] physical = new long[4];
    private long[] length = new long[4];
    private int runs;
    private long dataBlocks;

    /** Where indirect blocks come from and go to. */
    interface IndirectSink {
        long allocate();

        void write(long block, int[] pointers) throws IOException;
    }

    void add(long logicalBlock, long physicalBlock) {
        dataBlocks++;
        if (runs > 0) {
            int r = runs - 1;
            if (logical[r] + length[r] == logicalBlock && physical[r] + length[r] == physicalBlock) {
                length[r]++;
                return;
            }
        }
        if (runs == logical.length) {
            logical = Arrays.copyOf(logical, runs * 2);
            physical = Arrays.copyOf(physical, runs * 2);
            length = Arrays.copyOf(length, runs * 2);
        }
        logical[runs] = logicalBlock;
        physical[runs] = physicalBlock;
        length[runs] = 1;
        runs++;
    }

    long dataBlocks() {
        return dataBlocks;
    }

    /** The run containing or following {@code logicalBlock}. */
    private int runAtOrAfter(long logicalBlock) {
        int lo = 0;
        int hi = runs;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (logical[mid] + length[mid] <= logicalBlock) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    long physical(long logicalBlock) {
        int r = runAtOrAfter(logicalBlock);
        if (r < runs && logical[r] <= logicalBlock) {
            return physical[r] + (logicalBlock - logical[r]);
        }
        return 0;
    }

    private boolean anyIn(long from, long to) {
        int r = runAtOrAfter(from);
        return r < runs && logical[r] < to;
    }

    /**
     * Fills the 15 pointers of the inode and allocates and writes the indirect blocks (each parent
     * allocated before its children). Returns how many indirect blocks were used.
     */
    long buildPointers(int[] iBlock, int pointersPerBlock, IndirectSink sink) throws IOException {
        for (int i = 0; i < DIRECT; i++) {
            iBlock[i] = (int) physical(i);
        }
        long[] count = {0};
        long p = pointersPerBlock;
        long base = DIRECT;
        iBlock[12] = (int) indirect(1, base, pointersPerBlock, sink, count);
        base += p;
        iBlock[13] = (int) indirect(2, base, pointersPerBlock, sink, count);
        base += p * p;
        iBlock[14] = (int) indirect(3, base, pointersPerBlock, sink, count);
        base += p * p * p;
        if (anyIn(base, Long.MAX_VALUE)) {
            throw new IllegalArgumentException("file too large for ext2 with this block size");
        }
        return count[0];
    }

    private long indirect(int depth, long base, int p, IndirectSink sink, long[] count) throws IOException {
        long childSpan = 1;
        for (int i = 1; i < depth; i++) {
            childSpan *= p;
        }
        if (!anyIn(base, base + childSpan * p)) {
            return 0;
        }
        long self = sink.allocate();
        count[0]++;
        int[] pointers = new int[p];
        for (int k = 0; k < p; k++) {
            long childBase = base + k * childSpan;
            if (!anyIn(childBase, Long.MAX_VALUE)) {
                break;
            }
            pointers[k] = (int) (depth == 1 ? physical(childBase) : indirect(depth - 1, childBase, p, sink, count));
        }
        sink.write(self, pointers);
        return self;
    }

    /** Indirect blocks needed for the logical blocks present, without allocating anything. */
    long countIndirect(int pointersPerBlock) {
        try {
            return buildPointers(new int[15], pointersPerBlock, new IndirectSink() {
                @Override public long allocate() { return 1; }
                @Override public void write(long block, int[] pointers) { }
            });
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Upper bound of the indirect blocks of a file of {@code n} blocks without holes. */
    static long indirectBlocksFor(long n, int p) {
        long count = 0;
        long rest = n - DIRECT;
        if (rest <= 0) {
            return 0;
        }
        long p2 = (long) p * p;
        count++;                                  // single
        rest -= p;
        if (rest <= 0) {
            return count;
        }
        long inDouble = Math.min(rest, p2);
        count += 1 + Layout.ceilDiv(inDouble, p);  // double + its singles
        rest -= p2;
        if (rest <= 0) {
            return count;
        }
        count += 1 + Layout.ceilDiv(rest, p2) + Layout.ceilDiv(rest, p);   // triple + doubles + singles
        return count;
    }
}

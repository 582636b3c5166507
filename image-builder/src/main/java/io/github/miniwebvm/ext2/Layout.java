package io.github.miniwebvm.ext2;

/**
 * Where everything lives on disk: block groups, and in each group the superblock copy, the group
 * descriptor table copy, the two bitmaps and the inode table, followed by data blocks.
 */
final class Layout {
    static final int SUPERBLOCK_OFFSET = 1024;
    static final int GROUP_DESCRIPTOR_SIZE = 32;

    final int revision;
    final int blockSize;
    final int inodeSize;
    final int blocksPerGroup;
    final int firstDataBlock;
    final long blocksCount;
    final int groupCount;
    final int inodesPerGroup;
    final int gdtBlocks;
    final int inodeTableBlocks;

    private Layout(int revision, int blockSize, long blocksCount, int groupCount, int inodesPerGroup) {
        this.revision = revision;
        this.blockSize = blockSize;
        this.inodeSize = revision == 0 ? 128 : 256;
        this.blocksPerGroup = blockSize * 8;
        this.firstDataBlock = blockSize == 1024 ? 1 : 0;
        this.blocksCount = blocksCount;
        this.groupCount = groupCount;
        this.inodesPerGroup = inodesPerGroup;
        this.gdtBlocks = (int) ceilDiv((long) groupCount * GROUP_DESCRIPTOR_SIZE, blockSize);
        this.inodeTableBlocks = (int) ((long) inodesPerGroup * inodeSize / blockSize);
    }

    /**
     * The layout of a filesystem of {@code blocksCount} blocks with at least {@code inodesWanted}
     * inodes, or null when that cannot exist (too small, or too many inodes for that many groups).
     * A last group too small for its own metadata is dropped, as mke2fs does.
     */
    static Layout create(int revision, int blockSize, long blocksCount, long inodesWanted) {
        int inodeSize = revision == 0 ? 128 : 256;
        int firstDataBlock = blockSize == 1024 ? 1 : 0;
        int bpg = blockSize * 8;
        int align = Math.max(8, blockSize / inodeSize);
        long blocks = blocksCount;
        if (blocks > 0xFFFF_FFFFL) {
            return null;
        }
        while (blocks > firstDataBlock) {
            long groups = ceilDiv(blocks - firstDataBlock, bpg);
            long ipg = Math.max(16, ceilDiv(Math.max(inodesWanted, 16), groups));
            ipg = ceilDiv(ipg, align) * align;
            if (ipg > bpg || ipg * groups > 0xFFFF_FFFFL) {
                return null;
            }
            Layout layout = new Layout(revision, blockSize, blocks, (int) groups, (int) ipg);
            int last = (int) groups - 1;
            if (layout.groupBlocks(last) >= layout.overhead(last) + 1) {
                return layout;
            }
            if (groups == 1) {
                return null;
            }
            blocks = layout.groupStart(last);
        }
        return null;
    }

    boolean hasSuperblock(int group) {
        if (revision == 0 || group <= 1) {
            return true;
        }
        return isPowerOf(group, 3) || isPowerOf(group, 5) || isPowerOf(group, 7);
    }

    private static boolean isPowerOf(int n, int base) {
        while (n > 1 && n % base == 0) {
            n /= base;
        }
        return n == 1;
    }

    long groupStart(int group) {
        return firstDataBlock + (long) group * blocksPerGroup;
    }

    long groupBlocks(int group) {
        return Math.min(blocksPerGroup, blocksCount - groupStart(group));
    }

    long groupEnd(int group) {
        return groupStart(group) + groupBlocks(group);
    }

    long blockBitmap(int group) {
        return groupStart(group) + (hasSuperblock(group) ? 1 + gdtBlocks : 0);
    }

    long inodeBitmap(int group) {
        return blockBitmap(group) + 1;
    }

    long inodeTable(int group) {
        return blockBitmap(group) + 2;
    }

    long dataStart(int group) {
        return inodeTable(group) + inodeTableBlocks;
    }

    long overhead(int group) {
        return dataStart(group) - groupStart(group);
    }

    long totalInodes() {
        return (long) inodesPerGroup * groupCount;
    }

    long dataCapacity() {
        long sum = 0;
        for (int g = 0; g < groupCount; g++) {
            sum += groupBlocks(g) - overhead(g);
        }
        return sum;
    }

    long overheadBlocks() {
        long sum = firstDataBlock;
        for (int g = 0; g < groupCount; g++) {
            sum += overhead(g);
        }
        return sum;
    }

    int groupOfBlock(long block) {
        return (int) ((block - firstDataBlock) / blocksPerGroup);
    }

    static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }
}

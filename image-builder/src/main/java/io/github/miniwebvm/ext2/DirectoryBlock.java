package io.github.miniwebvm.ext2;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Packs directory entries ({@link DirEntry}) into blocks: entries never cross a block, and the
 * last entry of a block stretches its record length to the end of the block.
 */
final class DirectoryBlock {
    private final int blockSize;
    private final boolean fileType;
    private final ByteBuffer block;
    private int used;
    private int lastOffset = -1;
    private boolean finished;

    DirectoryBlock(int blockSize, boolean fileType) {
        this.blockSize = blockSize;
        this.fileType = fileType;
        this.block = ByteBuffer.allocate(blockSize).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Adds an entry; returns false (and adds nothing) when the block is full. */
    boolean add(DirEntry entry) {
        reset();
        int len = entry.recordLength();
        if (used + len > blockSize) {
            return false;
        }
        block.putInt(used, (int) entry.inode);
        block.putShort(used + 4, (short) len);
        if (fileType) {
            block.put(used + 6, (byte) entry.name.length);
            block.put(used + 7, (byte) entry.fileType);
        } else {
            block.putShort(used + 6, (short) entry.name.length);
        }
        block.put(used + 8, entry.name);
        lastOffset = used;
        used += len;
        return true;
    }

    boolean isEmpty() {
        return used == 0;
    }

    /**
     * The finished block: this block's own bytes, valid until the next {@link #add} or
     * {@code finish}, which start a new block.
     */
    byte[] finish() {
        reset();
        finished = true;
        if (lastOffset >= 0) {
            block.putShort(lastOffset + 4, (short) (blockSize - lastOffset));
        } else {
            // an empty block (only in a pre-grown directory such as lost+found): one unused entry
            block.putInt(0, 0);
            block.putShort(4, (short) blockSize);
        }
        return block.array();
    }

    private void reset() {
        if (finished) {
            Arrays.fill(block.array(), (byte) 0);
            used = 0;
            lastOffset = -1;
            finished = false;
        }
    }

    /** Number of blocks a directory with these entry name lengths needs. */
    static long blocksFor(int[] nameLengths, int count, int blockSize) {
        long blocks = 1;
        int used = 0;
        for (int i = 0; i < count; i++) {
            int len = DirEntry.recordLength(nameLengths[i]);
            if (used + len > blockSize) {
                blocks++;
                used = 0;
            }
            used += len;
        }
        return blocks;
    }
}

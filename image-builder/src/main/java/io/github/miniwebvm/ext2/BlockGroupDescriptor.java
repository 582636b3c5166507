package io.github.miniwebvm.ext2;

import java.nio.ByteBuffer;

/** One 32-byte entry of the group descriptor table. */
final class BlockGroupDescriptor {
    long blockBitmap;
    long inodeBitmap;
    long inodeTable;
    int freeBlocks;
    int freeInodes;
    int usedDirs;

    void encode(ByteBuffer le, int offset) {
        le.putInt(offset, (int) blockBitmap);
        le.putInt(offset + 4, (int) inodeBitmap);
        le.putInt(offset + 8, (int) inodeTable);
        le.putShort(offset + 12, (short) freeBlocks);
        le.putShort(offset + 14, (short) freeInodes);
        le.putShort(offset + 16, (short) usedDirs);
    }
}

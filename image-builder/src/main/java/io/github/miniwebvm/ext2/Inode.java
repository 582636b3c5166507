package io.github.miniwebvm.ext2;

import java.nio.ByteBuffer;

/** An on-disk inode: 128 bytes in revision 0, 256 bytes (with the extra timestamp fields) in revision 1. */
final class Inode {
    static final int S_IFSOCK = 0xC000;
    static final int S_IFLNK = 0xA000;
    static final int S_IFREG = 0x8000;
    static final int S_IFBLK = 0x6000;
    static final int S_IFDIR = 0x4000;
    static final int S_IFCHR = 0x2000;
    static final int S_IFIFO = 0x1000;

    int mode;
    long uid;
    long gid;
    long size;
    long atime;
    long ctime;
    long mtime;
    int linksCount;
    long blocks512;
    final int[] block = new int[15];
    byte[] inlineData;          // fast symlink target, stored in place of the block pointers
    long fileAcl;

    /** Writes this inode at {@code offset} of {@code le} (little endian), {@code inodeSize} bytes. */
    void encode(ByteBuffer le, int offset, int inodeSize) {
        boolean large = inodeSize > 128;
        le.putShort(offset, (short) mode);
        le.putShort(offset + 2, (short) uid);
        le.putInt(offset + 4, (int) size);
        le.putInt(offset + 8, seconds(atime, large));
        le.putInt(offset + 12, seconds(ctime, large));
        le.putInt(offset + 16, seconds(mtime, large));
        le.putShort(offset + 24, (short) gid);
        le.putShort(offset + 26, (short) linksCount);
        le.putInt(offset + 28, (int) blocks512);
        if (inlineData != null) {
            le.put(offset + 40, inlineData);
        } else {
            for (int i = 0; i < 15; i++) {
                le.putInt(offset + 40 + 4 * i, block[i]);
            }
        }
        le.putInt(offset + 104, (int) fileAcl);
        le.putInt(offset + 108, (int) (size >>> 32));
        le.putShort(offset + 120, (short) (uid >>> 16));
        le.putShort(offset + 122, (short) (gid >>> 16));
        if (large) {
            le.putShort(offset + 128, (short) Superblock.EXTRA_ISIZE);
            le.putInt(offset + 132, epochBits(ctime));
            le.putInt(offset + 136, epochBits(mtime));
            le.putInt(offset + 140, epochBits(atime));
            le.putInt(offset + 144, seconds(ctime, true));  // creation time: the tree knows none
            le.putInt(offset + 148, epochBits(ctime));
        }
    }

    /** The low 32 bits; in a 128-byte inode the time is clamped to what a signed 32-bit field holds. */
    private static int seconds(long t, boolean withEpochBits) {
        if (!withEpochBits) {
            return (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, t));
        }
        long clamped = Math.max(Integer.MIN_VALUE, Math.min(t, Integer.MAX_VALUE + (3L << 32)));
        return (int) clamped;
    }

    /** The two epoch bits of the extra timestamp field (nanoseconds stay 0), as the kernel encodes them. */
    private static int epochBits(long t) {
        long clamped = Math.max(Integer.MIN_VALUE, Math.min(t, Integer.MAX_VALUE + (3L << 32)));
        return (int) (((clamped - (int) clamped) >> 32) & 3);
    }
}

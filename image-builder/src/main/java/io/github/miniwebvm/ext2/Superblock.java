package io.github.miniwebvm.ext2;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** The 1024-byte superblock at byte 1024, with copies at the start of the backup groups. */
final class Superblock {
    static final int SIZE = 1024;
    static final int MAGIC = 0xEF53;
    static final int FIRST_INODE = 11;

    static final int COMPAT_EXT_ATTR = 0x0008;
    static final int INCOMPAT_FILETYPE = 0x0002;
    static final int RO_COMPAT_SPARSE_SUPER = 0x0001;
    static final int RO_COMPAT_LARGE_FILE = 0x0002;
    static final int EXTRA_ISIZE = 32;

    long inodesCount;
    long blocksCount;
    long freeBlocksCount;
    long freeInodesCount;
    int firstDataBlock;
    int blockSize;
    int blocksPerGroup;
    int inodesPerGroup;
    int revision;
    int inodeSize;
    long time;
    byte[] uuid = new byte[16];
    byte[] hashSeed = new byte[16];
    String volumeLabel = "";

    int featureCompat() {
        return revision == 0 ? 0 : COMPAT_EXT_ATTR;
    }

    int featureIncompat() {
        return revision == 0 ? 0 : INCOMPAT_FILETYPE;
    }

    int featureRoCompat() {
        return revision == 0 ? 0 : RO_COMPAT_SPARSE_SUPER | RO_COMPAT_LARGE_FILE;
    }

    byte[] encode(int groupNumber) {
        ByteBuffer b = ByteBuffer.allocate(SIZE).order(ByteOrder.LITTLE_ENDIAN);
        int logBlock = Integer.numberOfTrailingZeros(blockSize) - 10;
        b.putInt(0, (int) inodesCount);
        b.putInt(4, (int) blocksCount);
        b.putInt(8, 0);                          // reserved blocks: the headroom is for every user
        b.putInt(12, (int) freeBlocksCount);
        b.putInt(16, (int) freeInodesCount);
        b.putInt(20, firstDataBlock);
        b.putInt(24, logBlock);
        b.putInt(28, logBlock);                  // fragment size = block size
        b.putInt(32, blocksPerGroup);
        b.putInt(36, blocksPerGroup);
        b.putInt(40, inodesPerGroup);
        b.putInt(44, 0);                         // last mount time
        b.putInt(48, (int) time);                // last write time
        b.putShort(52, (short) 0);               // mount count
        b.putShort(54, (short) -1);              // max mount count: never force a check
        b.putShort(56, (short) MAGIC);
        b.putShort(58, (short) 1);               // state: clean
        b.putShort(60, (short) 1);               // errors: continue
        b.putShort(62, (short) 0);               // minor revision
        b.putInt(64, (int) time);                // last check
        b.putInt(68, 0);                         // check interval
        b.putInt(72, 0);                         // creator OS: Linux
        b.putInt(76, revision);
        b.putShort(80, (short) 0);               // reserved blocks uid
        b.putShort(82, (short) 0);               // reserved blocks gid
        // The dynamic fields are written for revision 0 too, as mke2fs -r 0 does; readers of
        // revision 0 ignore them.
        b.putInt(84, FIRST_INODE);
        b.putShort(88, (short) inodeSize);
        b.putShort(90, (short) (revision == 0 ? 0 : groupNumber));
        b.putInt(92, featureCompat());
        b.putInt(96, featureIncompat());
        b.putInt(100, featureRoCompat());
        b.put(104, uuid);
        byte[] label = volumeLabel.getBytes(StandardCharsets.UTF_8);
        b.put(120, label, 0, Math.min(16, label.length));
        b.put(236, hashSeed);
        b.put(252, (byte) 1);                    // default hash version: half_md4
        b.putInt(264, (int) time);               // mkfs time
        if (inodeSize > 128) {
            b.putShort(348, (short) EXTRA_ISIZE); // min extra isize
            b.putShort(350, (short) EXTRA_ISIZE); // want extra isize
        }
        b.putInt(352, 1);                        // flags: signed directory hash
        return b.array();
    }
}

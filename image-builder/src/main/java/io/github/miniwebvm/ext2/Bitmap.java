package io.github.miniwebvm.ext2;

/** A block or inode bitmap: one block, bit i set when item i of the group is in use. */
final class Bitmap {
    private final byte[] bits;

    Bitmap(int blockSize) {
        this.bits = new byte[blockSize];
    }

    /** Marks items {@code from} (inclusive) to {@code to} (exclusive) as used. */
    void setRange(long from, long to) {
        long end = Math.min(to, (long) bits.length * 8);
        long i = Math.max(0, from);
        while (i < end && (i & 7) != 0) {
            set(i++);
        }
        while (i + 8 <= end) {
            bits[(int) (i >>> 3)] = (byte) 0xFF;
            i += 8;
        }
        while (i < end) {
            set(i++);
        }
    }

    private void set(long i) {
        bits[(int) (i >>> 3)] |= (byte) (1 << (i & 7));
    }

    byte[] bytes() {
        return bits;
    }
}

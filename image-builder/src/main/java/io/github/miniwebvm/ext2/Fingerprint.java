package io.github.miniwebvm.ext2;

import java.nio.charset.StandardCharsets;

/**
 * A 128-bit fingerprint of everything that goes into an image, from which the filesystem UUID and
 * the directory hash seed are derived: the same tree gives the same values, a different tree
 * almost surely different ones. Not a cryptographic hash, and it need not be one: nothing
 * depends on it resisting a chosen collision. It stands in for SHA-256 because the first
 * {@code MessageDigest} costs a short-lived JVM about 16 ms of security provider start-up.
 * Two lanes of 64-bit multiply-rotate mixing (as in MurmurHash3's 128-bit variant), finished
 * with its {@code fmix64}.
 */
final class Fingerprint {
    private static final long C1 = 0x87c37b91114253d5L;
    private static final long C2 = 0x4cf5ad432745937fL;

    private long h1 = 0x6a09e667f3bcc908L;
    private long h2 = 0xbb67ae8584caa73bL;
    private long count;

    void addLong(long v) {
        long k1 = Long.rotateLeft(v * C1, 31) * C2;
        h1 ^= k1;
        h1 = Long.rotateLeft(h1, 27) + h2;
        h1 = h1 * 5 + 0x52dce729;
        long k2 = Long.rotateLeft(v * C2, 33) * C1;
        h2 ^= k2;
        h2 = Long.rotateLeft(h2, 31) + h1;
        h2 = h2 * 5 + 0x38495ab5;
        count++;
    }

    /** Adds the length and then the bytes, so that ("ab", "c") and ("a", "bc") differ. */
    void addBytes(byte[] bytes) {
        addLong(bytes.length);
        for (int i = 0; i < bytes.length; i += 8) {
            long v = 0;      // up to 8 bytes, little-endian; the last word may be short
            for (int j = Math.min(i + 8, bytes.length) - 1; j >= i; j--) {
                v = (v << 8) | (bytes[j] & 0xFF);
            }
            addLong(v);
        }
    }

    void addString(String s) {
        addBytes(s.getBytes(StandardCharsets.UTF_8));
    }

    /** The 16 bytes of the fingerprint so far; {@code salt} gives independent values from one state. */
    byte[] bytes(long salt) {
        long a = h1 ^ count ^ salt;
        long b = h2 ^ count ^ Long.rotateLeft(salt, 32);
        a += b;
        b += a;
        a = fmix64(a);
        b = fmix64(b);
        a += b;
        b += a;
        byte[] out = new byte[16];
        for (int i = 0; i < 8; i++) {
            out[i] = (byte) (a >>> (56 - 8 * i));
            out[8 + i] = (byte) (b >>> (56 - 8 * i));
        }
        return out;
    }

    private static long fmix64(long k) {
        k ^= k >>> 33;
        k *= 0xff51afd7ed558ccdL;
        k ^= k >>> 33;
        k *= 0xc4ceb9fe1a85ec53L;
        k ^= k >>> 33;
        return k;
    }
}

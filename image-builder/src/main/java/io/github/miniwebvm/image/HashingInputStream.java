package io.github.miniwebvm.image;

import io.github.miniwebvm.io.Sha256;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;

/**
 * Hashes (SHA-256) every byte read and optionally copies it to {@code tee}. Skipping reads
 * through, so the digest and the copy always cover the whole stream.
 */
final class HashingInputStream extends FilterInputStream {
    private final MessageDigest sha256;
    private final OutputStream tee;
    private long count;

    HashingInputStream(InputStream in, OutputStream tee) {
        super(in);
        this.tee = tee;
        this.sha256 = Sha256.newDigest();
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = in.read(b, off, len);
        if (n > 0) {
            sha256.update(b, off, n);
            if (tee != null) {
                tee.write(b, off, n);
            }
            count += n;
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        byte[] buf = new byte[(int) Math.min(n, 65536)];
        long done = 0;
        while (done < n) {
            int r = read(buf, 0, (int) Math.min(buf.length, n - done));
            if (r < 0) {
                break;
            }
            done += r;
        }
        return done;
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    /** Reads what is left, then returns {@code sha256:<hex>} of everything. */
    String drainAndDigest() throws IOException {
        byte[] buf = new byte[65536];
        while (read(buf, 0, buf.length) >= 0) {
            // read to the end so the digest covers the whole stream
        }
        return Sha256.ociDigestOf(sha256);
    }

    long count() {
        return count;
    }
}

package io.github.miniwebvm.fs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;

/** Reads at most {@code limit} bytes of the underlying channel; closes it on close. */
final class BoundedChannel implements ReadableByteChannel {
    private final ReadableByteChannel in;
    private long remaining;

    BoundedChannel(ReadableByteChannel in, long limit) {
        this.in = in;
        this.remaining = limit;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        if (remaining <= 0) {
            return -1;
        }
        int oldLimit = dst.limit();
        if (dst.remaining() > remaining) {
            dst.limit(dst.position() + (int) remaining);
        }
        try {
            int n = in.read(dst);
            if (n > 0) {
                remaining -= n;
            }
            return n;
        } finally {
            dst.limit(oldLimit);
        }
    }

    @Override
    public boolean isOpen() {
        return in.isOpen();
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}

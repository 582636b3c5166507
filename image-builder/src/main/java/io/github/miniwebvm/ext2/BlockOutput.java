package io.github.miniwebvm.ext2;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/** Positional writes of whole blocks to the image, coalescing runs of consecutive blocks. */
final class BlockOutput {
    private static final int BUFFER = 1 << 20;
    private static final int DIRECT_MIN = 256 << 10;     // longer runs are written in place, not copied

    private final FileChannel channel;
    private final ImageSync sync;
    private final int blockSize;
    private final ByteBuffer pending = ByteBuffer.allocateDirect(BUFFER);
    private long pendingStart = -1;

    BlockOutput(FileChannel channel, ImageSync sync, int blockSize) {
        this.channel = channel;
        this.sync = sync;
        this.blockSize = blockSize;
    }

    void putBlock(long block, byte[] src, int offset) throws IOException {
        long pendingBlocks = pending.position() / blockSize;
        if (pendingStart < 0 || block != pendingStart + pendingBlocks || pending.remaining() < blockSize) {
            flush();
            pendingStart = block;
        }
        pending.put(src, offset, blockSize);
    }

    /** Copies the remaining {@code blockSize} bytes of {@code src}. */
    void putBlock(long block, ByteBuffer src) throws IOException {
        long pendingBlocks = pending.position() / blockSize;
        if (pendingStart < 0 || block != pendingStart + pendingBlocks || pending.remaining() < blockSize) {
            flush();
            pendingStart = block;
        }
        pending.put(src);
    }

    /**
     * Writes the remaining bytes of {@code src} (whole blocks) from block {@code block} on: a long
     * run straight from {@code src}, a short one through the run buffer.
     */
    void putBlocks(long block, ByteBuffer src) throws IOException {
        if (src.remaining() >= DIRECT_MIN) {
            writeFully(src, block * blockSize);
            return;
        }
        int n = src.remaining() / blockSize;
        for (int i = 0; i < n; i++) {
            putBlock(block + i, src.slice(i * blockSize, blockSize));
        }
    }

    void putBlock(long block, byte[] src) throws IOException {
        putBlock(block, src, 0);
    }

    /** Writes {@code bytes} at byte {@code position}, bypassing the run buffer. */
    void writeAt(long position, byte[] bytes) throws IOException {
        flush();
        writeFully(ByteBuffer.wrap(bytes), position);
    }

    void flush() throws IOException {
        if (pending.position() > 0) {
            pending.flip();
            writeFully(pending, pendingStart * blockSize);
            pending.clear();
        }
        pendingStart = -1;
    }

    private void writeFully(ByteBuffer src, long position) throws IOException {
        long p = position;
        while (src.hasRemaining()) {
            p += channel.write(src, p);
        }
        sync.written(p - position);
    }
}

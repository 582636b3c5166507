package io.github.miniwebvm.ext2;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.channels.FileChannel;

/**
 * Puts the image on the disk before it takes its name, as {@code mke2fs} ends with an fsync: a
 * crash after the rename must not leave a named image whose blocks never reached the disk. One
 * flush at the end would wait for all the image's writes at once (about a third of the time of
 * {@code mke2fs -d} on the Debian minbase tree), so a thread of its own flushes what has been
 * written every {@value #STEP_MIB} MiB while the writer goes on, and the last flush has only the
 * tail to wait for.
 */
final class ImageSync implements AutoCloseable {
    static final int STEP_MIB = 2;
    private static final long STEP = (long) STEP_MIB << 20;

    private final FileChannel channel;
    private long unflushed;          // bytes written since the last request; the writer's thread only
    private Thread thread;           // started at the first request: a small image needs none
    private boolean requested;       // guarded by this, as are the two below
    private boolean stopping;
    private IOException failure;

    ImageSync(FileChannel channel) {
        this.channel = channel;
    }

    /** Counts {@code bytes} just written; every {@value #STEP_MIB} MiB starts a flush in the background. */
    void written(long bytes) throws IOException {
        unflushed += bytes;
        if (unflushed >= STEP) {
            unflushed = 0;
            request();
        }
    }

    private synchronized void request() throws IOException {
        if (failure != null) {
            throw failure;
        }
        requested = true;
        if (thread == null) {
            thread = new Thread("ext2-image-sync") {
                @Override
                public void run() {
                    flushWhenAsked();
                }
            };
            thread.setDaemon(true);
            thread.start();
        } else {
            notifyAll();
        }
    }

    private void flushWhenAsked() {
        while (true) {
            synchronized (this) {
                while (!requested && !stopping) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (!requested) {
                    return;
                }
                requested = false;
            }
            try {
                channel.force(false);
            } catch (IOException e) {
                synchronized (this) {
                    failure = e;
                }
                return;
            }
        }
    }

    /** Waits for the background flush, then flushes the rest: everything written is on the disk. */
    void finish() throws IOException {
        stop();
        synchronized (this) {
            if (failure != null) {
                throw failure;
            }
        }
        channel.force(false);
    }

    @Override
    public void close() throws IOException {
        stop();
    }

    /** Stops the thread once its flush is done (never interrupted in one: that would close the channel). */
    private void stop() throws IOException {
        Thread t;
        synchronized (this) {
            stopping = true;
            requested = false;
            notifyAll();
            t = thread;
        }
        if (t != null) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while flushing the image to the disk");
            }
        }
    }
}

package io.github.miniwebvm.dockerfile;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A network body that gives up when the server stops sending: after {@code idle} without a byte
 * the stream is closed under the blocked reader, whose read then fails with a message that says
 * so. An HTTP client's own timeout covers only the wait for the response headers.
 */
final class IdleTimeoutStream extends FilterInputStream {
    private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "webvm-download-watchdog");
        t.setDaemon(true);
        return t;
    });

    private final long idleNanos;
    private final String what;
    private volatile ScheduledFuture<?> check;   // set right after scheduling; the first check may run before
    private volatile long lastProgress = System.nanoTime();
    private volatile boolean stalled;

    IdleTimeoutStream(InputStream in, Duration idle, String what) {
        super(in);
        this.idleNanos = idle.toNanos();
        this.what = what;
        long period = Math.max(1, idle.toMillis() / 4);
        this.check = WATCHDOG.scheduleWithFixedDelay(this::checkProgress, period, period, TimeUnit.MILLISECONDS);
    }

    private void checkProgress() {
        if (System.nanoTime() - lastProgress > idleNanos) {
            stalled = true;
            ScheduledFuture<?> c = check;
            if (c != null) {
                c.cancel(false);
            }
            try {
                in.close();
            } catch (IOException | RuntimeException e) {
                // the reader fails on its own
            }
        }
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n;
        try {
            n = in.read(b, off, len);
        } catch (IOException e) {
            throw stalled ? stalledError(e) : e;
        }
        if (stalled) {
            throw stalledError(null);
        }
        lastProgress = System.nanoTime();
        return n;
    }

    private IOException stalledError(IOException cause) {
        Duration idle = Duration.ofNanos(idleNanos);
        String shown = idle.toMillis() % 1000 == 0 ? idle.toSeconds() + " s" : idle.toMillis() + " ms";
        return new IOException(what + ": the server sent nothing for " + shown
                + "; gave up (a stalled server or network)", cause);
    }

    @Override
    public void close() throws IOException {
        ScheduledFuture<?> c = check;
        if (c != null) {
            c.cancel(false);
        }
        super.close();
    }
}

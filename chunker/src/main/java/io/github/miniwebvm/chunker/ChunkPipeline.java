package io.github.miniwebvm.chunker;

import io.github.miniwebvm.io.Sha256;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Reads an image once, sequentially, chunk by chunk, hashing the whole image on the calling
 * thread and handing each chunk to a small pool of workers. Memory is bounded by (2 × threads + 1)
 * chunk buffers whatever the image size. Results come back to the caller in chunk order.
 */
final class ChunkPipeline {
  /** What to do with each chunk. */
  interface Processor<R> {
    /** On a worker thread; {@code data} is only valid during the call. */
    R process(int index, byte[] data, int len, boolean zero) throws IOException;

    /** On the calling thread, in chunk order. */
    void collect(int index, int len, boolean zero, R result) throws IOException;
  }

  private static final AtomicInteger POOL_NUMBER = new AtomicInteger();
  private static final long PROGRESS_INTERVAL_NANOS = 10_000_000_000L;

  private ChunkPipeline() {}

  /** Runs the processor over every chunk; returns the image's sha256 (hex). */
  static <R> String run(
      Path image, long size, int chunkSize, int threads, Processor<R> processor, Consumer<String> log,
      ChunkListener listener)
      throws IOException {
    long started = System.nanoTime();
    long lastReport = started;
    int inflightLimit = Math.max(2, threads * 2);
    BlockingQueue<byte[]> buffers = new ArrayBlockingQueue<>(inflightLimit + 1);
    for (int i = 0; i <= inflightLimit; i++) {
      buffers.add(new byte[chunkSize]);
    }
    byte[] zeros = new byte[chunkSize];
    MessageDigest imageDigest = Sha256.newDigest();
    int poolNumber = POOL_NUMBER.incrementAndGet();
    AtomicInteger threadNumber = new AtomicInteger();
    ExecutorService pool =
        Executors.newFixedThreadPool(
            threads,
            r -> {
              Thread t = new Thread(r, "chunker-" + poolNumber + "-" + threadNumber.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    ArrayDeque<Pending<R>> inflight = new ArrayDeque<>();
    try (ImageInput in = new ImageInput(image, size, chunkSize)) {
      long chunkCount = (size + chunkSize - 1) / chunkSize;
      for (long index = 0; index < chunkCount; index++) {
        long offset = index * chunkSize;
        int len = (int) Math.min(chunkSize, size - offset);
        byte[] buf = buffers.take();
        in.read(buf, len, offset);
        imageDigest.update(buf, 0, len);
        boolean zero = Arrays.mismatch(buf, 0, len, zeros, 0, len) == -1;
        int i = (int) index;
        long now = System.nanoTime();
        if (now - lastReport > PROGRESS_INTERVAL_NANOS) {
          lastReport = now;
          log.accept(
              String.format(
                  java.util.Locale.ROOT,
                  "Chunking %s: %d%% (%s of %s, %.0f s)",
                  image.getFileName(), offset * 100 / size, Chunker.human(offset), Chunker.human(size),
                  (now - started) / 1e9));
        }
        Future<R> f =
            pool.submit(
                () -> {
                  try {
                    return processor.process(i, buf, len, zero);
                  } finally {
                    buffers.add(buf);
                  }
                });
        inflight.add(new Pending<>(i, len, zero, f));
        while (inflight.size() >= inflightLimit) {
          finish(inflight.poll(), processor, listener, (int) chunkCount);
        }
      }
      while (!inflight.isEmpty()) {
        finish(inflight.poll(), processor, listener, (int) chunkCount);
      }
      if (in.currentSize() != size) {
        throw new ChunkerException(
            "The image " + image + " changed size while it was being read (" + size + " → "
                + in.currentSize() + " bytes); do not write to it during chunking");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ChunkerException("Interrupted while chunking " + image, e);
    } finally {
      pool.shutdownNow();
      // on failure, tasks still running must not write into the output after we return
      awaitQuietly(pool);
    }
    return Sha256.hexOf(imageDigest);
  }

  private static void awaitQuietly(ExecutorService pool) {
    boolean interrupted = false;
    while (true) {
      try {
        if (pool.awaitTermination(1, java.util.concurrent.TimeUnit.MINUTES)) {
          break;
        }
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  private static <R> void finish(Pending<R> p, Processor<R> processor, ChunkListener listener, int total)
      throws IOException, InterruptedException {
    R result;
    try {
      result = p.future.get();
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof ChunkerException) {
        throw (ChunkerException) c;
      }
      if (c instanceof UncheckedIOException) {
        c = c.getCause();
      }
      if (c instanceof IOException) {
        throw new ChunkerException("Chunk " + p.index + ": " + c.getMessage(), c);
      }
      if (c instanceof RuntimeException) {
        throw (RuntimeException) c;
      }
      if (c instanceof Error) {
        throw (Error) c;
      }
      throw new ChunkerException("Chunk " + p.index + " failed: " + c, c);
    }
    processor.collect(p.index, p.len, p.zero, result);
    listener.chunkDone(p.index + 1, total);
  }

  private record Pending<R>(int index, int len, boolean zero, Future<R> future) {}
}

package io.github.miniwebvm.chunker;

import io.github.miniwebvm.io.AtomicFiles;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/** Writes files so that a reader sees either the old file, or the whole new one. */
final class FileWrites {
  static final String TEMP_PREFIX = ".chunker-tmp-";
  private static final AtomicLong COUNTER = new AtomicLong();

  private FileWrites() {}

  static void writeAtomically(Path target, byte[] data, int offset, int len) throws IOException {
    Path tmp =
        target.resolveSibling(
            TEMP_PREFIX + ProcessHandle.current().pid() + "-" + COUNTER.incrementAndGet());
    try {
      try (OutputStream out = Files.newOutputStream(tmp)) {
        out.write(data, offset, len);
      }
      AtomicFiles.replace(tmp, target);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  static void writeAtomically(Path target, byte[] data) throws IOException {
    writeAtomically(target, data, 0, data.length);
  }
}

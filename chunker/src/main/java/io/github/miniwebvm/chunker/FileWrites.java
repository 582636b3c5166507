package io.github.miniwebvm.chunker;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
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
      move(tmp, target);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** Renames {@code source} to {@code target}, replacing it, atomically where possible. */
  static void move(Path source, Path target) throws IOException {
    try {
      Files.move(source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(source, target, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  static void writeAtomically(Path target, byte[] data) throws IOException {
    writeAtomically(target, data, 0, data.length);
  }
}

package io.github.miniwebvm.chunker;

import java.io.IOException;

/**
 * The one exception the chunker throws: a missing or malformed image, a bad option, an output
 * folder that cannot be written, a damaged chunk store. The message names the problem and, where
 * there is one, the fix. Output already in place is never left half written: chunk files are
 * written atomically and the manifest (or {@code .meta}) last.
 */
public final class ChunkerException extends IOException {
  private static final long serialVersionUID = 1L;

  public ChunkerException(String message) {
    super(message);
  }

  public ChunkerException(String message, Throwable cause) {
    super(message, cause);
  }
}

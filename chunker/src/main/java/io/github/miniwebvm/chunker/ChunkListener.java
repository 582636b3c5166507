package io.github.miniwebvm.chunker;

/** Told of each chunk once it is stored (or found zero, duplicate or kept), in chunk order. */
@FunctionalInterface
public interface ChunkListener {
  /** On the chunking thread: {@code done} of {@code total} chunks are finished. */
  void chunkDone(int done, int total);
}

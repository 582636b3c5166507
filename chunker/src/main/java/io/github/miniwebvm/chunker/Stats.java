package io.github.miniwebvm.chunker;

/** Counters a layout writer fills in; turned into a {@link ChunkReport} by {@link Chunker}. */
final class Stats {
  String imageSha256;
  int chunksTotal;
  int zeroChunks;
  int duplicateChunks;
  int storedChunks;
  long storedBytes;
  int filesWritten;
  int filesKept;
  int filesRemoved;
  int changedChunks;
  long changedBytes;
  String largestFile = "";
  long largestFileSize;

  void file(String relativePath, long size) {
    storedBytes += size;
    if (size > largestFileSize) {
      largestFileSize = size;
      largestFile = relativePath;
    }
  }
}

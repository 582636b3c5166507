package io.github.miniwebvm.chunker;

import io.github.miniwebvm.io.Sha256;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/** Writes the {@link DiskLayout#PACKED} layout; see {@link DiskManifest} for the format. */
final class PackedWriter {
  private enum Kind { ZERO, DUPLICATE, KEPT, WRITTEN }

  private record Outcome(String sha, Kind kind) {}

  /** One stored file; its fields are set by the worker that first saw the content. */
  private static final class StoredChunk {
    volatile boolean raw;
    volatile long fileSize;
  }

  private final Codec codec;
  private final int chunkSize;
  private final int threads;
  private final String name;
  private final Consumer<String> log;

  PackedWriter(Codec codec, int chunkSize, int threads, String name, Consumer<String> log) {
    this.codec = codec;
    this.chunkSize = chunkSize;
    this.threads = threads;
    this.name = name;
    this.log = log;
  }

  /**
   * Whether a chunk file of an earlier run really holds the content its name says (a file of the
   * previous site is reused without recompressing, so it is checked rather than trusted).
   */
  private boolean holds(Path file, boolean raw, String sha, int len) {
    if (!Files.isRegularFile(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return false;
    }
    try {
      byte[] data = Codec.decompress(raw ? ChunkEncoding.NONE : codec.encoding(), Files.readAllBytes(file), len);
      return Sha256.hex(data, 0, len).equals(sha);
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  Stats write(Path image, long size, Path diskDir, ChunkListener listener) throws IOException {
    Path chunksDir = diskDir.resolve(DiskManifest.CHUNK_DIR);
    Files.createDirectories(chunksDir);
    DiskManifest previous = previousManifest(diskDir);
    // content already on disk from a previous run with the same encoding: sha256 → stored raw?
    Map<String, Boolean> reusable = new HashMap<>();
    if (previous != null && previous.encoding() == codec.encoding()) {
      for (int i = 0; i < previous.chunks().size(); i++) {
        String sha = previous.chunks().get(i);
        if (sha != null) {
          reusable.put(sha, previous.isRaw(i));
        }
      }
    }
    boolean comparable = previous != null && previous.chunkSize() == chunkSize;

    Map<String, StoredChunk> stored = new ConcurrentHashMap<>();
    int count = DiskManifest.chunkCount(size, chunkSize);
    List<String> chunks = new ArrayList<>(count);
    List<Integer> raw = new ArrayList<>();
    Stats stats = new Stats();
    stats.chunksTotal = count;

    ChunkPipeline.Processor<Outcome> processor =
        new ChunkPipeline.Processor<>() {
          @Override
          public Outcome process(int index, byte[] data, int len, boolean zero) throws IOException {
            if (zero) {
              return new Outcome(null, Kind.ZERO);
            }
            String sha = Sha256.hex(data, 0, len);
            StoredChunk mine = new StoredChunk();
            if (stored.putIfAbsent(sha, mine) != null) {
              return new Outcome(sha, Kind.DUPLICATE);
            }
            Path file = chunksDir.resolve(sha);
            Boolean wasRaw = reusable.get(sha);
            if (wasRaw != null && holds(file, wasRaw, sha, len)) {
              mine.raw = wasRaw;
              mine.fileSize = Files.size(file);
              return new Outcome(sha, Kind.KEPT);
            }
            byte[] packed = codec.encoding() == ChunkEncoding.NONE ? null : codec.compress(data, len);
            if (packed == null || packed.length >= len) {
              FileWrites.writeAtomically(file, data, 0, len);
              mine.raw = true;
              mine.fileSize = len;
            } else {
              FileWrites.writeAtomically(file, packed);
              mine.fileSize = packed.length;
            }
            return new Outcome(sha, Kind.WRITTEN);
          }

          @Override
          public void collect(int index, int len, boolean zero, Outcome o) {
            chunks.add(o.sha);
            switch (o.kind) {
              case ZERO -> stats.zeroChunks++;
              case DUPLICATE -> stats.duplicateChunks++;
              case KEPT -> stats.filesKept++;
              case WRITTEN -> stats.filesWritten++;
            }
            if (o.sha != null && stored.get(o.sha).raw) {
              raw.add(index);
            }
            String before =
                comparable && index < previous.chunks().size() ? previous.chunks().get(index) : "";
            if (!java.util.Objects.equals(before, o.sha)) {
              stats.changedChunks++;
              stats.changedBytes += len;
            }
          }
        };
    stats.imageSha256 = ChunkPipeline.run(image, size, chunkSize, threads, processor, log, listener);
    if (comparable && previous.size() > size) {
      // chunks beyond the new end changed too (they are gone)
      for (int i = count; i < previous.chunks().size(); i++) {
        stats.changedChunks++;
        stats.changedBytes += previous.chunkLength(i);
      }
    }

    DiskManifest manifest =
        new DiskManifest(name, size, chunkSize, codec.encoding(), stats.imageSha256, chunks, raw);
    byte[] json = manifest.toJson().getBytes(StandardCharsets.UTF_8);
    FileWrites.writeAtomically(diskDir.resolve(DiskManifest.FILE_NAME), json);

    stats.storedChunks = stored.size();
    for (Map.Entry<String, StoredChunk> e : stored.entrySet()) {
      stats.file(DiskManifest.CHUNK_DIR + "/" + e.getKey(), e.getValue().fileSize);
    }
    stats.file(DiskManifest.FILE_NAME, json.length);
    stats.filesRemoved = removeStale(chunksDir, stored);
    return stats;
  }

  private DiskManifest previousManifest(Path diskDir) {
    if (!Files.exists(diskDir.resolve(DiskManifest.FILE_NAME))) {
      return null;
    }
    try {
      return DiskManifest.read(diskDir);
    } catch (ChunkerException e) {
      log.accept("Ignoring the previous manifest, every chunk is rewritten: " + e.getMessage());
      return null;
    }
  }

  private static int removeStale(Path chunksDir, Map<String, StoredChunk> stored) throws IOException {
    int removed = 0;
    try (DirectoryStream<Path> files = Files.newDirectoryStream(chunksDir)) {
      for (Path f : files) {
        String n = f.getFileName().toString();
        if (!stored.containsKey(n) && Files.isRegularFile(f)) {
          Files.delete(f);
          if (!n.startsWith(FileWrites.TEMP_PREFIX)) {
            removed++;
          }
        }
      }
    }
    return removed;
  }
}

package io.github.miniwebvm.chunker;

import io.github.miniwebvm.io.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Writes the layouts that are one file per chunk, named by position: {@link DiskLayout#WEBVM}
 * (GNU split's names and bytes, plus {@code NAME.meta}) and {@link DiskLayout#V86}.
 *
 * <p>Parts whose bytes differ from what the folder holds are first written to a staging folder
 * inside it; only when the whole image has been read are they renamed into place (and stale parts
 * deleted), so a failed run leaves the previous output as it was, not a mix of old and new parts.
 */
final class SplitWriter {
  /** WebVM's {@code split -a 6 -x}: hexadecimal suffixes of six digits. */
  static final int WEBVM_MAX_PARTS = 1 << 24;
  static final String STAGING_DIR = ".chunker-staging";

  private final DiskLayout layout;
  private final Codec codec;
  private final int chunkSize;
  private final int threads;
  private final String name;
  private final Consumer<String> log;

  SplitWriter(
      DiskLayout layout, Codec codec, int chunkSize, int threads, String name, Consumer<String> log) {
    this.log = log;
    this.layout = layout;
    this.codec = codec;
    this.chunkSize = chunkSize;
    this.threads = threads;
    this.name = name;
  }

  /** File name of part {@code index}. */
  String partName(int index) {
    if (layout == DiskLayout.WEBVM) {
      return name + ".c" + String.format(Locale.ROOT, "%06x", index) + ".txt";
    }
    long start = (long) index * chunkSize;
    return v86Base() + "-" + start + "-" + (start + chunkSize) + v86Extension() + zstSuffix();
  }

  /** Matches every part name this layout could have written for this image name. */
  Pattern partPattern() {
    if (layout == DiskLayout.WEBVM) {
      return Pattern.compile(Pattern.quote(name) + "\\.c[0-9a-f]{6}\\.txt");
    }
    return Pattern.compile(
        Pattern.quote(v86Base()) + "-[0-9]+-[0-9]+" + Pattern.quote(v86Extension()) + "(\\.zst)?");
  }

  /** v86 cuts the url's last extension (and a .zst after it) off and inserts -start-end. */
  private String v86Extension() {
    int dot = name.lastIndexOf('.');
    return dot <= 0 ? "" : name.substring(dot);
  }

  private String v86Base() {
    return name.substring(0, name.length() - v86Extension().length());
  }

  private String zstSuffix() {
    return codec.encoding() == ChunkEncoding.ZSTD ? ".zst" : "";
  }

  Stats write(Path image, long size, Path diskDir, ChunkListener listener) throws IOException {
    int count = DiskManifest.chunkCount(size, chunkSize);
    if (layout == DiskLayout.WEBVM && count > WEBVM_MAX_PARTS) {
      throw new ChunkerException(
          "The image needs " + count + " parts but WebVM's split names (-a 6 -x) allow "
              + WEBVM_MAX_PARTS + "; use a larger chunk size");
    }
    Stats stats = new Stats();
    stats.chunksTotal = count;
    stats.storedChunks = count;
    Set<String> names = ConcurrentHashMap.newKeySet();
    Path staging = diskDir.resolve(STAGING_DIR);
    deleteStaging(staging);
    Files.createDirectories(staging);
    try {
      write(image, size, diskDir, staging, stats, names, listener);
      for (Path f : list(staging)) {
        AtomicFiles.replace(f, diskDir.resolve(f.getFileName().toString()));
      }
    } finally {
      deleteStaging(staging);
    }
    stats.filesRemoved = removeStale(diskDir, names);
    return stats;
  }

  private void write(
      Path image, long size, Path diskDir, Path staging, Stats stats, Set<String> names, ChunkListener listener)
      throws IOException {

    ChunkPipeline.Processor<long[]> processor =
        new ChunkPipeline.Processor<>() {
          @Override
          public long[] process(int index, byte[] data, int len, boolean zero) throws IOException {
            String partName = partName(index);
            names.add(partName);
            int partLen = len;
            if (layout == DiskLayout.V86 && len < chunkSize) {
              // v86 reads, and zstd-decompresses into, whole chunks
              Arrays.fill(data, len, chunkSize, (byte) 0);
              partLen = chunkSize;
            }
            byte[] bytes = data;
            if (codec.encoding() == ChunkEncoding.ZSTD) {
              bytes = codec.compress(data, partLen);
              partLen = bytes.length;
            }
            boolean written = stageIfChanged(diskDir, staging, partName, bytes, partLen);
            return new long[] {written ? 1 : 0, partLen};
          }

          @Override
          public void collect(int index, int len, boolean zero, long[] r) {
            if (zero) {
              stats.zeroChunks++;
            }
            if (r[0] == 1) {
              stats.filesWritten++;
              stats.changedChunks++;
              stats.changedBytes += len;
            } else {
              stats.filesKept++;
            }
            stats.file(partName(index), r[1]);
          }
        };
    stats.imageSha256 = ChunkPipeline.run(image, size, chunkSize, threads, processor, log, listener);

    if (layout == DiskLayout.WEBVM) {
      // what `stat -c%s IMAGE > DIR/IMAGE.meta` writes
      byte[] meta = (size + "\n").getBytes(StandardCharsets.US_ASCII);
      stageIfChanged(diskDir, staging, name + ".meta", meta, meta.length);
      stats.file(name + ".meta", meta.length);
    }
  }

  private static boolean stageIfChanged(
      Path diskDir, Path staging, String fileName, byte[] data, int len) throws IOException {
    Path file = diskDir.resolve(fileName);
    if (Files.isRegularFile(file) && Files.size(file) == len) {
      byte[] old = Files.readAllBytes(file);
      if (Arrays.equals(old, 0, len, data, 0, len)) {
        return false;
      }
    }
    FileWrites.writeAtomically(staging.resolve(fileName), data, 0, len);
    return true;
  }

  private static java.util.List<Path> list(Path dir) throws IOException {
    try (java.util.stream.Stream<Path> s = Files.list(dir)) {
      return s.toList();
    }
  }

  private static void deleteStaging(Path staging) throws IOException {
    if (Files.isDirectory(staging)) {
      for (Path f : list(staging)) {
        Files.delete(f);
      }
      Files.delete(staging);
    }
  }

  private int removeStale(Path diskDir, Set<String> keep) throws IOException {
    Pattern pattern = partPattern();
    Set<Path> stale = new HashSet<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(diskDir)) {
      for (Path f : files) {
        String n = f.getFileName().toString();
        if (!keep.contains(n) && pattern.matcher(n).matches() && Files.isRegularFile(f)) {
          stale.add(f);
        }
      }
    }
    for (Path f : stale) {
      Files.delete(f);
    }
    return stale.size();
  }
}

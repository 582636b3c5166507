package io.github.miniwebvm.chunker;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Cuts a disk image into the chunks a static web site serves to the emulator.
 *
 * <pre>{@code
 * ChunkReport r = Chunker.builder().layout(DiskLayout.PACKED).log(getLog()::info).build()
 *     .write(Path.of("target/webvm/rootfs.ext2"), Path.of("target/webvm-site/disk"));
 * }</pre>
 *
 * The image is read once, sequentially, with memory bounded by a few chunks; chunks are hashed
 * and compressed on {@code threads} workers. When the output folder already holds the output of a
 * previous run, files whose content is unchanged are not rewritten (their mtime is kept) and
 * stale ones are removed. Files are never modified in place (always written to a temporary
 * file and renamed over the old one), so the output folder may hold hard links to a previous
 * output, e.g. the last published site's disk, without changing it. Instances are immutable and
 * thread-safe; two runs must not write into the same folder at the same time.
 */
public final class Chunker {
  public static final int DEFAULT_CHUNK_SIZE = 128 * 1024;
  public static final int MIN_CHUNK_SIZE = 4 * 1024;
  public static final int MAX_CHUNK_SIZE = 4 * 1024 * 1024;
  public static final String REPORT_FILE = "report.json";

  private final DiskLayout layout;
  private final int chunkSize;
  private final ChunkEncoding encoding;
  private final int level;
  private final String imageName;
  private final Consumer<String> log;
  private final ChunkListener listener;
  private final int threads;

  private Chunker(Builder b, ChunkEncoding encoding) {
    this.layout = b.layout;
    this.chunkSize = b.chunkSize;
    this.encoding = encoding;
    this.level = b.level != null ? b.level : encoding.defaultLevel();
    this.imageName = b.imageName;
    this.log = b.log;
    this.listener = b.listener;
    this.threads = b.threads;
  }

  public static Builder builder() {
    return new Builder();
  }

  public DiskLayout layout() {
    return layout;
  }

  public int chunkSize() {
    return chunkSize;
  }

  public ChunkEncoding encoding() {
    return encoding;
  }

  /**
   * Chunks {@code image} into {@code diskDir} (created if missing) and writes {@code
   * diskDir/report.json}.
   *
   * @throws ChunkerException if the image is missing, empty or not a multiple of 512 bytes, the
   *     folder cannot be written, or reading/writing fails; files of a previous run stay valid
   */
  public ChunkReport write(Path image, Path diskDir) throws ChunkerException {
    long started = System.nanoTime();
    long size = checkImage(image);
    String name = imageName != null ? imageName : image.getFileName().toString();
    checkName(name);
    prepareOutput(diskDir);
    Codec codec = new Codec(encoding, level);
    Stats stats;
    try {
      stats =
          layout == DiskLayout.PACKED
              ? new PackedWriter(codec, chunkSize, threads, name, log).write(image, size, diskDir, listener)
              : new SplitWriter(layout, codec, chunkSize, threads, name, log).write(image, size, diskDir, listener);
      stats.filesRemoved += removeOtherLayouts(diskDir, name);
    } catch (ChunkerException e) {
      throw e;
    } catch (IOException e) {
      throw new ChunkerException(
          "Chunking " + image + " into " + diskDir + " failed: " + describe(e), e);
    }
    List<String> warnings = warnings(stats.storedBytes, stats.largestFile, stats.largestFileSize);
    ChunkReport report =
        new ChunkReport(
            layout, name, size, stats.imageSha256, chunkSize, encoding,
            stats.chunksTotal, stats.zeroChunks, stats.duplicateChunks, stats.storedChunks,
            stats.storedBytes, stats.filesWritten, stats.filesKept, stats.filesRemoved,
            stats.changedChunks, stats.changedBytes, stats.largestFile, stats.largestFileSize,
            warnings, (System.nanoTime() - started) / 1_000_000);
    try {
      FileWrites.writeAtomically(
          diskDir.resolve(REPORT_FILE), report.toJson().getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new ChunkerException("Cannot write " + diskDir.resolve(REPORT_FILE) + ": " + describe(e), e);
    }
    logReport(report);
    return report;
  }

  /**
   * Deletes what the other layouts wrote for this image into the folder, so that switching the
   * layout does not leave the old one's files on the site.
   */
  private int removeOtherLayouts(Path diskDir, String name) throws IOException {
    int removed = 0;
    if (layout != DiskLayout.PACKED) {
      Path chunks = diskDir.resolve(DiskManifest.CHUNK_DIR);
      if (Files.isDirectory(chunks)) {
        try (var files = Files.newDirectoryStream(chunks)) {
          for (Path f : files) {
            Files.delete(f);
            removed++;
          }
        }
        Files.delete(chunks);
      }
      if (Files.deleteIfExists(diskDir.resolve(DiskManifest.FILE_NAME))) {
        removed++;
      }
    }
    for (DiskLayout other : new DiskLayout[] {DiskLayout.WEBVM, DiskLayout.V86}) {
      if (other == layout) {
        continue;
      }
      java.util.regex.Pattern parts =
          new SplitWriter(other, new Codec(ChunkEncoding.NONE, 0), chunkSize, 1, name, log).partPattern();
      try (var files = Files.newDirectoryStream(diskDir)) {
        for (Path f : files) {
          String n = f.getFileName().toString();
          boolean meta = other == DiskLayout.WEBVM && n.equals(name + ".meta");
          if ((meta || parts.matcher(n).matches()) && Files.isRegularFile(f)) {
            Files.delete(f);
            removed++;
          }
        }
      }
    }
    return removed;
  }

  /** What passes GitHub's limits: the site size (the disk alone) and the size of one file. */
  static List<String> warnings(long storedBytes, String largestFile, long largestFileSize) {
    List<String> warnings = new ArrayList<>();
    if (storedBytes > ChunkReport.GITHUB_PAGES_SITE_LIMIT) {
      warnings.add(
          "The disk alone is " + human(storedBytes) + " (" + storedBytes + " bytes), more than"
              + " GitHub Pages' 1 GB site limit; use the packed layout, a smaller image or another"
              + " host");
    }
    if (largestFileSize > ChunkReport.GITHUB_FILE_LIMIT) {
      warnings.add(
          largestFile + " is " + human(largestFileSize) + ", more than GitHub's 100 MiB per file"
              + " limit; use a smaller chunk size");
    }
    return warnings;
  }

  private void logReport(ChunkReport r) {
    log.accept(
        String.format(
            Locale.ROOT,
            "Chunked %s (%s) into %d %s chunks of %s: %d zero, %d duplicate, %d stored,"
                + " %s (%.3f of the image) in %.1f s",
            r.imageName(), human(r.imageSize()), r.chunksTotal(), layout.name().toLowerCase(Locale.ROOT),
            human(r.chunkSize()), r.zeroChunks(), r.duplicateChunks(), r.storedChunks(),
            human(r.storedBytes()), r.ratio(), r.elapsedMillis() / 1000.0));
    log.accept(
        String.format(
            Locale.ROOT,
            "%d chunks changed (%s of the image): %d files written, %d kept, %d stale removed;"
                + " largest file %s (%s)",
            r.changedChunks(), human(r.changedBytes()), r.filesWritten(), r.filesKept(),
            r.filesRemoved(), r.largestFile(), human(r.largestFileSize())));
    for (String w : r.warnings()) {
      log.accept("WARNING: " + w);
    }
  }

  private static long checkImage(Path image) throws ChunkerException {
    if (!Files.exists(image)) {
      throw new ChunkerException("Disk image not found: " + image.toAbsolutePath());
    }
    if (!Files.isRegularFile(image)) {
      throw new ChunkerException("Disk image " + image.toAbsolutePath() + " is not a regular file");
    }
    long size;
    try {
      size = Files.size(image);
    } catch (IOException e) {
      throw new ChunkerException("Cannot read the disk image " + image + ": " + describe(e), e);
    }
    if (size == 0) {
      throw new ChunkerException("Disk image " + image.toAbsolutePath() + " is empty");
    }
    if (size % 512 != 0) {
      throw new ChunkerException(
          "Disk image " + image.toAbsolutePath() + " is " + size + " bytes, not a multiple of 512"
              + " (the sector size); pad it, e.g. truncate -s " + ((size + 511) / 512 * 512) + " "
              + image.getFileName());
    }
    if (!Files.isReadable(image)) {
      throw new ChunkerException("Disk image " + image.toAbsolutePath() + " is not readable");
    }
    return size;
  }

  private static void checkName(String name) throws ChunkerException {
    if (name.isEmpty() || name.startsWith(".") || name.contains("/") || name.contains("\\")) {
      throw new ChunkerException(
          "Image name \"" + name + "\" cannot be used in file names; use e.g. rootfs.ext2");
    }
  }

  private static void prepareOutput(Path diskDir) throws ChunkerException {
    try {
      if (Files.exists(diskDir) && !Files.isDirectory(diskDir)) {
        throw new ChunkerException(
            "Output folder " + diskDir.toAbsolutePath() + " is a file; remove it or choose another");
      }
      Files.createDirectories(diskDir);
      Path probe = Files.createTempFile(diskDir, FileWrites.TEMP_PREFIX, ".probe");
      Files.delete(probe);
    } catch (ChunkerException e) {
      throw e;
    } catch (IOException e) {
      throw new ChunkerException(
          "Output folder " + diskDir.toAbsolutePath() + " is not writable (" + describe(e)
              + "); check its permissions or choose another",
          e);
    }
  }

  private static String describe(IOException e) {
    if (e instanceof AccessDeniedException) {
      return "permission denied: " + ((FileSystemException) e).getFile();
    }
    if (e instanceof FileSystemException fse && fse.getReason() != null) {
      return fse.getFile() + ": " + fse.getReason();
    }
    return e.toString();
  }

  static String human(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    if (bytes < 1024 * 1024) {
      return String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0);
    }
    if (bytes < 1024L * 1024 * 1024) {
      return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024));
    }
    return String.format(Locale.ROOT, "%.2f GiB", bytes / (1024.0 * 1024 * 1024));
  }

  /** Null when {@code chunkSize} is acceptable, else why not. */
  static String chunkSizeProblem(long chunkSize) {
    if (chunkSize < MIN_CHUNK_SIZE || chunkSize > MAX_CHUNK_SIZE || Long.bitCount(chunkSize) != 1) {
      return "Chunk size " + chunkSize + " must be a power of two from " + MIN_CHUNK_SIZE + " (4 KiB)"
          + " to " + MAX_CHUNK_SIZE + " (4 MiB), e.g. 131072";
    }
    return null;
  }

  /** Options of a {@link Chunker}; all have defaults. Not thread-safe. */
  public static final class Builder {
    private DiskLayout layout = DiskLayout.PACKED;
    private int chunkSize = DEFAULT_CHUNK_SIZE;
    private ChunkEncoding encoding;
    private Integer level;
    private String imageName;
    private Consumer<String> log = message -> {};
    private ChunkListener listener = (done, total) -> {};
    private int threads = Runtime.getRuntime().availableProcessors();

    private Builder() {}

    /** Default {@link DiskLayout#PACKED}. */
    public Builder layout(DiskLayout layout) {
      this.layout = Objects.requireNonNull(layout, "layout");
      return this;
    }

    /** Power of two, 4 KiB to 4 MiB; default 128 KiB (what WebVM and v86 use). */
    public Builder chunkSize(int chunkSize) {
      this.chunkSize = chunkSize;
      return this;
    }

    /**
     * Default: {@link ChunkEncoding#GZIP} for packed, {@link ChunkEncoding#NONE} for webvm and v86.
     * webvm accepts only NONE; v86 NONE or ZSTD.
     */
    public Builder encoding(ChunkEncoding encoding) {
      this.encoding = Objects.requireNonNull(encoding, "encoding");
      return this;
    }

    /** Compression level: gzip 1–9 (default 6), zstd 1–22 (default 19). */
    public Builder compressionLevel(int level) {
      this.level = level;
      return this;
    }

    /** The name output files derive from; default the image's file name. */
    public Builder imageName(String imageName) {
      this.imageName = Objects.requireNonNull(imageName, "imageName");
      return this;
    }

    /** Receives progress and the report, one line per call; default: nothing. */
    public Builder log(Consumer<String> log) {
      this.log = Objects.requireNonNull(log, "log");
      return this;
    }

    /** Told of each finished chunk, in order; default: nothing. */
    public Builder listener(ChunkListener listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /** Compression workers; default the number of processors. */
    public Builder threads(int threads) {
      this.threads = threads;
      return this;
    }

    /** @throws ChunkerException if an option is out of range or does not fit the layout */
    public Chunker build() throws ChunkerException {
      String sizeProblem = chunkSizeProblem(chunkSize);
      if (sizeProblem != null) {
        throw new ChunkerException(sizeProblem);
      }
      if (threads < 1) {
        throw new ChunkerException("threads must be at least 1, got " + threads);
      }
      ChunkEncoding e = encoding;
      if (e == null) {
        e = layout == DiskLayout.PACKED ? ChunkEncoding.GZIP : ChunkEncoding.NONE;
      }
      if (layout == DiskLayout.WEBVM && e != ChunkEncoding.NONE) {
        throw new ChunkerException(
            "The webvm layout is GNU split's uncompressed parts; encoding " + e.manifestName()
                + " is not possible (use the packed layout to compress)");
      }
      if (layout == DiskLayout.V86 && e == ChunkEncoding.GZIP) {
        throw new ChunkerException(
            "v86 reads uncompressed or zstd parts only; use encoding zstd or none for the v86 layout");
      }
      if (level != null) {
        int max = e == ChunkEncoding.ZSTD ? 22 : 9;
        if (e == ChunkEncoding.NONE || level < 1 || level > max) {
          throw new ChunkerException(
              "Compression level " + level + " is out of range for " + e.manifestName()
                  + (e == ChunkEncoding.NONE ? " (no compression)" : " (1–" + max + ")"));
        }
      }
      if (imageName != null) {
        checkName(imageName);
      }
      return new Chunker(this, e);
    }
  }
}

package io.github.miniwebvm.chunker;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * What one {@link Chunker#write} did. Also written as {@code disk/report.json}, without the wall time:
 * the file is part of the site, and the same image must give the same site bytes.
 *
 * @param layout the layout written
 * @param imageName the image's name (file names and manifest {@code name} derive from it)
 * @param imageSize image size in bytes
 * @param imageSha256 sha256 of the whole image (hex)
 * @param chunkSize chunk (part) size in bytes
 * @param encoding how stored chunks are compressed ({@code NONE} for webvm, v86 without zstd)
 * @param chunksTotal chunks in the image, {@code ceil(imageSize / chunkSize)}
 * @param zeroChunks all-zero chunks (not stored in the packed layout)
 * @param duplicateChunks non-zero chunks equal to an earlier chunk (packed layout only)
 * @param storedChunks chunk files in the output
 * @param storedBytes bytes of all files the layout keeps in the output folder (chunks, manifest or
 *     .meta; not report.json)
 * @param filesWritten chunk files (re)written by this run
 * @param filesKept chunk files left untouched because a previous run wrote the same content
 * @param filesRemoved stale chunk files of a previous run that were deleted
 * @param changedChunks chunks whose content differs from the previous output's (all on a first run)
 * @param changedBytes image bytes in those chunks
 * @param largestFile path of the largest output file, relative to the output folder
 * @param largestFileSize its size in bytes
 * @param warnings hosting limits this output passes (GitHub Pages), empty when none
 * @param elapsedMillis wall time of the run (logged, not in {@code report.json})
 */
public record ChunkReport(
    DiskLayout layout,
    String imageName,
    long imageSize,
    String imageSha256,
    int chunkSize,
    ChunkEncoding encoding,
    int chunksTotal,
    int zeroChunks,
    int duplicateChunks,
    int storedChunks,
    long storedBytes,
    int filesWritten,
    int filesKept,
    int filesRemoved,
    int changedChunks,
    long changedBytes,
    String largestFile,
    long largestFileSize,
    List<String> warnings,
    long elapsedMillis) {

  /** GitHub Pages: a published site may be no larger than 1 GB. */
  public static final long GITHUB_PAGES_SITE_LIMIT = 1_000_000_000L;
  /** GitHub: files larger than 100 MiB are rejected. */
  public static final long GITHUB_FILE_LIMIT = 100L * 1024 * 1024;

  public ChunkReport {
    warnings = List.copyOf(warnings);
  }

  /** Stored bytes ÷ image bytes. */
  public double ratio() {
    return imageSize == 0 ? 0 : (double) storedBytes / imageSize;
  }

  /** The report as JSON (the content of {@code report.json}): every field but the wall time. */
  public String toJson() {
    ObjectNode n = DiskManifest.JSON.createObjectNode();
    n.put("layout", layout.name().toLowerCase(java.util.Locale.ROOT));
    n.put("imageName", imageName);
    n.put("imageSize", imageSize);
    n.put("imageSha256", imageSha256);
    n.put("chunkSize", chunkSize);
    n.put("encoding", encoding.manifestName());
    n.put("chunksTotal", chunksTotal);
    n.put("zeroChunks", zeroChunks);
    n.put("duplicateChunks", duplicateChunks);
    n.put("storedChunks", storedChunks);
    n.put("storedBytes", storedBytes);
    n.put("ratio", Math.round(ratio() * 1e6) / 1e6);
    n.put("filesWritten", filesWritten);
    n.put("filesKept", filesKept);
    n.put("filesRemoved", filesRemoved);
    n.put("changedChunks", changedChunks);
    n.put("changedBytes", changedBytes);
    n.put("largestFile", largestFile);
    n.put("largestFileSize", largestFileSize);
    warnings.forEach(n.putArray("warnings")::add);
    try {
      return DiskManifest.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(n) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}

package io.github.miniwebvm.chunker;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.miniwebvm.io.Sha256;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * The {@code manifest.json} of the {@link DiskLayout#PACKED} layout (format {@value #FORMAT}).
 *
 * <pre>{@code
 * {"format":"webvm-disk/1", "name":"rootfs.ext2", "size":786432000, "chunkSize":131072,
 *  "encoding":"gzip", "chunkPath":"chunks/{sha256}", "imageSha256":"…",
 *  "chunks":["<sha256>", null, …], "raw":[17, 18]}
 * }</pre>
 *
 * <ul>
 *   <li>{@code size}: the image size in bytes, a multiple of 512.
 *   <li>{@code chunkSize}: a power of two, 4096 to 4194304. Chunk {@code i} covers the image bytes
 *       {@code [i*chunkSize, min((i+1)*chunkSize, size))}; the last chunk may be shorter.
 *   <li>{@code chunks}: one entry per chunk, {@code ceil(size/chunkSize)} entries. {@code null}
 *       means the chunk is all zeros and has no file. Otherwise the entry is the lowercase hex
 *       sha256 of the chunk's <em>uncompressed</em> bytes; identical chunks share one file.
 *   <li>{@code chunkPath}: where a chunk's file is, relative to the manifest; {@code {sha256}} is
 *       replaced by the chunk's entry. Always {@value #CHUNK_PATH}: the file name is the raw sha256
 *       with no extension whatever the encoding, so that no web server adds a {@code
 *       Content-Encoding} header (which would make the browser decompress it once already).
 *   <li>{@code encoding}: {@code gzip} (RFC 1952), {@code zstd} (one zstd frame with its content
 *       size) or {@code none}: how each chunk file is compressed, except for:
 *   <li>{@code raw}: the ascending chunk indices whose file is stored uncompressed (the chunk did
 *       not get smaller compressed). Every index referring to such a file is listed.
 *   <li>{@code imageSha256}: sha256 of the whole image; a reader checks each chunk against its
 *       entry and may cache chunks under this key.
 *   <li>{@code name}: the image's file name (the service worker answers WebVM's {@code
 *       NAME.c%06x.txt}/{@code NAME.meta} and v86's {@code NAME-start-end.ext} requests with it).
 * </ul>
 *
 * See also {@code chunker/FORMAT.md}.
 */
public record DiskManifest(
    String name,
    long size,
    int chunkSize,
    ChunkEncoding encoding,
    String imageSha256,
    List<String> chunks,
    List<Integer> raw) {

  public static final String FORMAT = "webvm-disk/1";
  public static final String FILE_NAME = "manifest.json";
  public static final String CHUNK_DIR = "chunks";
  public static final String CHUNK_PATH = CHUNK_DIR + "/{sha256}";

  static final ObjectMapper JSON = new ObjectMapper();

  public DiskManifest {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(encoding, "encoding");
    chunks = Collections.unmodifiableList(new ArrayList<>(chunks));
    raw = List.copyOf(raw);
  }

  /** Number of chunks for an image of {@code size} bytes. */
  public static int chunkCount(long size, int chunkSize) {
    return Math.toIntExact((size + chunkSize - 1) / chunkSize);
  }

  /** Length in bytes of chunk {@code index}. */
  public int chunkLength(int index) {
    return (int) Math.min(chunkSize, size - (long) index * chunkSize);
  }

  /** Whether chunk {@code index} is stored uncompressed. */
  public boolean isRaw(int index) {
    return Collections.binarySearch(raw, index) >= 0;
  }

  /** The file holding a stored chunk. */
  public static Path chunkFile(Path diskDir, String sha256) {
    return diskDir.resolve(CHUNK_DIR).resolve(sha256);
  }

  /**
   * Reads and validates a manifest.
   *
   * @param path the {@code disk/} folder or its {@code manifest.json}
   */
  public static DiskManifest read(Path path) throws ChunkerException {
    Path file = Files.isDirectory(path) ? path.resolve(FILE_NAME) : path;
    JsonNode root;
    try {
      root = JSON.readTree(Files.readAllBytes(file));
    } catch (NoSuchFileException e) {
      throw new ChunkerException(
          "No disk manifest at " + file + "; chunk the image with the packed layout first");
    } catch (IOException e) {
      throw new ChunkerException("Cannot read the disk manifest " + file + ": " + e.getMessage(), e);
    }
    try {
      return parse(root);
    } catch (ChunkerException e) {
      throw new ChunkerException("Invalid disk manifest " + file + ": " + e.getMessage(), e);
    }
  }

  static DiskManifest parse(JsonNode root) throws ChunkerException {
    if (root == null || !root.isObject()) {
      throw new ChunkerException("not a JSON object");
    }
    String format = root.path("format").asText(null);
    if (!FORMAT.equals(format)) {
      throw new ChunkerException("format is " + format + ", expected " + FORMAT);
    }
    long size = root.path("size").asLong(-1);
    int chunkSize = root.path("chunkSize").asInt(-1);
    if (size <= 0 || size % 512 != 0) {
      throw new ChunkerException("size " + root.path("size") + " is not a positive multiple of 512");
    }
    String sizeProblem = Chunker.chunkSizeProblem(chunkSize);
    if (sizeProblem != null) {
      throw new ChunkerException(sizeProblem);
    }
    ChunkEncoding encoding = ChunkEncoding.fromManifestName(root.path("encoding").asText(""));
    String chunkPath = root.path("chunkPath").asText(CHUNK_PATH);
    if (!CHUNK_PATH.equals(chunkPath)) {
      throw new ChunkerException("chunkPath " + chunkPath + " is not supported, expected " + CHUNK_PATH);
    }
    String imageSha = root.path("imageSha256").asText(null);
    if (!Sha256.isHex(imageSha)) {
      throw new ChunkerException("imageSha256 is not a lowercase hex sha256");
    }
    if ((size - 1) / chunkSize + 1 > Integer.MAX_VALUE) {
      throw new ChunkerException("size " + size + " needs more than " + Integer.MAX_VALUE + " chunks of "
          + chunkSize + " bytes");
    }
    JsonNode chunksNode = root.path("chunks");
    int count = chunkCount(size, chunkSize);
    if (!chunksNode.isArray() || chunksNode.size() != count) {
      throw new ChunkerException(
          "chunks must be an array of " + count + " entries for size " + size + " and chunkSize "
              + chunkSize);
    }
    List<String> chunks = new ArrayList<>(count);
    for (JsonNode n : chunksNode) {
      if (n.isNull()) {
        chunks.add(null);
      } else if (Sha256.isHex(n.asText(null))) {
        chunks.add(n.asText());
      } else {
        throw new ChunkerException("chunk entry " + chunks.size() + " is neither null nor a sha256");
      }
    }
    List<Integer> raw = new ArrayList<>();
    for (JsonNode n : root.path("raw")) {
      int i = n.asInt(-1);
      if (!n.isInt() || i < 0 || i >= count || chunks.get(i) == null
          || (!raw.isEmpty() && raw.get(raw.size() - 1) >= i)) {
        throw new ChunkerException("raw must list ascending indices of stored chunks, found " + n);
      }
      raw.add(i);
    }
    return new DiskManifest(
        root.path("name").asText(""), size, chunkSize, encoding, imageSha, chunks, raw);
  }

  /** The manifest as JSON text: one line, fields in the order of {@code FORMAT.md}. */
  public String toJson() {
    ObjectNode root = JSON.createObjectNode();
    root.put("format", FORMAT);
    root.put("name", name);
    root.put("size", size);
    root.put("chunkSize", chunkSize);
    root.put("encoding", encoding.manifestName());
    root.put("chunkPath", CHUNK_PATH);
    root.put("imageSha256", imageSha256);
    ArrayNode c = root.putArray("chunks");
    for (String s : chunks) {
      if (s == null) {
        c.addNull();
      } else {
        c.add(s);
      }
    }
    ArrayNode r = root.putArray("raw");
    raw.forEach(r::add);
    try {
      return JSON.writeValueAsString(root) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Rebuilds the image from a packed {@code disk/} folder, checking every chunk's sha256 and the
   * whole image's. Zero chunks become holes (a sparse file).
   *
   * @return the manifest that was read
   * @throws ChunkerException if a chunk is missing, damaged or does not match its hash
   */
  public static DiskManifest reassemble(Path diskDir, Path outImage) throws ChunkerException {
    DiskManifest m = read(diskDir);
    MessageDigest image = Sha256.newDigest();
    byte[] zeros = new byte[m.chunkSize];
    try {
      Path parent = outImage.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      try (FileChannel out =
          FileChannel.open(
              outImage,
              StandardOpenOption.CREATE,
              StandardOpenOption.WRITE,
              StandardOpenOption.TRUNCATE_EXISTING)) {
        for (int i = 0; i < m.chunks.size(); i++) {
          int len = m.chunkLength(i);
          String sha = m.chunks.get(i);
          if (sha == null) {
            image.update(zeros, 0, len);
            continue;
          }
          byte[] data = m.readChunk(diskDir, i);
          image.update(data);
          ByteBuffer bb = ByteBuffer.wrap(data);
          long pos = (long) i * m.chunkSize;
          while (bb.hasRemaining()) {
            pos += out.write(bb, pos);
          }
        }
      }
      try (RandomAccessFile f = new RandomAccessFile(outImage.toFile(), "rw")) {
        f.setLength(m.size);
      }
    } catch (ChunkerException e) {
      throw e;
    } catch (IOException e) {
      throw new ChunkerException("Cannot write the image " + outImage + ": " + e.getMessage(), e);
    }
    String actual = Sha256.hexOf(image);
    if (!actual.equals(m.imageSha256)) {
      throw new ChunkerException(
          "The reassembled image's sha256 " + actual + " differs from the manifest's imageSha256 "
              + m.imageSha256);
    }
    return m;
  }

  /** The uncompressed, verified bytes of stored chunk {@code index} (not for zero chunks). */
  public byte[] readChunk(Path diskDir, int index) throws ChunkerException {
    String sha = chunks.get(index);
    if (sha == null) {
      return new byte[chunkLength(index)];
    }
    Path file = chunkFile(diskDir, sha);
    byte[] stored;
    try {
      stored = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new ChunkerException("Chunk " + index + " is missing: " + file);
    } catch (IOException e) {
      throw new ChunkerException("Cannot read chunk " + index + " (" + file + "): " + e.getMessage(), e);
    }
    byte[] data;
    try {
      data = Codec.decompress(isRaw(index) ? ChunkEncoding.NONE : encoding, stored, chunkLength(index));
    } catch (IOException e) {
      throw new ChunkerException("Chunk " + index + " (" + file + ") is damaged: " + e.getMessage(), e);
    }
    String actual = Sha256.hex(data);
    if (!actual.equals(sha)) {
      throw new ChunkerException(
          "Chunk " + index + " (" + file + ") has sha256 " + actual + ", the manifest says " + sha);
    }
    return data;
  }
}

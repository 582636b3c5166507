package io.github.miniwebvm.site;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.zip.GZIPOutputStream;

/**
 * Test-only stand-in for the chunker (branch wip/chunker): writes the packed store of DESIGN §3,
 * {@code disk/manifest.json} + {@code disk/chunks/<sha256>} (gzip), for an image file.
 */
final class TestPackedStore {
  static final int CHUNK_SIZE = 128 * 1024;

  private TestPackedStore() {}

  /** Writes {@code siteDir/disk/} and returns the image sha256. */
  static String write(Path image, Path siteDir) throws Exception {
    Path chunks = Files.createDirectories(siteDir.resolve("disk/chunks"));
    ObjectMapper json = new ObjectMapper();
    ObjectNode manifest = json.createObjectNode();
    ArrayNode list = json.createArrayNode();
    MessageDigest whole = MessageDigest.getInstance("SHA-256");
    long size;
    try (FileChannel in = FileChannel.open(image, StandardOpenOption.READ)) {
      size = in.size();
      ByteBuffer buf = ByteBuffer.allocate(CHUNK_SIZE);
      byte[] zero = new byte[CHUNK_SIZE];
      for (long pos = 0; pos < size; pos += CHUNK_SIZE) {
        buf.clear();
        while (buf.hasRemaining() && in.read(buf, pos + buf.position()) > 0) {
          // read until the chunk is full or the file ends
        }
        byte[] chunk = Arrays.copyOf(buf.array(), buf.position());
        whole.update(chunk);
        if (Arrays.equals(chunk, 0, chunk.length, zero, 0, chunk.length)) {
          list.addNull();
          continue;
        }
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(chunk));
        Path file = chunks.resolve(sha);
        if (!Files.exists(file)) {
          try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
            out.write(chunk);
          }
        }
        list.add(sha);
      }
    }
    String imageSha = HexFormat.of().formatHex(whole.digest());
    manifest.put("format", "webvm-disk/1");
    manifest.put("size", size);
    manifest.put("chunkSize", CHUNK_SIZE);
    manifest.put("encoding", "gzip");
    manifest.put("imageSha256", imageSha);
    manifest.set("chunks", list);
    json.writeValue(siteDir.resolve("disk/manifest.json").toFile(), manifest);
    return imageSha;
  }
}

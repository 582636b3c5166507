package io.github.miniwebvm.chunker;

import com.github.luben.zstd.Zstd;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.Deflater;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/** Compresses and decompresses single chunks. Thread-safe. */
final class Codec {
  private final ChunkEncoding encoding;
  private final int level;

  Codec(ChunkEncoding encoding, int level) {
    this.encoding = encoding;
    this.level = level;
  }

  ChunkEncoding encoding() {
    return encoding;
  }

  /** The compressed bytes of {@code data[0..len)}. */
  byte[] compress(byte[] data, int len) throws IOException {
    switch (encoding) {
      case GZIP: {
        ByteArrayOutputStream out = new ByteArrayOutputStream(len / 4 + 64);
        // GZIPOutputStream writes mtime 0 and no name, so equal chunks give equal files.
        try (GZIPOutputStream gz = new LeveledGzip(out, level)) {
          gz.write(data, 0, len);
        }
        return out.toByteArray();
      }
      case ZSTD: {
        byte[] in = len == data.length ? data : java.util.Arrays.copyOf(data, len);
        return Zstd.compress(in, level);
      }
      default:
        return java.util.Arrays.copyOf(data, len);
    }
  }

  /** Decompresses a stored chunk that must expand to exactly {@code expectedLength} bytes. */
  static byte[] decompress(ChunkEncoding encoding, byte[] stored, int expectedLength)
      throws IOException {
    switch (encoding) {
      case GZIP: {
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(stored), 16384)) {
          byte[] out = in.readNBytes(expectedLength);
          if (out.length != expectedLength || in.read() != -1) {
            throw new IOException("gzip chunk does not expand to " + expectedLength + " bytes");
          }
          return out;
        }
      }
      case ZSTD: {
        long size = Zstd.getFrameContentSize(stored);
        if (size != expectedLength) {
          throw new IOException(
              "zstd chunk declares " + size + " bytes, expected " + expectedLength);
        }
        byte[] out = Zstd.decompress(stored, expectedLength);
        if (out.length != expectedLength) {
          throw new IOException("zstd chunk does not expand to " + expectedLength + " bytes");
        }
        return out;
      }
      default:
        if (stored.length != expectedLength) {
          throw new IOException("raw chunk is " + stored.length + " bytes, expected " + expectedLength);
        }
        return stored;
    }
  }

  private static final class LeveledGzip extends GZIPOutputStream {
    LeveledGzip(ByteArrayOutputStream out, int level) throws IOException {
      super(out, 16384);
      def.setLevel(level == 0 ? Deflater.DEFAULT_COMPRESSION : level);
    }
  }
}

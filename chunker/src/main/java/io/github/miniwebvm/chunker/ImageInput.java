package io.github.miniwebvm.chunker;

import com.sun.nio.file.ExtendedOpenOption;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Sequential reader of an image. Reads with O_DIRECT where the file system allows it: a hole of a
 * sparse image then costs almost nothing (buffered reads allocate and zero a page-cache page per
 * 4 KiB of hole, 1–3 s per GiB here), and the image's data does not evict the page cache. Falls
 * back to ordinary reads when O_DIRECT is refused.
 */
final class ImageInput implements Closeable {
  private final Path image;
  private final long size;
  private final FileChannel buffered;
  private FileChannel direct;
  private ByteBuffer directBuffer;
  private int align;

  ImageInput(Path image, long size, int chunkSize) throws IOException {
    this.image = image;
    this.size = size;
    this.buffered = FileChannel.open(image, StandardOpenOption.READ);
    if (!Boolean.getBoolean("webvm.chunker.noDirectIo")) {
      try {
        align = (int) Math.max(512, Files.getFileStore(image).getBlockSize());
        if (align <= chunkSize && Integer.bitCount(align) == 1) {
          direct = FileChannel.open(image, StandardOpenOption.READ, ExtendedOpenOption.DIRECT);
          directBuffer = ByteBuffer.allocateDirect(chunkSize + align).alignedSlice(align);
        }
      } catch (IOException | UnsupportedOperationException e) {
        closeDirect();
      }
    }
  }

  boolean usesDirectIo() {
    return direct != null;
  }

  /** Reads image bytes {@code [offset, offset+len)} into {@code buf}; offset is chunk aligned. */
  void read(byte[] buf, int len, long offset) throws IOException {
    int done = 0;
    if (direct != null) {
      try {
        done = readDirect(buf, len, offset);
      } catch (IOException e) {
        // e.g. EINVAL from a file system that accepted O_DIRECT at open but not for reads
        closeDirect();
        done = 0;
      }
    }
    ByteBuffer bb = ByteBuffer.wrap(buf, done, len - done);
    while (bb.hasRemaining()) {
      int n = buffered.read(bb, offset + bb.position());
      if (n < 0) {
        throw new ChunkerException(
            "The image " + image + " ended at byte " + (offset + bb.position())
                + " although it was " + size + " bytes long when chunking started;"
                + " do not write to it during chunking");
      }
    }
  }

  /** Reads as much as O_DIRECT can in aligned units; the caller reads any rest normally. */
  private int readDirect(byte[] buf, int len, long offset) throws IOException {
    int want = (len + align - 1) / align * align;
    directBuffer.clear().limit(want);
    while (directBuffer.hasRemaining()) {
      int n = direct.read(directBuffer, offset + directBuffer.position());
      if (n <= 0 || directBuffer.position() % align != 0) {
        break;
      }
    }
    int pos = directBuffer.position();
    int got = Math.min(len, offset + pos >= size ? pos : pos / align * align);
    directBuffer.flip();
    directBuffer.get(buf, 0, got);
    return got;
  }

  long currentSize() throws IOException {
    return buffered.size();
  }

  private void closeDirect() {
    if (direct != null) {
      try {
        direct.close();
      } catch (IOException ignored) {
        // reads continue on the buffered channel
      }
    }
    direct = null;
    directBuffer = null;
  }

  @Override
  public void close() throws IOException {
    closeDirect();
    buffered.close();
  }
}

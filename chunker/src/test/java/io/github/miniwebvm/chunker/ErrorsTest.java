package io.github.miniwebvm.chunker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ErrorsTest {
  @Test
  void missingImage() throws Exception {
    Path dir = TestFiles.freshDir("err-missing");
    assertThatThrownBy(() -> Chunker.builder().build().write(dir.resolve("nope.ext2"), dir.resolve("disk")))
        .isInstanceOf(ChunkerException.class)
        .hasMessageContaining("Disk image not found")
        .hasMessageContaining("nope.ext2");
    assertThat(dir.resolve("disk")).doesNotExist();
  }

  @Test
  void imageNotAMultipleOf512() throws Exception {
    Path dir = TestFiles.freshDir("err-512");
    Path image = dir.resolve("odd.img");
    try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "rw")) {
      f.setLength(1000);
    }
    assertThatThrownBy(() -> Chunker.builder().build().write(image, dir.resolve("disk")))
        .isInstanceOf(ChunkerException.class)
        .hasMessageContaining("1000 bytes, not a multiple of 512")
        .hasMessageContaining("truncate -s 1024");
    assertThat(dir.resolve("disk")).doesNotExist();
  }

  @Test
  void chunkSizeNotAPowerOfTwo() {
    for (int bad : new int[] {100_000, 2048, 8 << 20, 0, -131072}) {
      assertThatThrownBy(() -> Chunker.builder().chunkSize(bad).build())
          .isInstanceOf(ChunkerException.class)
          .hasMessageContaining("must be a power of two from 4096");
    }
  }

  @Test
  void outputFolderNotWritable() throws Exception {
    Path dir = TestFiles.freshDir("err-output");
    Path image = dir.resolve("img");
    TestFiles.mixedImage(image, 8192, 4096, 1);
    Path file = Files.writeString(dir.resolve("a-file"), "x");
    // a folder below a regular file can never be created, even as root
    assertThatThrownBy(() -> Chunker.builder().build().write(image, file.resolve("disk")))
        .isInstanceOf(ChunkerException.class)
        .hasMessageContaining("is not writable");
    assertThatThrownBy(() -> Chunker.builder().build().write(image, file))
        .isInstanceOf(ChunkerException.class)
        .hasMessageContaining("is a file");
  }

  @Test
  void encodingThatTheLayoutCannotUse() {
    assertThatThrownBy(
            () -> Chunker.builder().layout(DiskLayout.WEBVM).encoding(ChunkEncoding.GZIP).build())
        .isInstanceOf(ChunkerException.class)
        .hasMessageContaining("webvm layout");
    assertThatThrownBy(
            () -> Chunker.builder().layout(DiskLayout.V86).encoding(ChunkEncoding.GZIP).build())
        .isInstanceOf(ChunkerException.class)
        .hasMessageContaining("v86 reads uncompressed or zstd");
  }

  @Test
  void missingManifest() throws Exception {
    Path dir = TestFiles.freshDir("err-manifest");
    assertThatThrownBy(() -> DiskManifest.read(dir))
        .isInstanceOf(ChunkerException.class)
        .hasMessageContaining("No disk manifest");
    Files.writeString(dir.resolve("manifest.json"), "{\"format\":\"other\"}");
    assertThatThrownBy(() -> DiskManifest.read(dir))
        .isInstanceOf(ChunkerException.class)
        .hasMessageContaining("expected webvm-disk/1");
  }
}

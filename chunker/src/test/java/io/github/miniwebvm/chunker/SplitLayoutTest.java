package io.github.miniwebvm.chunker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.github.miniwebvm.io.Trees;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The webvm layout against GNU split and stat, and the v86 layout's names and bytes. */
class SplitLayoutTest {
  private static final int CHUNK = 131072;

  @ParameterizedTest(name = "{0} bytes")
  @ValueSource(longs = {512, 131072, 3 * 131072, 3 * 131072 + 512 * 7, 40 * 131072 + 4096})
  void webvmLayoutIsWhatSplitAndStatWrite(long size) throws Exception {
    assumeThat(TestFiles.hasTool("split")).as("GNU split is installed").isTrue();
    Path dir = TestFiles.freshDir("webvm-" + size);
    Path image = dir.resolve("debian_mini.ext2");
    TestFiles.mixedImage(image, size, CHUNK, size);
    Path ours = dir.resolve("ours");
    Path theirs = Files.createDirectories(dir.resolve("theirs"));
    // WebVM's own recipe (.github/workflows/deploy.yml)
    TestFiles.runOk(dir, "sh", "-c",
        "split debian_mini.ext2 theirs/debian_mini.ext2.c -a 6 -b 128k -x --additional-suffix=.txt"
            + " && stat -c%s debian_mini.ext2 > theirs/debian_mini.ext2.meta");

    ChunkReport r = Chunker.builder().layout(DiskLayout.WEBVM).build().write(image, ours);

    List<String> expected = TestFiles.listNames(theirs);
    List<String> actual = TestFiles.listNames(ours);
    actual.remove(Chunker.REPORT_FILE);
    assertThat(actual).isEqualTo(expected);
    for (String name : expected) {
      assertThat(Files.readAllBytes(ours.resolve(name)))
          .as(name)
          .isEqualTo(Files.readAllBytes(theirs.resolve(name)));
    }
    assertThat(r.chunksTotal()).isEqualTo(expected.size() - 1);
    assertThat(r.encoding()).isEqualTo(ChunkEncoding.NONE);
    Trees.deleteRecursively(dir);
  }

  @Test
  void webvmLayoutKeepsUnchangedPartsAndRemovesPartsPastTheNewEnd() throws Exception {
    Path dir = TestFiles.freshDir("webvm-incremental");
    Path image = dir.resolve("img.ext2");
    TestFiles.mixedImage(image, 10L * CHUNK, CHUNK, 7);
    Path disk = dir.resolve("disk");
    Chunker chunker = Chunker.builder().layout(DiskLayout.WEBVM).build();
    chunker.write(image, disk);
    FileTime old = FileTime.fromMillis(1_000_000_000_000L);
    for (String n : TestFiles.listNames(disk)) {
      Files.setLastModifiedTime(disk.resolve(n), old);
    }
    try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "rw")) {
      f.seek(2L * CHUNK + 5);
      f.write(0x42 ^ f.readByte());
      f.setLength(8L * CHUNK);
    }

    ChunkReport r = chunker.write(image, disk);

    assertThat(r.filesWritten()).isEqualTo(1);
    assertThat(r.filesKept()).isEqualTo(7);
    assertThat(r.filesRemoved()).isEqualTo(2);
    assertThat(Files.getLastModifiedTime(disk.resolve("img.ext2.c000002.txt"))).isNotEqualTo(old);
    assertThat(Files.getLastModifiedTime(disk.resolve("img.ext2.c000003.txt"))).isEqualTo(old);
    assertThat(disk.resolve("img.ext2.c000008.txt")).doesNotExist();
    assertThat(Files.readString(disk.resolve("img.ext2.meta"))).isEqualTo(8L * CHUNK + "\n");
  }

  @Test
  void v86PartsAreNamedStartEndAndTheLastIsPadded() throws Exception {
    Path dir = TestFiles.freshDir("v86-plain");
    Path image = dir.resolve("rootfs.ext2");
    long size = 5L * CHUNK + 1024;
    TestFiles.mixedImage(image, size, CHUNK, 8);
    Path disk = dir.resolve("disk");

    ChunkReport r = Chunker.builder().layout(DiskLayout.V86).build().write(image, disk);

    byte[] all = Files.readAllBytes(image);
    assertThat(r.chunksTotal()).isEqualTo(6);
    for (int i = 0; i < 6; i++) {
      long start = (long) i * CHUNK;
      Path part = disk.resolve("rootfs-" + start + "-" + (start + CHUNK) + ".ext2");
      byte[] expected = Arrays.copyOf(Arrays.copyOfRange(all, (int) start, (int) Math.min(size, start + CHUNK)), CHUNK);
      assertThat(Files.readAllBytes(part)).as(part.toString()).isEqualTo(expected);
    }
    assertThat(TestFiles.listNames(disk)).hasSize(7); // 6 parts + report.json
  }

  @Test
  void v86ZstdPartsDecompressWithZstd() throws Exception {
    assumeThat(TestFiles.hasTool("zstd")).as("zstd is installed").isTrue();
    Path dir = TestFiles.freshDir("v86-zstd");
    Path image = dir.resolve("rootfs.ext2");
    long size = 4L * CHUNK + 512;
    TestFiles.mixedImage(image, size, CHUNK, 9);
    Path disk = dir.resolve("disk");
    // a plain run first: switching to zstd removes the plain parts
    Chunker.builder().layout(DiskLayout.V86).build().write(image, disk);

    ChunkReport r =
        Chunker.builder().layout(DiskLayout.V86).encoding(ChunkEncoding.ZSTD).build().write(image, disk);

    assertThat(r.filesRemoved()).isEqualTo(5);
    byte[] all = Arrays.copyOf(Files.readAllBytes(image), 5 * CHUNK);
    for (int i = 0; i < 5; i++) {
      long start = (long) i * CHUNK;
      Path part = disk.resolve("rootfs-" + start + "-" + (start + CHUNK) + ".ext2.zst");
      byte[] plain = TestFiles.runOk(null, "zstd", "-dc", part.toString());
      assertThat(plain).isEqualTo(Arrays.copyOfRange(all, (int) start, (int) start + CHUNK));
    }
    assertThat(TestFiles.listNames(disk)).hasSize(6);
  }

  @Test
  void switchingTheLayoutRemovesTheOtherLayoutsFiles() throws Exception {
    Path dir = TestFiles.freshDir("switch");
    Path image = dir.resolve("rootfs.ext2");
    TestFiles.mixedImage(image, 6L * CHUNK, CHUNK, 10);
    Path disk = dir.resolve("disk");
    Files.createDirectories(disk);
    Files.writeString(disk.resolve("keep-me.txt"), "not ours");

    Chunker.builder().build().write(image, disk);
    Chunker.builder().layout(DiskLayout.WEBVM).build().write(image, disk);
    assertThat(disk.resolve("manifest.json")).doesNotExist();
    assertThat(disk.resolve("chunks")).doesNotExist();
    assertThat(TestFiles.listNames(disk)).contains("rootfs.ext2.meta", "rootfs.ext2.c000005.txt");

    ChunkReport r = Chunker.builder().layout(DiskLayout.V86).build().write(image, disk);
    assertThat(r.filesRemoved()).isEqualTo(7);
    assertThat(TestFiles.listNames(disk)).noneMatch(n -> n.startsWith("rootfs.ext2."));

    Chunker.builder().build().write(image, disk);
    assertThat(TestFiles.listNames(disk))
        .containsExactlyInAnyOrder("chunks", "keep-me.txt", "manifest.json", "report.json");
  }

  /** FORMAT.md's table: WebVM and v86 parts are the store's chunks (v86's last one padded). */
  @Test
  void theOtherLayoutsPartsAreTheStoresChunks() throws Exception {
    Path dir = TestFiles.freshDir("mapping");
    Path image = dir.resolve("rootfs.ext2");
    long size = 7L * CHUNK + 512 * 5;
    TestFiles.mixedImage(image, size, CHUNK, 15);
    Chunker.builder().build().write(image, dir.resolve("packed"));
    Chunker.builder().layout(DiskLayout.WEBVM).build().write(image, dir.resolve("webvm"));
    Chunker.builder().layout(DiskLayout.V86).build().write(image, dir.resolve("v86"));
    DiskManifest m = DiskManifest.read(dir.resolve("packed"));

    assertThat(Files.readString(dir.resolve("webvm/rootfs.ext2.meta"))).isEqualTo(m.size() + "\n");
    for (int i = 0; i < m.chunks().size(); i++) {
      byte[] chunk = m.readChunk(dir.resolve("packed"), i);
      assertThat(Files.readAllBytes(dir.resolve("webvm").resolve(String.format("rootfs.ext2.c%06x.txt", i))))
          .isEqualTo(chunk);
      long start = (long) i * CHUNK;
      assertThat(Files.readAllBytes(dir.resolve("v86").resolve("rootfs-" + start + "-" + (start + CHUNK) + ".ext2")))
          .isEqualTo(Arrays.copyOf(chunk, CHUNK));
    }
  }
}

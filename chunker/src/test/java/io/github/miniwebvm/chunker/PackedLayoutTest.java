package io.github.miniwebvm.chunker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.github.miniwebvm.io.Sha256;
import io.github.miniwebvm.io.Trees;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PackedLayoutTest {
  private static final int CHUNK = 131072;

  @Test
  void reassemblesToTheSameImageAndChunksDecompressWithGzip() throws Exception {
    Path dir = TestFiles.freshDir("packed-gzip");
    Path image = dir.resolve("rootfs.ext2");
    long size = 41L * CHUNK + 512 * 7; // not a multiple of the chunk size
    TestFiles.mixedImage(image, size, CHUNK, 1);
    Path disk = dir.resolve("disk");
    List<String> log = new ArrayList<>();

    ChunkReport report = Chunker.builder().log(log::add).build().write(image, disk);

    String sourceSha = TestFiles.sha256sum(image);
    DiskManifest m = DiskManifest.read(disk);
    assertThat(m.imageSha256()).isEqualTo(sourceSha).isEqualTo(report.imageSha256());
    assertThat(m.size()).isEqualTo(size);
    assertThat(m.chunkSize()).isEqualTo(CHUNK);
    assertThat(m.encoding()).isEqualTo(ChunkEncoding.GZIP);
    assertThat(m.name()).isEqualTo("rootfs.ext2");
    assertThat(m.chunks()).hasSize(42);

    // zero chunks are null, identical chunks share one entry
    long nulls = m.chunks().stream().filter(s -> s == null).count();
    Set<String> distinct = new HashSet<>(m.chunks());
    distinct.remove(null);
    assertThat(nulls).isEqualTo(report.zeroChunks()).isEqualTo(8);
    assertThat(report.chunksTotal()).isEqualTo(42);
    assertThat(report.storedChunks()).isEqualTo(distinct.size());
    assertThat(report.duplicateChunks()).isEqualTo(42 - 8 - distinct.size()).isPositive();
    assertThat(TestFiles.listNames(disk.resolve("chunks"))).containsExactlyInAnyOrderElementsOf(distinct);

    // random chunks do not shrink: stored raw and listed; the others are gzip (gzip -dc as oracle)
    assertThat(m.raw()).isNotEmpty();
    for (int i = 0; i < m.chunks().size(); i++) {
      String sha = m.chunks().get(i);
      if (sha == null) {
        continue;
      }
      Path file = DiskManifest.chunkFile(disk, sha);
      byte[] plain =
          m.isRaw(i) ? Files.readAllBytes(file) : TestFiles.runOk(null, "gzip", "-dc", file.toString());
      assertThat(plain).hasSize(m.chunkLength(i));
      assertThat(Sha256.hex(plain)).isEqualTo(sha);
      if (m.isRaw(i)) {
        assertThat(TestFiles.run(null, "gzip", "-t", file.toString()).exitCode()).isNotZero();
      }
    }

    Path out = dir.resolve("reassembled.img");
    DiskManifest.reassemble(disk, out);
    assertThat(TestFiles.sha256sum(out)).isEqualTo(sourceSha);
    assertThat(Files.size(out)).isEqualTo(size);

    // stored bytes are the chunk files plus the manifest
    long onDisk = Files.size(disk.resolve("manifest.json"));
    for (String sha : distinct) {
      onDisk += Files.size(DiskManifest.chunkFile(disk, sha));
    }
    assertThat(report.storedBytes()).isEqualTo(onDisk);
    assertThat(report.warnings()).isEmpty();
    assertThat(report.changedChunks()).isEqualTo(42);
    assertThat(Files.readString(disk.resolve("report.json"))).contains("\"storedBytes\" : " + onDisk);
    assertThat(log).anySatisfy(l -> assertThat(l).startsWith("Chunked rootfs.ext2"));
  }

  /** The store read the way the service worker reads it: DecompressionStream + crypto.subtle. */
  @Test
  void webPlatformReaderRebuildsTheImage() throws Exception {
    assumeThat(TestFiles.hasTool("node")).as("node is installed").isTrue();
    Path dir = TestFiles.freshDir("packed-js");
    Path image = dir.resolve("rootfs.ext2");
    TestFiles.mixedImage(image, 23L * CHUNK + 512, CHUNK, 16);
    Path disk = dir.resolve("disk");
    Chunker.builder().build().write(image, disk);
    Path script = Path.of("src/test/js/read-store.mjs").toAbsolutePath();
    Path out = dir.resolve("js.img");

    byte[] stdout = TestFiles.runOk(null, "node", script.toString(), disk.toString(), out.toString());

    String sha = TestFiles.sha256sum(image);
    assertThat(new String(stdout, java.nio.charset.StandardCharsets.US_ASCII).trim()).isEqualTo(sha);
    assertThat(TestFiles.sha256sum(out)).isEqualTo(sha);
    assertThat(DiskManifest.read(disk).raw()).isNotEmpty(); // the raw path was exercised too
  }

  @Test
  void zstdChunksDecompressWithZstd() throws Exception {
    assumeThat(TestFiles.hasTool("zstd")).as("zstd is installed").isTrue();
    Path dir = TestFiles.freshDir("packed-zstd");
    Path image = dir.resolve("img");
    TestFiles.mixedImage(image, 13L * 65536, 65536, 2);
    Path disk = dir.resolve("disk");

    Chunker.builder().encoding(ChunkEncoding.ZSTD).chunkSize(65536).build().write(image, disk);

    DiskManifest m = DiskManifest.read(disk.resolve("manifest.json"));
    assertThat(m.encoding()).isEqualTo(ChunkEncoding.ZSTD);
    assertThat(Files.readString(disk.resolve("manifest.json"))).contains("\"encoding\":\"zstd\"");
    int compressed = 0;
    for (int i = 0; i < m.chunks().size(); i++) {
      String sha = m.chunks().get(i);
      if (sha != null && !m.isRaw(i)) {
        byte[] plain = TestFiles.runOk(null, "zstd", "-dc", DiskManifest.chunkFile(disk, sha).toString());
        assertThat(Sha256.hex(plain)).isEqualTo(sha);
        compressed++;
      }
    }
    assertThat(compressed).isPositive();
    Path out = dir.resolve("out.img");
    DiskManifest.reassemble(disk, out);
    assertThat(TestFiles.sha256sum(out)).isEqualTo(TestFiles.sha256sum(image));
  }

  /** 3 GiB sparse image, data past 2 GiB: offsets beyond int range, zero elision, bounded memory. */
  @Test
  void sparseThreeGibImage() throws Exception {
    Path dir = TestFiles.freshDir("packed-sparse");
    Path image = dir.resolve("big.img");
    TestFiles.runOk(null, "truncate", "-s", "3G", image.toString());
    long size = 3L << 30;
    Random rnd = new Random(3);
    Set<Long> dataChunks = new HashSet<>();
    try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "rw")) {
      long[] offsets = new long[40];
      for (int i = 0; i < offsets.length; i++) {
        offsets[i] = (long) (rnd.nextDouble() * (size - 65536)) & ~511L;
      }
      offsets[0] = (2L << 30) + 4096 * 3 + 100; // just past 2 GiB
      offsets[1] = size - 65536; // the very end
      offsets[2] = (5L << 29) - 1000; // across a chunk boundary above 2 GiB
      for (long off : offsets) {
        byte[] data = i(rnd.nextBoolean() ? 65536 : 32768, rnd);
        f.seek(off);
        f.write(data);
        for (long c = off / CHUNK; c <= (off + data.length - 1) / CHUNK; c++) {
          dataChunks.add(c);
        }
      }
    }
    Path disk = dir.resolve("disk");
    ChunkReport r = Chunker.builder().build().write(image, disk);

    assertThat(r.chunksTotal()).isEqualTo(24576);
    assertThat(r.chunksTotal() - r.zeroChunks()).isEqualTo(dataChunks.size());
    DiskManifest m = DiskManifest.read(disk);
    for (long c : dataChunks) {
      assertThat(m.chunks().get((int) c)).as("chunk %d", c).isNotNull();
    }
    String sourceSha = TestFiles.sha256OfSparse(image);
    assertThat(m.imageSha256()).isEqualTo(sourceSha);
    Path out = dir.resolve("out.img");
    DiskManifest.reassemble(disk, out);
    assertThat(Files.size(out)).isEqualTo(size);
    assertThat(TestFiles.sha256OfSparse(out)).isEqualTo(sourceSha);
    Trees.deleteRecursively(dir);
  }

  private static byte[] i(int len, Random rnd) {
    byte[] b = rnd.nextBoolean() ? TestFiles.lorem(len, rnd) : new byte[len];
    if (b[0] == 0) {
      rnd.nextBytes(b);
    }
    return b;
  }

  @Test
  void secondRunRewritesOnlyChangedChunksAndRemovesStaleOnes() throws Exception {
    Path dir = TestFiles.freshDir("packed-incremental");
    Path image = dir.resolve("rootfs.ext2");
    int chunk = 16384;
    long size = 200L * chunk;
    TestFiles.mixedImage(image, size, chunk, 4);
    // make every chunk unique so a changed chunk's old file becomes stale
    try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "rw")) {
      for (long i = 0; i < 200; i++) {
        f.seek(i * chunk + 8);
        f.writeLong(i + 1);
      }
    }
    Path disk = dir.resolve("disk");
    Chunker chunker = Chunker.builder().chunkSize(chunk).build();
    ChunkReport first = chunker.write(image, disk);
    assertThat(first.filesWritten()).isEqualTo(200);
    DiskManifest before = DiskManifest.read(disk);

    FileTime old = FileTime.fromMillis(1_000_000_000_000L);
    for (String name : TestFiles.listNames(disk.resolve("chunks"))) {
      Files.setLastModifiedTime(disk.resolve("chunks").resolve(name), old);
    }
    try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "rw")) {
      f.seek(17L * chunk + 100);
      f.write(new byte[] {'c', 'h', 'a', 'n', 'g', 'e', 'd'});
      f.seek(150L * chunk - 1); // the last byte of chunk 149
      f.write(0x5a);
    }

    ChunkReport second = chunker.write(image, disk);

    assertThat(second.filesWritten()).isEqualTo(2);
    assertThat(second.filesKept()).isEqualTo(198);
    assertThat(second.filesRemoved()).isEqualTo(2);
    assertThat(second.changedChunks()).isEqualTo(2);
    assertThat(second.changedBytes()).isEqualTo(2L * chunk);
    DiskManifest after = DiskManifest.read(disk);
    List<Integer> changed = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      String sha = after.chunks().get(i);
      FileTime mtime = Files.getLastModifiedTime(DiskManifest.chunkFile(disk, sha));
      if (!sha.equals(before.chunks().get(i))) {
        changed.add(i);
        assertThat(mtime).isNotEqualTo(old);
        assertThat(DiskManifest.chunkFile(disk, before.chunks().get(i))).doesNotExist();
      } else {
        assertThat(mtime).as("chunk %d", i).isEqualTo(old);
      }
    }
    assertThat(changed).containsExactly(17, 149);
    assertThat(TestFiles.listNames(disk.resolve("chunks"))).hasSize(200);
    Path out = dir.resolve("out.img");
    DiskManifest.reassemble(disk, out);
    assertThat(TestFiles.sha256sum(out)).isEqualTo(TestFiles.sha256sum(image));

    ChunkReport third = chunker.write(image, disk);
    assertThat(third.filesWritten()).isZero();
    assertThat(third.changedChunks()).isZero();
    assertThat(third.changedBytes()).isZero();
  }

  @Test
  void directAndBufferedReadsGiveTheSameStore() throws Exception {
    Path dir = TestFiles.freshDir("packed-io");
    Path image = dir.resolve("img");
    TestFiles.mixedImage(image, 9L * CHUNK + 1536, CHUNK, 6);
    try (ImageInput in = new ImageInput(image, Files.size(image), CHUNK)) {
      assertThat(in.usesDirectIo()).as("O_DIRECT on the build's file system").isTrue();
    }
    Chunker.builder().build().write(image, dir.resolve("direct"));
    System.setProperty("webvm.chunker.noDirectIo", "true");
    try {
      try (ImageInput in = new ImageInput(image, Files.size(image), CHUNK)) {
        assertThat(in.usesDirectIo()).isFalse();
      }
      Chunker.builder().build().write(image, dir.resolve("buffered"));
    } finally {
      System.clearProperty("webvm.chunker.noDirectIo");
    }
    assertThat(Files.readString(dir.resolve("buffered/manifest.json")))
        .isEqualTo(Files.readString(dir.resolve("direct/manifest.json")));
    assertThat(DiskManifest.read(dir.resolve("direct")).imageSha256())
        .isEqualTo(TestFiles.sha256sum(image));
  }

  @Test
  void reassembleRejectsADamagedChunk() throws Exception {
    Path dir = TestFiles.freshDir("packed-damaged");
    Path image = dir.resolve("img");
    TestFiles.mixedImage(image, 10L * CHUNK, CHUNK, 5);
    Path disk = dir.resolve("disk");
    Chunker.builder().build().write(image, disk);
    DiskManifest m = DiskManifest.read(disk);
    int raw = m.raw().get(0);
    Path file = DiskManifest.chunkFile(disk, m.chunks().get(raw));
    byte[] bytes = Files.readAllBytes(file);
    bytes[1000] ^= 1;
    Files.write(file, bytes);

    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> DiskManifest.reassemble(disk, dir.resolve("out.img")))
        .isInstanceOf(ChunkerException.class)
        .hasMessageContaining("Chunk " + raw)
        .hasMessageContaining("the manifest says");
  }
}

package io.github.miniwebvm.chunker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.miniwebvm.io.Trees;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Failed runs keep the previous output; memory does not grow with the image; hosting warnings. */
class RobustnessTest {
  private static final int CHUNK = 65536;

  @Test
  void aFailedWebvmRunLeavesThePreviousPartsAsTheyWere() throws Exception {
    Path dir = TestFiles.freshDir("fail-webvm");
    Path image = dir.resolve("img.ext2");
    TestFiles.mixedImage(image, 12L * CHUNK, CHUNK, 11);
    Path disk = dir.resolve("disk");
    Chunker.builder().layout(DiskLayout.WEBVM).chunkSize(CHUNK).build().write(image, disk);
    Map<String, byte[]> before = snapshot(disk);
    overwrite(image, 0, 12L * CHUNK); // every part would change

    SplitWriter writer =
        new SplitWriter(DiskLayout.WEBVM, new Codec(ChunkEncoding.NONE, 0), CHUNK, 2, "img.ext2", m -> {});
    // claims more bytes than the file has: the read fails after most parts were staged
    assertThatThrownBy(() -> writer.write(image, 14L * CHUNK, disk, (done, total) -> {}))
        .isInstanceOf(ChunkerException.class)
        .hasMessageContaining("ended at byte " + 12L * CHUNK);

    Map<String, byte[]> after = snapshot(disk);
    assertThat(after).containsOnlyKeys(before.keySet().toArray(String[]::new));
    before.forEach((n, bytes) -> assertThat(after.get(n)).as(n).isEqualTo(bytes));
  }

  @Test
  void aFailedPackedRunLeavesTheStoreReadable() throws Exception {
    Path dir = TestFiles.freshDir("fail-packed");
    Path image = dir.resolve("img");
    TestFiles.mixedImage(image, 12L * CHUNK, CHUNK, 12);
    Path disk = dir.resolve("disk");
    Chunker.builder().chunkSize(CHUNK).build().write(image, disk);
    String sha = TestFiles.sha256sum(image);
    String manifest = Files.readString(disk.resolve("manifest.json"));
    overwrite(image, 0, 12L * CHUNK);

    PackedWriter writer =
        new PackedWriter(new Codec(ChunkEncoding.GZIP, 6), CHUNK, 2, "img", m -> {});
    assertThatThrownBy(() -> writer.write(image, 14L * CHUNK, disk, (done, total) -> {}))
        .isInstanceOf(ChunkerException.class);

    assertThat(Files.readString(disk.resolve("manifest.json"))).isEqualTo(manifest);
    DiskManifest.reassemble(disk, dir.resolve("out.img"));
    assertThat(TestFiles.sha256sum(dir.resolve("out.img"))).isEqualTo(sha);
    // the next successful run removes what the failed one left behind
    ChunkReport r = Chunker.builder().chunkSize(CHUNK).build().write(image, disk);
    assertThat(TestFiles.listNames(disk.resolve("chunks"))).hasSize(r.storedChunks());
  }

  @Test
  void aChunkFileOfAnEarlierRunIsReusedOnlyIfItHoldsWhatItsNameSays() throws Exception {
    Path dir = TestFiles.freshDir("tampered");
    Path image = dir.resolve("img");
    TestFiles.mixedImage(image, 12L * CHUNK, CHUNK, 14);
    Path disk = dir.resolve("disk");
    ChunkReport first = Chunker.builder().chunkSize(CHUNK).build().write(image, disk);
    List<String> names = TestFiles.listNames(disk.resolve("chunks"));
    Path tampered = disk.resolve("chunks").resolve(names.get(0));
    try (java.io.OutputStream out = new java.util.zip.GZIPOutputStream(Files.newOutputStream(tampered))) {
      out.write(new byte[CHUNK]);   // valid gzip of the right length, other content
    }
    Files.delete(disk.resolve("chunks").resolve(names.get(1)));
    Files.createSymbolicLink(disk.resolve("chunks").resolve(names.get(1)), tampered);

    ChunkReport second = Chunker.builder().chunkSize(CHUNK).build().write(image, disk);
    assertThat(second.filesWritten()).isEqualTo(2);
    assertThat(second.filesKept()).isEqualTo(first.storedChunks() - 2);
    assertThat(Files.isSymbolicLink(disk.resolve("chunks").resolve(names.get(1)))).isFalse();
    DiskManifest.reassemble(disk, dir.resolve("out.img"));
    assertThat(TestFiles.sha256sum(dir.resolve("out.img"))).isEqualTo(TestFiles.sha256sum(image));
  }

  @Test
  void theListenerHearsOfEveryChunkInOrderForEveryLayout() throws Exception {
    Path dir = TestFiles.freshDir("listener");
    Path image = dir.resolve("img");
    TestFiles.mixedImage(image, 12L * CHUNK, CHUNK, 13);
    for (DiskLayout layout : DiskLayout.values()) {
      java.util.List<String> heard = new java.util.ArrayList<>();
      Chunker.builder().layout(layout).chunkSize(CHUNK).threads(3)
          .listener((done, total) -> heard.add(done + "/" + total))
          .build().write(image, dir.resolve("disk-" + layout));
      assertThat(heard).as(layout.name()).containsExactly(
          java.util.stream.IntStream.rangeClosed(1, 12).mapToObj(i -> i + "/12").toArray(String[]::new));
    }
  }

  /** The plugin hard-links the previous site's disk/ into the new one before chunking into it. */
  @Test
  void filesHardLinkedFromAPreviousOutputAreNeverChanged() throws Exception {
    Path dir = TestFiles.freshDir("hardlinks");
    Path image = dir.resolve("rootfs.ext2");
    TestFiles.mixedImage(image, 16L * CHUNK, CHUNK, 17);
    for (DiskLayout layout : DiskLayout.values()) {
      Path old = dir.resolve("old-" + layout);
      Chunker chunker = Chunker.builder().layout(layout).chunkSize(CHUNK).build();
      chunker.write(image, old);
      Map<String, byte[]> before = snapshotTree(old);
      Path next = dir.resolve("new-" + layout);
      TestFiles.runOk(null, "cp", "-al", old.toString(), next.toString());
      overwrite(image, 0, 16L * CHUNK);

      ChunkReport r = chunker.write(image, next);

      assertThat(r.filesWritten()).isPositive();
      Map<String, byte[]> after = snapshotTree(old);
      assertThat(after.keySet()).isEqualTo(before.keySet());
      before.forEach((n, bytes) -> assertThat(after.get(n)).as(layout + " " + n).isEqualTo(bytes));
    }
  }

  private static Map<String, byte[]> snapshotTree(Path dir) throws Exception {
    Map<String, byte[]> m = new HashMap<>();
    try (var files = Files.walk(dir)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        m.put(dir.relativize(f).toString(), Files.readAllBytes(f));
      }
    }
    return m;
  }

  /** A JVM with a 24 MiB heap chunks a 1 GiB image with data spread all over it. */
  @Test
  void memoryDoesNotGrowWithTheImage() throws Exception {
    Path dir = TestFiles.freshDir("memory");
    Path image = dir.resolve("big.img");
    long size = 1L << 30;
    Random rnd = new Random(13);
    byte[] data = new byte[4096];
    try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "rw")) {
      f.setLength(size);
      for (long off = 0; off < size; off += 1 << 20) { // 4 KiB of data in every MiB
        rnd.nextBytes(data);
        f.seek(off + rnd.nextInt(250) * 4096L);
        f.write(data);
      }
    }
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    TestFiles.Result r =
        TestFiles.run(
            null, java, "-Xmx24m", "-cp", System.getProperty("java.class.path"),
            "io.github.miniwebvm.chunker.Main", "write", image.toString(), dir.resolve("disk").toString());
    assertThat(r.exitCode()).as(r.stderr()).isZero();
    assertThat(new String(r.stdout(), StandardCharsets.UTF_8)).contains("8192 packed chunks");
    assertThat(DiskManifest.read(dir.resolve("disk")).imageSha256()).isEqualTo(TestFiles.sha256sum(image));
    Trees.deleteRecursively(dir);
  }

  @Test
  void warnsAboutGithubLimits() {
    assertThat(Chunker.warnings(999_000_000L, "chunks/x", 131072)).isEmpty();
    List<String> w = Chunker.warnings(1_200_000_000L, "big.ext2.c000000.txt", 150L << 20);
    assertThat(w).hasSize(2);
    assertThat(w.get(0)).contains("1 GB site limit").contains("1200000000 bytes");
    assertThat(w.get(1)).contains("big.ext2.c000000.txt is 150.0 MiB").contains("100 MiB per file");
  }

  @Test
  void reportJsonIsWrittenAndWarningsAreLogged() throws Exception {
    Path dir = TestFiles.freshDir("report");
    Path image = dir.resolve("img");
    TestFiles.mixedImage(image, 3L * CHUNK, CHUNK, 14);
    List<String> log = new java.util.ArrayList<>();
    ChunkReport r = Chunker.builder().chunkSize(CHUNK).log(log::add).build().write(image, dir.resolve("d"));
    var json = DiskManifest.JSON.readTree(dir.resolve("d/report.json").toFile());
    assertThat(json.get("imageSize").asLong()).isEqualTo(3L * CHUNK);
    assertThat(json.get("chunksTotal").asInt()).isEqualTo(3);
    assertThat(json.get("ratio").asDouble()).isCloseTo(r.ratio(), org.assertj.core.data.Offset.offset(1e-5));
    assertThat(json.get("largestFile").asText()).isEqualTo(r.largestFile());
    assertThat(json.get("warnings").size()).isZero();
    assertThat(json.has("elapsedMillis")).as("a wall time would make the site's bytes differ between builds").isFalse();
    assertThat(log).hasSize(2);
    assertThat(log.get(1)).contains("largest file");
  }

  private static long overwrites = 99;

  /** Writes 8 new bytes into every chunk of the range (different bytes on every call). */
  private static void overwrite(Path image, long from, long to) throws Exception {
    Random rnd = new Random(overwrites++);
    try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "rw")) {
      for (long off = from; off < to; off += CHUNK) {
        f.seek(off + 3);
        f.writeLong(rnd.nextLong());
      }
    }
  }

  private static Map<String, byte[]> snapshot(Path dir) throws Exception {
    Map<String, byte[]> m = new HashMap<>();
    for (String n : TestFiles.listNames(dir)) {
      if (Files.isRegularFile(dir.resolve(n))) {
        m.put(n, Files.readAllBytes(dir.resolve(n)));
      } else {
        m.put(n + "/", new byte[0]);
      }
    }
    return m;
  }
}

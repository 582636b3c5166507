package io.github.miniwebvm.chunker;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.miniwebvm.io.Trees;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Test images and external tools. Data goes under target/, never into git. */
final class TestFiles {
  private TestFiles() {}

  /** A fresh, empty folder under target/chunker-tests. */
  static Path freshDir(String name) throws IOException {
    Path dir = Path.of("target", "chunker-tests", name).toAbsolutePath();
    Trees.deleteRecursively(dir);
    Files.createDirectories(dir);
    return dir;
  }

  /**
   * An image mixing what real disks hold: compressible text, random (incompressible) data, zero
   * chunks, chunks repeated elsewhere, and data that crosses chunk boundaries.
   */
  static void mixedImage(Path file, long size, int chunkSize, long seed) throws IOException {
    Random rnd = new Random(seed);
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.setLength(0);
      f.setLength(size);
      byte[] text = lorem(chunkSize, rnd);
      byte[] random = new byte[chunkSize];
      rnd.nextBytes(random);
      long chunks = (size + chunkSize - 1) / chunkSize;
      for (long i = 0; i < chunks; i++) {
        long off = i * chunkSize;
        int len = (int) Math.min(chunkSize, size - off);
        switch ((int) (i % 5)) {
          case 0 -> { f.seek(off); f.write(text, 0, len); } // duplicate text chunk
          case 1 -> { byte[] r = new byte[len]; rnd.nextBytes(r); f.seek(off); f.write(r); }
          case 2 -> { } // zeros
          case 3 -> { f.seek(off); f.write(random, 0, len); } // duplicate random chunk
          default -> { byte[] t = lorem(len, rnd); f.seek(off + len / 2); f.write(t, 0, (int) Math.min(len, size - off - len / 2)); }
        }
      }
      // the last bytes of the image are data, so a short last chunk is not all zeros
      f.seek(size - 4);
      f.write(new byte[] {1, 2, 3, 4});
    }
  }

  static byte[] lorem(int len, Random rnd) {
    String[] words = {"lorem", "ipsum", "dolor", "sit", "amet", "ext2", "inode", "block", "\n"};
    StringBuilder sb = new StringBuilder(len + 16);
    while (sb.length() < len) {
      sb.append(words[rnd.nextInt(words.length)]).append(' ');
    }
    return sb.substring(0, len).getBytes(StandardCharsets.US_ASCII);
  }

  record Result(int exitCode, byte[] stdout, String stderr) {}

  /** Runs a command, stdout captured as bytes. */
  static Result run(Path workDir, String... command) throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(command);
    if (workDir != null) {
      pb.directory(workDir.toFile());
    }
    Path err = Files.createTempFile("chunker-test", ".err");
    pb.redirectError(err.toFile());
    Process p = pb.start();
    p.getOutputStream().close();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(10, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new IOException("timeout: " + String.join(" ", command));
    }
    String stderr = Files.readString(err);
    Files.delete(err);
    return new Result(p.exitValue(), out, stderr);
  }

  static byte[] runOk(Path workDir, String... command) throws IOException, InterruptedException {
    Result r = run(workDir, command);
    assertThat(r.exitCode()).as(String.join(" ", command) + ": " + r.stderr()).isZero();
    return r.stdout();
  }

  static boolean hasTool(String tool) {
    try {
      return run(null, "sh", "-c", "command -v " + tool).exitCode() == 0;
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }

  private static final boolean OPENSSL = hasTool("openssl");

  /** An external tool's sha256 of a file: openssl (SHA-NI, fast) or else coreutils sha256sum. */
  static String sha256sum(Path file) throws IOException, InterruptedException {
    if (OPENSSL) {
      String out =
          new String(runOk(null, "openssl", "dgst", "-sha256", file.toString()), StandardCharsets.US_ASCII)
              .trim();
      return out.substring(out.length() - 64);
    }
    String out = new String(runOk(null, "sha256sum", file.toString()), StandardCharsets.US_ASCII);
    return out.substring(0, 64);
  }

  /**
   * openssl's sha256 of a large sparse file, read by dd with O_DIRECT: holes then cost nothing,
   * whereas buffered reads allocate a page-cache page for every 4 KiB of hole.
   */
  static String sha256OfSparse(Path file) throws IOException, InterruptedException {
    if (!OPENSSL) {
      return sha256sum(file);
    }
    String out =
        new String(
                runOk(null, "bash", "-c",
                    "set -o pipefail; dd if=\"$0\" iflag=direct bs=1M status=none | openssl dgst -sha256",
                    file.toString()),
                StandardCharsets.US_ASCII)
            .trim();
    return out.substring(out.length() - 64);
  }

  static List<String> listNames(Path dir) throws IOException {
    List<String> names = new ArrayList<>();
    try (Stream<Path> s = Files.list(dir)) {
      s.forEach(p -> names.add(p.getFileName().toString()));
    }
    names.sort(null);
    return names;
  }
}

package io.github.miniwebvm.chunker;

import java.nio.file.Path;
import java.util.Locale;

/**
 * Command line for benchmarks and scripts (not a public API):
 *
 * <pre>
 * java -cp … io.github.miniwebvm.chunker.Main write [--layout packed|webvm|v86] [--chunk-size N]
 *     [--encoding gzip|zstd|none] [--level N] [--name NAME] [--threads N] IMAGE DISK_DIR
 * java -cp … io.github.miniwebvm.chunker.Main reassemble DISK_DIR OUT_IMAGE
 * </pre>
 */
final class Main {
  private Main() {}

  public static void main(String[] args) {
    try {
      run(args);
    } catch (ChunkerException e) {
      System.err.println("chunker: " + e.getMessage());
      System.exit(1);
    } catch (IllegalArgumentException e) {
      System.err.println("chunker: " + e.getMessage());
      System.exit(2);
    }
  }

  private static void run(String[] args) throws ChunkerException {
    if (args.length == 3 && args[0].equals("reassemble")) {
      DiskManifest m = DiskManifest.reassemble(Path.of(args[1]), Path.of(args[2]));
      System.out.println("reassembled " + m.size() + " bytes, sha256 " + m.imageSha256());
      return;
    }
    if (args.length < 3 || !args[0].equals("write")) {
      throw new IllegalArgumentException(
          "usage: write [--layout L] [--chunk-size N] [--encoding E] [--level N] [--name NAME]"
              + " [--threads N] IMAGE DISK_DIR | reassemble DISK_DIR OUT_IMAGE");
    }
    Chunker.Builder b = Chunker.builder().log(System.out::println);
    int i = 1;
    for (; i < args.length - 2; i += 2) {
      String v = args[i + 1];
      switch (args[i]) {
        case "--layout" -> b.layout(DiskLayout.valueOf(v.toUpperCase(Locale.ROOT)));
        case "--chunk-size" -> b.chunkSize(Integer.parseInt(v));
        case "--encoding" -> b.encoding(ChunkEncoding.fromManifestName(v));
        case "--level" -> b.compressionLevel(Integer.parseInt(v));
        case "--name" -> b.imageName(v);
        case "--threads" -> b.threads(Integer.parseInt(v));
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    if (i != args.length - 2) {
      throw new IllegalArgumentException("expected IMAGE DISK_DIR after the options");
    }
    b.build().write(Path.of(args[i]), Path.of(args[i + 1]));
  }
}

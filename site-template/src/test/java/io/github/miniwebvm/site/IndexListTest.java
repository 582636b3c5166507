package io.github.miniwebvm.site;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.miniwebvm.runtime.SiteConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A CheerpX site has an index.list in every directory for its /web mount, with what WebVM's
 * deploy workflow puts there ({@code ls "$dir"}): the oracle is {@code ls} itself.
 */
class IndexListTest {
  private static final String SHA = "cd".repeat(32);

  @TempDir Path site;

  private List<String> assemble(SiteConfig.Engine engine) throws Exception {
    Files.createDirectories(site.resolve("disk/chunks"));
    Files.writeString(site.resolve("disk/manifest.json"), "{\"format\":\"webvm-disk/1\",\"size\":262144,"
        + "\"chunkSize\":131072,\"encoding\":\"gzip\",\"imageSha256\":\"" + SHA + "\",\"chunks\":[null,null]}");
    Files.write(site.resolve("disk/chunks/" + "0f".repeat(32)), new byte[] {1});
    Files.write(site.resolve("disk/chunks/" + "a1".repeat(32)), new byte[] {2});
    Files.createDirectories(site.resolve("webvm-disk/empty"));
    Files.writeString(site.resolve("webvm-disk/rootfs.ext2.meta"), "262144\n");
    Files.writeString(site.resolve("webvm-disk/Z-upper.txt"), "sorted before lower case, as ls does in C");
    Files.writeString(site.resolve(".webvm-site"), "marker");
    Files.createDirectories(site.resolve(".hidden"));
    SiteConfig.Boot boot = null;
    if (engine == SiteConfig.Engine.V86) {
      Files.createDirectories(site.resolve("boot"));
      for (String f : List.of("bios.bin", "vmlinuz", "initrd.img")) Files.write(site.resolve("boot").resolve(f), new byte[] {1});
      boot = new SiteConfig.Boot("boot/bios.bin", "boot/vmlinuz", "boot/initrd.img", "console=ttyS0");
    }
    SiteConfig config = new SiteConfig(engine,
        new SiteConfig.Disk("disk/manifest.json", "rootfs.ext2", 262144, 131072, SHA), boot,
        new SiteConfig.Command("/bin/sh", List.of(), List.of(), "/", 0, 0), 256, "index.list",
        engine == SiteConfig.Engine.CHEERPX ? new SiteConfig.Cheerpx("1.3.9", null, null, false, null) : null);
    return SiteAssembler.builder().config(config).build().assemble(site).files();
  }

  private static String ls(Path dir) throws Exception {
    ProcessBuilder pb = new ProcessBuilder("ls", dir.toString());
    pb.environment().put("LC_ALL", "C");
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isZero();
    // WebVM removes the old index.list first; ours never lists itself
    return out.replaceAll("(?m)^index\\.list\\n", "");
  }

  @Test
  void cheerpxSiteListsEveryDirectoryAsLsDoes() throws Exception {
    List<String> written = assemble(SiteConfig.Engine.CHEERPX);

    List<Path> dirs;
    try (Stream<Path> s = Files.walk(site)) {
      dirs = s.filter(Files::isDirectory).filter(d -> !d.getFileName().toString().startsWith(".")).toList();
    }
    assertThat(dirs).extracting(d -> site.relativize(d).toString())
        .contains("", "assets", "disk", "disk/chunks", "webvm-disk", "webvm-disk/empty");
    for (Path dir : dirs) {
      Path list = dir.resolve("index.list");
      assertThat(list).isRegularFile();
      assertThat(Files.readString(list)).as(list.toString()).isEqualTo(ls(dir));
      assertThat(written).contains(site.relativize(list).toString());
    }
    assertThat(Files.readString(site.resolve("index.list")))
        .contains("index.html\n", "sw.js\n", "webvm.json\n", "assets\n", "disk\n")
        .doesNotContain(".webvm-site", ".nojekyll", "index.list");
    assertThat(Files.readString(site.resolve("disk/chunks/index.list")))
        .isEqualTo("0f".repeat(32) + "\n" + "a1".repeat(32) + "\n");
    assertThat(Files.readString(site.resolve("webvm-disk/index.list")))
        .isEqualTo("Z-upper.txt\nempty\nrootfs.ext2.meta\n");
    assertThat(Files.readString(site.resolve("webvm-disk/empty/index.list"))).isEmpty();
    assertThat(site.resolve(".hidden/index.list")).doesNotExist();
  }

  @Test
  void v86SiteHasNoWebMountAndNoIndexList() throws Exception {
    List<String> written = assemble(SiteConfig.Engine.V86);
    assertThat(written).noneMatch(p -> p.endsWith("index.list"));
    try (Stream<Path> s = Files.walk(site)) {
      assertThat(s.map(p -> p.getFileName().toString())).doesNotContain("index.list");
    }
  }
}

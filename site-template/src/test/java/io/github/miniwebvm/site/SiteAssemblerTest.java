package io.github.miniwebvm.site;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.miniwebvm.io.Sha256;
import io.github.miniwebvm.runtime.SiteConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

class SiteAssemblerTest {
  private static final String SHA = "ab".repeat(32);

  @TempDir Path site;

  private SiteConfig config(long diskSize) {
    return new SiteConfig(SiteConfig.Engine.V86,
        new SiteConfig.Disk("disk/manifest.json", "rootfs.ext2", diskSize, 131072, SHA),
        new SiteConfig.Boot("boot/bios.bin", "boot/vmlinuz", "boot/initrd.img", "console=ttyS0 root=/dev/sda rw"),
        new SiteConfig.Command("/bin/bash", List.of("-l"), List.of("HOME=/root", "TERM=xterm"), "/root", 0, 0),
        256, "Demo <site>");
  }

  private void writeInputs() throws IOException {
    Files.createDirectories(site.resolve("disk/chunks"));
    Files.writeString(site.resolve("disk/manifest.json"), "{\"format\":\"webvm-disk/1\",\"size\":1048576,"
        + "\"chunkSize\":131072,\"encoding\":\"gzip\",\"imageSha256\":\"" + SHA + "\",\"chunks\":[null,null,null,null,null,null,null,null]}");
    Files.createDirectories(site.resolve("boot"));
    for (String f : List.of("bios.bin", "vmlinuz", "initrd.img")) Files.write(site.resolve("boot").resolve(f), new byte[] {1});
  }

  @Test
  void writesPageWorkerConfigAndHashedAssetsOfTheEngine() throws Exception {
    writeInputs();
    Files.createDirectories(site.resolve("assets"));
    Files.writeString(site.resolve("assets/webvm.000000000000.js"), "stale");

    List<String> written = SiteAssembler.builder().config(config(1048576)).build().assemble(site).files();

    assertThat(written).contains("index.html", "sw.js", "webvm.json", "favicon.svg", ".nojekyll", "_headers",
        "assets/THIRD-PARTY.txt");
    assertThat(site.resolve("assets/webvm.000000000000.js")).doesNotExist();
    try (Stream<Path> assets = Files.list(site.resolve("assets"))) {
      List<String> names = assets.map(p -> p.getFileName().toString()).sorted().toList();
      assertThat(names).hasSize(6).allMatch(n -> n.equals("THIRD-PARTY.txt")
          || n.matches("(webvm|xterm|engine-v86|v86)\\.[0-9a-f]{12}\\.(js|css|wasm)"));
      for (String n : names) {
        if (n.equals("THIRD-PARTY.txt")) continue;
        String hash = Sha256.hex(Files.readAllBytes(site.resolve("assets").resolve(n))).substring(0, 12);
        assertThat(n).contains("." + hash + ".");
      }
    }

    String html = Files.readString(site.resolve("index.html"));
    assertThat(html).contains("<title>Demo &lt;site&gt;</title>").doesNotContain("{{");
    Matcher refs = Pattern.compile("(?:src|href)=\"(assets/[^\"]+)\"").matcher(html);
    int count = 0;
    while (refs.find()) {
      assertThat(site.resolve(refs.group(1))).isRegularFile();
      count++;
    }
    assertThat(count).isEqualTo(3); // script, xterm.css, webvm.css

    JsonNode json = new ObjectMapper().readTree(site.resolve("webvm.json").toFile());
    assertThat(json.path("engine").asText()).isEqualTo("v86");
    assertThat(json.path("disk").path("name").asText()).isEqualTo("rootfs.ext2");
    assertThat(json.path("disk").path("size").asLong()).isEqualTo(1048576);
    assertThat(json.path("disk").path("imageSha256").asText()).isEqualTo(SHA);
    assertThat(json.path("boot").path("cmdline").asText()).isEqualTo("console=ttyS0 root=/dev/sda rw");
    assertThat(json.path("env").toString()).isEqualTo("[\"HOME=/root\",\"TERM=xterm\"]");
    assertThat(json.path("memoryMiB").asInt()).isEqualTo(256);
    assertThat(json.has("network")).as("no network by default").isFalse();
    assertThat(site.resolve(json.path("assets").path("engine").asText())).isRegularFile();
    assertThat(site.resolve(json.path("assets").path("wasm").asText())).isRegularFile();
    assertThat(Files.readString(site.resolve("_headers"))).contains("Cross-Origin-Embedder-Policy: require-corp");
    assertThat(Files.readString(site.resolve("sw.js"))).contains("DecompressionStream");
  }

  @Test
  void theNetworkReachesWebvmJson() throws Exception {
    writeInputs();
    SiteConfig c = config(1048576);
    SiteConfig withRelay = new SiteConfig(c.engine(), c.disk(), c.boot(), c.command(), c.memoryMiB(), c.title(), null,
        "wisp://127.0.0.1:5001/");
    SiteAssembler.builder().config(withRelay).build().assemble(site);
    JsonNode json = new ObjectMapper().readTree(site.resolve("webvm.json").toFile());
    assertThat(json.path("network").asText()).isEqualTo("wisp://127.0.0.1:5001/");
    assertThatThrownBy(() -> new SiteConfig(c.engine(), c.disk(), c.boot(), c.command(), c.memoryMiB(), c.title(), null,
        "http://relay/")).hasMessageContaining("network 'http://relay/' is not none, fetch or a relay URL");
  }

  @Test
  void missingDiskAndBootFilesAreNamed() {
    assertThatThrownBy(() -> SiteAssembler.builder().config(config(1048576)).build().assemble(site))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("disk/manifest.json (chunker)")
        .hasMessageContaining("boot/vmlinuz (boot kit)");
  }
}

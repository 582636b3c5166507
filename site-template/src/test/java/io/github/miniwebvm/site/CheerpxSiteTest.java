package io.github.miniwebvm.site;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.miniwebvm.runtime.SiteConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheerpxSiteTest {
  private static final String SHA = "cd".repeat(32);

  @TempDir Path site;

  private JsonNode assemble(SiteConfig.Cheerpx cheerpx) throws Exception {
    Files.createDirectories(site.resolve("disk/chunks"));
    Files.writeString(site.resolve("disk/manifest.json"), "{\"format\":\"webvm-disk/1\",\"size\":262144,"
        + "\"chunkSize\":131072,\"encoding\":\"gzip\",\"imageSha256\":\"" + SHA + "\",\"chunks\":[null,null]}");
    SiteConfig config = new SiteConfig(SiteConfig.Engine.CHEERPX,
        new SiteConfig.Disk("disk/manifest.json", "rootfs.ext2", 262144, 131072, SHA), null,
        new SiteConfig.Command("/bin/bash", List.of("--login"), List.of("HOME=/home/user"), "/home/user", 1000, 1000),
        256, "CheerpX", cheerpx);
    SiteAssembler.builder().config(config).build().assemble(site);
    return new ObjectMapper().readTree(site.resolve("webvm.json").toFile());
  }

  @Test
  void defaultsLoadCheerpxFromTheCdnAndReadTheSitesDiskThroughWebvmChunkNames() throws Exception {
    JsonNode json = assemble(null);
    assertThat(json.path("engine").asText()).isEqualTo("cheerpx");
    JsonNode cx = json.path("cheerpx");
    assertThat(cx.path("version").asText()).isEqualTo("1.3.9");
    assertThat(cx.path("module").asText()).isEqualTo("https://cxrtnc.leaningtech.com/1.3.9/cx.esm.js");
    assertThat(cx.path("disk").path("type").asText()).isEqualTo("github");
    assertThat(cx.path("disk").path("url").asText()).isEqualTo("disk/rootfs.ext2");
    assertThat(cx.has("tailscale")).isFalse();
    assertThat(json.has("boot")).isFalse();
    try (Stream<Path> assets = Files.list(site.resolve("assets"))) {
      assertThat(assets.map(p -> p.getFileName().toString()))
          .anyMatch(n -> n.matches("engine-cheerpx\\.[0-9a-f]{12}\\.js"))
          .noneMatch(n -> n.startsWith("v86") || n.startsWith("engine-v86"));
    }
    assertThat(site.resolve(json.path("assets").path("engine").asText())).isRegularFile();
  }

  @Test
  void externalDiskAndTailscaleAreWrittenForThePage() throws Exception {
    JsonNode cx = assemble(new SiteConfig.Cheerpx("1.3.0", "https://mirror.example/cx", "wss://disks.webvm.io/x.ext2",
        true, "https://headscale.example")).path("cheerpx");
    assertThat(cx.path("module").asText()).isEqualTo("https://mirror.example/cx/cx.esm.js");
    assertThat(cx.path("disk").path("type").asText()).isEqualTo("cloud");
    assertThat(cx.path("disk").path("url").asText()).isEqualTo("wss://disks.webvm.io/x.ext2");
    assertThat(cx.path("tailscale").path("controlUrl").asText()).isEqualTo("https://headscale.example");
    // the auth key is a secret and never part of the site
    assertThat(Files.readString(site.resolve("webvm.json"))).doesNotContain("authKey");
  }
}

package io.github.miniwebvm.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WebvmJsonTest {
  private static final String SHA = "ab".repeat(32);
  private static final SiteConfig.Disk DISK = new SiteConfig.Disk("disk/manifest.json", "rootfs.ext2", 1048576, 131072, SHA);
  private static final SiteConfig.Command COMMAND = new SiteConfig.Command("/bin/bash", List.of("-l"),
      List.of("HOME=/home/user", "TERM=xterm"), "/home/user", 1000, 1000);

  @TempDir Path site;

  private static WebvmJson v86(String network) {
    SiteConfig config = new SiteConfig(SiteConfig.Engine.V86, DISK,
        SiteConfig.Boot.inBootDirectory("console=ttyS0 root=/dev/sda rw"), COMMAND, 512, "Demo", null, network);
    return new WebvmJson(config, Map.of("engine", "assets/engine-v86.0123456789ab.js"), null);
  }

  private static WebvmJson.SnapshotEntry entry() {
    WebvmJson.SnapshotKey key = new WebvmJson.SnapshotKey(SHA, "01".repeat(32), "02".repeat(32), "03".repeat(32),
        "0.5.462", 512, "console=ttyS0 root=/dev/sda rw webvm.rows=24");
    return new WebvmJson.SnapshotEntry("boot/state-" + key.hash().substring(0, 16) + ".bin.zst", key.hash(), key, 9024668);
  }

  @Test
  void whatIsWrittenReadsBackAsTheSameValue() throws Exception {
    WebvmJson written = v86("wisp://127.0.0.1:5001/").withSnapshot(entry());
    written.write(site);
    assertThat(WebvmJson.read(site)).isEqualTo(written);
    assertThat(site.resolve("webvm.json.tmp")).doesNotExist();

    JsonNode json = new ObjectMapper().readTree(site.resolve("webvm.json").toFile());
    assertThat(json.path("format").asText()).isEqualTo("webvm-site/1");
    assertThat(json.path("memoryMiB").asInt()).isEqualTo(512);
    assertThat(json.path("network").asText()).isEqualTo("wisp://127.0.0.1:5001/");
    assertThat(json.path("snapshot").path("key").path("memoryMiB").asInt()).isEqualTo(512);
    assertThat(json.path("snapshot").path("keyHash").asText()).isEqualTo(entry().keyHash());
  }

  @Test
  void aCheerpxSiteReadsBackWithItsModuleDiskAndTailscale() throws Exception {
    for (SiteConfig.Cheerpx cheerpx : List.of(SiteConfig.Cheerpx.defaults(),
        new SiteConfig.Cheerpx("1.3.0", "https://mirror.example/cx/cx.esm.js", "wss://disks.webvm.io/x.ext2", true,
            "https://headscale.example"))) {
      WebvmJson written = new WebvmJson(new SiteConfig(SiteConfig.Engine.CHEERPX, DISK, null, COMMAND, 256, "CX", cheerpx),
          Map.of("engine", "assets/engine-cheerpx.0123456789ab.js"), null);
      written.write(site);
      assertThat(WebvmJson.read(site)).isEqualTo(written);
    }
  }

  @Test
  void aSnapshotEntryWhoseHashIsNotItsKeysIsRefused() {
    WebvmJson.SnapshotEntry e = entry();
    assertThatThrownBy(() -> new WebvmJson.SnapshotEntry(e.file(), "00".repeat(32), e.key(), e.bytes()))
        .hasMessageContaining("is not the hash of its key");
  }

  @Test
  void aHostileFileIsRefusedWithTheFieldAndTheFix() throws Exception {
    v86(null).write(site);
    String good = Files.readString(site.resolve("webvm.json"));
    Files.writeString(site.resolve("webvm.json"), good.replace("\"memoryMiB\" : 512", "\"memoryMiB\" : 4294967552"));
    assertThatThrownBy(() -> WebvmJson.read(site)).isInstanceOf(IOException.class)
        .hasMessageContaining("field memoryMiB").hasMessageContaining("rebuild the site");
    Files.writeString(site.resolve("webvm.json"), good.replace("\"memoryMiB\" : 512", "\"memoryMiB\" : 8"));
    assertThatThrownBy(() -> WebvmJson.read(site)).hasMessageContaining("memory must be between 64 and 2048 MiB, not 8");
    Files.writeString(site.resolve("webvm.json"), good.replace("webvm-site/1", "webvm-site/2"));
    assertThatThrownBy(() -> WebvmJson.read(site)).hasMessageContaining("expected webvm-site/1");
    Files.delete(site.resolve("webvm.json"));
    assertThatThrownBy(() -> WebvmJson.read(site)).hasMessageContaining("webvm.json is missing");
  }
}

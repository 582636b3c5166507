package io.github.miniwebvm.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SiteConfigTest {
  private static final String SHA = "ab".repeat(32);

  @TempDir Path site;

  private static SiteConfig v86(long diskSize, int memoryMiB) {
    return new SiteConfig(SiteConfig.Engine.V86,
        new SiteConfig.Disk("disk/manifest.json", "rootfs.ext2", diskSize, 131072, SHA),
        new SiteConfig.Boot("boot/bios.bin", "boot/vmlinuz", "boot/initrd.img", "console=ttyS0 root=/dev/sda rw"),
        new SiteConfig.Command("/bin/bash", List.of("-l"), List.of("HOME=/root"), "/root", 0, 0),
        memoryMiB, "Demo");
  }

  @Test
  void diskFromManifestReadsItsGeometry() throws Exception {
    Files.createDirectories(site.resolve("disk"));
    Files.writeString(site.resolve("disk/manifest.json"), "{\"format\":\"webvm-disk/1\",\"size\":1048576,"
        + "\"chunkSize\":131072,\"encoding\":\"gzip\",\"imageSha256\":\"" + SHA + "\",\"chunks\":[null,null,null,null,null,null,null,null]}");
    SiteConfig.Disk disk = SiteConfig.Disk.fromManifest(site, "disk/manifest.json", "rootfs.ext2");
    assertThat(disk).isEqualTo(new SiteConfig.Disk("disk/manifest.json", "rootfs.ext2", 1048576, 131072, SHA));
  }

  @Test
  void aManifestOfAnotherFormatIsRefusedWithItsName() throws Exception {
    Files.createDirectories(site.resolve("disk"));
    Files.writeString(site.resolve("disk/manifest.json"), "{\"format\":\"webvm-disk/2\"}");
    assertThatThrownBy(() -> SiteConfig.Disk.fromManifest(site, "disk/manifest.json", "rootfs.ext2"))
        .hasMessageContaining("manifest.json").hasMessageContaining("expected webvm-disk/1");
  }

  @Test
  void v86TakesDisksUpToTwoTebibytesAndRefusesLargerOnes() {
    assertThatThrownBy(() -> v86((1L << 41) + 131072, 256))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("2 TiB").hasMessageContaining("LBA48").hasMessageContaining("cheerpx");
    assertThatThrownBy(() -> SiteConfig.checkV86DiskBytes((1L << 41) + 1)).hasMessageContaining("2 TiB");
    assertThat(v86(1L << 41, 256).disk().size()).isEqualTo(1L << 41);
    assertThat(v86(5L << 30, 256).disk().size()).isEqualTo(5L << 30);
  }

  @Test
  void guestMemoryIsBetween64And2048MiB() {
    assertThat(v86(1048576, 64).memoryMiB()).isEqualTo(64);
    assertThat(v86(1048576, 2048).memoryMiB()).isEqualTo(2048);
    assertThatThrownBy(() -> v86(1048576, 63)).hasMessage("memory must be between 64 and 2048 MiB, not 63");
    assertThatThrownBy(() -> v86(1048576, 2049)).hasMessage("memory must be between 64 and 2048 MiB, not 2049");
  }
}

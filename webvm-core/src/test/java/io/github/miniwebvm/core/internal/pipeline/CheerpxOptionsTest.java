package io.github.miniwebvm.core.internal.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheerpxOptionsTest {
    @TempDir Path dir;

    private PipelineOptions.Builder base() {
        return PipelineOptionsTest.base(dir);
    }

    @Test
    void cheerpxDefaultsToTheCdnAndTheSitesOwnDisk() {
        PipelineOptions o = base().engine("cheerpx").build();
        assertThat(o.cheerpx.version()).isEqualTo("1.3.9");
        assertThat(o.cheerpx.moduleUrl()).isEqualTo("https://cxrtnc.leaningtech.com/1.3.9/cx.esm.js");
        assertThat(o.cheerpx.diskType()).isEqualTo("github");
        assertThat(o.cheerpx.tailscale()).isFalse();
        assertThat(base().build().cheerpx).isNull();
    }

    @Test
    void versionUrlDiskAndTailscaleReachTheSiteSettings() {
        PipelineOptions o = base().engine("cheerpx").cheerpxUrl("https://mirror.example/cx/")
                .cheerpx("1.2.7", "wss://disks.webvm.io/debian_large.ext2", true, "https://headscale.example").build();
        assertThat(o.cheerpx.moduleUrl()).isEqualTo("https://mirror.example/cx/cx.esm.js");
        assertThat(o.cheerpx.diskType()).isEqualTo("cloud");
        assertThat(o.cheerpx.tailscaleControlUrl()).isEqualTo("https://headscale.example");
        assertThat(base().engine("cheerpx").cheerpx(null, "https://host/img.ext2", false, null).build().cheerpx.diskType())
                .isEqualTo("bytes");
        assertThat(base().engine("cheerpx").cheerpxUrl("https://host/cx.esm.js").build().cheerpx.moduleUrl())
                .isEqualTo("https://host/cx.esm.js");
    }

    @Test
    void badValuesNameTheParameter() {
        assertThatThrownBy(() -> base().engine("cheerpx").cheerpx("1.3.9; rm", null, false, null).build())
                .hasMessageContaining("cheerpxVersion");
        assertThatThrownBy(() -> base().engine("cheerpx").cheerpxUrl("ftp://x/").build())
                .hasMessageContaining("cheerpxUrl 'ftp://x/' must start with https:// or http://");
        assertThatThrownBy(() -> base().engine("cheerpx").cheerpx(null, "disk.ext2", false, null).build())
                .hasMessageContaining("cheerpxDiskUrl");
        assertThatThrownBy(() -> base().cheerpx(null, null, true, null).build())
                .hasMessageContaining("need engine cheerpx");
    }

    @Test
    void cheerpxSettingsChangeTheFingerprint() throws Exception {
        Files.writeString(dir.resolve("Dockerfile"), "FROM scratch\n");
        String plain = base().engine("cheerpx").build().fingerprint().digest();
        assertThat(base().engine("cheerpx").cheerpx("1.3.0", null, false, null).build().fingerprint().digest()).isNotEqualTo(plain);
        assertThat(base().engine("cheerpx").cheerpx(null, null, true, null).build().fingerprint().digest()).isNotEqualTo(plain);
    }
}

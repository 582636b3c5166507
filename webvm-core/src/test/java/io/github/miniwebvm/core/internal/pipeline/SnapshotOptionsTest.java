package io.github.miniwebvm.core.internal.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnapshotOptionsTest {
    @TempDir
    Path dir;

    private PipelineOptions.Builder base() {
        return PipelineOptions.builder().dockerfile(dir.resolve("Dockerfile")).context(dir)
                .outputDirectory(dir.resolve("target/webvm-site")).workDirectory(dir.resolve("target/webvm"))
                .cacheDirectory(dir.resolve("cache"));
    }

    @Test
    void onByDefaultForV86OnlyAndOffOnRequest() {
        assertThat(base().build().snapshot).isTrue();
        assertThat(base().build().snapshotNode).isEqualTo("node");
        assertThat(base().engine("cheerpx").build().snapshot).isFalse();
        assertThat(base().snapshot(false).build().snapshot).isFalse();
    }

    @Test
    void badSettingsAreClearErrors() {
        assertThatThrownBy(() -> base().engine("cheerpx").snapshot(true).build())
                .hasMessageContaining("snapshot=true needs engine v86");
        assertThatThrownBy(() -> base().snapshotReady("([").build()).hasMessageContaining("snapshotReady");
        assertThatThrownBy(() -> base().snapshotTimeoutSeconds(1).build()).hasMessageContaining("at least 10 seconds");
    }

    @Test
    void snapshotSettingsChangeTheFingerprint() throws Exception {
        java.nio.file.Files.writeString(dir.resolve("Dockerfile"), "FROM scratch\n");
        String on = base().build().fingerprint().digest();
        assertThat(base().snapshot(false).build().fingerprint().digest()).isNotEqualTo(on);
        assertThat(base().snapshotReady("\\$ $").build().fingerprint().digest()).isNotEqualTo(on);
    }
}

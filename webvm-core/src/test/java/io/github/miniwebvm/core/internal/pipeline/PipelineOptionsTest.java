package io.github.miniwebvm.core.internal.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PipelineOptionsTest {
    @TempDir Path dir;

    /** Options for a project in {@code dir} with the plugin's default locations. */
    static PipelineOptions.Builder base(Path dir) {
        return PipelineOptions.builder().dockerfile(dir.resolve("Dockerfile")).context(dir)
                .outputDirectory(dir.resolve("target/webvm-site")).workDirectory(dir.resolve("target/webvm"))
                .cacheDirectory(dir.resolve("cache"));
    }

    private PipelineOptions.Builder base() {
        return base(dir);
    }

    @Test
    void defaultsFollowTheEngine() {
        PipelineOptions v86 = base().build();
        assertThat(v86.engine).isEqualTo(PipelineOptions.Engine.V86);
        assertThat(v86.ext2Revision).isEqualTo(1);
        assertThat(v86.diskLayout).isEqualTo(PipelineOptions.Layout.PACKED);
        assertThat(base().engine("cheerpx").build().ext2Revision).isEqualTo(0);
        assertThat(base().engine("cheerpx").ext2Revision(1).build().ext2Revision).isEqualTo(1);
    }

    @Test
    void addIsLimitedToFourGibibytesUnlessToldOtherwise() throws Exception {
        assertThat(base().build().maxAddBytes).isEqualTo(4L << 30);
        assertThat(base().maxAddSize("64K").build().maxAddBytes).isEqualTo(64 << 10);
        assertThatThrownBy(() -> base().maxAddSize("0").build()).hasMessageContaining("maxAddSize must be at least 1 byte");
        assertThatThrownBy(() -> base().maxAddSize("lots").build()).hasMessageContaining("maxAddSize 'lots' is not a size");
        assertThat(base().maxAddSize("1M").build().fingerprint().digest())
                .isNotEqualTo(base().build().fingerprint().digest());
    }

    @Test
    void runStepsGetTheHostNetworkAndTwoHoursUnlessToldOtherwise() throws Exception {
        PipelineOptions o = base().build();
        assertThat(o.run.network()).isTrue();
        assertThat(o.run.timeout()).isEqualTo(java.time.Duration.ofHours(2));
        PipelineOptions none = base().buildNetwork("none").runTimeoutSeconds(30).build();
        assertThat(none.run.network()).isFalse();
        assertThat(none.run.timeout()).isEqualTo(java.time.Duration.ofSeconds(30));
        assertThatThrownBy(() -> base().buildNetwork("bridge").build()).hasMessageContaining("buildNetwork must be default")
                .hasMessageContaining("'bridge'");
        assertThatThrownBy(() -> base().runTimeoutSeconds(0).build()).hasMessageContaining("runTimeout must be at least 1");
        assertThat(base().buildNetwork("none").build().fingerprint().digest())
                .isNotEqualTo(base().build().fingerprint().digest());
    }

    @Test
    void sizesAndHeadroomParse() {
        assertThat(PipelineOptions.parseSize("750M", "imageSize")).isEqualTo(750L << 20);
        assertThat(PipelineOptions.parseSize("2GiB", "imageSize")).isEqualTo(2L << 30);
        assertThat(PipelineOptions.parseSize("4096", "imageSize")).isEqualTo(4096);
        assertThat(base().headroom("30%").build().headroomPercent).isEqualTo(30);
        assertThat(base().headroom("64M").build().headroomBytes).isEqualTo(64L << 20);
    }

    @Test
    void badValuesNameTheParameterAndTheChoices() {
        assertThatThrownBy(() -> base().engine("qemu").build())
                .hasMessage("unknown engine 'qemu'; use one of v86, cheerpx");
        assertThatThrownBy(() -> base().platform("linux/amd64").build())
                .hasMessageContaining("i386 only");
        assertThatThrownBy(() -> base().imageSize("big").build())
                .hasMessageContaining("imageSize 'big' is not a size");
        assertThatThrownBy(() -> base().chunkSize(100_000).build())
                .hasMessageContaining("power of two");
        assertThatThrownBy(() -> PipelineOptions.parsePairs("A=1,B", "webvm.env"))
                .hasMessage("webvm.env: 'B' is not KEY=VALUE");
    }

    @Test
    void fingerprintChangesWithContextContentAndParameters() throws Exception {
        Files.writeString(dir.resolve("Dockerfile"), "FROM scratch\n");
        Files.writeString(dir.resolve("a.txt"), "1");
        String first = base().build().fingerprint().digest();
        assertThat(base().build().fingerprint().digest()).isEqualTo(first);
        // output and work folders are not inputs
        Files.createDirectories(dir.resolve("target/webvm-site"));
        Files.writeString(dir.resolve("target/webvm-site/index.html"), "x");
        assertThat(base().build().fingerprint().digest()).isEqualTo(first);

        Files.writeString(dir.resolve("a.txt"), "2");
        String second = base().build().fingerprint().digest();
        assertThat(second).isNotEqualTo(first);
        assertThat(base().memoryMiB(512).build().fingerprint().digest()).isNotEqualTo(second);
    }
}

package io.github.miniwebvm.core.internal.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.miniwebvm.core.BuildNetwork;
import io.github.miniwebvm.core.BuildOptions;
import io.github.miniwebvm.core.CheerpxOptions;
import io.github.miniwebvm.core.DataSize;
import io.github.miniwebvm.core.DiskOptions;
import io.github.miniwebvm.core.Engine;
import io.github.miniwebvm.core.V86Options;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What follows from combining the option values: engine defaults, cross-engine refusals, the fingerprint. */
class PipelineOptionsTest {
    @TempDir Path dir;

    private PipelineOptions.Builder base() {
        return PipelineOptions.builder().dockerfile(dir.resolve("Dockerfile"), dir)
                .outputDirectory(dir.resolve("target/webvm-site")).workDirectory(dir.resolve("target/webvm"))
                .cacheDirectory(dir.resolve("cache"));
    }

    private String fingerprint(UnaryOperator<PipelineOptions.Builder> settings) throws Exception {
        return settings.apply(base()).build().fingerprint().digest();
    }

    @Test
    void ext2RevisionAndSnapshotFollowTheEngine() {
        PipelineOptions v86 = base().build();
        assertThat(v86.engine).isEqualTo(Engine.V86);
        assertThat(v86.ext2Revision).isEqualTo(1);
        assertThat(v86.snapshot).isTrue();
        assertThat(v86.cheerpx).isNull();
        PipelineOptions cheerpx = base().engine(Engine.CHEERPX).build();
        assertThat(cheerpx.ext2Revision).isEqualTo(0);
        assertThat(cheerpx.snapshot).isFalse();
        assertThat(cheerpx.cheerpx.moduleUrl()).isEqualTo("https://cxrtnc.leaningtech.com/1.3.9/cx.esm.js");
        assertThat(cheerpx.cheerpx.diskType()).isEqualTo("github");
        assertThat(base().engine(Engine.CHEERPX).disk(DiskOptions.builder().ext2Revision(1).build()).build().ext2Revision)
                .isEqualTo(1);
        assertThat(base().v86(V86Options.builder().snapshot(false).build()).build().snapshot).isFalse();
    }

    @Test
    void cheerpxSettingsReachThePage() {
        PipelineOptions o = base().engine(Engine.CHEERPX).cheerpx(CheerpxOptions.builder().url("https://mirror.example/cx/")
                .version("1.2.7").diskUrl("wss://disks.webvm.io/debian_large.ext2").tailscale(true)
                .tailscaleControlUrl("https://headscale.example").build()).build();
        assertThat(o.cheerpx.moduleUrl()).isEqualTo("https://mirror.example/cx/cx.esm.js");
        assertThat(o.cheerpx.diskType()).isEqualTo("cloud");
        assertThat(o.cheerpx.tailscaleControlUrl()).isEqualTo("https://headscale.example");
    }

    @Test
    void settingsOfTheEngineNotChosenAreRefused() {
        assertThatThrownBy(() -> base().cheerpx(CheerpxOptions.builder().tailscale(true).build()).build())
                .hasMessageContaining("need engine cheerpx");
        assertThatThrownBy(() -> base().engine(Engine.CHEERPX).v86(V86Options.builder().network("fetch").build()).build())
                .hasMessageContaining("network 'fetch' needs engine v86");
    }

    @Test
    void runStepsGetTheBuildNetworkAndTimeout() {
        PipelineOptions o = base().build();
        assertThat(o.run.network()).isTrue();
        assertThat(o.run.timeout()).isEqualTo(Duration.ofHours(2));
        PipelineOptions none = base().build(BuildOptions.builder().network(BuildNetwork.NONE)
                .runTimeout(Duration.ofSeconds(30)).build()).build();
        assertThat(none.run.network()).isFalse();
        assertThat(none.run.timeout()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void fingerprintChangesWithContextContentAndSettings() throws Exception {
        Files.writeString(dir.resolve("Dockerfile"), "FROM scratch\n");
        Files.writeString(dir.resolve("a.txt"), "1");
        String first = fingerprint(b -> b);
        assertThat(fingerprint(b -> b)).isEqualTo(first);
        // output and work folders are not inputs
        Files.createDirectories(dir.resolve("target/webvm-site"));
        Files.writeString(dir.resolve("target/webvm-site/index.html"), "x");
        assertThat(fingerprint(b -> b)).isEqualTo(first);

        Files.writeString(dir.resolve("a.txt"), "2");
        String second = fingerprint(b -> b);
        assertThat(second).isNotEqualTo(first);
        for (UnaryOperator<PipelineOptions.Builder> change : java.util.List.<UnaryOperator<PipelineOptions.Builder>>of(
                b -> b.v86(V86Options.builder().memory(DataSize.ofMebibytes(512)).build()),
                b -> b.v86(V86Options.builder().network("fetch").build()),
                b -> b.v86(V86Options.builder().snapshot(false).build()),
                b -> b.v86(V86Options.builder().snapshotReady("\\$ $").build()),
                b -> b.build(BuildOptions.builder().maxAddSize(DataSize.parse("1M")).build()),
                b -> b.build(BuildOptions.builder().network(BuildNetwork.NONE).build()),
                b -> b.build(BuildOptions.builder().buildArg("A", "1").build()),
                b -> b.disk(DiskOptions.builder().size(DataSize.parse("64M")).build()),
                b -> b.engine(Engine.CHEERPX),
                b -> b.engine(Engine.CHEERPX).cheerpx(CheerpxOptions.builder().version("1.3.0").build()),
                b -> b.engine(Engine.CHEERPX).cheerpx(CheerpxOptions.builder().tailscale(true).build()),
                b -> b.toolVersion("2.0"))) {
            assertThat(fingerprint(change)).isNotEqualTo(second);
        }
        assertThat(fingerprint(b -> b.v86(V86Options.builder().network("none").build()))).isEqualTo(second);
    }
}

package io.github.miniwebvm.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Each option value checks itself when it is made, and a bad value's message names the setting and what it accepts. */
class OptionValuesTest {
    @Test
    void defaults() {
        BuildOptions build = BuildOptions.defaults();
        assertThat(build.backend()).isEqualTo(BuildBackend.AUTO);
        assertThat(build.maxAddSize()).isEqualTo(DataSize.ofGibibytes(4));
        assertThat(build.network()).isEqualTo(BuildNetwork.DEFAULT);
        assertThat(build.runTimeout()).isEqualTo(Duration.ofHours(2));
        DiskOptions disk = DiskOptions.defaults();
        assertThat(disk.layout()).isEqualTo(DiskLayout.PACKED);
        assertThat(disk.chunkSize().bytes()).isEqualTo(131072);
        assertThat(disk.ext2Revision()).isNull();
        V86Options v86 = V86Options.defaults();
        assertThat(v86.memory()).isEqualTo(DataSize.ofMebibytes(256));
        assertThat(v86.network()).isEqualTo("none");
        assertThat(v86.snapshot()).isTrue();
        assertThat(v86.node()).isEqualTo("node");
        assertThat(CheerpxOptions.defaults().version()).isEqualTo("1.3.9");
        assertThat(ContainerOverrides.none().entrypoint()).isNull();
        assertThat(ContainerOverrides.builder().entrypoint(java.util.List.of("INHERIT")).build().entrypoint()).isNull();
    }

    @Test
    void textSettingsParse() {
        assertThat(Engine.parse("CheerpX")).isEqualTo(Engine.CHEERPX);
        assertThat(Engine.parse(null)).isEqualTo(Engine.V86);
        assertThat(BuildBackend.parse(" native ")).isEqualTo(BuildBackend.NATIVE);
        assertThat(BuildNetwork.parse("none")).isEqualTo(BuildNetwork.NONE);
        assertThat(DiskLayout.parse("webvm")).isEqualTo(DiskLayout.WEBVM);
        assertThat(Headroom.parse("30%").percent()).isEqualTo(30);
        assertThat(Headroom.parse("64M").size()).isEqualTo(DataSize.ofMebibytes(64));
        assertThat(Headroom.parse(" ")).isNull();
        assertThat(DataSize.parseOptional("", "imageSize")).isNull();
        assertThat(DataSize.parse("750M").bytes()).isEqualTo(750L << 20);
        assertThat(DataSize.parse("1GiB")).isEqualTo(DataSize.ofGibibytes(1));
        assertThat(DataSize.parse("4096").toString()).isEqualTo("4K");
        assertThat(DataSize.ofBytes(1000).toString()).isEqualTo("1000");
    }

    @Test
    void badValuesNameTheSettingAndTheChoices() {
        assertThatThrownBy(() -> Engine.parse("qemu")).hasMessage("unknown engine 'qemu'; use one of v86, cheerpx");
        assertThatThrownBy(() -> BuildBackend.parse("kaniko")).hasMessage("unknown builder 'kaniko'; use one of auto, engine, native");
        assertThatThrownBy(() -> BuildNetwork.parse("bridge")).hasMessage("unknown buildNetwork 'bridge'; use one of default, none");
        assertThatThrownBy(() -> DiskLayout.parse("raw")).hasMessage("unknown diskLayout 'raw'; use one of packed, webvm, v86");
        assertThatThrownBy(() -> DataSize.parse("big", "imageSize")).hasMessageContaining("imageSize 'big' is not a size");
        assertThatThrownBy(() -> DataSize.parse("lots")).hasMessageContaining("'lots' is not a size");
        assertThatThrownBy(() -> DataSize.parse("99999999999T")).hasMessageContaining("too large");
        assertThatThrownBy(() -> Headroom.parse("many%")).hasMessageContaining("headroom 'many%' is not a percentage");
    }

    @Test
    void buildOptionsAreChecked() {
        assertThatThrownBy(() -> BuildOptions.builder().platform("linux/amd64").build()).hasMessageContaining("i386 only");
        assertThatThrownBy(() -> BuildOptions.builder().runTimeout(Duration.ZERO).build())
                .hasMessageContaining("runTimeout must be at least 1 second");
        assertThatThrownBy(() -> BuildOptions.builder().maxAddSize(DataSize.ofBytes(0)).build())
                .hasMessageContaining("maxAddSize must be at least 1 byte");
    }

    @Test
    void diskOptionsAreChecked() {
        assertThatThrownBy(() -> DiskOptions.builder().chunkSize(DataSize.ofBytes(100_000)).build())
                .hasMessageContaining("chunkSize must be a power of two");
        assertThatThrownBy(() -> DiskOptions.builder().blockSize(512).build()).hasMessageContaining("blockSize must be 1024");
        assertThatThrownBy(() -> DiskOptions.builder().ext2Revision(2).build()).hasMessageContaining("ext2Revision must be 0 or 1");
    }

    @Test
    void v86OptionsAreChecked() {
        assertThatThrownBy(() -> V86Options.builder().memory(DataSize.ofMebibytes(8)).build())
                .hasMessageContaining("memory must be between 64 and 2048 MiB, not 8");
        assertThatThrownBy(() -> V86Options.builder().memory(DataSize.ofBytes(3 << 19)).build())
                .hasMessageContaining("memory must be whole MiB");
        assertThatThrownBy(() -> V86Options.builder().snapshotReady("([").build()).hasMessageContaining("snapshotReady");
        assertThatThrownBy(() -> V86Options.builder().snapshotTimeout(Duration.ofSeconds(1)).build())
                .hasMessageContaining("at least 10 seconds");
    }

    @Test
    void theGuestNetworkIsNoneFetchOrARelayUrl() {
        assertThat(V86Options.builder().network("").build().network()).isEqualTo("none");
        assertThat(V86Options.builder().network("NONE").build().network()).isEqualTo("none");
        assertThat(V86Options.builder().network(" fetch ").build().network()).isEqualTo("fetch");
        assertThat(V86Options.builder().network("wisp://127.0.0.1:5001/").build().network()).isEqualTo("wisp://127.0.0.1:5001/");
        assertThat(V86Options.builder().network("WISPS://relay.example/wisp/").build().network())
                .isEqualTo("wisps://relay.example/wisp/");
        assertThat(V86Options.builder().network("wss://relay.widgetry.org/").build().network()).isEqualTo("wss://relay.widgetry.org/");
        for (String bad : new String[] {"fetsh", "https://relay.example/", "wisp://", "wisp:///path", "tcp://host:1",
                "wisp://host/ x", "wisp://host/#frag"}) {
            assertThatThrownBy(() -> V86Options.builder().network(bad).build()).as(bad)
                    .hasMessageContaining("network '" + bad + "'")
                    .hasMessageContaining("network accepts none (the default), fetch")
                    .hasMessageContaining("wisp://");
        }
    }

    @Test
    void cheerpxOptionsAreChecked() {
        assertThat(CheerpxOptions.builder().url(" ").build().url()).isNull();
        assertThatThrownBy(() -> CheerpxOptions.builder().version("1.3.9; rm").build()).hasMessageContaining("cheerpxVersion");
        assertThatThrownBy(() -> CheerpxOptions.builder().url("ftp://x/").build())
                .hasMessageContaining("cheerpxUrl 'ftp://x/' must start with https:// or http://");
        assertThatThrownBy(() -> CheerpxOptions.builder().diskUrl("disk.ext2").build()).hasMessageContaining("cheerpxDiskUrl");
    }
}

package io.github.miniwebvm.core.internal.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NetworkOptionsTest {
    @TempDir Path dir;

    private PipelineOptions.Builder base() {
        return PipelineOptionsTest.base(dir);
    }

    @Test
    void noneByDefaultFetchAndRelayUrlsAccepted() {
        assertThat(base().build().network).isEqualTo("none");
        assertThat(base().network("").build().network).isEqualTo("none");
        assertThat(base().network("NONE").build().network).isEqualTo("none");
        assertThat(base().network(" fetch ").build().network).isEqualTo("fetch");
        assertThat(base().network("wisp://127.0.0.1:5001/").build().network).isEqualTo("wisp://127.0.0.1:5001/");
        assertThat(base().network("WISPS://relay.example/wisp/").build().network).isEqualTo("wisps://relay.example/wisp/");
        assertThat(base().network("wss://relay.widgetry.org/").build().network).isEqualTo("wss://relay.widgetry.org/");
    }

    @Test
    void badValuesNameTheParameterAndWhatItAccepts() {
        for (String bad : new String[] {"fetsh", "https://relay.example/", "wisp://", "wisp:///path", "tcp://host:1",
                "wisp://host/ x", "wisp://host/#frag"}) {
            assertThatThrownBy(() -> base().network(bad).build()).as(bad)
                    .hasMessageContaining("network '" + bad + "'")
                    .hasMessageContaining("network accepts none (the default), fetch")
                    .hasMessageContaining("wisp://");
        }
        assertThatThrownBy(() -> base().engine("cheerpx").network("fetch").build())
                .hasMessageContaining("network 'fetch' needs engine v86");
    }

    @Test
    void theNetworkChangesTheFingerprint() throws Exception {
        Files.writeString(dir.resolve("Dockerfile"), "FROM scratch\n");
        String none = base().build().fingerprint().digest();
        assertThat(base().network("none").build().fingerprint().digest()).isEqualTo(none);
        assertThat(base().network("fetch").build().fingerprint().digest()).isNotEqualTo(none);
    }

    @Test
    void theNetworkReachesTheSitesWebvmJson() throws Exception {
        Path cache = Path.of(System.getProperty("user.home"), ".cache", "webvm-maven");
        assumeTrue(Files.isDirectory(cache.resolve("debian")), "no boot kit cache in " + cache
                + "; run one build online (or the image-builder boot kit tests) first");
        Path image = dir.resolve("rootfs.tar");
        try (TarArchiveOutputStream t = new TarArchiveOutputStream(Files.newOutputStream(image))) {
            for (String[] f : new String[][] {{"etc/passwd", "root:x:0:0:root:/root:/bin/sh\n"}, {"bin/sh", "#!fake\n"}}) {
                byte[] bytes = f[1].getBytes(StandardCharsets.UTF_8);
                TarArchiveEntry e = new TarArchiveEntry(f[0]);
                e.setSize(bytes.length);
                e.setMode(0755);
                t.putArchiveEntry(e);
                t.write(bytes);
                t.closeArchiveEntry();
            }
        }
        Path site = dir.resolve("out/webvm-site");
        List<String> log = new ArrayList<>();
        PipelineOptions o = PipelineOptions.builder().image(image).context(dir).imageSize("4M")
                .outputDirectory(site).workDirectory(dir.resolve("out/webvm")).cacheDirectory(cache)
                .offline(true).snapshot(false).network("wisp://127.0.0.1:5001/").build();
        new Pipeline(o, new StageLog(log::add, log::add)).run();
        assertThat(new ObjectMapper().readTree(site.resolve("webvm.json").toFile()).path("network").asText())
                .isEqualTo("wisp://127.0.0.1:5001/");
    }
}

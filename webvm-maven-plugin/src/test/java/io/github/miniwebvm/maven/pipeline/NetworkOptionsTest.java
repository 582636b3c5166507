package io.github.miniwebvm.maven.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
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
}

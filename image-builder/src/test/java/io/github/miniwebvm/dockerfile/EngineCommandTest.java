package io.github.miniwebvm.dockerfile;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.miniwebvm.testsupport.MissingOracle;
import io.github.miniwebvm.testsupport.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the engine backend asks podman for, given the Dockerfile and the options. */
class EngineCommandTest {
    @TempDir
    Path dir;

    private List<String> podmanCommand(String dockerfile, boolean allowInsecure, List<String> log) throws Exception {
        MissingOracle.require(Tools.available("podman"), "podman is not installed (scripts/setup-host.sh installs it)");
        Path df = Files.writeString(dir.resolve("Dockerfile"), dockerfile);
        BuildRequest req = new BuildRequest(df, dir, Map.of("BASE", "localhost:5000/base:1"), null, "linux/386",
                allowInsecure, dir.resolve("cache"), false, ImageBuild.DEFAULT_MAX_ADD_BYTES, null, RunOptions.DEFAULT, log::add);
        return Engine.select("podman", new StringBuilder()).buildCommand(req, df, dir.resolve("iid"), false);
    }

    @Test
    void tlsVerificationIsOffOnlyWhenEveryRegistryIsOnThisMachine() throws Exception {
        List<String> log = new ArrayList<>();
        assertThat(podmanCommand("ARG BASE\nFROM ${BASE} AS a\nFROM 127.0.0.1:5000/x\nFROM a\n", true, log))
                .contains("--tls-verify=false");
        assertThat(podmanCommand("ARG BASE\nFROM ${BASE}\n", false, log)).doesNotContain("--tls-verify=false");
        assertThat(log).isEmpty();

        assertThat(podmanCommand("ARG BASE\nFROM ${BASE}\nFROM registry.example:5000/other\n", true, log))
                .doesNotContain("--tls-verify=false");
        assertThat(log).singleElement().asString().contains("registry.example:5000/other")
                .contains("registries on this machine only");
    }
}

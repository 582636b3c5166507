package io.github.miniwebvm.dockerfile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.miniwebvm.fs.Node;
import io.github.miniwebvm.image.ImageLoader;
import io.github.miniwebvm.image.LoadedImage;
import io.github.miniwebvm.testsupport.LocalRegistry;
import io.github.miniwebvm.testsupport.TestBaseImage;
import io.github.miniwebvm.testsupport.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EngineBuildTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path RESOURCES = Path.of("src/test/resources/engine").toAbsolutePath();

    @TempDir
    Path work;

    @Test
    void buildsTargetStageWithBuildArgsFromTheLocalRegistryAndSavesADockerArchive() throws Exception {
        String base = LocalRegistry.shared().seedTestBase();
        List<String> log = new CopyOnWriteArrayList<>();
        BuiltImage image = ImageBuild.builder()
                .context(RESOURCES.resolve("multistage"))
                .dockerfile(RESOURCES.resolve("multistage/sub/Build.dockerfile"))
                .buildArgs(Map.of("BASE", base, "GREETING", "bonjour"))
                .target("final")
                .allowInsecureRegistries(true)
                .backend(Backend.ENGINE)
                .engine("podman")
                .log(log::add)
                .build()
                .run(work.resolve("out"));

        assertThat(image.backend()).isEqualTo(Backend.ENGINE);
        assertThat(image.engine()).isEqualTo("podman");
        assertThat(image.format()).isEqualTo(BuiltImage.Format.DOCKER_ARCHIVE);
        assertThat(image.digest()).matches("sha256:[0-9a-f]{64}");
        assertThat(log).anyMatch(l -> l.contains("STEP")).anyMatch(l -> l.contains("[webvm] building with podman"));

        try (LoadedImage loaded = ImageLoader.builder().workDirectory(work.resolve("spool")).webvmFixups(false).build()
                .load(image.path())) {
            assertThat(text(loaded, "greeting")).isEqualTo("bonjour\n");
            assertThat(text(loaded, "arch")).isEqualTo("i686\n");
            assertThat(text(loaded, "opt/hello.txt")).isEqualTo("hello from the context\n");
            assertThat(loaded.tree().lookup("other")).isEmpty();
            assertThat(loaded.config().cmd()).hasValue(List.of("cat", "/greeting"));
            assertThat(loaded.config().env()).contains("MODE=final");
        }
        // the archive's own config, read with the tar CLI as an independent oracle
        JsonNode manifest = JSON.readTree(Tools.runBytes(List.of("tar", "-xOf", image.path().toString(),
                "manifest.json"), null));
        JsonNode config = JSON.readTree(Tools.runBytes(List.of("tar", "-xOf", image.path().toString(),
                manifest.get(0).get("Config").asText()), null));
        assertThat(config.get("architecture").asText()).isEqualTo("386");
        assertThat(config.get("os").asText()).isEqualTo("linux");
        assertThat(image.digest()).isEqualTo("sha256:" + manifest.get(0).get("Config").asText().replace(".json", ""));
    }

    private static String text(LoadedImage img, String path) throws Exception {
        Node n = img.tree().lookup(path).orElseThrow(() -> new AssertionError("missing " + path));
        try (var in = n.content().open()) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    @Test
    void failingRunReportsTheExitStatusAndOutput() throws Exception {
        String base = TestBaseImage.podmanImage();
        Path ctx = Files.createDirectories(work.resolve("ctx"));
        Files.writeString(ctx.resolve("Dockerfile"), "FROM " + base + "\nRUN echo about to fail && exit 3\n");
        List<String> log = new CopyOnWriteArrayList<>();
        ImageBuild build = ImageBuild.builder().context(ctx).backend(Backend.ENGINE).engine("podman")
                .offline(true).log(log::add).build();
        assertThatThrownBy(() -> build.run(work.resolve("out")))
                .isInstanceOf(ImageBuildException.class)
                .hasMessageContaining("podman build failed")
                .hasMessageContaining("about to fail")
                .hasMessageContaining("exit status 3");
        assertThat(log).contains("about to fail");
    }

    @Test
    void unknownEngineIsAClearError() throws Exception {
        Path ctx = Files.createDirectories(work.resolve("ctx"));
        Files.writeString(ctx.resolve("Dockerfile"), "FROM scratch\n");
        ImageBuild build = ImageBuild.builder().context(ctx).backend(Backend.ENGINE).engine("no-such-engine").build();
        assertThatThrownBy(() -> build.run(work)).isInstanceOf(ImageBuildException.class)
                .hasMessageContaining("'no-such-engine' does not run here");
    }

}

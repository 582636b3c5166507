package io.github.miniwebvm.build;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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

        Path root = DockerArchiveOracle.extract(image.path(), work.resolve("x"), 1);
        assertThat(Files.readString(root.resolve("greeting"))).isEqualTo("bonjour\n");
        assertThat(Files.readString(root.resolve("arch"))).isEqualTo("i686\n");
        assertThat(Files.readString(root.resolve("opt/hello.txt"))).isEqualTo("hello from the context\n");
        assertThat(root.resolve("other")).doesNotExist();
        JsonNode config = DockerArchiveOracle.config(image.path());
        assertThat(config.get("architecture").asText()).isEqualTo("386");
        assertThat(config.get("os").asText()).isEqualTo("linux");
        assertThat(config.at("/config/Cmd").toString()).isEqualTo("[\"cat\",\"/greeting\"]");
        assertThat(config.at("/config/Env").toString()).contains("MODE=final");
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

    /** Reads a docker-archive with the tar CLI (an independent oracle, not our reader). */
    static final class DockerArchiveOracle {
        private static final ObjectMapper JSON = new ObjectMapper();

        static JsonNode manifest(Path archive) throws Exception {
            return JSON.readTree(Tools.runBytes(List.of("tar", "-xOf", archive.toString(), "manifest.json"), null));
        }

        static JsonNode config(Path archive) throws Exception {
            String name = manifest(archive).get(0).get("Config").asText();
            return JSON.readTree(Tools.runBytes(List.of("tar", "-xOf", archive.toString(), name), null));
        }

        /** Extracts the layers after the first {@code skip} in order (whiteouts are not applied: tests avoid deletions). */
        static Path extract(Path archive, Path dir, int skip) throws Exception {
            Path raw = Files.createDirectories(dir.resolve("archive"));
            Path root = Files.createDirectories(dir.resolve("rootfs"));
            Tools.run(List.of("tar", "-xf", archive.toString(), "-C", raw.toString()), null);
            JsonNode layers = manifest(archive).get(0).get("Layers");
            for (int i = skip; i < layers.size(); i++) {
                JsonNode layer = layers.get(i);
                Tools.run(List.of("tar", "--numeric-owner", "-xf", raw.resolve(layer.asText()).toString(),
                        "-C", root.toString()), null);
            }
            return root;
        }
    }
}

package io.github.miniwebvm.dockerfile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.miniwebvm.dockerfile.syntax.DockerfileException;
import io.github.miniwebvm.fs.Node;
import io.github.miniwebvm.image.ImageLoader;
import io.github.miniwebvm.image.LoadedImage;
import io.github.miniwebvm.testsupport.LocalRegistry;
import io.github.miniwebvm.testsupport.TestBaseImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The native builder against real inputs: the fixture as oci-archive and in a local registry. */
class NativeBuildTest {
    @TempDir
    Path work;

    private Path context(String dockerfile) throws Exception {
        Path ctx = Files.createDirectories(work.resolve("ctx"));
        Files.writeString(ctx.resolve("Dockerfile"), dockerfile);
        return ctx;
    }

    /** A native build of {@code ctx} with this test's own layer cache. */
    private ImageBuild.Builder nativeBuild(Path ctx) {
        return ImageBuild.builder().context(ctx).backend(Backend.NATIVE).cacheDirectory(work.resolve("cache"));
    }

    private static String fileText(LoadedImage img, String path) throws Exception {
        Node n = img.tree().lookup(path).orElseThrow(() -> new AssertionError("missing " + path));
        try (var in = n.content().open()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private LoadedImage load(BuiltImage img) throws Exception {
        return ImageLoader.builder().workDirectory(work.resolve("spool")).webvmFixups(false).build().load(img.path());
    }

    @Test
    void unchangedRebuildRunsNoRunStep() throws Exception {
        Path ctx = context("ARG BASE\nFROM ${BASE}\n"
                + "RUN echo RUN-ONE-EXECUTED && useradd -m -u 1000 user\n"
                + "COPY app.txt /home/user/app.txt\n"
                + "RUN echo RUN-TWO-EXECUTED && wc -c /home/user/app.txt > /home/user/size\n");
        Files.writeString(ctx.resolve("app.txt"), "version 1\n");
        ImageBuild.Builder b = nativeBuild(ctx)
                .buildArgs(Map.of("BASE", "oci-archive:" + TestBaseImage.ociArchive()));

        List<String> first = new CopyOnWriteArrayList<>();
        BuiltImage one = b.log(first::add).build().run(work.resolve("out1"));
        assertThat(first).contains("RUN-ONE-EXECUTED", "RUN-TWO-EXECUTED");

        List<String> second = new CopyOnWriteArrayList<>();
        BuiltImage two = b.log(second::add).build().run(work.resolve("out2"));
        assertThat(second).doesNotContain("RUN-ONE-EXECUTED", "RUN-TWO-EXECUTED")
                .filteredOn(l -> l.contains("cached")).hasSize(3);
        try (LoadedImage a = load(one); LoadedImage c = load(two)) {
            assertThat(fileText(c, "home/user/size")).isEqualTo(fileText(a, "home/user/size"));
        }

        // a changed COPY source re-runs the COPY and what follows it, not what precedes it
        Files.writeString(ctx.resolve("app.txt"), "version 22\n");
        List<String> third = new CopyOnWriteArrayList<>();
        BuiltImage three = b.log(third::add).build().run(work.resolve("out3"));
        assertThat(third).doesNotContain("RUN-ONE-EXECUTED").contains("RUN-TWO-EXECUTED");
        try (LoadedImage img = load(three)) {
            assertThat(fileText(img, "home/user/size")).isEqualTo("11 /home/user/app.txt\n");
        }
    }

    @Test
    void fromAPlainHttpRegistryNeedsTheInsecureFlag() throws Exception {
        String ref = LocalRegistry.shared().seedTestBase();
        Path ctx = context("FROM " + ref + "\nRUN echo from-registry > /marker\nCMD [\"cat\", \"/marker\"]\n");
        ImageBuild.Builder b = nativeBuild(ctx);
        assertThatThrownBy(() -> b.allowInsecureRegistries(false).build().run(work.resolve("out")))
                .isInstanceOf(ImageBuildException.class)
                .hasMessageContaining("does not speak TLS")
                .hasMessageContaining("allowInsecureRegistries");

        List<String> log = new CopyOnWriteArrayList<>();
        BuiltImage img = b.allowInsecureRegistries(true).log(log::add).build().run(work.resolve("out"));
        assertThat(img.backend()).isEqualTo(Backend.NATIVE);
        assertThat(img.format()).isEqualTo(BuiltImage.Format.OCI_LAYOUT);
        assertThat(log).anyMatch(l -> l.contains("using plain HTTP"));
        try (LoadedImage loaded = load(img)) {
            assertThat(fileText(loaded, "marker")).isEqualTo("from-registry\n");
            assertThat(loaded.tree().lookup("usr/bin/bash")).isPresent();
            assertThat(loaded.config().cmd()).hasValue(List.of("cat", "/marker"));
        }
    }

    @Test
    void failingRunNamesTheLineAndExitStatus() throws Exception {
        Path ctx = context("ARG BASE\nFROM ${BASE}\nENV A=1\nRUN echo about to fail; exit 7\n");
        List<String> log = new CopyOnWriteArrayList<>();
        ImageBuild build = nativeBuild(ctx).log(log::add)
                .buildArgs(Map.of("BASE", "oci-archive:" + TestBaseImage.ociArchive())).build();
        assertThatThrownBy(() -> build.run(work.resolve("out")))
                .isInstanceOf(ImageBuildException.class)
                .hasMessage("Dockerfile:4: RUN failed with exit status 7: RUN echo about to fail; exit 7");
        assertThat(log).contains("about to fail");
    }

    @Test
    void addOfAUrlIsRejectedOffline() throws Exception {
        Path ctx = context("FROM scratch\nADD http://127.0.0.1:9/file.txt /file.txt\n");
        ImageBuild build = nativeBuild(ctx).offline(true).build();
        assertThatThrownBy(() -> build.run(work.resolve("out")))
                .isInstanceOf(DockerfileException.class)
                .hasMessageContaining("Dockerfile:2: ADD http://127.0.0.1:9/file.txt: the build is offline");
    }

    @Test
    void missingCopySourceIsAClearError() throws Exception {
        Path ctx = context("FROM scratch\nCOPY nope.txt /\n");
        ImageBuild build = nativeBuild(ctx).build();
        assertThatThrownBy(() -> build.run(work.resolve("out")))
                .hasMessageContaining("Dockerfile:2: COPY failed: 'nope.txt' not found in the build context");
    }

    @Test
    void unsupportedInstructionNamesTheEngineAlternative() throws Exception {
        Path ctx = context("FROM scratch\nHEALTHCHECK NONE\n");
        ImageBuild build = nativeBuild(ctx).build();
        assertThatThrownBy(() -> build.run(work.resolve("out")))
                .isInstanceOf(ImageBuildException.class)
                .hasMessageContaining("Dockerfile:2: HEALTHCHECK is not supported by the native builder")
                .hasMessageContaining("Use builder=engine");
    }

    @Test
    void autoPicksTheNativeBuilderWhenItCanAndSaysWhy() throws Exception {
        Path ctx = context("ARG BASE\nFROM ${BASE}\nRUN echo auto > /auto\n");
        List<String> log = new CopyOnWriteArrayList<>();
        BuiltImage img = ImageBuild.builder().context(ctx).backend(Backend.AUTO).log(log::add)
                .buildArgs(Map.of("BASE", "oci-archive:" + TestBaseImage.ociArchive()))
                .cacheDirectory(work.resolve("cache")).build().run(work.resolve("out"));
        assertThat(img.backend()).isEqualTo(Backend.NATIVE);
        assertThat(img.reason()).contains("builder=auto: the native builder can do every instruction");
        assertThat(log).anyMatch(l -> l.startsWith("[webvm] building with the native builder (builder=auto"));
    }

    @Test
    void autoFallsBackToPodmanAndSaysWhy() throws Exception {
        String base = TestBaseImage.podmanImage();
        Path ctx = context("FROM " + base + "\nHEALTHCHECK CMD true\nRUN echo engine > /engine\n");
        List<String> log = new CopyOnWriteArrayList<>();
        BuiltImage img = ImageBuild.builder().context(ctx).backend(Backend.AUTO).offline(true).log(log::add)
                .cacheDirectory(work.resolve("cache")).build().run(work.resolve("out"));
        assertThat(img.backend()).isEqualTo(Backend.ENGINE);
        assertThat(img.engine()).isEqualTo("podman");
        assertThat(img.reason()).contains("HEALTHCHECK is not supported by the native builder")
                .contains("names a local engine image").contains("no docker daemon answers; podman is installed");
        try (LoadedImage loaded = load(img)) {
            assertThat(fileText(loaded, "engine")).isEqualTo("engine\n");
        }
    }
}

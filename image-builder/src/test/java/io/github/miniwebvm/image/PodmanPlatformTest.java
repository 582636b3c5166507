package io.github.miniwebvm.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.miniwebvm.io.Trees;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Platform selection on indexes written by buildah/podman: a manifest list with linux/amd64 and
 * linux/386 yields the 386 image; amd64-only images are refused with a message about i386.
 */
class PodmanPlatformTest {
    private static final String TINY = "localhost/webvm-flatten-test/tiny";
    private static Path dir;

    @BeforeAll
    static void images() throws IOException {
        Podman.assumeAvailable();
        dir = Path.of("target/podman-platform").toAbsolutePath();
        Trees.deleteRecursively(dir);
        Files.createDirectories(dir);
        for (String arch : List.of("386", "amd64")) {
            if (Podman.run(List.of("podman", "image", "exists", TINY + ":" + arch), 60, false).exit() != 0) {
                Path tar = dir.resolve(arch + ".tar");
                Files.write(tar, new TestTars.Layer().file("arch", arch).bytes());
                Podman.run("podman", "import", "--arch", arch, "--os", "linux", tar.toString(), TINY + ":" + arch);
            }
        }
    }

    private LoadedImage load(Path input) throws IOException {
        return ImageLoader.builder().workDirectory(dir.resolve("work")).build().load(input);
    }

    @Test
    void manifestListWithAmd64And386YieldsThe386Image() throws IOException {
        String list = TINY + "-list:pid" + ProcessHandle.current().pid();   // unique: other checkouts may run this too
        Podman.run(List.of("buildah", "manifest", "rm", list), 60, false);
        Podman.run("buildah", "manifest", "create", list);
        try {
            Podman.run("buildah", "manifest", "add", list, "containers-storage:" + TINY + ":amd64");
            Podman.run("buildah", "manifest", "add", list, "containers-storage:" + TINY + ":386");
            Path layout = dir.resolve("list-oci");
            Podman.run("buildah", "manifest", "push", "--all", list, "oci:" + layout);
            assertThat(Files.readString(layout.resolve("index.json"))).contains(MediaTypes.OCI_INDEX);
            try (LoadedImage image = load(layout); InputStream in = image.tree().lookup("arch").orElseThrow()
                    .content().open()) {
                assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("386");
                assertThat(image.config().architecture()).isEqualTo("386");
            }
        } finally {
            Podman.run(List.of("buildah", "manifest", "rm", list), 60, false);
        }
    }

    @Test
    void amd64ImagesSavedByPodmanAreRefused() throws IOException {
        for (String format : List.of("oci-archive", "docker-archive")) {
            Path archive = dir.resolve("amd64." + format + ".tar");
            Podman.run("podman", "save", "--format", format, "-o", archive.toString(), TINY + ":amd64");
            assertThatThrownBy(() -> load(archive)).as(format).isInstanceOf(ImageFormatException.class)
                    .hasMessageContaining("amd64").hasMessageContaining("i386");
        }
        try (var s = Files.list(dir.resolve("work"))) {
            assertThat(s.toList()).isEmpty();
        }
    }
}

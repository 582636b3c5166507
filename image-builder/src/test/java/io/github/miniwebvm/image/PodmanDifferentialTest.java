package io.github.miniwebvm.image;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.miniwebvm.io.Sha256;
import io.github.miniwebvm.io.Trees;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Flattens images that podman built and saved, and compares the tree with {@code podman export}
 * of a container of the same image: same paths, types, modes, owners, mtimes, link targets,
 * device numbers, contents and hard-link groups.
 */
class PodmanDifferentialTest {
    /** Files podman itself puts into a created container (mount points for its own files). */
    private static final Set<String> ADDED_BY_PODMAN = Set.of("etc/hosts", "etc/hostname", "etc/resolv.conf",
            "run/.containerenv");

    private static Path dir;
    private static String image;
    private static TreeSnapshot exported;

    @BeforeAll
    static void buildImage() throws IOException {
        Podman.assumeAvailable();
        String base = Podman.baseImage();
        Path context = Path.of("src/test/resources/podman").toAbsolutePath();
        String tag = "localhost/webvm-flatten-test/layers:" + contextHash(context).substring(0, 16);
        dir = Path.of("target/podman-diff").toAbsolutePath();
        Files.createDirectories(dir);
        if (Podman.run(List.of("podman", "image", "exists", tag), 60, false).exit() != 0) {
            Podman.run("podman", "build", "--isolation=chroot", "--cap-add=CAP_MKNOD", "--platform", "linux/386",
                    "--build-arg", "BASE=" + base, "-f", context.resolve("Dockerfile.layers").toString(), "-t", tag,
                    context.toString());
        }
        image = tag;
        Path export = dir.resolve("export.tar");
        Files.deleteIfExists(export);
        String container = Podman.run("podman", "create", image).out().trim();
        container = container.substring(container.lastIndexOf('\n') + 1);
        try {
            Podman.run("podman", "export", "-o", export.toString(), container);
        } finally {
            Podman.run(List.of("podman", "rm", container), 120, false);
        }
        exported = TreeSnapshot.ofTar(export);
    }

    @Test
    void dockerArchiveFlattensLikePodmanExport() throws IOException {
        Path archive = save("docker-archive", "image.docker.tar");
        assertSameAsExport(archive);
    }

    @Test
    void ociArchiveFlattensLikePodmanExport() throws IOException {
        Path archive = save("oci-archive", "image.oci.tar");
        assertSameAsExport(archive);
    }

    @Test
    void zstdOciLayoutFromSkopeoFlattensLikePodmanExport() throws IOException {
        Path archive = save("docker-archive", "image.docker.tar");
        Path layout = dir.resolve("zstd-layout");
        Trees.deleteRecursively(layout);
        Podman.run("skopeo", "copy", "--dest-compress-format", "zstd", "docker-archive:" + archive,
                "oci:" + layout + ":test");
        assertThat(Files.readString(layout.resolve("index.json"))).contains("manifest");
        assertSameAsExport(layout);
    }

    private static Path save(String format, String name) throws IOException {
        Path out = dir.resolve(name);
        Files.deleteIfExists(out);
        Podman.run("podman", "save", "--format", format, "-o", out.toString(), image);
        return out;
    }

    private void assertSameAsExport(Path input) throws IOException {
        Path work = dir.resolve("work");
        try (LoadedImage loaded = ImageLoader.builder().workDirectory(work).webvmFixups(false).build().load(input)) {
            TreeSnapshot ours = TreeSnapshot.of(loaded.tree());
            Map<String, String> expectedEntries = new TreeMap<>(exported.entries());
            for (String p : ADDED_BY_PODMAN) {
                if (!ours.entries().containsKey(p)) {
                    expectedEntries.remove(p);
                }
            }
            TreeSnapshot expected = new TreeSnapshot(expectedEntries, exported.hardLinkGroups());
            assertThat(ours.differencesFrom(expected, 40)).as("differences from podman export").isEmpty();
            assertThat(ours.entries().size()).isGreaterThan(1000);
            // the Dockerfile's rules really are in the compared trees
            assertThat(ours.entries()).containsKeys("t/opaque/c", "t/dir2file/y", "t/null", "t/loop7", "t/fifo",
                    "t/longlink", "t/setuid-link").doesNotContainKeys("t/opaque/b", "t/opaque/sub", "t/deleted",
                    "usr/share/doc/apt", "t/dir2file/x", "t/file2dir/f");
            assertThat(ours.entries().get("t/file2dir")).startsWith("symlink -> /etc");
            assertThat(ours.entries().get("t/link2file")).startsWith("file ");
            assertThat(ours.entries().get("t/setuid")).startsWith("file 4755 0:0");
            assertThat(ours.entries().get("t/null")).isEqualTo("char 0620 0:0 @" + mtime(ours, "t/null") + " 1,3");
            assertThat(ours.entries().get("t/opaque")).startsWith("dir 1777 ");
            assertThat(ours.entries().get("t/opaque/c")).contains(" @1000000000 ");
            assertThat(ours.entries().get("t/owned.txt")).startsWith("file 0640 1234:5678 ");
            assertThat(ours.hardLinkGroups()).contains(Set.of("t/hl/orig", "t/hl/link2"),
                    Set.of("t/setuid", "t/setuid-link"));
            assertThat(ours.entries().get("t/hl/link2")).startsWith("file 0644 42:43 ");
            assertThat(loaded.config().architecture()).isEqualTo("386");
            assertThat(loaded.config().webvmCommand()).contains("/bin/bash");
            assertThat(loaded.config().webvmArgs()).containsExactly("-l");
            String id = Podman.run("podman", "image", "inspect", "--format", "{{.Id}}", image).out().trim();
            assertThat(loaded.digest()).isEqualTo("sha256:" + id);
        }
    }

    private static String mtime(TreeSnapshot s, String path) {
        String d = s.entries().get(path);
        return d.substring(d.indexOf('@') + 1).split(" ")[0];
    }

    private static String contextHash(Path context) throws IOException {
        StringBuilder all = new StringBuilder();
        try (var files = Files.walk(context)) {
            for (Path p : files.filter(Files::isRegularFile).sorted().toList()) {
                all.append(context.relativize(p)).append('\0').append(Files.readString(p)).append('\0');
            }
        }
        return Sha256.ociDigest(all.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8)).substring(7);
    }
}

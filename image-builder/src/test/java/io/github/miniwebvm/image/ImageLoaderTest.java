package io.github.miniwebvm.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.miniwebvm.fs.FileTree;
import io.github.miniwebvm.fs.Node;
import io.github.miniwebvm.io.Sha256;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Input formats, platform selection, digest checks and failures, through the public API. */
class ImageLoaderTest {
    @TempDir
    Path tmp;

    private Path work() {
        return tmp.resolve("work");
    }

    private LoadedImage load(Path input) throws IOException {
        return ImageLoader.builder().workDirectory(work()).webvmFixups(false).build().load(input);
    }

    private static byte[] base() {
        return new TestTars.Layer().dir("etc").file("etc/os-release", "ID=test\n").dir("bin")
                .file("bin/sh", "#!", 0755, 0, 0, 5).file("gone", "g").bytes();
    }

    private static byte[] top() {
        return new TestTars.Layer().file(".wh.gone", "").file("etc/motd", "hello\n").hardlink("bin/sh2", "bin/sh").bytes();
    }

    private static String text(FileTree tree, String path) throws IOException {
        try (InputStream in = tree.lookup(path).orElseThrow().content().open()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static void assertFlattened(LoadedImage image) throws IOException {
        FileTree t = image.tree();
        assertThat(text(t, "etc/os-release")).isEqualTo("ID=test\n");
        assertThat(text(t, "etc/motd")).isEqualTo("hello\n");
        assertThat(t.lookup("gone")).isEmpty();
        assertThat(t.lookup("bin/sh2").orElseThrow()).isSameAs(t.lookup("bin/sh").orElseThrow());
        assertThat(image.config().architecture()).isEqualTo("386");
        assertThat(image.config().webvmCommand()).contains("/bin/sh");
        assertThat(image.config().env()).containsExactly("PATH=/usr/bin:/bin");
        assertThat(image.config().workingDir()).isEqualTo("/root");
    }

    private long spoolFiles() throws IOException {
        if (!Files.exists(work())) {
            return 0;
        }
        try (Stream<Path> s = Files.walk(work())) {
            return s.filter(Files::isRegularFile).count();
        }
    }

    @Test
    void ociLayoutWithPlainGzipAndZstdLayers() throws IOException {
        Path layout = TestTars.ociLayout(tmp.resolve("oci"), "386", List.of(TestTars.Blob.plain(base()),
                TestTars.Blob.gzipped(top()), TestTars.Blob.zstded(new TestTars.Layer().file("z", "zstd").bytes())));
        try (LoadedImage image = load(layout)) {
            assertFlattened(image);
            assertThat(text(image.tree(), "z")).isEqualTo("zstd");
            assertThat(image.tree().lookup("etc/os-release").orElseThrow().content().describe())
                    .contains(layout.resolve("blobs").toString());
            assertThat(image.digest()).matches("sha256:[0-9a-f]{64}");
            assertThat(spoolFiles()).isEqualTo(2);   // the gzip and zstd layers, decompressed
        }
        assertThat(spoolFiles()).isZero();
    }

    @Test
    void ociArchiveTarIsReadInPlace() throws IOException {
        Path layout = TestTars.ociLayout(tmp.resolve("oci"), "386", List.of(TestTars.Blob.plain(base()),
                TestTars.Blob.plain(top())));
        Path archive = tarOf(layout, tmp.resolve("image.oci.tar"));
        try (LoadedImage image = load(archive)) {
            assertFlattened(image);
            assertThat(image.tree().lookup("etc/motd").orElseThrow().content().describe()).contains("image.oci.tar @");
            assertThat(spoolFiles()).isZero();
            try (LoadedImage fromDir = load(layout)) {
                assertThat(image.digest()).isEqualTo(fromDir.digest());
                assertThat(TreeSnapshot.of(image.tree())).isEqualTo(TreeSnapshot.of(fromDir.tree()));
            }
        }
    }

    @Test
    void dockerArchivePlainAndGzipped() throws IOException {
        Path archive = TestTars.dockerArchive(tmp.resolve("image.docker.tar"), "386", List.of(base(), top()));
        try (LoadedImage image = load(archive)) {
            assertFlattened(image);
        }
        Path gz = tmp.resolve("image.docker.tar.gz");
        Files.write(gz, TestTars.gzip(Files.readAllBytes(archive)));
        try (LoadedImage image = load(gz)) {
            assertFlattened(image);
        }
    }

    @Test
    void dockerArchiveLayerSymlinksAreFollowedInsideTheArchive() throws IOException {
        byte[] layer = base();
        ObjectMapper json = new ObjectMapper();
        ObjectNode config = TestTars.config("386", List.of(TestTars.Blob.plain(layer)));
        byte[] configBytes = json.writeValueAsBytes(config);
        TestTars.Layer outer = new TestTars.Layer();
        outer.put(new TarArchiveEntry("abc.tar"), 0444, 0, 0, 0, layer);
        outer.symlink("abc/layer.tar", "../abc.tar");
        outer.put(new TarArchiveEntry("config.json"), 0444, 0, 0, 0, configBytes);
        outer.put(new TarArchiveEntry("manifest.json"), 0444, 0, 0, 0,
                "[{\"Config\":\"config.json\",\"Layers\":[\"abc/layer.tar\"]}]".getBytes(StandardCharsets.UTF_8));
        Path archive = Files.write(tmp.resolve("dedup.tar"), outer.bytes());
        try (LoadedImage image = load(archive)) {
            assertThat(text(image.tree(), "etc/os-release")).isEqualTo("ID=test\n");
            assertThat(image.digest()).isEqualTo(Sha256.ociDigest(configBytes));
        }
    }

    @Test
    void plainRootfsTarsInEveryCompression() throws IOException {
        byte[] rootfs = base();
        String expected = null;
        for (String kind : List.of("tar", "gz", "zst", "xz")) {
            byte[] data = switch (kind) {
                case "gz" -> TestTars.gzip(rootfs);
                case "zst" -> TestTars.zstd(rootfs);
                case "xz" -> TestTars.xz(rootfs);
                default -> rootfs;
            };
            Path file = Files.write(tmp.resolve("rootfs." + kind), data);
            try (LoadedImage image = load(file)) {
                assertThat(text(image.tree(), "gone")).isEqualTo("g");
                assertThat(image.config().architecture()).isEmpty();
                assertThat(image.config().webvmCommand()).isEmpty();
                assertThat(image.digest()).isEqualTo(Sha256.ociDigest(data));
                String snapshot = TreeSnapshot.of(image.tree()).toString();
                if (expected == null) {
                    expected = snapshot;
                }
                assertThat(snapshot).isEqualTo(expected);
            }
        }
    }

    @Test
    void indexWithSeveralPlatformsYieldsTheI386Image() throws IOException {
        Path layout = TestTars.ociLayout(tmp.resolve("multi"), List.of("amd64", "arm64", "386"),
                List.of(TestTars.Blob.plain(base())), true);
        try (LoadedImage image = load(layout)) {
            assertThat(image.config().architecture()).isEqualTo("386");
        }
    }

    @Test
    void withoutPlatformsInTheIndexTheConfigurationsDecide() throws IOException {
        Path layout = TestTars.ociLayout(tmp.resolve("noplat"), List.of("amd64", "386"),
                List.of(TestTars.Blob.plain(base())), false);
        try (LoadedImage image = load(layout)) {
            assertThat(image.config().architecture()).isEqualTo("386");
        }
    }

    @Test
    void nestedIndexIsFollowed() throws IOException {
        Path layout = TestTars.ociLayout(tmp.resolve("nested"), List.of("amd64", "386"),
                List.of(TestTars.Blob.plain(base())), true);
        byte[] inner = Files.readAllBytes(layout.resolve("index.json"));
        ObjectNode innerDescriptor = TestTars.descriptor(layout, MediaTypes.OCI_INDEX, inner);
        Files.writeString(layout.resolve("index.json"), "{\"schemaVersion\":2,\"manifests\":[" + innerDescriptor + "]}");
        try (LoadedImage image = load(layout)) {
            assertThat(image.config().architecture()).isEqualTo("386");
        }
    }

    @Test
    void amd64ImagesAreRefused() throws IOException {
        Path onlyAmd64 = TestTars.ociLayout(tmp.resolve("amd64"), List.of("amd64", "arm64"),
                List.of(TestTars.Blob.plain(base())), true);
        assertThatThrownBy(() -> load(onlyAmd64)).isInstanceOf(ImageFormatException.class)
                .hasMessageContaining("linux/amd64").hasMessageContaining("i386 only").hasMessageContaining("linux/386");
        Path noPlatform = TestTars.ociLayout(tmp.resolve("np"), List.of("amd64"), List.of(TestTars.Blob.plain(base())),
                false);
        assertThatThrownBy(() -> load(noPlatform)).isInstanceOf(ImageFormatException.class)
                .hasMessageContaining("amd64").hasMessageContaining("i386");
        Path docker = TestTars.dockerArchive(tmp.resolve("amd64.tar"), "amd64", List.of(base()));
        assertThatThrownBy(() -> load(docker)).isInstanceOf(ImageFormatException.class)
                .hasMessageContaining("linux/amd64").hasMessageContaining("i386");
        assertThat(spoolFiles()).isZero();
    }

    // ---- bad input

    @Test
    void truncatedTarIsAnError() throws IOException {
        byte[] rootfs = base();
        Path cut = Files.write(tmp.resolve("cut.tar"), Arrays.copyOf(rootfs, 512 + 100));
        assertThatThrownBy(() -> load(cut)).isInstanceOf(ImageFormatException.class)
                .hasMessageContaining("truncated").hasMessageContaining("cut.tar");
        Path noEnd = Files.write(tmp.resolve("noend.tar"), Arrays.copyOf(rootfs, 512 * 2));
        assertThatThrownBy(() -> load(noEnd)).isInstanceOf(ImageFormatException.class)
                .hasMessageContaining("truncated");
        Path gz = Files.write(tmp.resolve("cut.tar.gz"), Arrays.copyOf(TestTars.gzip(rootfs), 60));
        assertThatThrownBy(() -> load(gz)).isInstanceOf(ImageFormatException.class).hasMessageContaining("gzip");
        assertThat(spoolFiles()).isZero();
    }

    @Test
    void emptyLayerBlobIsAnEmptyLayerButAnEmptyInputIsAnError() throws IOException {
        Path layout = TestTars.ociLayout(tmp.resolve("emptylayer"), "386", List.of(TestTars.Blob.plain(base()),
                TestTars.Blob.plain(new byte[0])));
        try (LoadedImage image = load(layout)) {
            assertThat(text(image.tree(), "gone")).isEqualTo("g");
        }
        Path empty = Files.write(tmp.resolve("empty.tar"), new byte[0]);
        assertThatThrownBy(() -> load(empty)).isInstanceOf(ImageFormatException.class).hasMessageContaining("empty");
    }

    @Test
    void somethingElseIsNotAnImage() throws IOException {
        Path text = Files.writeString(tmp.resolve("readme.txt"), "hello ".repeat(200));
        assertThatThrownBy(() -> load(text)).isInstanceOf(ImageFormatException.class)
                .hasMessageContaining("is not an image").hasMessageContaining("readme.txt");
        assertThatThrownBy(() -> load(tmp.resolve("absent.tar"))).isInstanceOf(ImageFormatException.class)
                .hasMessageContaining("not found");
        Files.createDirectories(tmp.resolve("emptydir"));
        assertThatThrownBy(() -> load(tmp.resolve("emptydir"))).isInstanceOf(ImageFormatException.class)
                .hasMessageContaining("index.json");
    }

    @Test
    void badGzipLayerNamesTheLayer() throws IOException {
        byte[] bad = TestTars.gzip(top());
        for (int i = 20; i < bad.length - 8; i++) {
            bad[i] ^= 0x55;
        }
        TestTars.Blob blob = new TestTars.Blob(bad, "application/vnd.oci.image.layer.v1.tar+gzip", top());
        Path layout = TestTars.ociLayout(tmp.resolve("badgz"), "386", List.of(TestTars.Blob.plain(base()), blob));
        assertThatThrownBy(() -> load(layout)).isInstanceOf(ImageFormatException.class)
                .hasMessageContaining("layer 2/2").hasMessageContaining("gzip");
        assertThat(spoolFiles()).isZero();
    }

    @Test
    void mediaTypeThatDoesNotMatchTheBlobIsAnError() throws IOException {
        TestTars.Blob lying = new TestTars.Blob(top(), "application/vnd.oci.image.layer.v1.tar+gzip", top());
        Path layout = TestTars.ociLayout(tmp.resolve("lying"), "386", List.of(lying));
        assertThatThrownBy(() -> load(layout)).isInstanceOf(ImageFormatException.class)
                .hasMessageContaining("layer 1/1").hasMessageContaining("gzip");
    }

    @Test
    void unknownMediaTypeIsAnError() throws IOException {
        TestTars.Blob odd = new TestTars.Blob(top(), "application/vnd.example.layer.v1.tar+lz4", top());
        Path layout = TestTars.ociLayout(tmp.resolve("odd"), "386", List.of(odd));
        assertThatThrownBy(() -> load(layout)).isInstanceOf(ImageFormatException.class)
                .hasMessageContaining("unknown media type").hasMessageContaining("lz4");
    }

    @Test
    void missingBlobIsAnError() throws IOException {
        byte[] layer = top();
        Path layout = TestTars.ociLayout(tmp.resolve("missing"), "386", List.of(TestTars.Blob.plain(layer)));
        String hex = Sha256.ociDigest(layer).substring(7);
        Files.delete(layout.resolve("blobs/sha256/" + hex));
        assertThatThrownBy(() -> load(layout)).isInstanceOf(ImageFormatException.class)
                .hasMessageContaining("missing blob sha256:" + hex).hasMessageContaining("layer 1/1");
    }

    @Test
    void blobDigestMismatchIsAnError() throws IOException {
        byte[] layer = top();
        Path layout = TestTars.ociLayout(tmp.resolve("tampered"), "386", List.of(TestTars.Blob.plain(layer)));
        Path blob = layout.resolve("blobs/sha256/" + Sha256.ociDigest(layer).substring(7));
        byte[] tampered = layer.clone();
        int at = indexOf(tampered, "hello".getBytes(StandardCharsets.US_ASCII));
        tampered[at] = 'j';
        Files.write(blob, tampered);
        assertThatThrownBy(() -> load(layout)).isInstanceOf(ImageFormatException.class)
                .hasMessageContaining("digest mismatch").hasMessageContaining("layer 1/1");
        assertThat(spoolFiles()).isZero();
    }

    @Test
    void dockerArchiveLayerThatIsNotTheDiffIdIsAnError() throws IOException {
        Path archive = TestTars.dockerArchive(tmp.resolve("swapped.tar"), "386", List.of(base(), top()));
        byte[] bytes = Files.readAllBytes(archive);
        int at = indexOf(bytes, "hello".getBytes(StandardCharsets.US_ASCII));
        bytes[at] = 'j';
        Files.write(archive, bytes);
        assertThatThrownBy(() -> load(archive)).isInstanceOf(ImageFormatException.class)
                .hasMessageContaining("digest mismatch").hasMessageContaining("layer 2/2")
                .hasMessageContaining("layer1/layer.tar");
    }

    @Test
    void failedLoadLeavesNoSpoolFilesAndNoTree() throws IOException {
        Path layout = TestTars.ociLayout(tmp.resolve("late"), "386", List.of(TestTars.Blob.gzipped(base()),
                TestTars.Blob.gzipped(top()), TestTars.Blob.plain(new TestTars.Layer().hardlink("x", "absent").bytes())));
        assertThatThrownBy(() -> load(layout)).isInstanceOf(ImageFormatException.class)
                .hasMessageContaining("layer 3/3").hasMessageContaining("'x'").hasMessageContaining("absent");
        assertThat(spoolFiles()).isZero();
        try (Stream<Path> s = Files.list(work())) {
            assertThat(s.toList()).isEmpty();
        }
    }

    @Test
    void ociLayoutDirectoryBlobsMayNotBeSymlinksOutOfIt() throws IOException {
        Path layout = layoutWithItsLayerOutside("symlinked", (blob, outside) -> outside);
        assertThatThrownBy(() -> load(layout)).isInstanceOf(ImageFormatException.class)
                .hasMessageContaining("symlink out of the image directory");
    }

    @Test
    void ociLayoutDirectoryBlobsMayNotBeRelativeSymlinksClimbingOutOfIt() throws IOException {
        Path layout = layoutWithItsLayerOutside("climbing", (blob, outside) -> blob.getParent().relativize(outside));
        assertThatThrownBy(() -> load(layout)).isInstanceOf(ImageFormatException.class)
                .hasMessageContaining("symlink out of the image directory (to ../../../outside.tar)");
    }

    /** A layout whose one layer blob is a symlink ({@code link} of the blob and the file) to a file next to it. */
    private Path layoutWithItsLayerOutside(String name, java.util.function.BinaryOperator<Path> link)
            throws IOException {
        byte[] layer = top();
        Path layout = TestTars.ociLayout(tmp.resolve(name), "386", List.of(TestTars.Blob.plain(layer)));
        Path blob = layout.resolve("blobs/sha256/" + Sha256.ociDigest(layer).substring(7));
        Path outside = Files.write(tmp.resolve("outside.tar"), layer);
        Files.delete(blob);
        Files.createSymbolicLink(blob, link.apply(blob, outside));
        return layout;
    }

    @Test
    void ociLayoutWithATamperedConfigurationIsRefused() throws IOException {
        Path layout = TestTars.ociLayout(tmp.resolve("config"), "386", List.of(TestTars.Blob.plain(top())));
        ObjectMapper json = new ObjectMapper();
        String manifestDigest = json.readTree(layout.resolve("index.json").toFile()).path("manifests").path(0)
                .path("digest").asText();
        String digest = json.readTree(layout.resolve("blobs/sha256/" + manifestDigest.substring(7)).toFile())
                .path("config").path("digest").asText();
        Path file = layout.resolve("blobs/sha256/" + digest.substring(7));
        Files.writeString(file, Files.readString(file).replace("/root", "/evil"));
        assertThatThrownBy(() -> load(layout)).isInstanceOf(ImageFormatException.class)
                .hasMessageContaining("digest mismatch").hasMessageContaining(digest);
    }

    @Test
    void extractedDockerArchiveNamingAPathOutsideItIsRefused() throws IOException {
        byte[] layer = base();
        Files.write(tmp.resolve("outside.tar"), layer);
        Path dir = Files.createDirectories(tmp.resolve("extracted"));
        byte[] configBytes = new ObjectMapper().writeValueAsBytes(TestTars.config("386",
                List.of(TestTars.Blob.plain(layer))));
        Files.write(dir.resolve("config.json"), configBytes);
        Files.writeString(dir.resolve("manifest.json"),
                "[{\"Config\":\"config.json\",\"Layers\":[\"../outside.tar\"]}]");
        assertThatThrownBy(() -> load(dir)).isInstanceOf(ImageFormatException.class)
                .hasMessageContaining("manifest.json names '../outside.tar' in Layers, which is not a relative path"
                        + " inside the archive");
    }

    // ---- WebVM adjustments

    @Test
    void webvmFixupsDropDockerenvAndAddNetworkFiles() throws IOException {
        byte[] layer = new TestTars.Layer().file(".dockerenv", "").dir("etc").bytes();
        Path layout = TestTars.ociLayout(tmp.resolve("fix"), "386", List.of(TestTars.Blob.plain(layer)));
        try (LoadedImage image = ImageLoader.builder().workDirectory(work()).build().load(layout)) {
            FileTree t = image.tree();
            assertThat(t.lookup(".dockerenv")).isEmpty();
            assertThat(text(t, "etc/resolv.conf")).contains("nameserver ");
            assertThat(text(t, "etc/hosts")).contains("127.0.0.1\tlocalhost");
            Node hosts = t.lookup("etc/hosts").orElseThrow();
            assertThat(hosts.permissions()).isEqualTo(0644);
        }
        byte[] own = new TestTars.Layer().file("etc/resolv.conf", "nameserver 10.0.0.1\n")
                .symlink("etc/hosts", "/run/hosts").bytes();
        Path layout2 = TestTars.ociLayout(tmp.resolve("own"), "386", List.of(TestTars.Blob.plain(own)));
        try (LoadedImage image = ImageLoader.builder().workDirectory(work()).build().load(layout2)) {
            assertThat(text(image.tree(), "etc/resolv.conf")).isEqualTo("nameserver 10.0.0.1\n");
            assertThat(image.tree().lookup("etc/hosts").orElseThrow().linkTarget()).isEqualTo("/run/hosts");
        }
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found");
    }

    /** Tars a directory (as an OCI archive is made). */
    private static Path tarOf(Path dir, Path out) throws IOException {
        TestTars.Layer tar = new TestTars.Layer();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted().toList()) {
                String name = dir.relativize(p).toString();
                if (name.isEmpty()) {
                    continue;
                }
                if (Files.isDirectory(p)) {
                    tar.dir(name);
                } else {
                    tar.put(new TarArchiveEntry(name), 0644, 0, 0, 0, Files.readAllBytes(p));
                }
            }
        }
        return Files.write(out, tar.bytes());
    }
}

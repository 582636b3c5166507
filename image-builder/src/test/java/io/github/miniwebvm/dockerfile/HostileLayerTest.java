package io.github.miniwebvm.dockerfile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.miniwebvm.image.MediaTypes;
import io.github.miniwebvm.io.Sha256;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Layers, ADD archives and image archives from strangers: one case per way a tar could reach the
 * host through the native builder's root on disk. Every case points its malicious links at a
 * canary file and a canary folder outside the root, by absolute path, and after each case both
 * must still be there, byte for byte. A case ends either with the build refused by a message that
 * names the entry, or with the entry applied inside the root where Docker would apply it.
 */
class HostileLayerTest {
    private static final String CANARY_TEXT = "the host's own file\n";

    @TempDir
    Path tmp;

    private Path canaryFile;
    private Path canaryFolder;
    private Map<String, String> canaryBefore;
    private Rootfs rootfs;
    private int layerCount;

    @BeforeEach
    void canaries() throws IOException {
        Path host = Files.createDirectories(tmp.resolve("host"));
        canaryFile = Files.writeString(host.resolve("canary.txt"), CANARY_TEXT);
        canaryFolder = Files.createDirectories(host.resolve("canary-folder"));
        Files.writeString(canaryFolder.resolve("inside.txt"), "inside the host's folder\n");
        Files.createDirectories(canaryFolder.resolve("sub"));
        Files.writeString(canaryFolder.resolve("sub/deeper.txt"), "deeper\n");
        canaryBefore = hostState();
        rootfs = new Rootfs(Files.createDirectories(tmp.resolve("rootfs")));
    }

    @AfterEach
    void hostUntouched() throws IOException {
        assertThat(hostState()).as("the canary file and folder outside the root").isEqualTo(canaryBefore);
        assertThat(Files.getAttribute(canaryFile, "unix:nlink")).as("links to the canary file").isEqualTo(1);
    }

    /** Content, permissions and modification time of everything under the host folder. */
    private Map<String, String> hostState() throws IOException {
        Map<String, String> out = new TreeMap<>();
        Path host = tmp.resolve("host");
        try (Stream<Path> s = Files.walk(host)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                String meta = PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS))
                        + " " + Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS);
                out.put(host.relativize(p).toString(), Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)
                        ? meta + " " + Files.readString(p) : meta);
            }
        }
        return out;
    }

    /** The canary's absolute host path as a path relative to the image root. */
    private static String rel(Path hostPath) {
        return hostPath.toString().substring(1);
    }

    private Path inRoot(Path hostPath) {
        return rootfs.dir.resolve(rel(hostPath));
    }

    private LayerTar layer() throws IOException {
        return new LayerTar(Files.createDirectories(tmp.resolve("layers")).resolve("layer-" + (++layerCount) + ".tar"));
    }

    // ---- writing through a symlink

    @Test
    void fileWrittenThroughAnAbsoluteSymlinkLandsInsideTheRoot() throws IOException {
        rootfs.apply(layer().symlink("evil", "/").symlink("folder", canaryFolder.toString()).done(), l -> { });
        rootfs.apply(layer().file("evil/" + rel(canaryFile), "overwritten").file("folder/inside.txt", "overwritten")
                .done(), l -> { });

        assertThat(inRoot(canaryFile)).hasContent("overwritten");
        assertThat(inRoot(canaryFolder).resolve("inside.txt")).hasContent("overwritten");
        assertThat(rootfs.dir.resolve("evil")).isSymbolicLink();
    }

    @Test
    void fileWrittenThroughARelativeSymlinkClimbingOutStopsAtTheRoot() throws IOException {
        String up = "../".repeat(canaryFile.getNameCount() + 3);
        rootfs.apply(layer().dir("a/b").symlink("a/b/up", up).done(), l -> { });
        rootfs.apply(layer().file("a/b/up/" + rel(canaryFile), "overwritten").done(), l -> { });

        assertThat(inRoot(canaryFile)).hasContent("overwritten");
    }

    @Test
    void regularFileReplacesASymlinkPointingOutsideInsteadOfWritingThroughIt() throws IOException {
        rootfs.apply(layer().symlink("link", canaryFile.toString()).symlink("dir", canaryFolder.toString()).done(),
                l -> { });
        rootfs.apply(layer().file("link", "replaced").dir("dir", 0777).done(), l -> { });

        assertThat(rootfs.dir.resolve("link")).isRegularFile().hasContent("replaced");
        assertThat(Files.isSymbolicLink(rootfs.dir.resolve("dir"))).isFalse();
        assertThat(rootfs.dir.resolve("dir")).isDirectory().isEmptyDirectory();
    }

    @Test
    void hardLinkToASymlinkPointingOutsideLinksTheSymlinkItself() throws IOException {
        rootfs.apply(layer().symlink("link", canaryFile.toString()).done(), l -> { });
        rootfs.apply(layer().hardlink("same-link", "link").done(), l -> { });

        assertThat(Files.readSymbolicLink(rootfs.dir.resolve("same-link"))).isEqualTo(canaryFile);
        assertThat(Files.getAttribute(rootfs.dir.resolve("same-link"), "unix:nlink", LinkOption.NOFOLLOW_LINKS))
                .isEqualTo(2);
    }

    @Test
    void entryBelowASymlinkLoopOrAFileIsRefused() throws IOException {
        rootfs.apply(layer().symlink("loop", "loop-too").symlink("loop-too", "/loop").file("file", "a file").done(),
                l -> { });
        Layer looping = layer().file("loop/x", "x").done();
        assertThatThrownBy(() -> rootfs.apply(looping, l -> { }))
                .hasMessageContaining("layer " + looping.digest())
                .hasMessageContaining("entry 'loop/x' has no place in the root: more than 40 symbolic links to follow");
        Layer belowAFile = layer().file("file/x", "x").done();
        assertThatThrownBy(() -> rootfs.apply(belowAFile, l -> { }))
                .hasMessageContaining("entry 'file/x' has no place in the root: /file is not a directory");
    }

    // ---- whiteouts and opaque directories through a symlink

    @Test
    void whiteoutThroughASymlinkDeletesOnlyInsideTheRoot() throws IOException {
        rootfs.apply(layer().symlink("evil", canaryFolder.toString()).symlink("slash", "/")
                .file(rel(canaryFolder) + "/inside.txt", "the image's copy").done(), l -> { });
        rootfs.apply(layer().file("evil/.wh.inside.txt", "").file("slash/" + rel(canaryFolder.getParent())
                + "/.wh.canary.txt", "").file("evil/.wh.sub", "").done(), l -> { });

        assertThat(inRoot(canaryFolder).resolve("inside.txt")).doesNotExist();
        assertThat(inRoot(canaryFolder)).isDirectory();
    }

    @Test
    void opaqueMarkerThroughASymlinkEmptiesOnlyTheDirectoryInsideTheRoot() throws IOException {
        rootfs.apply(layer().symlink("evil", canaryFolder.toString())
                .file(rel(canaryFolder) + "/lower.txt", "from the lower layer").done(), l -> { });
        rootfs.apply(layer().file("evil/.wh..wh..opq", "").file("evil/upper.txt", "from this layer").done(), l -> { });

        assertThat(inRoot(canaryFolder).resolve("lower.txt")).doesNotExist();
        assertThat(inRoot(canaryFolder).resolve("upper.txt")).hasContent("from this layer");
    }

    // ---- hard links

    @Test
    void hardLinkToAHostFileThroughASymlinkIsRefused() throws IOException {
        rootfs.apply(layer().symlink("evil", "/").done(), l -> { });
        Layer hostile = layer().hardlink("stolen", "evil/" + rel(canaryFile)).done();

        assertThatThrownBy(() -> rootfs.apply(hostile, l -> { }))
                .isInstanceOf(ImageBuildException.class)
                .hasMessageContaining("layer " + hostile.digest())
                .hasMessageContaining("entry 'stolen'")
                .hasMessageContaining("is a hard link to 'evil/" + rel(canaryFile) + "', which is not in the root");
        assertThat(rootfs.dir.resolve("stolen")).doesNotExist();
    }

    @Test
    void hardLinkClimbingOutOrToAnAbsoluteHostPathIsRefused() throws IOException {
        String up = "../".repeat(canaryFile.getNameCount() + 2) + rel(canaryFile);
        Layer climbing = layer().hardlink("stolen", up).done();
        assertThatThrownBy(() -> rootfs.apply(climbing, l -> { }))
                .hasMessageContaining("layer " + climbing.digest())
                .hasMessageContaining("entry 'stolen' has a hard link target ('" + up + "') that climbs out of the root");

        Layer absolute = layer().hardlink("stolen", canaryFile.toString()).done();
        assertThatThrownBy(() -> rootfs.apply(absolute, l -> { }))
                .hasMessageContaining("layer " + absolute.digest())
                .hasMessageContaining("entry 'stolen' is a hard link to '" + canaryFile + "', which is not in the root");
        assertThat(rootfs.dir.resolve("stolen")).doesNotExist();
    }

    // ---- entry names

    @Test
    void absoluteEntryNamesAreRelativeToTheRoot() throws IOException {
        rootfs.apply(layer().file(canaryFile.toString(), "overwritten").dir(canaryFolder + "/", 0777)
                .file(canaryFolder + "/inside.txt", "overwritten").done(), l -> { });

        assertThat(inRoot(canaryFile)).hasContent("overwritten");
        assertThat(inRoot(canaryFolder).resolve("inside.txt")).hasContent("overwritten");
    }

    @Test
    void entryNamesClimbingOutThroughDotDotAreRefused() throws IOException {
        for (String name : List.of("../" + canaryFile.getFileName(), "a/../../x", "./../x",
                "../".repeat(canaryFile.getNameCount()) + rel(canaryFile))) {
            Layer hostile = layer().file("harmless", "first").file(name, "overwritten").done();
            assertThatThrownBy(() -> rootfs.apply(hostile, l -> { }))
                    .as(name)
                    .isInstanceOf(ImageBuildException.class)
                    .hasMessageContaining("layer " + hostile.digest())
                    .hasMessageContaining("entry '" + name + "' has a name ('" + name + "') that climbs out of the root");
        }
        assertThat(tmp.resolve("x")).doesNotExist();
    }

    // ---- digests

    @Test
    void layerWhoseBlobDoesNotMatchItsDigestIsRefusedBeforeAnythingIsUnpacked() throws IOException {
        Layer honest = layer().file("unpacked.txt", "must not appear").done();
        Layer tampered = new Layer(honest.blob(), Sha256.ociDigest("other content"), honest.size(), honest.mediaType(),
                Sha256.ociDigest("other content"));

        assertThatThrownBy(() -> rootfs.apply(tampered, l -> { }))
                .isInstanceOf(ImageBuildException.class)
                .hasMessageContaining("layer " + tampered.digest())
                .hasMessageContaining("does not match its digest: the blob is " + honest.digest())
                .hasMessageContaining("nothing of it was unpacked");
        assertThat(rootfs.dir).isEmptyDirectory();
    }

    @Test
    void layerWhoseTarIsNotTheConfiguredDiffIdIsRefused() throws IOException {
        Layer honest = layer().file("unpacked.txt", "must not appear").done();
        Layer tampered = new Layer(honest.blob(), honest.digest(), honest.size(), honest.mediaType(),
                Sha256.ociDigest("another layer"));

        assertThatThrownBy(() -> rootfs.apply(tampered, l -> { }))
                .hasMessageContaining("is not the layer the image configuration names")
                .hasMessageContaining("the diff id " + Sha256.ociDigest("another layer"));
        assertThat(rootfs.dir).isEmptyDirectory();
    }

    // ---- through the builder: FROM oci:, FROM docker-archive:, ADD

    @Test
    void ociImageWhoseLayersWriteThroughASymlinkBuildsConfined() throws IOException {
        Path image = ociLayout(tmp.resolve("image"), List.of(layer().symlink("evil", "/").done(),
                layer().file("evil/" + rel(canaryFile), "overwritten").done()));
        build("FROM oci:" + image + "\nCOPY a.txt /a.txt\n");
    }

    @Test
    void ociImageWithATamperedLayerIsRefused() throws IOException {
        Layer honest = layer().file("a", "honest").done();
        Path image = ociLayout(tmp.resolve("image"), List.of(honest));
        Files.writeString(image.resolve("blobs/sha256/" + Sha256.hexOfOciDigest(honest.digest())), "tampered");

        assertThatThrownBy(() -> build("FROM oci:" + image + "\nCOPY a.txt /a.txt\n"))
                .isInstanceOf(ImageBuildException.class)
                .hasMessageContaining("layer " + honest.digest())
                .hasMessageContaining("does not match its digest");
    }

    @Test
    void ociImageWithATamperedManifestIsRefused() throws IOException {
        Path image = ociLayout(tmp.resolve("image"), List.of(layer().file("a", "honest").done()));
        String manifestDigest = ImageState.JSON.readTree(image.resolve("index.json").toFile())
                .path("manifests").path(0).path("digest").asText();
        Path manifest = image.resolve("blobs/sha256/" + Sha256.hexOfOciDigest(manifestDigest));
        Files.writeString(manifest, Files.readString(manifest).replace("\"schemaVersion\":2", "\"schemaVersion\":3"));

        assertThatThrownBy(() -> build("FROM oci:" + image + "\nCOPY a.txt /a.txt\n"))
                .isInstanceOf(ImageBuildException.class)
                .hasMessageContaining("digest mismatch").hasMessageContaining(manifestDigest);
    }

    @Test
    void ociImageBlobSymlinkedOutOfTheLayoutIsNotRead() throws IOException {
        for (boolean relative : new boolean[] {false, true}) {
            Layer honest = layer().file("a", "honest").done();
            Path image = ociLayout(tmp.resolve(relative ? "relative" : "absolute"), List.of(honest));
            Path blob = image.resolve("blobs/sha256/" + Sha256.hexOfOciDigest(honest.digest()));
            Files.delete(blob);
            Path target = relative ? blob.getParent().relativize(canaryFile) : canaryFile;
            Files.createSymbolicLink(blob, target);

            assertThatThrownBy(() -> build("FROM oci:" + image + "\nCOPY a.txt /a.txt\n"))
                    .isInstanceOf(ImageBuildException.class)
                    .hasMessageContaining("symlink out of the image directory (to " + target + ")");
        }
    }

    @Test
    void dockerArchiveManifestNamingAnAbsoluteLayerPathIsRefused() throws IOException {
        Path archive = dockerArchive(List.of(canaryFile.toString()), List.of());
        assertThatThrownBy(() -> build("FROM docker-archive:" + archive + "\nCOPY a.txt /a.txt\n"))
                .isInstanceOf(ImageBuildException.class)
                .hasMessageContaining("manifest.json names '" + canaryFile + "' in Layers, which is not a relative"
                        + " path inside the archive");
    }

    @Test
    void dockerArchiveManifestNamingADotDotLayerPathIsRefused() throws IOException {
        String name = "../../../../../../../../" + rel(canaryFile);
        Path archive = dockerArchive(List.of(name), List.of());
        assertThatThrownBy(() -> build("FROM docker-archive:" + archive + "\nCOPY a.txt /a.txt\n"))
                .isInstanceOf(ImageBuildException.class)
                .hasMessageContaining("manifest.json names '" + name + "' in Layers");
    }

    @Test
    void dockerArchiveMemberClimbingOutIsRefusedWhenTheArchiveIsUnpacked() throws IOException {
        Path archive = dockerArchive(List.of("layer.tar"), List.of("../" + canaryFile.getFileName()));
        assertThatThrownBy(() -> build("FROM docker-archive:" + archive + "\nCOPY a.txt /a.txt\n"))
                .isInstanceOf(ImageBuildException.class)
                .hasMessageContaining("the image archive " + archive)
                .hasMessageContaining("entry '../canary.txt' has a name ('../canary.txt') that climbs out of the root");
    }

    @Test
    void dockerArchiveLayerSymlinkedOutOfTheArchiveIsNotRead() throws IOException {
        Path archive = dockerArchive(List.of("layer.tar"), List.of(), canaryFile.toString());
        assertThatThrownBy(() -> build("FROM docker-archive:" + archive + "\nCOPY a.txt /a.txt\n"))
                .isInstanceOf(ImageBuildException.class)
                .hasMessageContaining("is missing or not a regular file");
    }

    @Test
    void addedArchiveThatWritesThroughItsOwnSymlinkStaysInTheRoot() throws IOException {
        Path ctx = Files.createDirectories(tmp.resolve("ctx"));
        Files.copy(layer().symlink("evil", "/").file("evil/" + rel(canaryFile), "overwritten").done().blob(),
                ctx.resolve("evil.tar"));
        build("FROM scratch\nADD evil.tar /\n");
    }

    @Test
    void addedArchiveClimbingOutIsRefused() throws IOException {
        Path ctx = Files.createDirectories(tmp.resolve("ctx"));
        String name = "../".repeat(12) + rel(canaryFile);
        Files.copy(layer().file(name, "overwritten").done().blob(), ctx.resolve("evil.tar"));
        assertThatThrownBy(() -> build("FROM scratch\nADD evil.tar /opt/\n"))
                .isInstanceOf(ImageBuildException.class)
                .hasMessageContaining("ADD evil.tar: the archive entry '" + name + "' climbs out of the destination");
    }

    @Test
    void copyThroughASymlinkInTheContextDoesNotReadTheHost() throws IOException {
        Path ctx = Files.createDirectories(tmp.resolve("ctx"));
        Files.createSymbolicLink(ctx.resolve("folder-link"), canaryFolder);
        assertThatThrownBy(() -> build("FROM scratch\nCOPY folder-link/inside.txt /stolen.txt\n"))
                .hasMessageContaining("COPY failed: 'folder-link/inside.txt' not found in the build context");
    }

    @Test
    void stageFoldersAreOpenToTheirOwnerOnly() throws IOException {
        Path image = ociLayout(tmp.resolve("image"), List.of(layer().file("a", "a").done()));
        List<String> modes = new CopyOnWriteArrayList<>();
        build("FROM oci:" + image + "\nCOPY a.txt /a.txt\n", line -> {
            if (line.startsWith("[webvm] materialising")) {
                try {
                    modes.add(PosixFilePermissions.toString(Files.getPosixFilePermissions(tmp.resolve("out/stage-0"))));
                } catch (IOException e) {
                    modes.add(e.toString());
                }
            }
        });
        assertThat(modes).containsExactly("rwx------");
    }

    private void build(String dockerfile) throws IOException {
        build(dockerfile, l -> { });
    }

    private void build(String dockerfile, java.util.function.Consumer<String> log) throws IOException {
        Path ctx = Files.createDirectories(tmp.resolve("ctx"));
        Files.writeString(ctx.resolve("Dockerfile"), dockerfile);
        Files.writeString(ctx.resolve("a.txt"), "a\n");
        ImageBuild.builder().context(ctx).backend(Backend.NATIVE).offline(true).cacheDirectory(tmp.resolve("cache"))
                .log(log).build().run(tmp.resolve("out"));
    }

    // ---- images written by the test

    private static ObjectNode config(List<Layer> layers) {
        ObjectNode config = ImageState.JSON.createObjectNode();
        config.put("architecture", "386");
        config.put("os", "linux");
        config.putObject("config");
        ObjectNode rootfs = config.putObject("rootfs");
        rootfs.put("type", "layers");
        ArrayNode ids = rootfs.putArray("diff_ids");
        layers.forEach(l -> ids.add(l.diffId()));
        return config;
    }

    private static Path ociLayout(Path dir, List<Layer> layers) throws IOException {
        Path blobs = Files.createDirectories(dir.resolve("blobs/sha256"));
        ObjectNode manifest = ImageState.JSON.createObjectNode();
        manifest.put("schemaVersion", 2);
        manifest.put("mediaType", "application/vnd.oci.image.manifest.v1+json");
        byte[] config = ImageState.JSON.writeValueAsBytes(config(layers));
        Files.write(blobs.resolve(Sha256.hexOfOciDigest(Sha256.ociDigest(config))), config);
        manifest.putObject("config").put("mediaType", "application/vnd.oci.image.config.v1+json")
                .put("digest", Sha256.ociDigest(config)).put("size", config.length);
        ArrayNode descriptors = manifest.putArray("layers");
        for (Layer l : layers) {
            Files.copy(l.blob(), blobs.resolve(Sha256.hexOfOciDigest(l.digest())));
            descriptors.addObject().put("mediaType", MediaTypes.OCI_LAYER).put("digest", l.digest()).put("size", l.size());
        }
        byte[] manifestBytes = ImageState.JSON.writeValueAsBytes(manifest);
        Files.write(blobs.resolve(Sha256.hexOfOciDigest(Sha256.ociDigest(manifestBytes))), manifestBytes);
        ObjectNode index = ImageState.JSON.createObjectNode();
        index.put("schemaVersion", 2);
        index.putArray("manifests").addObject().put("mediaType", "application/vnd.oci.image.manifest.v1+json")
                .put("digest", Sha256.ociDigest(manifestBytes)).put("size", manifestBytes.length);
        Files.write(dir.resolve("index.json"), ImageState.JSON.writeValueAsBytes(index));
        Files.writeString(dir.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        return dir;
    }

    private Path dockerArchive(List<String> layerNames, List<String> extraMembers) throws IOException {
        return dockerArchive(layerNames, extraMembers, null);
    }

    /**
     * A docker-archive whose manifest names {@code layerNames} (each an honest one-file layer where
     * the archive holds it), with {@code extraMembers} added as files, and with the first layer a
     * symlink to {@code layerSymlinkTarget} when that is given.
     */
    private Path dockerArchive(List<String> layerNames, List<String> extraMembers, String layerSymlinkTarget)
            throws IOException {
        List<Layer> layers = new ArrayList<>();
        for (String ignored : layerNames) {
            layers.add(layer().file("a", "honest").done());
        }
        byte[] config = ImageState.JSON.writeValueAsBytes(config(layers));
        String configName = Sha256.hexOfOciDigest(Sha256.ociDigest(config)) + ".json";
        ArrayNode manifest = ImageState.JSON.createArrayNode();
        ObjectNode image = manifest.addObject();
        image.put("Config", configName);
        image.putArray("RepoTags");
        ArrayNode names = image.putArray("Layers");
        layerNames.forEach(names::add);
        LayerTar archive = new LayerTar(tmp.resolve("image-" + (++layerCount) + ".tar"));
        archive.file("manifest.json", ImageState.JSON.writeValueAsString(manifest));
        archive.file(configName, config);
        for (int i = 0; i < layerNames.size(); i++) {
            String name = layerNames.get(i);
            if (i == 0 && layerSymlinkTarget != null) {
                archive.symlink(name, layerSymlinkTarget);
            } else if (!name.startsWith("/") && !name.contains("..")) {
                archive.file(name, Files.readAllBytes(layers.get(i).blob()));
            }
        }
        for (String extra : extraMembers) {
            archive.file(extra, "extra");
        }
        return archive.done().blob();
    }

    /** A tar written entry by entry with Commons Compress, names kept exactly as given. */
    private static final class LayerTar {
        private static final long MTIME = 1_600_000_000L;
        private final Path file;
        private final TarArchiveOutputStream out;

        LayerTar(Path file) throws IOException {
            this.file = file;
            OutputStream os = Files.newOutputStream(file);
            this.out = new TarArchiveOutputStream(os);
            out.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        }

        LayerTar file(String name, String text) throws IOException {
            return file(name, text.getBytes(StandardCharsets.UTF_8));
        }

        LayerTar file(String name, byte[] bytes) throws IOException {
            TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_NORMAL, true);
            e.setSize(bytes.length);
            return put(e, 0644, bytes);
        }

        LayerTar dir(String name) throws IOException {
            return dir(name, 0755);
        }

        LayerTar dir(String name, int mode) throws IOException {
            return put(new TarArchiveEntry(name.endsWith("/") ? name : name + "/", TarConstants.LF_DIR, true), mode, null);
        }

        LayerTar symlink(String name, String target) throws IOException {
            TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_SYMLINK, true);
            e.setLinkName(target);
            return put(e, 0777, null);
        }

        LayerTar hardlink(String name, String target) throws IOException {
            TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_LINK, true);
            e.setLinkName(target);
            return put(e, 0644, null);
        }

        private LayerTar put(TarArchiveEntry e, int mode, byte[] content) throws IOException {
            e.setMode(mode);
            e.setModTime(FileTime.from(MTIME, java.util.concurrent.TimeUnit.SECONDS));
            out.putArchiveEntry(e);
            if (content != null) {
                out.write(content);
            }
            out.closeArchiveEntry();
            return this;
        }

        Layer done() throws IOException {
            out.close();
            String digest = Sha256.ociDigest(file);
            return new Layer(file, digest, Files.size(file), MediaTypes.OCI_LAYER, digest);
        }
    }
}

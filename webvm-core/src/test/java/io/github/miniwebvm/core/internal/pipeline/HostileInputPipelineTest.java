package io.github.miniwebvm.core.internal.pipeline;

import io.github.miniwebvm.core.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.miniwebvm.io.Sha256;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile and broken images through the whole {@link Pipeline}: each fails with a message naming
 * the input (and the entry), the previous site stays byte-identical, no staging directory is
 * left, and nothing appears outside the output and work directories. Engine v86 with the boot kit
 * from the cache (offline), as filled by the boot kit tests or any earlier build.
 */
class HostileInputPipelineTest {
    private static final Path CACHE = Path.of(System.getProperty("user.home"), ".cache", "webvm-maven");

    @TempDir
    Path tmp;
    private Path site;
    private Map<String, String> previousSite;
    private List<String> log = new ArrayList<>();

    @BeforeEach
    void buildAGoodSite() throws Exception {
        assumeTrue(Files.isDirectory(CACHE.resolve("debian")), "no boot kit cache in " + CACHE
                + "; run one build online (or the image-builder boot kit tests) first");
        site = tmp.resolve("out/webvm-site");
        Path good = write("good.tar", tar(t -> {
            dir(t, "etc/");
            file(t, "etc/passwd", "root:x:0:0:root:/root:/bin/sh\n");
            file(t, "bin/sh", "#!fake\n");
        }));
        pipeline(good).run();
        previousSite = hashes(site);
        assertThat(previousSite).containsKeys("index.html", "webvm.json", "disk/manifest.json");
    }

    private Pipeline pipeline(Path image) {
        PipelineOptions o = PipelineOptions.builder()
                .image(image).disk(DiskOptions.builder().size(DataSize.parse("4M")).build())
                .outputDirectory(site).workDirectory(tmp.resolve("out/webvm")).cacheDirectory(CACHE)
                .offline(true)
                // the tiny image cannot boot; the snapshot stage is not under test here
                .v86(V86Options.builder().snapshot(false).build())
                .build();
        return new Pipeline(o, new StageLog(log::add, log::add));
    }

    private void assertRefusedAndSiteKept(Path input, String... messageParts) throws IOException {
        List<Path> before = listing();
        assertThatThrownBy(() -> pipeline(input).run()).isInstanceOf(PipelineException.class)
                .hasMessageContaining(input.getFileName().toString())
                .hasMessageContainingAll(messageParts)
                .satisfies(e -> assertThat(((PipelineException) e).isUserError()).isTrue());
        assertThat(hashes(site)).as("the previous site after " + input.getFileName()).isEqualTo(previousSite);
        try (Stream<Path> s = Files.list(site.getParent())) {
            assertThat(s.map(p -> p.getFileName().toString())).noneMatch(n -> n.matches("\\.webvm-site\\.(tmp|old)-.*"));
        }
        List<Path> after = listing();
        after.removeIf(p -> p.startsWith(tmp.resolve("out/webvm")));
        before.removeIf(p -> p.startsWith(tmp.resolve("out/webvm")));
        assertThat(after).as("files outside the work directory").isEqualTo(before);
    }

    @Test
    void dotDotEntry() throws Exception {
        Path in = write("dotdot.tar", tar(t -> file(t, "../../../escaped", "x")));
        assertRefusedAndSiteKept(in, "'../../../escaped'", "leaves the image root");
        assertThat(tmp.getParent().resolve("escaped")).doesNotExist();
    }

    @Test
    void fileThroughASymlink() throws Exception {
        Path in = write("through.tar", tar(t -> {
            symlink(t, "etc", tmp.toString());
            file(t, "etc/planted", "x");
        }));
        assertRefusedAndSiteKept(in, "'etc/planted'", "through the symlink");
        assertThat(tmp.resolve("planted")).doesNotExist();
    }

    @Test
    void hardLinkOutsideAndToNothing() throws Exception {
        Path out = write("hardlink-out.tar", tar(t -> hardlink(t, "shadow", "../etc/shadow")));
        assertRefusedAndSiteKept(out, "'shadow'", "leaves the image root");
        Path none = write("hardlink-none.tar", tar(t -> hardlink(t, "x", "does/not/exist")));
        assertRefusedAndSiteKept(none, "'x'", "missing target");
    }

    @Test
    void invalidUtf8Name() throws Exception {
        byte[] tar = tar(t -> file(t, "caf#", "x"));
        tar[3] = (byte) 0xe9;                       // café in Latin-1
        fixChecksum(tar);
        assertRefusedAndSiteKept(write("latin1.tar", tar), "not valid UTF-8", "caf\\xe9");
    }

    @Test
    void nameLongerThanExt2Allows() throws Exception {
        String name = "n".repeat(300);
        Path in = write("longname.tar", tar(t -> file(t, name, "x")));
        assertThatThrownBy(() -> pipeline(in).run()).isInstanceOf(PipelineException.class)
                .hasMessageContaining("ext2").hasMessageContaining("300 bytes").hasMessageContaining(name);
        assertThat(hashes(site)).isEqualTo(previousSite);
    }

    @Test
    void truncatedAndCorruptArchives() throws Exception {
        byte[] good = tar(t -> file(t, "f", "x".repeat(2000)));
        assertRefusedAndSiteKept(write("truncated.tar", Arrays.copyOf(good, 1024)), "truncated");
        byte[] corrupt = good.clone();
        corrupt[130] = '9';                          // a size digit that is not octal, checksum now wrong too
        assertRefusedAndSiteKept(write("corrupt.tar", corrupt), "corrupt.tar");
        byte[] gz = {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3, 4};
        assertRefusedAndSiteKept(write("broken.tar.gz", gz), "gzip");
    }

    @Test
    void ociLayoutWithAWrongDigest() throws Exception {
        byte[] layer = tar(t -> file(t, "f", "x"));
        Path layout = tmp.resolve("oci-bad-digest");
        Files.createDirectories(layout.resolve("blobs/sha256"));
        String config = "{\"architecture\":\"386\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\""
                + Sha256.ociDigest(layer) + "\"]}}";
        String configDigest = blob(layout, config.getBytes(StandardCharsets.UTF_8));
        String layerDigest = blob(layout, layer);
        Files.write(layout.resolve("blobs/sha256/" + layerDigest.substring(7)), tar(t -> file(t, "f", "y")));
        String manifest = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + configDigest
                + "\",\"size\":" + config.length() + "},\"layers\":[{\"mediaType\":"
                + "\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"" + layerDigest + "\",\"size\":" + layer.length
                + "}]}";
        String manifestDigest = blob(layout, manifest.getBytes(StandardCharsets.UTF_8));
        Files.writeString(layout.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        Files.writeString(layout.resolve("index.json"), "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":"
                + "\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" + manifestDigest + "\",\"size\":"
                + manifest.length() + "}]}");
        assertRefusedAndSiteKept(layout, "digest mismatch", "layer 1/1", layerDigest);
    }

    // ---- helpers

    private interface Entries {
        void write(TarArchiveOutputStream t) throws IOException;
    }

    private static byte[] tar(Entries entries) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (TarArchiveOutputStream t = new TarArchiveOutputStream(b)) {
            t.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            entries.write(t);
        }
        return b.toByteArray();
    }

    private static void dir(TarArchiveOutputStream t, String name) throws IOException {
        t.putArchiveEntry(new TarArchiveEntry(name));
        t.closeArchiveEntry();
    }

    private static void file(TarArchiveOutputStream t, String name, String text) throws IOException {
        byte[] data = text.getBytes(StandardCharsets.UTF_8);
        TarArchiveEntry e = new TarArchiveEntry(name, true);
        e.setSize(data.length);
        t.putArchiveEntry(e);
        t.write(data);
        t.closeArchiveEntry();
    }

    private static void symlink(TarArchiveOutputStream t, String name, String target) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_SYMLINK);
        e.setLinkName(target);
        t.putArchiveEntry(e);
        t.closeArchiveEntry();
    }

    private static void hardlink(TarArchiveOutputStream t, String name, String target) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_LINK);
        e.setLinkName(target);
        t.putArchiveEntry(e);
        t.closeArchiveEntry();
    }

    private static void fixChecksum(byte[] tar) {
        Arrays.fill(tar, 148, 156, (byte) ' ');
        long sum = 0;
        for (int i = 0; i < 512; i++) {
            sum += tar[i] & 0xff;
        }
        byte[] chk = String.format("%06o\0 ", sum).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(chk, 0, tar, 148, 8);
    }

    private Path write(String name, byte[] bytes) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("inputs"));
        return Files.write(dir.resolve(name), bytes);
    }

    private static String blob(Path layout, byte[] data) throws IOException {
        String digest = Sha256.ociDigest(data);
        Files.write(layout.resolve("blobs/sha256/" + digest.substring(7)), data);
        return digest;
    }


    private List<Path> listing() throws IOException {
        try (Stream<Path> s = Files.walk(tmp)) {
            return new ArrayList<>(s.sorted().toList());
        }
    }

    static Map<String, String> hashes(Path dir) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.toList()) {
                String rel = dir.relativize(p).toString();
                out.put(rel, Files.isDirectory(p) ? "dir" : Sha256.ociDigest(Files.readAllBytes(p)));
            }
        }
        return out;
    }
}

package io.github.miniwebvm.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.miniwebvm.fs.FileTree;
import io.github.miniwebvm.fs.Node;
import io.github.miniwebvm.fs.NodeType;
import io.github.miniwebvm.io.Sha256;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hostile-input corpus at the loader: each input is refused with an {@link ImageFormatException}
 * that names the input file and the entry (or is loaded the documented way), and no load writes
 * anything outside its work directory or leaves spool files behind. Big inputs (bombs) are
 * generated here, streamed, rather than checked in.
 */
@Timeout(120)
class HostileImageTest {
    @TempDir
    Path tmp;

    private Path write(String name, byte[] bytes) throws IOException {
        return Files.write(tmp.resolve(name), bytes);
    }

    private LoadedImage load(Path input) throws IOException {
        return ImageLoader.builder().workDirectory(tmp.resolve("work")).build().load(input);
    }

    private void assertRefused(Path input, String... messageParts) {
        assertThatThrownBy(() -> load(input)).isInstanceOf(ImageFormatException.class)
                .hasMessageContaining(input.toString())
                .hasMessageContainingAll(messageParts);
    }

    /** Nothing but the inputs and the (empty) work directory exist after every case. */
    @AfterEach
    void nothingLeftBehind() throws IOException {
        Path work = tmp.resolve("work");
        if (Files.isDirectory(work)) {
            try (Stream<Path> s = Files.walk(work)) {
                assertThat(s).as("left in the work directory").containsExactly(work);
            }
        }
    }

    @Test
    void dotDotEntriesAreRefusedAndNothingIsWrittenOutside() throws IOException {
        Path escape = write("dotdot.tar", new TestTars.Layer().file("etc/ok", "1").file("../../evil", "x").bytes());
        assertRefused(escape, "'../../evil'", "leaves the image root");
        Path nested = write("dotdot2.tar", new TestTars.Layer().file("a/b/../../../evil", "x").bytes());
        assertRefused(nested, "'a/b/../../../evil'", "leaves the image root");
        assertThat(tmp.getParent().resolve("evil")).doesNotExist();
        assertThat(tmp.resolve("evil")).doesNotExist();
    }

    @Test
    void absoluteNamesStayInsideTheImage() throws IOException {
        Path abs = write("abs.tar", new TestTars.Layer().file("/etc/abs", "1").file("/../x", "2").bytes());
        assertRefused(abs, "'../x'", "leaves the image root"); // Commons Compress drops the leading '/'
        Path ok = write("abs-ok.tar", new TestTars.Layer().file("/etc/abs", "1").bytes());
        try (LoadedImage image = load(ok)) {
            assertThat(image.tree().lookup("etc/abs")).isPresent();
        }
        assertThat(Path.of("/etc/abs")).doesNotExist();
    }

    @Test
    void symlinkThenFileThroughTheSymlinkIsRefused() throws IOException {
        Path host = write("through.tar", new TestTars.Layer().symlink("etc", "/tmp").file("etc/passwd", "x").bytes());
        assertRefused(host, "'etc/passwd'", "through the symlink '/etc'");
        Path rel = write("through-rel.tar", new TestTars.Layer().dir("d").symlink("d/up", "../../../..")
                .file("d/up/evil", "x").bytes());
        assertRefused(rel, "'d/up/evil'", "symlink");
    }

    @Test
    void hardLinksToOutsideOrNothingAreRefused() throws IOException {
        Path outside = write("hl-out.tar", new TestTars.Layer().hardlink("shadow", "../../etc/shadow").bytes());
        assertRefused(outside, "'shadow'", "leaves the image root");
        Path absent = write("hl-none.tar", new TestTars.Layer().hardlink("x", "no/such/file").bytes());
        assertRefused(absent, "'x'", "hard link to a missing target 'no/such/file'");
        Path viaLink = write("hl-sym.tar", new TestTars.Layer().symlink("l", "/etc").hardlink("x", "l/passwd").bytes());
        assertRefused(viaLink, "'x'", "missing target 'l/passwd'");
    }

    /**
     * Device nodes need no privilege here: the flattener never calls mknod, it records the node in
     * the tree and the ext2 writer stores it as an inode, so a rootless build keeps them.
     */
    @Test
    void deviceNodesAreRecordedWithoutPrivileges() throws IOException {
        Path dev = write("dev.tar", new TestTars.Layer().dir("dev")
                .device("dev/sda", TarConstants.LF_BLK, 8, 0).device("dev/null", TarConstants.LF_CHR, 1, 3)
                .fifo("dev/fifo").bytes());
        try (LoadedImage image = load(dev)) {
            Node sda = image.tree().lookup("dev/sda").orElseThrow();
            assertThat(sda.type()).isEqualTo(NodeType.BLOCK_DEVICE);
            assertThat(List.of(sda.major(), sda.minor())).containsExactly(8, 0);
            assertThat(image.tree().lookup("dev/null").orElseThrow().type()).isEqualTo(NodeType.CHAR_DEVICE);
        }
        try (Stream<Path> s = Files.walk(tmp)) {
            assertThat(s.filter(p -> !Files.isRegularFile(p) && !Files.isDirectory(p))).isEmpty();
        }
    }

    @Test
    void duplicateEntriesTheLaterWins() throws IOException {
        Path dup = write("dup.tar", new TestTars.Layer().file("f", "first").file("f", "second")
                .file("d", "a file").dir("d").file("d/x", "1").dir("e").symlink("e", "/x").bytes());
        try (LoadedImage image = load(dup)) {
            try (InputStream in = image.tree().lookup("f").orElseThrow().content().open()) {
                assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("second");
            }
            assertThat(image.tree().lookup("d").orElseThrow().isDirectory()).isTrue();
            assertThat(image.tree().lookup("e").orElseThrow().linkTarget()).isEqualTo("/x");
        }
    }

    @Test
    void namesWithNulNewlineAndInvalidUtf8() throws IOException {
        Path nul = write("nul.tar", new TestTars.Layer().fileWithRawPax("placeholder", "x",
                Map.of("path", "a\0b".getBytes(StandardCharsets.UTF_8))).bytes());
        assertRefused(nul, "NUL");
        Path newline = write("newline.tar", new TestTars.Layer().file("a\nb", "x").bytes());
        try (LoadedImage image = load(newline)) {
            assertThat(image.tree().root().children()).containsKey("a\nb");
        }
        byte[] latin1 = "caf\u00e9".getBytes(StandardCharsets.ISO_8859_1);
        Path invalid = write("latin1.tar", rawTar(latin1));
        assertRefused(invalid, "not valid UTF-8", "'caf\\xe9'", "at byte 0");
        Path invalidPax = write("latin1-pax.tar", new TestTars.Layer().fileWithRawPax("x", "x",
                Map.of("path", latin1)).bytes());
        assertRefused(invalidPax, "PAX path", "'caf\\xe9'");
    }

    @Test
    void threeHundredByteNames() throws IOException {
        String longPath = "d".repeat(100) + "/" + "e".repeat(100) + "/" + "f".repeat(98);
        String longName = "n".repeat(300);
        Path gnu = write("gnu.tar", new TestTars.Layer(TarArchiveOutputStream.LONGFILE_GNU).file(longPath, "1")
                .symlink("l", longPath).bytes());
        Path pax = write("pax.tar", new TestTars.Layer(TarArchiveOutputStream.LONGFILE_POSIX).file(longPath, "1")
                .file(longName, "2").bytes());
        for (Path p : List.of(gnu, pax)) {
            try (LoadedImage image = load(p)) {
                assertThat(image.tree().lookup(longPath)).isPresent();
            }
        }
        try (LoadedImage image = load(pax)) {
            // loads; the ext2 writer refuses a single name over 255 bytes, naming it (see the pipeline test)
            assertThat(image.tree().root().children()).containsKey(longName);
        }
    }

    /** A PAX size of -5 once made a file of size -5, and an ext2 image that e2fsck rejects. */
    @Test
    void negativePaxSizeIsRefusedNamingTheEntry() throws IOException {
        Path negative = write("negative.tar", new TestTars.Layer().fileWithRawPax("etc/f", "",
                Map.of("size", "-5".getBytes(StandardCharsets.US_ASCII))).bytes());
        assertRefused(negative, "'etc/f'", "PAX size record", "negative size (-5)");
        Path huge = write("huge.tar", new TestTars.Layer().fileWithRawPax("etc/g", "",
                Map.of("size", "99999999999999999999".getBytes(StandardCharsets.US_ASCII))).bytes());
        assertRefused(huge, "'etc/g'", "size=99999999999999999999", "64 bits");
    }

    /** Base-256 (binary) size fields: a value past 64 bits used to wrap around silently. */
    @Test
    void base256SizesThatOverflowAreRefusedNamingTheEntry() throws IOException {
        byte[] wraps = new byte[12];         // 2^64 + 5: wrapped, it read as 5
        wraps[0] = (byte) 0x80;
        wraps[3] = 1;
        wraps[11] = 5;
        assertRefused(write("wraps.tar", tarWithSizeField(wraps)), "'f'", "size field", "does not fit in 64 bits");

        byte[] nearMax = new byte[12];       // 2^63 - 2: its padding to whole blocks overflowed
        nearMax[0] = (byte) 0x80;
        nearMax[4] = 0x7f;
        java.util.Arrays.fill(nearMax, 5, 12, (byte) 0xff);
        nearMax[11] = (byte) 0xfe;
        assertRefused(write("near-max.tar", tarWithSizeField(nearMax)), "'f'", "size field", "no archive can hold");

        byte[] negative = new byte[12];      // base-256 with the sign bit: -1
        java.util.Arrays.fill(negative, (byte) 0xff);
        assertRefused(write("negative256.tar", tarWithSizeField(negative)), "'f'", "negative size (-1)");

        byte[] fine = new byte[12];          // a base-256 size in range is read
        fine[0] = (byte) 0x80;
        fine[11] = 3;
        try (LoadedImage image = load(write("base256.tar", tarWithSizeField(fine)))) {
            assertThat(image.tree().lookup("f").orElseThrow().size()).isEqualTo(3);
        }
    }

    @Test
    void sizeBeyondTheEndOfTheArchiveIsRefusedNamingTheEntry() throws IOException {
        byte[] h = ImageLoaderFuzzTest.header("var/big", '0', 0644, 0, 1L << 30, "");
        byte[] tar = new byte[512 * 4];
        System.arraycopy(h, 0, tar, 0, 512);
        assertRefused(write("short.tar", tar), "truncated tar", "'var/big'");
        Path layout = TestTars.ociLayout(tmp.resolve("oci"), "386", List.of(TestTars.Blob.gzipped(tar)));
        assertThatThrownBy(() -> load(layout)).isInstanceOf(ImageFormatException.class)
                .hasMessageContaining("layer 1/1").hasMessageContaining("'var/big'");
    }

    /**
     * A PAX path of 80,000 segments once exhausted a 512 MiB heap (every prefix was kept as a string)
     * and 4,000 segments with an opaque whiteout overflowed the stack (hiding lower entries
     * recursed); both are now refused as longer than PATH_MAX, with a message of bounded length.
     */
    @Test
    void pathsLongerThanPathMaxAreRefusedWithoutExhaustingMemoryOrStack() throws IOException {
        String deep = "a/".repeat(80_000) + "f";
        Path bomb = write("deep.tar", new TestTars.Layer().fileWithRawPax("placeholder", "x",
                Map.of("path", deep.getBytes(StandardCharsets.US_ASCII))).bytes());
        assertThatThrownBy(() -> load(bomb)).isInstanceOf(ImageFormatException.class)
                .hasMessageContaining(bomb.toString())
                .hasMessageContaining("160002 bytes long as an absolute path (80001 components)")
                .hasMessageContaining("PATH_MAX")
                .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(2000));

        String opaqueDeep = "a/".repeat(4_000) + ".wh..wh..opq";
        Path opaque = write("deep-opaque.tar", new TestTars.Layer().dir("a").fileWithRawPax("placeholder", "",
                Map.of("path", opaqueDeep.getBytes(StandardCharsets.US_ASCII))).bytes());
        assertRefused(opaque, "PATH_MAX");
    }

    /**
     * A tree nearly as deep as PATH_MAX allows (2,040 levels), hidden by an opaque whiteout at the root from
     * a layer that also writes it: the walk over it needs no stack, so it succeeds on a thread with
     * a small one.
     */
    @Test
    void opaqueWhiteoutOverTheDeepestAllowedTreeNeedsNoDeepStack() throws Throwable {
        String deepDir = "a/".repeat(2_040);
        byte[] lower = new TestTars.Layer().file(deepDir + "lower", "1").file("b", "2").bytes();
        byte[] upper = new TestTars.Layer().file(deepDir + "upper", "3").file(".wh..wh..opq", "").bytes();
        FileTree tree = new FileTree();
        Throwable[] failure = new Throwable[1];
        Thread small = new Thread(null, () -> {
            try {
                for (byte[] layer : List.of(lower, upper)) {
                    new LayerApplier(tree, "deep", tmp.resolve("unused.tar"), 0)
                            .apply(new TarReader(new java.io.ByteArrayInputStream(layer), "deep.tar"));
                }
            } catch (Throwable e) {
                failure[0] = e;
            }
        }, "small-stack", 128 * 1024);
        small.start();
        small.join();
        if (failure[0] != null) {
            throw failure[0];
        }
        assertThat(tree.lookup(deepDir + "upper")).isPresent();
        assertThat(tree.lookup(deepDir + "lower")).isEmpty();
        assertThat(tree.lookup("b")).isEmpty();
    }

    /** Streams 10 million headers: memory stays bounded and the entry limit stops it with a clear message. */
    @Test
    void tenMillionEntryHeaderBombIsRefusedPastTheEntryLimit() throws IOException {
        assertThat(ImageLoader.DEFAULT_MAX_ENTRIES).isLessThan(10_000_000);
        long limit = 200_000;
        FileTree tree = new FileTree();
        Runtime rt = Runtime.getRuntime();
        System.gc();
        long before = rt.totalMemory() - rt.freeMemory();
        try (InputStream bomb = new HeaderBomb(10_000_000)) {
            TarReader reader = new TarReader(bomb, "bomb.tar", new LoadLimits(limit, Long.MAX_VALUE));
            LayerApplier applier = new LayerApplier(tree, "bomb.tar", tmp.resolve("bomb.tar"), 0);
            assertThatThrownBy(() -> applier.apply(reader)).isInstanceOf(ImageFormatException.class)
                    .hasMessageContaining("bomb.tar has more than 200000 tar entries")
                    .hasMessageContaining("at byte " + limit * 512)
                    .hasMessageContaining("maxEntries");
        }
        long grown = rt.totalMemory() - rt.freeMemory() - before;
        assertThat(tree.nodeCount()).isLessThanOrEqualTo((int) limit + 1000);
        assertThat(grown).as("heap growth for " + limit + " entries").isLessThan(400L << 20);

        // through ImageLoader: a gzip layer of 50,000 headers (25 MB of tar in 60 KB) with a limit of 10,000
        Path gz = tmp.resolve("bomb.tar.gz");
        try (OutputStream out = new GzipCompressorOutputStream(new BufferedOutputStream(Files.newOutputStream(gz)));
             InputStream in = new HeaderBomb(50_000)) {
            in.transferTo(out);
        }
        assertThat(Files.size(gz)).isLessThan(1 << 20);
        assertThatThrownBy(() -> ImageLoader.builder().workDirectory(tmp.resolve("work")).maxEntries(10_000).build()
                .load(gz)).isInstanceOf(ImageFormatException.class)
                .hasMessageContaining(gz.toString()).hasMessageContaining("more than 10000 tar entries");
    }

    @Test
    void gzipBombIsRefusedPastTheSpoolLimit() throws IOException {
        long zeros = 256L << 20;
        byte[] header = ImageLoaderFuzzTest.header("zeros", '0', 0644, 0, zeros, "");
        Path rootfs = tmp.resolve("bomb.tar.gz");
        try (OutputStream out = new GzipCompressorOutputStream(new BufferedOutputStream(Files.newOutputStream(rootfs)))) {
            out.write(header);
            byte[] block = new byte[1 << 20];
            for (long i = 0; i < zeros; i += block.length) {
                out.write(block);
            }
            out.write(new byte[1024]);
        }
        assertThat(Files.size(rootfs)).isLessThan(1 << 20);
        ImageLoader limited = ImageLoader.builder().workDirectory(tmp.resolve("work")).maxSpoolBytes(16 << 20).build();
        assertThatThrownBy(() -> limited.load(rootfs)).isInstanceOf(ImageFormatException.class)
                .hasMessageContaining(rootfs.toString()).hasMessageContaining("more than 16777216 bytes")
                .hasMessageContaining("decompression bomb").hasMessageContaining("maxSpoolBytes");

        // the same as a gzip layer of an OCI layout
        byte[] layer = Files.readAllBytes(rootfs);
        TestTars.Blob blob = new TestTars.Blob(layer, "application/vnd.oci.image.layer.v1.tar+gzip", new byte[0]);
        Path layout = TestTars.ociLayout(tmp.resolve("oci"), "386", List.of(blob));
        assertThatThrownBy(() -> limited.load(layout)).isInstanceOf(ImageFormatException.class)
                .hasMessageContaining("layer 1/1").hasMessageContaining(layout.toString())
                .hasMessageContaining("decompression bomb");
    }

    @Test
    void ociLayoutWithWrongDigests() throws IOException {
        TestTars.Blob layer = TestTars.Blob.gzipped(new TestTars.Layer().file("f", "1").bytes());
        Path layout = TestTars.ociLayout(tmp.resolve("oci"), "386", List.of(layer));
        Path blob = layout.resolve("blobs/sha256/" + Sha256.ociDigest(layer.stored()).substring(7));
        byte[] tampered = TestTars.gzip(new TestTars.Layer().file("f", "2").bytes());
        Files.write(blob, tampered);
        assertThatThrownBy(() -> load(layout)).isInstanceOf(ImageFormatException.class)
                .hasMessageContaining(layout.toString()).hasMessageContaining("layer 1/1");

        Path manifestTampered = TestTars.ociLayout(tmp.resolve("oci2"), "386", List.of(layer));
        String index = Files.readString(manifestTampered.resolve("index.json"));
        String digest = index.replaceAll("(?s).*\"digest\":\"sha256:([0-9a-f]{64})\".*", "$1");
        Path manifest = manifestTampered.resolve("blobs/sha256/" + digest);
        Files.writeString(manifest, Files.readString(manifest).replace("\"schemaVersion\":2", "\"schemaVersion\":3"));
        assertThatThrownBy(() -> load(manifestTampered)).isInstanceOf(ImageFormatException.class)
                .hasMessageContaining("digest mismatch").hasMessageContaining("sha256:" + digest);
    }

    /** A one-entry tar whose name field holds {@code name} as raw bytes. */
    private static byte[] rawTar(byte[] name) {
        byte[] h = ImageLoaderFuzzTest.header("", '0', 0644, 0, 1, "");
        System.arraycopy(name, 0, h, 0, name.length);
        byte[] tar = new byte[512 * 2 + 1024];
        System.arraycopy(withChecksum(h), 0, tar, 0, 512);
        tar[512] = 'x';
        return tar;
    }

    /** A one-file tar ("f", 512 bytes of 'x' stored) whose size field holds {@code sizeField} as raw bytes. */
    private static byte[] tarWithSizeField(byte[] sizeField) {
        byte[] h = ImageLoaderFuzzTest.header("f", '0', 0644, 0, 0, "");
        System.arraycopy(sizeField, 0, h, 124, 12);
        byte[] tar = new byte[512 * 2 + 1024];
        System.arraycopy(withChecksum(h), 0, tar, 0, 512);
        java.util.Arrays.fill(tar, 512, 1024, (byte) 'x');
        return tar;
    }

    /** {@code h} with its checksum field recomputed. */
    private static byte[] withChecksum(byte[] h) {
        for (int i = 148; i < 156; i++) {
            h[i] = ' ';
        }
        long sum = 0;
        for (byte b : h) {
            sum += b & 0xff;
        }
        byte[] chk = String.format("%07o\0", sum).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(chk, 0, h, 148, 8);
        return h;
    }

    /** Empty-file headers {@code d<i/1000>/f<i>}, generated as read: no array of the whole tar. */
    static final class HeaderBomb extends InputStream {
        private final long entries;
        private long entry;
        private byte[] block = new byte[0];
        private int pos;
        private int trailer = 1024;

        HeaderBomb(long entries) {
            this.entries = entries;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (pos == block.length) {
                if (entry < entries) {
                    block = ImageLoaderFuzzTest.header("d" + entry / 1000 + "/f" + entry, '0', 0644, 0, 0, "");
                    entry++;
                } else if (trailer > 0) {
                    block = new byte[trailer];
                    trailer = 0;
                } else {
                    return -1;
                }
                pos = 0;
            }
            int n = Math.min(len, block.length - pos);
            System.arraycopy(block, pos, b, off, n);
            pos += n;
            return n;
        }
    }
}

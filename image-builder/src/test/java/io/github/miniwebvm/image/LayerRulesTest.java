package io.github.miniwebvm.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.miniwebvm.fs.FileTree;
import io.github.miniwebvm.fs.Node;
import io.github.miniwebvm.fs.NodeType;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each whiteout, link, long-name and metadata rule, and each hostile entry, on hand-built layer tars. */
class LayerRulesTest {
    @TempDir
    Path tmp;

    private FileTree flatten(TestTars.Layer... layers) throws IOException {
        FileTree tree = new FileTree();
        for (int i = 0; i < layers.length; i++) {
            Path file = tmp.resolve("layer" + i + ".tar");
            Files.write(file, layers[i].bytes());
            try (InputStream in = Files.newInputStream(file)) {
                new LayerApplier(tree, "L" + (i + 1), file, 0).apply(new TarReader(in, file.toString()));
            }
        }
        return tree;
    }

    private static String text(FileTree tree, String path) throws IOException {
        try (InputStream in = tree.lookup(path).orElseThrow(() -> new AssertionError("missing " + path)).content().open()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static Node node(FileTree tree, String path) {
        return tree.lookup(path).orElseThrow(() -> new AssertionError("missing " + path));
    }

    @Test
    void whiteoutDeletesLowerFilesAndDirectories() throws IOException {
        FileTree t = flatten(
                new TestTars.Layer().dir("a").file("a/f", "1").dir("a/d").file("a/d/g", "2").file("a/keep", "3"),
                new TestTars.Layer().file("a/.wh.f", "").file("a/.wh.d", "").file("a/.wh.absent", ""));
        assertThat(node(t, "a").children().keySet()).containsExactly("keep");
    }

    @Test
    void whiteoutDoesNotDeleteAnEntryOfTheSameLayer() throws IOException {
        FileTree t = flatten(
                new TestTars.Layer().file("x", "lower"),
                new TestTars.Layer().file("x", "same layer").file(".wh.x", ""));
        assertThat(text(t, "x")).isEqualTo("same layer");
    }

    @Test
    void opaqueDirectoryHidesOnlyLowerLayers() throws IOException {
        FileTree t = flatten(
                new TestTars.Layer().dir("d").file("d/lower", "l").dir("d/sub").file("d/sub/deep", "l").file("other", "o"),
                new TestTars.Layer().dir("d").file("d/before", "b").file("d/.wh..wh..opq", "").file("d/after", "a")
                        .file("d/sub/new", "n"));
        assertThat(node(t, "d").children().keySet()).containsExactly("after", "before", "sub");
        assertThat(node(t, "d/sub").children().keySet()).containsExactly("new");
        assertThat(text(t, "other")).isEqualTo("o");
        assertThat(t.lookup("d/.wh..wh..opq")).isEmpty();
    }

    @Test
    void opaqueMarkerOfANewDirectoryCreatesIt() throws IOException {
        FileTree t = flatten(new TestTars.Layer().file("n/.wh..wh..opq", ""));
        assertThat(node(t, "n").isDirectory()).isTrue();
        assertThat(node(t, "n").children()).isEmpty();
    }

    @Test
    void laterEntryReplacesAnEarlierOneOfAnotherType() throws IOException {
        FileTree t = flatten(
                new TestTars.Layer().file("f2d", "f").dir("d2f").file("d2f/x", "x").symlink("l2d", "/etc")
                        .file("f2l", "f").dir("keep").file("keep/child", "c"),
                new TestTars.Layer().dir("f2d").file("f2d/in", "i").file("d2f", "now a file").dir("l2d")
                        .symlink("f2l", "target").dir("keep", 0700, 5, 6, 42));
        assertThat(node(t, "f2d").type()).isEqualTo(NodeType.DIRECTORY);
        assertThat(text(t, "f2d/in")).isEqualTo("i");
        assertThat(text(t, "d2f")).isEqualTo("now a file");
        assertThat(node(t, "l2d").type()).isEqualTo(NodeType.DIRECTORY);
        assertThat(node(t, "f2l").linkTarget()).isEqualTo("target");
        Node keep = node(t, "keep");
        assertThat(keep.children()).containsKey("child");
        assertThat(keep.permissions()).isEqualTo(0700);
        assertThat(keep.uid()).isEqualTo(5);
        assertThat(keep.mtime()).isEqualTo(42);
    }

    @Test
    void replacingAFileBreaksItsHardLinks() throws IOException {
        FileTree t = flatten(
                new TestTars.Layer().file("a", "old").hardlink("b", "a"),
                new TestTars.Layer().file("a", "new"));
        assertThat(text(t, "a")).isEqualTo("new");
        assertThat(text(t, "b")).isEqualTo("old");
    }

    @Test
    void hardLinksAreTheSameNodeWithinAndAcrossLayers() throws IOException {
        FileTree t = flatten(
                new TestTars.Layer().file("bin/tool", "t", 04755, 0, 0, 7).hardlink("bin/tool2", "bin/tool")
                        .hardlink("./bin/tool3", "/bin/tool"),
                new TestTars.Layer().hardlink("usr/tool4", "bin/tool"));
        Node tool = node(t, "bin/tool");
        assertThat(node(t, "bin/tool2")).isSameAs(tool);
        assertThat(node(t, "bin/tool3")).isSameAs(tool);
        assertThat(node(t, "usr/tool4")).isSameAs(tool);
        assertThat(t.linkCounts().get(tool)).isEqualTo(4);
    }

    @Test
    void hardLinkToAMissingTargetNamesLayerAndEntry() {
        assertThatThrownBy(() -> flatten(new TestTars.Layer().file("a", "x"),
                new TestTars.Layer().hardlink("dir/link", "nowhere")))
                .isInstanceOf(ImageFormatException.class)
                .hasMessageContaining("layer L2").hasMessageContaining("dir/link").hasMessageContaining("nowhere");
    }

    @Test
    void hardLinkToADirectoryIsRefused() {
        assertThatThrownBy(() -> flatten(new TestTars.Layer().dir("d").hardlink("l", "d")))
                .isInstanceOf(ImageFormatException.class).hasMessageContaining("directory");
    }

    @Test
    void longNamesAndLinkNamesInPaxAndGnuForm() throws IOException {
        String dir = "d".repeat(90) + "/" + "e".repeat(90);
        String name = dir + "/" + "f".repeat(120);
        String target = "/" + "t".repeat(150);
        for (int mode : new int[] {TarArchiveOutputStream.LONGFILE_POSIX, TarArchiveOutputStream.LONGFILE_GNU}) {
            FileTree t = flatten(new TestTars.Layer(mode).file(name, "long").symlink(dir + "/sym", target)
                    .hardlink("h".repeat(110), name));
            assertThat(text(t, name)).isEqualTo("long");
            assertThat(node(t, dir + "/sym").linkTarget()).isEqualTo(target);
            assertThat(node(t, "h".repeat(110))).isSameAs(node(t, name));
        }
    }

    @Test
    void paxXattrsKeepBinaryValues() throws IOException {
        byte[] capability = {1, 0, 0, 2, (byte) 0x80, (byte) 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
        FileTree t = flatten(new TestTars.Layer().fileWithRawPax("usr/bin/ping", "p",
                Map.of("SCHILY.xattr.security.capability", capability, "SCHILY.xattr.user.note",
                        "hi".getBytes(StandardCharsets.UTF_8))));
        Node ping = node(t, "usr/bin/ping");
        assertThat(ping.xattrs().get("security.capability")).isEqualTo(capability);
        assertThat(ping.xattrs().get("user.note")).isEqualTo("hi".getBytes(StandardCharsets.UTF_8));
        assertThat(text(t, "usr/bin/ping")).isEqualTo("p");
    }

    @Test
    void ownerModeAndMtimeIncludingLargeValues() throws IOException {
        FileTree t = flatten(new TestTars.Layer().file("f", "x", 06755, 4_000_000_000L, 3_000_000, 9_000_000_000L)
                .dir("sticky", 01777, 0, 0, 5));
        Node f = node(t, "f");
        assertThat(f.permissions()).isEqualTo(06755);
        assertThat(f.uid()).isEqualTo(4_000_000_000L);
        assertThat(f.gid()).isEqualTo(3_000_000);
        assertThat(f.mtime()).isEqualTo(9_000_000_000L);
        assertThat(node(t, "sticky").permissions()).isEqualTo(01777);
    }

    @Test
    void devicesAndFifos() throws IOException {
        FileTree t = flatten(new TestTars.Layer().device("dev/null", TarConstants.LF_CHR, 1, 3)
                .device("dev/sda", TarConstants.LF_BLK, 8, 0).fifo("run/fifo"));
        assertThat(node(t, "dev/null").type()).isEqualTo(NodeType.CHAR_DEVICE);
        assertThat(node(t, "dev/null").major()).isEqualTo(1);
        assertThat(node(t, "dev/null").minor()).isEqualTo(3);
        assertThat(node(t, "dev/null").gid()).isEqualTo(6);
        assertThat(node(t, "dev/sda").type()).isEqualTo(NodeType.BLOCK_DEVICE);
        assertThat(node(t, "dev/sda").major()).isEqualTo(8);
        assertThat(node(t, "run/fifo").type()).isEqualTo(NodeType.FIFO);
    }

    @Test
    void missingParentsAreCreatedAsRootOwnedDirectories() throws IOException {
        FileTree t = flatten(new TestTars.Layer().file("a/b/c", "x"));
        assertThat(node(t, "a/b").permissions()).isEqualTo(0755);
        assertThat(node(t, "a/b").uid()).isZero();
    }

    @Test
    void rootEntrySetsTheRootsMetadata() throws IOException {
        FileTree t = flatten(new TestTars.Layer().dir("./", 0700, 0, 0, 77).file("./x", "x"));
        assertThat(t.root().permissions()).isEqualTo(0700);
        assertThat(t.root().mtime()).isEqualTo(77);
    }

    // ---- hostile entries

    @Test
    void dotDotLeavingTheRootIsRefused() {
        assertThatThrownBy(() -> flatten(new TestTars.Layer().file("../../etc/passwd", "pwned")))
                .isInstanceOf(ImageFormatException.class).hasMessageContaining("'..'").hasMessageContaining("L1");
        assertThatThrownBy(() -> flatten(new TestTars.Layer().file("a/../../x", "pwned")))
                .isInstanceOf(ImageFormatException.class).hasMessageContaining("'..'");
    }

    @Test
    void dotDotInsideTheRootIsResolvedLexically() throws IOException {
        FileTree t = flatten(new TestTars.Layer().dir("a").file("a/../b", "x"));
        assertThat(text(t, "b")).isEqualTo("x");
        assertThat(node(t, "a").children()).isEmpty();
    }

    @Test
    void absolutePathsStayInsideTheImage() throws IOException {
        FileTree t = flatten(new TestTars.Layer().file("/etc/evil", "x").symlink("/abs", "/etc/shadow"));
        assertThat(text(t, "etc/evil")).isEqualTo("x");
        assertThat(node(t, "abs").linkTarget()).isEqualTo("/etc/shadow");
    }

    @Test
    void entriesThroughASymlinkAreRefused() {
        assertThatThrownBy(() -> flatten(new TestTars.Layer().symlink("escape", "/"),
                new TestTars.Layer().file("escape/etc/passwd", "pwned")))
                .isInstanceOf(ImageFormatException.class)
                .hasMessageContaining("layer L2").hasMessageContaining("escape/etc/passwd").hasMessageContaining("symlink");
        assertThatThrownBy(() -> flatten(new TestTars.Layer().symlink("up", "../..").file("up/x", "x")))
                .isInstanceOf(ImageFormatException.class).hasMessageContaining("symlink");
    }

    @Test
    void hardLinkTargetsCannotLeaveTheRootOrGoThroughSymlinks() {
        assertThatThrownBy(() -> flatten(new TestTars.Layer().hardlink("h", "../../etc/passwd")))
                .isInstanceOf(ImageFormatException.class).hasMessageContaining("'..'");
        assertThatThrownBy(() -> flatten(new TestTars.Layer().symlink("s", "/etc").hardlink("h", "s/passwd")))
                .isInstanceOf(ImageFormatException.class).hasMessageContaining("missing target");
    }

    @Test
    void entryBelowAFileIsRefused() {
        assertThatThrownBy(() -> flatten(new TestTars.Layer().file("f", "x").file("f/g", "y")))
                .isInstanceOf(ImageFormatException.class).hasMessageContaining("not a directory");
    }

    @Test
    void contentsAreRangesOfTheLayerFileNotCopies() throws IOException {
        FileTree t = flatten(new TestTars.Layer().file("a", "alpha").file("b", "bravo!"));
        assertThat(node(t, "b").content().describe()).contains("layer0.tar @");
        assertThat(text(t, "a")).isEqualTo("alpha");
        assertThat(text(t, "b")).isEqualTo("bravo!");
    }
}

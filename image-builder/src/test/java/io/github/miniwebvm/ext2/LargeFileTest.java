package io.github.miniwebvm.ext2;

import io.github.miniwebvm.fs.FileTree;
import io.github.miniwebvm.fs.Node;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Files of 3 GiB and past 4 GiB (revision 1, large_file, triple indirect blocks), written by a
 * forked JVM limited to -Xmx256m; checked with e2fsck, debugfs and a loop mount (size and sampled
 * bytes).
 */
class LargeFileTest {
    static Path dir;
    static Oracles.Run child;

    @BeforeAll
    static void writeInSmallHeap() throws Exception {
        dir = Files.createTempDirectory(Files.createDirectories(Path.of("target").toAbsolutePath()), "ext2-large-");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        child = Oracles.run(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                LargeFileMain.class.getName(), dir.toString());
        assertThat(child.exitCode()).as(child.output()).isZero();
    }

    @AfterAll
    static void cleanUp() throws Exception {
        if (dir != null) {
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void fourGibImageWithThreeGibFileBuildsInSmallHeap() throws Exception {
        assertThat(child.output()).contains("max heap 256 MiB", "three: Ext2Result[imageSize=4294967296");
        Path image = dir.resolve("three.ext2");
        assertThat(Files.size(image)).isEqualTo(4L << 30);
        Oracles.assumeE2fsprogs();
        Oracles.e2fsckClean(image);
        checkMounted(image, "data/three-gib", LargeFileMain.threeGibTree(), LargeFileMain.threeGib());
    }

    @Test
    void filePastFourGibUsesLargeFileAndTripleIndirectBlocks() throws Exception {
        Path image = dir.resolve("four.ext2");
        Oracles.assumeE2fsprogs();
        Oracles.e2fsckClean(image);
        String stat = Oracles.debugfs(image, "stat /big");
        assertThat(stat).contains("Size: " + LargeFileMain.pastFourGib().size(), "(TIND)");
        assertThat(Oracles.run("dumpe2fs", "-h", image.toString()).output()).contains("large_file");
        checkMounted(image, "big", LargeFileMain.pastFourGibTree(), LargeFileMain.pastFourGib());
    }

    private static void checkMounted(Path image, String path, FileTree tree, PatternContent content) throws Exception {
        Oracles.assumeLoopMount();
        try (Oracles.Mount m = new Oracles.Mount(image)) {
            Path file = m.dir.resolve(path);
            assertThat(Files.size(file)).isEqualTo(content.size());
            Node node = tree.lookup(path).orElseThrow();
            assertThat(Files.getLastModifiedTime(file).toMillis() / 1000).isEqualTo(node.mtime());
            try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
                long[] samples = {0, 1, 4095, 4096, 100_000, 1L << 30, (1L << 30) - 1000, (1L << 30) + 99_000,
                        2L << 30, (3L << 30) - 1, (3L << 30) + 5, (3L << 30) + 90_000, (4L << 30) + (8 << 20) + 7,
                        (4L << 30) + (8 << 20) + 50_000, content.size() - 1000, content.size() - 1,
                        64L << 20, (64L << 20) + 4099 + 500_000, (47 * 64L << 20) + 47 * 4099L + 1000};
                for (long s : samples) {
                    if (s < content.size()) {
                        f.seek(s);
                        assertThat((byte) f.read()).as("byte at %d", s).isEqualTo(content.byteAt(s));
                    }
                }
            }
        }
    }
}

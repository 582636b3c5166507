package io.github.miniwebvm.ext2;

import io.github.miniwebvm.fs.FileTree;
import io.github.miniwebvm.fs.HostDirectoryReader;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The debootstrapped Debian minbase fixture, read from its directory, written and read back. */
class FixtureTest {
    static Path fixture;

    @TempDir
    Path tmp;

    @BeforeAll
    static void findFixture() throws Exception {
        String repoRoot = System.getProperty("webvm.repoRoot");
        assumeTrue(repoRoot != null, "system property webvm.repoRoot not set (run through Maven)");
        Oracles.Run r = Oracles.run("bash", Path.of(repoRoot, "scripts", "fixture-base.sh").toString(), "dir");
        assumeTrue(r.exitCode() == 0, "fixture not available: " + r.output());
        String[] lines = r.output().trim().split("\n");
        fixture = Path.of(lines[lines.length - 1]);
        assumeTrue(Files.isDirectory(fixture), "fixture directory missing: " + fixture);
    }

    @ParameterizedTest(name = "revision {0}")
    @ValueSource(ints = {0, 1})
    void debootstrappedFixturePassesE2fsckAndMountComparison(int revision) throws Exception {
        Oracles.assumeE2fsprogs();
        FileTree tree = HostDirectoryReader.read(fixture);
        assertThat(tree.nodeCount()).isGreaterThan(1000);
        Path image = tmp.resolve("fixture.ext2");
        Ext2Result r = Ext2Writer.builder().revision(revision).build().write(tree, image);
        assertThat(r.warnings()).isEmpty();
        Oracles.e2fsckClean(image);
        assertThat(Oracles.debugfs(image, "stat /dev/null")).contains("Device major/minor number: 01:03");
        Oracles.assumeLoopMount();
        try (Oracles.Mount m = new Oracles.Mount(image)) {
            Oracles.compareMounted(tree, m.dir, null, revision == 1);
        }
    }
}

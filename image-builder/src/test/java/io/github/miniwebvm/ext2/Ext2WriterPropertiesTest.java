package io.github.miniwebvm.ext2;

import io.github.miniwebvm.testsupport.MissingOracle;
import io.github.miniwebvm.fs.FileTree;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeProperty;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Random small trees, checked by e2fsck and a loop mount (both revisions, all block sizes). */
class Ext2WriterPropertiesTest {
    private Path dir;

    @BeforeProperty
    void createDir() throws Exception {
        dir = Files.createTempDirectory(Files.createDirectories(Path.of("target")), "ext2-props-");
    }

    @AfterProperty
    void deleteDir() throws Exception {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Property(tries = 25)
    void randomTreesPassE2fsckAndReadBackEqual(@ForAll long seed, @ForAll @IntRange(min = 0, max = 1) int revision,
                                               @ForAll @IntRange(min = 0, max = 2) int blockSizeIndex,
                                               @ForAll @IntRange(min = 1, max = 40) int entries) throws Exception {
        MissingOracle.require(Oracles.hasTool("e2fsck"), "e2fsprogs (e2fsck) not installed: run scripts/setup-host.sh");
        int blockSize = 1024 << blockSizeIndex;
        List<RandomTrees.Entry> spec = RandomTrees.generate(new Random(seed), blockSize, entries);
        FileTree tree = RandomTrees.build(spec, null);
        Path image = dir.resolve("random.ext2");
        Ext2Writer.builder().revision(revision).blockSize(blockSize).headroomBytes(0).build().write(tree, image);
        Oracles.e2fsckClean(image);
        if (Oracles.loopMount()) {
            try (Oracles.Mount m = new Oracles.Mount(image)) {
                Oracles.compareMounted(tree, m.dir, null, revision == 1);
            }
        }
    }

    @Property(tries = 30)
    void insertionOrderDoesNotMatter(@ForAll long seed, @ForAll @IntRange(min = 1, max = 40) int entries) throws Exception {
        List<RandomTrees.Entry> spec = RandomTrees.generate(new Random(seed), 1024, entries);
        Path a = dir.resolve("a.ext2");
        Path b = dir.resolve("b.ext2");
        Ext2Writer writer = Ext2Writer.builder().blockSize(1024).headroomBytes(0).build();
        writer.write(RandomTrees.build(spec, null), a);
        writer.write(RandomTrees.build(spec, new Random(seed + 1)), b);
        assertThat(Files.mismatch(a, b)).as("first differing byte, tree:\n%s", RandomTrees.describe(spec)).isEqualTo(-1);
    }
}

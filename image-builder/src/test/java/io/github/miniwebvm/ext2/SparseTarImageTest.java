package io.github.miniwebvm.ext2;

import static io.github.miniwebvm.testsupport.SparseTars.DATA;
import static io.github.miniwebvm.testsupport.SparseTars.SIZE;
import static io.github.miniwebvm.testsupport.SparseTars.gnuTar;
import static io.github.miniwebvm.testsupport.SparseTars.sparseFile;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.miniwebvm.image.ImageLoader;
import io.github.miniwebvm.image.LoadedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * A sparse file in a GNU sparse tar (made by GNU tar, in each of its formats) stays sparse in the
 * ext2 image: debugfs reports its real size and only a few blocks, e2fsck finds the image clean
 * and the file reads back byte for byte, holes as zeros.
 */
class SparseTarImageTest {
    @TempDir
    Path tmp;

    @ParameterizedTest
    @FieldSource("io.github.miniwebvm.testsupport.SparseTars#FORMATS")
    void holesOfSparseTarEntriesStayHolesInTheImage(String format) throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("src"));
        Path original = sparseFile(dir.resolve("f"));
        Path tar = gnuTar(dir, "f", format, tmp.resolve(format + ".tar"));
        Path image = tmp.resolve(format + ".ext2");
        try (LoadedImage loaded = ImageLoader.builder().workDirectory(tmp.resolve("work")).build().load(tar)) {
            Ext2Result r = Ext2Writer.builder().build().write(loaded.tree(), image);
            assertThat(r.blocksUsed() * r.blockSize()).as("bytes used by the whole image").isLessThan(SIZE / 4);
        }
        Oracles.assumeE2fsprogs();
        Oracles.e2fsckClean(image);
        String stat = Oracles.debugfs(image, "stat /f");
        assertThat(stat).contains("Size: " + SIZE);
        Matcher blockcount = Pattern.compile("Blockcount: (\\d+)").matcher(stat);
        assertThat(blockcount.find()).as(stat).isTrue();
        long sectors = Long.parseLong(blockcount.group(1));
        assertThat(sectors * 512).as("bytes allocated to /f, holes excluded")
                .isLessThan(DATA.length * 3 * 4096L + 16384);

        Path dumped = tmp.resolve("dumped");
        Oracles.debugfs(image, "dump /f " + dumped);
        assertThat(Files.size(dumped)).isEqualTo(SIZE);
        assertThat(Files.mismatch(dumped, original)).as("first difference with the original").isEqualTo(-1L);
    }
}

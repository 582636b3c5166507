package io.github.miniwebvm.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TreesTest {
    @Test
    void deletesATreeButNotWhatItsLinksPointAt(@TempDir Path dir) throws Exception {
        Path outside = Files.createDirectories(dir.resolve("outside"));
        Files.writeString(outside.resolve("keep"), "kept");
        Path tree = Files.createDirectories(dir.resolve("tree/a/b"));
        Files.writeString(tree.resolve("file"), "x");
        Files.createSymbolicLink(dir.resolve("tree/a/link"), outside);

        Trees.deleteRecursively(dir.resolve("tree"));

        assertThat(dir.resolve("tree")).doesNotExist();
        assertThat(outside.resolve("keep")).hasContent("kept");
    }

    @Test
    void aLinkGivenAsTheRootIsRemovedNotFollowed(@TempDir Path dir) throws Exception {
        Path target = Files.createDirectories(dir.resolve("target"));
        Files.writeString(target.resolve("keep"), "kept");
        Path link = Files.createSymbolicLink(dir.resolve("link"), target);

        Trees.deleteRecursively(link);

        assertThat(Files.exists(link, LinkOption.NOFOLLOW_LINKS)).isFalse();
        assertThat(target.resolve("keep")).hasContent("kept");
    }

    @Test
    void aSingleFileOrAMissingPathIsFine(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("file"), "x");
        Trees.deleteRecursively(file);
        Trees.deleteRecursively(dir.resolve("missing"));
        Trees.deleteRecursively(null);
        assertThat(file).doesNotExist();
    }
}

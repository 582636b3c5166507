package io.github.miniwebvm.fs;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserDefinedFileAttributeView;

import static org.assertj.core.api.Assertions.assertThat;

class HostDirectoryReaderTest {
    @TempDir
    Path dir;

    @Test
    void readsTypesMetadataHardLinksAndUserXattrs() throws Exception {
        Path sub = Files.createDirectory(dir.resolve("sub"));
        Path file = Files.writeString(sub.resolve("file.txt"), "hello");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-x---"));
        Files.setLastModifiedTime(file, FileTime.fromMillis(1_234_567_000L));
        Files.createLink(dir.resolve("hard"), file);
        Files.createSymbolicLink(dir.resolve("link"), Path.of("sub/file.txt"));
        boolean fifo = new ProcessBuilder("mkfifo", dir.resolve("pipe").toString()).start().waitFor() == 0;
        boolean device = new ProcessBuilder("mknod", dir.resolve("tty").toString(), "c", "4", "300").start().waitFor() == 0;
        boolean xattr;
        try {
            Files.getFileAttributeView(file, UserDefinedFileAttributeView.class)
                    .write("color", ByteBuffer.wrap("blue".getBytes(StandardCharsets.UTF_8)));
            xattr = true;
        } catch (Exception e) {
            xattr = false;
        }

        FileTree tree = HostDirectoryReader.read(dir);

        Node f = tree.lookup("sub/file.txt").orElseThrow();
        assertThat(f.type()).isEqualTo(NodeType.FILE);
        assertThat(f.permissions()).isEqualTo(0750);
        assertThat(f.mtime()).isEqualTo(1_234_567L);
        assertThat(f.size()).isEqualTo(5);
        try (var in = f.content().open()) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("hello");
        }
        assertThat(tree.lookup("hard").orElseThrow()).isSameAs(f);
        assertThat(tree.linkCounts().get(f)).isEqualTo(2);
        assertThat(tree.lookup("link").orElseThrow().linkTarget()).isEqualTo("sub/file.txt");
        assertThat(tree.lookup("sub").orElseThrow().isDirectory()).isTrue();
        if (fifo) {
            assertThat(tree.lookup("pipe").orElseThrow().type()).isEqualTo(NodeType.FIFO);
        }
        if (device) {
            Node tty = tree.lookup("tty").orElseThrow();
            assertThat(tty.type()).isEqualTo(NodeType.CHAR_DEVICE);
            assertThat(tty.major() + ":" + tty.minor()).isEqualTo("4:300");
        }
        if (xattr) {
            assertThat(f.xattrs()).containsKey("user.color");
            assertThat(new String(f.xattrs().get("user.color"), StandardCharsets.UTF_8)).isEqualTo("blue");
        }
    }

    private static String spread(int d) {
        return "a" + d % 7 + "/d" + d;
    }

    @Test
    void readsADeepWideTreeWhoseHardLinksCrossDirectoriesAsOneNodeEach() throws Exception {
        for (int d = 0; d < 120; d++) {
            Path sub = Files.createDirectories(dir.resolve(spread(d)));
            for (int f = 0; f < 5; f++) {
                Files.writeString(sub.resolve("f" + f), d + "/" + f);
            }
        }
        for (int d = 0; d < 120; d++) {
            Files.createLink(dir.resolve(spread(d) + "/link"), dir.resolve(spread((d + 1) % 120) + "/f0"));
        }

        for (int round = 0; round < 3; round++) {
            FileTree tree = HostDirectoryReader.read(dir);
            for (int d = 0; d < 120; d++) {
                String base = spread(d) + "/";
                for (int f = 0; f < 5; f++) {
                    Node file = tree.lookup(base + "f" + f).orElseThrow();
                    try (var in = file.content().open()) {
                        assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo(d + "/" + f);
                    }
                }
                Node target = tree.lookup(spread((d + 1) % 120) + "/f0").orElseThrow();
                assertThat(tree.lookup(base + "link").orElseThrow()).isSameAs(target);
                assertThat(tree.linkCounts().get(target)).isEqualTo(2);
            }
            assertThat(tree.root().children()).hasSize(7);
        }
    }
}

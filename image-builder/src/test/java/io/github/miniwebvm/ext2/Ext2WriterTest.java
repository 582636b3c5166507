package io.github.miniwebvm.ext2;

import io.github.miniwebvm.fs.Content;
import io.github.miniwebvm.fs.FileTree;
import io.github.miniwebvm.fs.Node;
import io.github.miniwebvm.fs.NodeType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class Ext2WriterTest {
    static final long T0 = 1_600_000_000L;

    @TempDir
    Path tmp;

    static Stream<Arguments> formats() {
        List<Arguments> out = new ArrayList<>();
        for (int rev : new int[] {0, 1}) {
            for (int bs : new int[] {1024, 2048, 4096}) {
                out.add(Arguments.of(rev, bs));
            }
        }
        return out.stream();
    }

    /** Every kind of entry and the size boundaries of the block map for {@code blockSize}. */
    static FileTree edgeCases(int blockSize) {
        FileTree t = new FileTree(Node.directory(0755).setOwner(0, 0).setTimes(T0, T0 + 1, T0 + 2));
        t.put("etc", Node.directory(0755).setTime(T0 + 10));
        t.put("etc/empty", Node.file(0644, Content.EMPTY).setTime(T0 + 11));
        t.put("etc/one", Node.file(0600, Content.ofBytes(new byte[] {42})).setOwner(1000, 1000).setTime(T0 + 12));
        long p = blockSize / 4;
        long[] blockCounts = {1, 12, 13, 12 + p, 12 + p + 1, 12 + p + 2 * p + 5};
        for (long n : blockCounts) {
            t.put("etc/blocks-" + n, Node.file(0644, PatternContent.dense(n * blockSize, (int) n)).setTime(T0 + n));
            t.put("etc/blocks-" + n + "-plus1", Node.file(0644, PatternContent.dense(n * blockSize + 1, (int) n + 7)));
        }
        // holes: in the middle, at the end, everywhere
        t.put("holes", Node.directory(0700).setOwner(4_000_000_000L, 65_536).setTime(T0 + 20));
        t.put("holes/middle", Node.file(0644, new PatternContent(40L * blockSize, 1, 100, 0, 30L * blockSize + 7)));
        t.put("holes/tail", Node.file(0644, new PatternContent(40L * blockSize + 3, 2, 100, 0)));
        t.put("holes/all-zero", Node.file(0644, new PatternContent(5L * blockSize, 3, 0)));
        // a file reaching the triple indirect range (cheap with 1 KiB blocks, sparse otherwise)
        long tripleStart = (12 + p + p * p) * blockSize;
        if (blockSize == 1024) {
            t.put("holes/triple", Node.file(0644, new PatternContent(tripleStart + 5 * blockSize, 4, 3000,
                    0, 13L * blockSize, (12 + p + 3) * blockSize, tripleStart + 2 * blockSize)));
        }
        // symlinks: fast (< 60 bytes) and slow
        t.put("links", Node.directory(0755));
        t.put("links/short", Node.symlink("x").setOwner(7, 8).setTime(T0 + 30)
                .setXattr("trusted.overlay.origin", new byte[] {0, 1, 2}));
        t.put("links/59", Node.symlink("a".repeat(59)));
        t.put("links/60", Node.symlink("b".repeat(60)));
        t.put("links/long", Node.symlink("/very/long/" + "c".repeat(blockSize - 12)));
        // hard links across directories
        Node shared = Node.file(04755, Content.ofBytes("shared\n".getBytes(StandardCharsets.UTF_8))).setTime(T0 + 40);
        t.put("etc/shared", shared);
        t.put("links/shared-again", shared);
        t.put("holes/shared-third", shared);
        Node sharedLink = Node.symlink("../etc/one");
        t.put("links/sym-a", sharedLink);
        t.put("links/sym-b", sharedLink);
        // devices, fifo, socket
        t.put("dev", Node.directory(0755));
        t.put("dev/null", Node.device(NodeType.CHAR_DEVICE, 0666, 1, 3));
        t.put("dev/sda", Node.device(NodeType.BLOCK_DEVICE, 0660, 8, 0).setOwner(0, 6));
        t.put("dev/big", Node.device(NodeType.CHAR_DEVICE, 0600, 300, 70_000));
        t.put("dev/max", Node.device(NodeType.BLOCK_DEVICE, 0600, 4095, 1_048_575));
        t.put("dev/minor256", Node.device(NodeType.CHAR_DEVICE, 0600, 4, 256));
        t.put("dev/fifo", Node.fifo(0644));
        t.put("dev/socket", Node.socket(0755));
        // mode bits
        t.put("tmp", Node.directory(01777).setTime(T0 + 50));
        t.put("tmp/setgid", Node.file(02755, Content.ofBytes(new byte[] {1, 2})));
        t.put("tmp/none", Node.file(0, Content.ofBytes(new byte[] {3})));
        // names: 255 bytes, non-ASCII
        t.put("names", Node.directory(0755));
        t.put("names/" + "n".repeat(255), Node.file(0644, Content.ofBytes(new byte[] {4})));
        t.put("names/ünïcødé €", Node.file(0644, Content.ofBytes(new byte[] {5})));
        t.put("names/" + "é".repeat(127), Node.file(0644, Content.EMPTY));
        // a directory big enough to need indirect blocks with 1 KiB blocks
        t.put("many", Node.directory(0755));
        for (int i = 0; i < 300; i++) {
            t.put(String.format("many/entry-%04d-%s", i, "x".repeat(i % 60)), Node.file(0644, Content.EMPTY));
        }
        for (int i = 0; i < 5; i++) {
            t.put("many/sub" + i, Node.directory(0755));
        }
        // deep nesting
        String deep = "";
        for (int i = 0; i < 20; i++) {
            deep += (deep.isEmpty() ? "" : "/") + "d" + i;
            t.put(deep, Node.directory(0750).setOwner(i, i));
        }
        // extended attributes: two identical sets share a block, one distinct set
        byte[] cap = {1, 0, 0, 2, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
        Node ping = Node.file(0755, Content.ofBytes(new byte[] {9})).setXattr("security.capability", cap);
        Node ping2 = Node.file(0755, Content.ofBytes(new byte[] {10})).setXattr("security.capability", cap);
        t.put("etc/ping", ping);
        t.put("etc/ping2", ping2);
        t.put("etc/tagged", Node.file(0644, Content.EMPTY).setXattr("user.a", new byte[] {'1'})
                .setXattr("user.bb", new byte[0]).setXattr("trusted.t", "v".repeat(100).getBytes(StandardCharsets.UTF_8)));
        t.lookup("tmp").orElseThrow().setXattr("user.dir", "yes".getBytes(StandardCharsets.UTF_8));
        return t;
    }

    @ParameterizedTest(name = "revision {0}, {1}-byte blocks")
    @MethodSource("formats")
    void edgeCasesPassE2fsckAndMountCompare(int revision, int blockSize) throws Exception {
        Oracles.assumeE2fsprogs();
        FileTree tree = edgeCases(blockSize);
        Path image = tmp.resolve("edge.ext2");
        Ext2Result r = Ext2Writer.builder().revision(revision).blockSize(blockSize).headroomBytes(1 << 20)
                .build().write(tree, image);
        assertThat(Files.size(image)).isEqualTo(r.imageSize());
        assertThat(r.blockSize()).isEqualTo(blockSize);
        Oracles.e2fsckClean(image);
        if (revision == 0) {
            assertThat(r.warnings()).singleElement().asString()
                    .contains("5 files", "security.capability on 2 files", "user.a on 1 file", "user.dir on 1 file");
        } else {
            assertThat(r.warnings()).isEmpty();
            String stat = Oracles.debugfs(image, "stat /etc/ping");
            String stat2 = Oracles.debugfs(image, "stat /etc/ping2");
            String acl = stat.replaceAll("(?s).*File ACL: (\\d+).*", "$1");
            assertThat(acl).isNotEqualTo("0");
            assertThat(stat2).contains("File ACL: " + acl);
            assertThat(Oracles.debugfs(image, "ea_list /etc/ping")).contains("security.capability");
        }
        String dev = Oracles.debugfs(image, "stat /dev/big");
        assertThat(dev).contains("Device major/minor number: 300:70000");
        String fast = Oracles.debugfs(image, "stat /links/59");
        assertThat(fast).contains("Fast link dest: \"" + "a".repeat(59) + "\"");
        String dump = Oracles.debugfs(image, "stat /");
        assertThat(dump).contains("Links: " + (2 + 9));   // etc holes links dev tmp names many d0 lost+found
        Oracles.assumeLoopMount();
        try (Oracles.Mount m = new Oracles.Mount(image)) {
            Oracles.compareMounted(tree, m.dir, null, revision == 1);
            assertThat(Files.isDirectory(m.dir.resolve("lost+found"))).isTrue();
        }
    }

    @Test
    void sameTreeAndOptionsGiveTheSameBytes() throws Exception {
        Path a = tmp.resolve("a.ext2");
        Path b = tmp.resolve("b.ext2");
        Ext2Result ra = Ext2Writer.builder().headroomBytes(0).build().write(edgeCases(4096), a);
        Ext2Result rb = Ext2Writer.builder().headroomBytes(0).build().write(edgeCases(4096), b);
        assertThat(ra.uuid()).isEqualTo(rb.uuid());
        assertThat(Files.mismatch(a, b)).isEqualTo(-1);
        FileTree changed = edgeCases(4096);
        changed.put("etc/one", Node.file(0600, Content.ofBytes(new byte[] {43})).setOwner(1000, 1000).setTime(T0 + 12));
        Ext2Result rc = Ext2Writer.builder().headroomBytes(0).build().write(changed, tmp.resolve("c.ext2"));
        assertThat(rc.uuid()).isNotEqualTo(ra.uuid());
    }

    @Test
    void sourceDateEpochClampsTimestamps() throws Exception {
        Oracles.assumeE2fsprogs();
        FileTree tree = edgeCases(4096);
        Path image = tmp.resolve("sde.ext2");
        long sde = T0 + 15;
        Ext2Writer.builder().sourceDateEpoch(sde).headroomBytes(0).build().write(tree, image);
        Oracles.e2fsckClean(image);
        String stat = Oracles.debugfs(image, "stat /tmp");
        assertThat(stat).contains(String.format("mtime: 0x%08x", sde));
        assertThat(Oracles.debugfs(image, "stat /etc")).contains(String.format("mtime: 0x%08x", T0 + 10));
        Oracles.assumeLoopMount();
        try (Oracles.Mount m = new Oracles.Mount(image)) {
            Oracles.compareMounted(tree, m.dir, sde, true);
        }
    }

    @Test
    void explicitSizeTooSmallNamesTheMinimumAndLeavesNoFile() throws Exception {
        FileTree tree = edgeCases(4096);
        Path image = tmp.resolve("small.ext2");
        assertThatThrownBy(() -> Ext2Writer.builder().size(200_000).build().write(tree, image))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("image size 200000 bytes is too small")
                .hasMessageContaining("needs at least");
        assertThat(image).doesNotExist();
        try (Stream<Path> s = Files.list(tmp)) {
            assertThat(s).isEmpty();
        }
        String message = "";
        try {
            Ext2Writer.builder().size(200_000).build().write(tree, image);
        } catch (IllegalArgumentException e) {
            message = e.getMessage();
        }
        long min = Long.parseLong(message.replaceAll(".*needs at least (\\d+) bytes.*", "$1"));
        Ext2Result r = Ext2Writer.builder().size(min).build().write(tree, image);
        assertThat(r.imageSize()).isEqualTo(min);
        if (Oracles.e2fsprogs()) {
            Oracles.e2fsckClean(image);
        }
        assertThatThrownBy(() -> Ext2Writer.builder().size(min - 4096).build().write(tree, tmp.resolve("x.ext2")))
                .hasMessageContaining("too small");
    }

    @Test
    void explicitSizeFitsSparseContentThatTheUpperBoundWouldNot() throws Exception {
        FileTree tree = new FileTree();
        tree.put("sparse", Node.file(0644, new PatternContent(64L << 20, 1, 10, 0, 50L << 20)));
        Path image = tmp.resolve("sparse.ext2");
        Ext2Result r = Ext2Writer.builder().size(8L << 20).build().write(tree, image);
        assertThat(r.imageSize()).isEqualTo(8L << 20);
        if (Oracles.e2fsprogs()) {
            Oracles.e2fsckClean(image);
        }
    }

    @ParameterizedTest
    @MethodSource("formats")
    void holesOfSparseHostFilesAreSkippedAndStayHoles(int revision, int blockSize) throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("host"));
        long gib = 1L << 30;
        long size = revision == 0 ? gib + 123 : 3 * gib + 123;
        io.github.miniwebvm.fs.SparseFiles.create(dir.resolve("disk.img"), size,
                0, 300L << 20, size - 4096);
        FileTree tree = io.github.miniwebvm.fs.HostDirectoryReader.read(dir);
        Path image = tmp.resolve("sparse-host.ext2");

        Ext2Result r = Ext2Writer.builder().revision(revision).blockSize(blockSize).build().write(tree, image);

        // sized by the data, not by the file's length: 256 MiB headroom and a few blocks
        assertThat(r.imageSize()).isLessThan(300L << 20);
        assertThat(r.blocksUsed() * blockSize).isLessThan(64L << 20);
        Oracles.assumeE2fsprogs();
        Oracles.e2fsckClean(image);
        Oracles.assumeLoopMount();
        try (Oracles.Mount m = new Oracles.Mount(image)) {
            Oracles.compareMounted(tree, m.dir, null, false);
        }
    }

    @Test
    void badInputFailsClearlyWithoutOutput() throws Exception {
        Path image = tmp.resolve("bad.ext2");
        FileTree longName = new FileTree();
        longName.put("x".repeat(256), Node.file(0644, Content.EMPTY));
        assertThatThrownBy(() -> Ext2Writer.builder().build().write(longName, image))
                .hasMessageContaining("file name of 256 bytes (ext2 allows 255)");

        FileTree unreadable = new FileTree();
        unreadable.put("dir", Node.directory(0755));
        unreadable.put("dir/broken", Node.file(0644, new Content() {
            @Override public long size() { return 10; }
            @Override public InputStream open() throws IOException { throw new IOException("layer blob gone"); }
        }));
        assertThatThrownBy(() -> Ext2Writer.builder().build().write(unreadable, image))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("/dir/broken").hasMessageContaining("layer blob gone");

        FileTree truncated = new FileTree();
        truncated.put("short", Node.file(0644, new Content() {
            @Override public long size() { return 10_000; }
            @Override public InputStream open() { return new java.io.ByteArrayInputStream(new byte[10]); }
        }));
        assertThatThrownBy(() -> Ext2Writer.builder().build().write(truncated, image))
                .hasMessageContaining("/short").hasMessageContaining("ended after 10 of 10000 bytes");

        FileTree tooMany = new FileTree();
        tooMany.put("a", Node.file(0644, Content.EMPTY));
        assertThatThrownBy(() -> Ext2Writer.builder().inodeCount(5).build().write(tooMany, image))
                .hasMessageContaining("inodeCount 5 is too small");

        FileTree lostFoundFile = new FileTree();
        lostFoundFile.put("lost+found", Node.file(0644, Content.EMPTY));
        assertThatThrownBy(() -> Ext2Writer.builder().build().write(lostFoundFile, image))
                .hasMessageContaining("/lost+found is a FILE");

        FileTree bigRev0 = new FileTree();
        bigRev0.put("big", Node.file(0644, new PatternContent(3L << 30, 0, 0)));
        assertThatThrownBy(() -> Ext2Writer.builder().revision(0).build().write(bigRev0, image))
                .hasMessageContaining("revision 0 stores files below 2 GiB");

        FileTree dirTwice = new FileTree();
        Node d = Node.directory(0755);
        dirTwice.put("a", d);
        dirTwice.put("b", d);
        assertThatThrownBy(() -> Ext2Writer.builder().build().write(dirTwice, image))
                .hasMessageContaining("hard links to directories");

        FileTree through = new FileTree();
        through.put("file", Node.file(0644, Content.EMPTY));
        assertThatThrownBy(() -> through.put("file/child", Node.file(0644, Content.EMPTY)))
                .hasMessageContaining("path goes through a non-directory");

        assertThat(image).doesNotExist();
        try (Stream<Path> s = Files.list(tmp)) {
            assertThat(s).as("no temporary files left behind").isEmpty();
        }
    }

    /** The oracles must be able to fail: a damaged image and a changed tree are caught. */
    @Test
    void oraclesNoticeDifferences() throws Exception {
        Oracles.assumeE2fsprogs();
        FileTree tree = edgeCases(1024);
        Path image = tmp.resolve("damaged.ext2");
        Ext2Writer.builder().blockSize(1024).headroomBytes(0).build().write(tree, image);
        Oracles.e2fsckClean(image);
        if (Oracles.loopMount()) {
            tree.lookup("etc/one").orElseThrow().setPermissions(0640);
            try (Oracles.Mount m = new Oracles.Mount(image)) {
                assertThatThrownBy(() -> Oracles.compareMounted(tree, m.dir, null, true))
                        .hasMessageContaining("/etc/one: mode expected 640 but was 600");
            }
        }
        assertThat(Oracles.run("debugfs", "-w", "-R", "sif /etc links_count 7", image.toString()).exitCode()).isZero();
        assertThatThrownBy(() -> Oracles.e2fsckClean(image)).hasMessageContaining("ref count is 7, should be 2");
    }

    @Test
    void uuidLabelAndProgressAreHonoured() throws Exception {
        Oracles.assumeE2fsprogs();
        List<String> progress = new ArrayList<>();
        java.util.UUID uuid = java.util.UUID.fromString("0b4c6a52-2a5f-4c41-9d7e-0123456789ab");
        Path image = tmp.resolve("named.ext2");
        Ext2Result r = Ext2Writer.builder().uuid(uuid).volumeLabel("webvm-root").progress(progress::add)
                .headroomPercent(10).build().write(edgeCases(4096), image);
        assertThat(r.uuid()).isEqualTo(uuid);
        assertThat(progress).last().asString().startsWith("ext2: wrote");
        String header = Oracles.run("dumpe2fs", "-h", image.toString()).output();
        assertThat(header).contains("Filesystem UUID:          " + uuid, "Filesystem volume name:   webvm-root",
                "Filesystem features:      ext_attr filetype sparse_super large_file", "Inode size:\t          256");
        assertThat(r.inodesUsed()).isEqualTo(edgeCases(4096).nodeCount() + 9 + 1);   // + reserved 1, 3-10 + lost+found
        assertThat(r.blocksUsed()).isLessThan(r.blocksCount());
    }

    @Test
    void automaticSizeHasTheDefaultHeadroom() throws Exception {
        FileTree tree = new FileTree();
        tree.put("f", Node.file(0644, PatternContent.dense(1 << 20, 1)));
        Ext2Result r = Ext2Writer.builder().build().write(tree, tmp.resolve("auto.ext2"));
        long free = (r.blocksCount() - r.blocksUsed()) * r.blockSize();
        assertThat(free).isBetween(256L << 20, 260L << 20);
        assertThat(r.imageSize() % (1 << 20)).isZero();
        assertThat(r.inodeCount()).isGreaterThanOrEqualTo(r.imageSize() / 16384);
        assertThatThrownBy(() -> Ext2Writer.builder().inodeCount(1L << 32)).hasMessageContaining("2^32 - 1");
    }

    /** Revision 1 inodes carry the epoch bits of timestamps past January 2038. */
    @Test
    void timesAfter2038SurviveInRevision1() throws Exception {
        Oracles.assumeE2fsprogs();
        long y2100 = 4_102_444_800L;
        FileTree tree = new FileTree(Node.directory(0755).setTime(T0));
        tree.put("future", Node.file(0644, Content.ofBytes(new byte[] {1})).setTime(y2100));
        Path image = tmp.resolve("y2100.ext2");
        Ext2Writer.builder().headroomBytes(0).build().write(tree, image);
        assertThat(Oracles.debugfs(image, "stat /future"))
                .contains(String.format("mtime: 0x%08x:00000001", y2100 & 0xFFFF_FFFFL));
        if (Oracles.loopMount()) {
            try (Oracles.Mount m = new Oracles.Mount(image)) {
                assertThat(Files.getLastModifiedTime(m.dir.resolve("future")).toMillis() / 1000).isEqualTo(y2100);
            }
        }
    }

    @Test
    void existingLostFoundIsKeptWithItsContent() throws Exception {
        Oracles.assumeE2fsprogs();
        FileTree tree = new FileTree();
        tree.put("lost+found", Node.directory(0700).setTime(T0));
        tree.put("lost+found/#12", Node.file(0644, Content.ofBytes(new byte[] {1})));
        Path image = tmp.resolve("lf.ext2");
        Ext2Writer.builder().revision(0).blockSize(1024).headroomBytes(0).build().write(tree, image);
        Oracles.e2fsckClean(image);
        assertThat(Oracles.debugfs(image, "stat /lost+found")).contains("Inode: 11 ");
    }
}

package io.github.miniwebvm.dockerfile;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.miniwebvm.image.MediaTypes;
import io.github.miniwebvm.io.Sha256;
import io.github.miniwebvm.testsupport.TestBaseImage;
import io.github.miniwebvm.testsupport.Tools;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Layers applied by {@link Rootfs#apply} come out as GNU tar
 * ({@code --numeric-owner --same-permissions --same-owner --xattrs}, what the builder used
 * before) unpacks them: the same types, owners, modes, times, links, device numbers, xattrs and
 * contents; and whiteouts and opaque directories follow the OCI rules.
 */
class RootfsApplyTest {
    /** Longer than the 100 bytes of a tar header's name field. */
    private static final String LONG_DIR = "deep/" + "d".repeat(200) + "/";
    private static final Instant MTIME = Instant.parse("2020-01-02T03:04:05Z");

    @TempDir
    Path tmp;

    @Test
    void theFixtureUnpacksAsGnuTarUnpacksIt() throws IOException {
        Path tar = TestBaseImage.rootfsTar();
        assertThat(applied(tar)).isEqualTo(gnuTar(tar));
    }

    @Test
    void ownersModesTimesLinksDevicesAndXattrsAsGnuTarKeepsThem() throws IOException {
        Path tar = tmp.resolve("layer.tar");
        try (OutputStream os = Files.newOutputStream(tar); TarArchiveOutputStream out = new TarArchiveOutputStream(os)) {
            out.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            out.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            // depth first, as tar writers go: GNU tar sets a directory's time when it leaves it
            put(out, entry("./", TarConstants.LF_DIR, 0755, 0, 0), null);
            put(out, entry("usr/", TarConstants.LF_DIR, 0755, 0, 0), null);
            put(out, entry("usr/bin/", TarConstants.LF_DIR, 0755, 0, 0), null);
            TarArchiveEntry su = entry("usr/bin/su", TarConstants.LF_NORMAL, 04755, 0, 0);
            su.addPaxHeader("SCHILY.xattr.user.origin", "webvm-test");
            put(out, su, "setuid root\n");
            put(out, entry("usr/bin/su-again", TarConstants.LF_LINK, 04755, 0, 0), "usr/bin/su");
            put(out, entry("usr/bin/sh", TarConstants.LF_SYMLINK, 0777, 1000, 1001), "dash");
            put(out, entry("usr/bin/dangling", TarConstants.LF_SYMLINK, 0777, 0, 0), "/nowhere/" + "x".repeat(150));
            put(out, entry("home/", TarConstants.LF_DIR, 0755, 0, 0), null);
            put(out, entry("home/user/", TarConstants.LF_DIR, 0700, 1000, 1000), null);
            TarArchiveEntry precise = entry("home/user/precise-time", TarConstants.LF_NORMAL, 0640, 1000, 1000);
            precise.setLastModifiedTime(FileTime.from(Instant.parse("2021-03-04T05:06:07.123456789Z")));
            put(out, precise, "nanoseconds\n");
            put(out, entry("tmp/", TarConstants.LF_DIR, 01777, 0, 0), null);
            put(out, entry("devices/", TarConstants.LF_DIR, 0755, 0, 0), null);
            put(out, device("devices/null", TarConstants.LF_CHR, 1, 3), null);
            put(out, device("devices/sda9", TarConstants.LF_BLK, 8, 9), null);
            put(out, device("devices/big", TarConstants.LF_CHR, 300, 70000), null);
            put(out, entry("run/", TarConstants.LF_DIR, 0755, 0, 0), null);
            put(out, entry("run/fifo", TarConstants.LF_FIFO, 0600, 0, 0), null);
            put(out, entry("deep/", TarConstants.LF_DIR, 0755, 0, 0), null);
            put(out, entry(LONG_DIR, TarConstants.LF_DIR, 0755, 0, 0), null);
            put(out, entry(LONG_DIR + "file", TarConstants.LF_NORMAL, 0644, 65534, 65534), "long\n");
        }
        Map<String, String> applied = applied(tar);
        assertThat(applied).isEqualTo(gnuTar(tar));
        assertThat(applied.get("usr/bin/su")).startsWith("f 4755 0:0").contains("user.origin=webvm-test");
        assertThat(applied.get("home/user/precise-time")).contains("mtime=1614834367123456700");
        assertThat(applied.get("devices/big")).startsWith("c 644 0:0 mtime=1577934245000000000 rdev=" + (70000 & 0xff
                | (300 << 8) | ((70000L & ~0xff) << 12)));
    }

    @Test
    void directoryTimesAreTheLayersEvenWhenLaterEntriesAddToThem() throws IOException {
        Rootfs root = new Rootfs(Files.createDirectories(tmp.resolve("root")));
        root.apply(layer("one", "etc/", "usr/", "etc/late"), l -> { });

        assertThat(Files.getLastModifiedTime(root.dir.resolve("etc"))).isEqualTo(FileTime.from(MTIME));
    }

    @Test
    void whiteoutsDeleteLowerFilesButNotThoseOfTheirOwnLayer() throws IOException {
        Rootfs root = new Rootfs(Files.createDirectories(tmp.resolve("root")));
        root.apply(layer("lower", "etc/", "etc/gone", "etc/kept", "var/", "var/cache/", "var/cache/a"), l -> { });
        root.apply(layer("upper", "etc/.wh.gone", "var/.wh.cache", "var/cache/", "var/cache/b", "var/.wh..wh.plnk/1",
                "etc/.wh.kept-not-there"), l -> { });

        assertThat(tree(root)).containsExactly("etc/", "etc/kept", "var/", "var/cache/", "var/cache/b");
    }

    @Test
    void opaqueDirectoriesKeepOnlyTheirOwnLayersEntries() throws IOException {
        Rootfs root = new Rootfs(Files.createDirectories(tmp.resolve("root")));
        root.apply(layer("lower", "app/", "app/old", "app/sub/", "app/sub/old", "other/", "other/x"), l -> { });
        root.apply(layer("upper", "app/", "app/sub/", "app/sub/new", "app/.wh..wh..opq", "app/new"), l -> { });

        assertThat(tree(root)).containsExactly("app/", "app/new", "app/sub/", "app/sub/new", "other/", "other/x");
    }

    @Test
    void directoriesAndFilesReplaceEachOther() throws IOException {
        Rootfs root = new Rootfs(Files.createDirectories(tmp.resolve("root")));
        root.apply(layer("lower", "was-dir/", "was-dir/child", "was-file"), l -> { });
        root.apply(layer("upper", "was-dir", "was-file/", "was-file/child"), l -> { });

        assertThat(tree(root)).containsExactly("was-dir", "was-file/", "was-file/child");
    }

    // ---- helpers

    /** Every path below {@code dir} with its type, mode, owner, size, time, device, links, xattrs and content. */
    private static Map<String, String> describe(Path dir) throws IOException {
        Map<String, String> out = new TreeMap<>();
        for (Map.Entry<String, Rootfs.Entry> e : new Rootfs(dir).snapshot().entrySet()) {
            Rootfs.Entry a = e.getValue();
            Path p = dir.resolve(e.getKey());
            String content = a.type() == 'f' ? " sha=" + Sha256.ociDigest(p) : a.type() == 'l' ? " -> " + a.link() : "";
            out.put(e.getKey(), a.type() + " " + Integer.toOctalString(a.mode()) + " " + a.uid() + ":" + a.gid()
                    + (a.type() == 'f' ? " size=" + a.size() : "") + " mtime=" + a.mtimeNanos() + " rdev=" + a.rdev()
                    + " nlink=" + a.nlink() + content + xattrs(p));
        }
        return out;
    }

    private static String xattrs(Path p) throws IOException {
        if (Files.isSymbolicLink(p)) {
            return "";
        }
        String out = Tools.run(List.of("getfattr", "--absolute-names", "-h", "-d", "-m", "-", p.toString()), null);
        return out.lines().filter(l -> !l.startsWith("#") && !l.isBlank()).map(l -> " " + l.replace("\"", ""))
                .reduce("", String::concat);
    }

    private Map<String, String> applied(Path tar) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("ours"));
        String digest = Sha256.ociDigest(tar);
        new Rootfs(dir).apply(new Layer(tar, digest, Files.size(tar), MediaTypes.OCI_LAYER, digest), l -> { });
        return describe(dir);
    }

    private Map<String, String> gnuTar(Path tar) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("gnu"));
        Tools.run(List.of("tar", "--numeric-owner", "--same-permissions", "--same-owner", "--xattrs",
                "--xattrs-include=*", "-xf", tar.toString(), "-C", dir.toString()), null);
        return describe(dir);
    }

    private static TarArchiveEntry entry(String name, byte type, int mode, long uid, long gid) {
        TarArchiveEntry e = new TarArchiveEntry(name, type, true);
        e.setMode(mode);
        e.setUserId(uid);
        e.setGroupId(gid);
        e.setModTime(FileTime.from(MTIME));
        return e;
    }

    private static TarArchiveEntry device(String name, byte type, int major, int minor) {
        TarArchiveEntry e = entry(name, type, 0644, 0, 0);
        e.setDevMajor(major);
        e.setDevMinor(minor);
        return e;
    }

    /** Writes {@code e}; {@code text} is a file's content or a link's target. */
    private static void put(TarArchiveOutputStream out, TarArchiveEntry e, String text) throws IOException {
        byte[] content = null;
        if (e.isSymbolicLink() || e.isLink()) {
            e.setLinkName(text);
        } else if (text != null) {
            content = text.getBytes(StandardCharsets.UTF_8);
            e.setSize(content.length);
        }
        out.putArchiveEntry(e);
        if (content != null) {
            out.write(content);
        }
        out.closeArchiveEntry();
    }

    /** A layer of the named entries: directories end with '/', everything else is a file holding its name. */
    private Layer layer(String name, String... entries) throws IOException {
        Path tar = tmp.resolve(name + ".tar");
        try (OutputStream os = Files.newOutputStream(tar); TarArchiveOutputStream out = new TarArchiveOutputStream(os)) {
            for (String e : entries) {
                put(out, entry(e, e.endsWith("/") ? TarConstants.LF_DIR : TarConstants.LF_NORMAL, 0755, 0, 0),
                        e.endsWith("/") ? null : e);
            }
        }
        String digest = Sha256.ociDigest(tar);
        return new Layer(tar, digest, Files.size(tar), MediaTypes.OCI_LAYER, digest);
    }

    /** The paths below the root, directories ending with '/'. */
    private static List<String> tree(Rootfs root) throws IOException {
        return root.snapshot().entrySet().stream()
                .map(e -> e.getKey() + (e.getValue().type() == 'd' ? "/" : ""))
                .toList();
    }
}

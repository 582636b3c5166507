package io.github.miniwebvm.ext2;

import io.github.miniwebvm.fs.FileTree;
import io.github.miniwebvm.fs.Node;
import io.github.miniwebvm.fs.NodeType;

import io.github.miniwebvm.testsupport.MissingOracle;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The tools we did not write, used as oracles: e2fsck, debugfs, a read-only loop mount, getfattr. */
final class Oracles {
    private static final Pattern E2FSCK_NORMAL = Pattern.compile(
            "e2fsck \\d.*|Pass \\d[A-Z]?: .*|.*: \\d+/\\d+ files \\(.*\\), \\d+/\\d+ blocks");

    private Oracles() {
    }

    record Run(int exitCode, String output) {}

    static Run run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IOException("timeout: " + String.join(" ", command));
        }
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    static boolean hasTool(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return Files.isExecutable(Path.of("/sbin", tool)) || Files.isExecutable(Path.of("/usr/sbin", tool));
    }

    /** For an extra e2fsck check in a test: false outside CI when e2fsprogs is missing, a failure in CI. */
    static boolean e2fsprogs() {
        return MissingOracle.present(hasTool("e2fsck") && hasTool("debugfs"),
                "e2fsprogs (e2fsck, debugfs) not installed: run scripts/setup-host.sh");
    }

    /** For an extra loop-mount comparison in a test: false outside CI without loop mounts, a failure in CI. */
    static boolean loopMount() {
        return MissingOracle.present(canLoopMount(), "loop mounts need root and /dev/loop-control");
    }

    static void assumeE2fsprogs() {
        assumeTrue(hasTool("e2fsck") && hasTool("debugfs"), "e2fsprogs (e2fsck, debugfs) not installed: run scripts/setup-host.sh");
    }

    private static boolean canLoopMount() {
        try {
            Run id = run("id", "-u");
            return id.output().trim().equals("0") && Files.exists(Path.of("/dev/loop-control")) && hasTool("mount");
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    static void assumeLoopMount() {
        assumeTrue(canLoopMount(), "loop mounts need root and /dev/loop-control; skipping the mount comparison");
    }

    /** e2fsck -fn must exit 0 and print nothing but its pass headers and the summary line. */
    static void e2fsckClean(Path image) throws IOException, InterruptedException {
        Run r = run("e2fsck", "-fn", image.toString());
        List<String> unexpected = new ArrayList<>();
        for (String line : r.output().split("\n")) {
            if (!line.isBlank() && !E2FSCK_NORMAL.matcher(line.trim()).matches()) {
                unexpected.add(line);
            }
        }
        assertThat(unexpected).as("e2fsck -fn %s messages:\n%s", image, r.output()).isEmpty();
        assertThat(r.exitCode()).as("e2fsck -fn exit code, output:\n%s", r.output()).isZero();
    }

    static String debugfs(Path image, String request) throws IOException, InterruptedException {
        Run r = run("debugfs", "-R", request, image.toString());
        assertThat(r.exitCode()).as(r.output()).isZero();
        return r.output();
    }

    /** A read-only loop mount under target/, unmounted on close. */
    static final class Mount implements AutoCloseable {
        final Path dir;

        Mount(Path image) throws IOException, InterruptedException {
            Path base = Path.of("target", "mnt").toAbsolutePath();
            Files.createDirectories(base);
            dir = Files.createTempDirectory(base, "ext2-");
            Run r = run("mount", "-o", "loop,ro", "-t", "ext2", image.toString(), dir.toString());
            if (r.exitCode() != 0) {
                Files.deleteIfExists(dir);
                throw new AssertionError("mount -o loop,ro " + image + " failed: " + r.output());
            }
        }

        @Override
        public void close() throws IOException, InterruptedException {
            Run r = run("umount", dir.toString());
            if (r.exitCode() != 0) {
                run("umount", "-l", dir.toString());
            }
            Files.deleteIfExists(dir);
        }
    }

    /**
     * Compares the mounted filesystem with {@code tree}: every entry's type, mode, uid/gid, mtime,
     * size, content, symlink target, device numbers, link count, hard-link identity and (when
     * {@code xattrs}) extended attributes; and no extra entries except /lost+found.
     */
    static void compareMounted(FileTree tree, Path mount, Long sourceDateEpoch, boolean xattrs)
            throws IOException, InterruptedException {
        Map<Node, Integer> links = tree.linkCounts();
        if (!tree.root().children().containsKey("lost+found")) {
            links.merge(tree.root(), 1, Integer::sum);
        }
        Map<Node, Long> inodes = new IdentityHashMap<>();
        List<String> problems = new ArrayList<>();
        List<String[]> paths = new ArrayList<>();
        tree.walk((path, node) -> paths.add(new String[] {path}));
        Map<String, Node> byPath = new HashMap<>();
        tree.walk(byPath::put);
        boolean getfattr = xattrs && MissingOracle.present(hasTool("getfattr"), "getfattr (package attr) not installed");
        Map<String, Map<String, String>> allXattrs = getfattr ? getfattrRecursive(mount) : Map.of();
        for (String[] p : paths) {
            String path = p[0];
            Node node = byPath.get(path);
            Path onDisk = path.equals("/") ? mount : mount.resolve(path.substring(1));
            Map<String, Object> a;
            try {
                a = Files.readAttributes(onDisk, "unix:*", LinkOption.NOFOLLOW_LINKS);
            } catch (IOException e) {
                problems.add(path + ": missing (" + e + ")");
                continue;
            }
            int mode = (Integer) a.get("mode");
            int expectedFormat = switch (node.type()) {
                case FILE -> 0100000;
                case DIRECTORY -> 0040000;
                case SYMLINK -> 0120000;
                case CHAR_DEVICE -> 0020000;
                case BLOCK_DEVICE -> 0060000;
                case FIFO -> 0010000;
                case SOCKET -> 0140000;
            };
            check(problems, path, "type", Integer.toOctalString(expectedFormat), Integer.toOctalString(mode & 0170000));
            if (node.type() != NodeType.SYMLINK) {
                check(problems, path, "mode", Integer.toOctalString(node.permissions()), Integer.toOctalString(mode & 07777));
            }
            check(problems, path, "uid", node.uid(), Integer.toUnsignedLong((Integer) a.get("uid")));
            check(problems, path, "gid", node.gid(), Integer.toUnsignedLong((Integer) a.get("gid")));
            long mtime = sourceDateEpoch == null ? node.mtime() : Math.min(node.mtime(), sourceDateEpoch);
            check(problems, path, "mtime", mtime, ((FileTime) a.get("lastModifiedTime")).toMillis() / 1000);
            check(problems, path, "nlink", links.get(node), a.get("nlink"));
            long ino = (Long) a.get("ino");
            Long previous = inodes.putIfAbsent(node, ino);
            if (previous != null) {
                check(problems, path, "inode of hard link", previous, ino);
            }
            switch (node.type()) {
                case FILE -> {
                    check(problems, path, "size", node.size(), a.get("size"));
                    if (!sameContent(node, onDisk)) {
                        problems.add(path + ": content differs");
                    }
                }
                case SYMLINK -> check(problems, path, "target", node.linkTarget(), Files.readSymbolicLink(onDisk).toString());
                case CHAR_DEVICE, BLOCK_DEVICE -> {
                    long rdev = (Long) a.get("rdev");
                    long major = ((rdev >>> 8) & 0xFFF) | ((rdev >>> 32) & ~0xFFFL);
                    long minor = (rdev & 0xFF) | ((rdev >>> 12) & ~0xFFL);
                    check(problems, path, "device", node.major() + ":" + node.minor(), major + ":" + minor);
                }
                case DIRECTORY -> {
                    List<String> actual = new ArrayList<>();
                    try (var s = Files.list(onDisk)) {
                        s.forEach(c -> actual.add(c.getFileName().toString()));
                    }
                    List<String> expected = new ArrayList<>(node.children().keySet());
                    if (path.equals("/") && !expected.contains("lost+found")) {
                        expected.add("lost+found");
                    }
                    check(problems, path, "entries", new TreeMap<>(toMap(expected)).keySet(),
                            new TreeMap<>(toMap(actual)).keySet());
                }
                default -> { }
            }
            if (getfattr && node.type() != NodeType.SYMLINK) {
                check(problems, path, "xattrs", hexXattrs(node.xattrs()),
                        allXattrs.getOrDefault(onDisk.toString(), new TreeMap<>()));
            }
        }
        assertThat(problems).as("differences between the tree and the mounted image").isEmpty();
    }

    private static Map<String, Boolean> toMap(List<String> names) {
        Map<String, Boolean> m = new HashMap<>();
        names.forEach(n -> m.put(n, true));
        return m;
    }

    private static Map<String, String> hexXattrs(Map<String, byte[]> xattrs) {
        Map<String, String> m = new TreeMap<>();
        xattrs.forEach((k, v) -> m.put(k, hex(v)));
        return m;
    }

    private static String hex(byte[] v) {
        StringBuilder sb = new StringBuilder("0x");
        for (byte b : v) {
            sb.append(String.format("%02x", b));
        }
        return sb.toString();
    }

    /** Every extended attribute below {@code dir} (getfattr -R), by absolute path. */
    static Map<String, Map<String, String>> getfattrRecursive(Path dir) throws IOException, InterruptedException {
        Run r = run("getfattr", "-R", "-h", "-d", "-m", "-", "-e", "hex", "--absolute-names", dir.toString());
        Map<String, Map<String, String>> all = new HashMap<>();
        Map<String, String> m = null;
        for (String line : r.output().split("\n")) {
            if (line.startsWith("# file: ")) {
                m = new TreeMap<>();
                all.put(unescape(line.substring("# file: ".length())), m);
                continue;
            }
            if (line.isBlank() || line.startsWith("#") || m == null) {
                continue;
            }
            int eq = line.indexOf('=');
            if (eq > 0) {
                m.put(line.substring(0, eq), line.substring(eq + 1));
            } else {
                m.put(line.trim(), "0x");
            }
        }
        return all;
    }

    /** getfattr writes unusual bytes of names as backslash and three octal digits. */
    private static String unescape(String s) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < b.length; i++) {
            if (b[i] == '\\' && i + 3 < b.length && Character.isDigit(b[i + 1])) {
                out.write(Integer.parseInt(new String(b, i + 1, 3, StandardCharsets.US_ASCII), 8));
                i += 3;
            } else {
                out.write(b[i]);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static void check(List<String> problems, String path, String what, Object expected, Object actual) {
        if (!String.valueOf(expected).equals(String.valueOf(actual))) {
            problems.add(path + ": " + what + " expected " + expected + " but was " + actual);
        }
    }

    private static boolean sameContent(Node node, Path onDisk) throws IOException {
        try (InputStream a = new BufferedInputStream(node.content().open(), 1 << 16);
             InputStream b = new BufferedInputStream(Files.newInputStream(onDisk), 1 << 16)) {
            byte[] x = new byte[1 << 16];
            byte[] y = new byte[1 << 16];
            while (true) {
                int n = a.readNBytes(x, 0, x.length);
                int m = b.readNBytes(y, 0, y.length);
                if (n != m || !java.util.Arrays.equals(x, 0, n, y, 0, m)) {
                    return false;
                }
                if (n == 0) {
                    return true;
                }
            }
        }
    }
}

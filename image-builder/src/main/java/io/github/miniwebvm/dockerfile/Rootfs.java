package io.github.miniwebvm.dockerfile;

import io.github.miniwebvm.image.MediaTypes;
import io.github.miniwebvm.image.Whiteouts;
import io.github.miniwebvm.io.Sha256;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * A root filesystem materialised in a host directory, for RUN and COPY: layers applied (digests
 * checked, whiteouts honoured, confined to the directory), snapshots of its metadata, and the
 * difference of two snapshots written as a layer tar.
 */
final class Rootfs {
    /** Directories whose contents RUN mounts over; never part of a layer. */
    static final Set<String> VIRTUAL = Set.of("proc", "sys", "dev");

    final Path dir;
    private final ConfinedRoot confined;

    Rootfs(Path dir) {
        this.dir = dir;
        this.confined = new ConfinedRoot(dir);
    }

    /**
     * Applies a layer blob (tar, gzip, zstd...) on top of the directory, once its digests are
     * checked: whiteouts and opaque directories delete lower files, and nothing outside the
     * directory is ever touched ({@link TarExtractor}).
     */
    void apply(Layer layer, Consumer<String> log) throws IOException {
        LayerDigests.verify(layer);
        try (InputStream tar = Decompressed.open(layer.blob())) {
            new TarExtractor(confined, TarExtractor.Rules.LAYER, "layer " + layer.digest(), log).extract(tar, dir);
        }
    }

    /** The root as a chroot sees it, for unpacking into it. */
    ConfinedRoot confined() {
        return confined;
    }

    /** Metadata of one path, enough to tell whether it changed. */
    record Entry(char type, int mode, int uid, int gid, long size, long mtimeNanos, long ctimeNanos, long ino,
                 long rdev, int nlink, String link) {
    }

    /** Every path (relative, no leading slash) below the root, without the contents of /proc, /sys, /dev. */
    Map<String, Entry> snapshot() throws IOException {
        Map<String, Entry> out = new TreeMap<>();
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) throws IOException {
                if (!d.equals(dir)) {
                    String rel = rel(d);
                    out.put(rel, entry(d));
                    if (VIRTUAL.contains(rel)) {
                        return FileVisitResult.SKIP_SUBTREE;
                    }
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                out.put(rel(file), entry(file));
                return FileVisitResult.CONTINUE;
            }
        });
        return out;
    }

    private String rel(Path p) {
        return dir.relativize(p).toString();
    }

    static Entry entry(Path p) throws IOException {
        Map<String, Object> a = Files.readAttributes(p, "unix:*", LinkOption.NOFOLLOW_LINKS);
        int mode = (Integer) a.get("mode");
        char type = switch (mode & 0170000) {
            case 0040000 -> 'd';
            case 0120000 -> 'l';
            case 0020000 -> 'c';
            case 0060000 -> 'b';
            case 0010000 -> 'p';
            case 0140000 -> 's';
            default -> 'f';
        };
        return new Entry(type, mode & 07777, (Integer) a.get("uid"), (Integer) a.get("gid"), (Long) a.get("size"),
                ((FileTime) a.get("lastModifiedTime")).to(java.util.concurrent.TimeUnit.NANOSECONDS),
                ((FileTime) a.get("ctime")).to(java.util.concurrent.TimeUnit.NANOSECONDS),
                (Long) a.get("ino"), (Long) a.get("rdev"), (Integer) a.get("nlink"),
                type == 'l' ? Files.readSymbolicLink(p).toString() : null);
    }

    /**
     * Writes the change from {@code before} to now as an uncompressed layer tar at {@code out};
     * returns null when nothing changed.
     */
    Layer diff(Map<String, Entry> before, Path out) throws IOException {
        Map<String, Entry> after = snapshot();
        Set<String> changed = new LinkedHashSet<>();
        for (Map.Entry<String, Entry> e : after.entrySet()) {
            Entry old = before.get(e.getKey());
            if (old == null || !old.equals(e.getValue())) {
                changed.add(e.getKey());
            }
        }
        List<String> deleted = new ArrayList<>();
        for (String p : before.keySet()) {
            if (!after.containsKey(p)) {
                String parent = parentOf(p);
                if (parent == null || after.containsKey(parent) && after.get(parent).type() == 'd') {
                    deleted.add(p);
                }
            }
        }
        if (changed.isEmpty() && deleted.isEmpty()) {
            return null;
        }
        // parents of everything in the layer, so that it applies on its own
        TreeMap<String, Boolean> entries = new TreeMap<>();
        for (String p : changed) {
            for (String q = parentOf(p); q != null; q = parentOf(q)) {
                entries.put(q, false);
            }
            entries.put(p, false);
        }
        for (String p : deleted) {
            for (String q = parentOf(p); q != null; q = parentOf(q)) {
                entries.put(q, false);
            }
            entries.put(whiteout(p), true);
        }
        MessageDigest md = Sha256.newDigest();
        Map<Long, String> firstByInode = new HashMap<>();
        try (OutputStream fos = Files.newOutputStream(out);
             DigestOutputStream dos = new DigestOutputStream(fos, md);
             TarArchiveOutputStream tar = new TarArchiveOutputStream(dos)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            for (Map.Entry<String, Boolean> e : entries.entrySet()) {
                String path = e.getKey();
                if (e.getValue()) {
                    TarArchiveEntry wh = new TarArchiveEntry(path, TarConstants.LF_NORMAL, true);
                    wh.setMode(0100000);
                    wh.setModTime(0);
                    tar.putArchiveEntry(wh);
                    tar.closeArchiveEntry();
                    continue;
                }
                Entry a = after.get(path);
                if (a == null || a.type() == 's') {
                    continue;
                }
                TarArchiveEntry t;
                boolean withContent = false;
                Path file = dir.resolve(path);
                if (a.type() == 'f' && a.nlink() > 1 && firstByInode.containsKey(a.ino())) {
                    t = new TarArchiveEntry(path, TarConstants.LF_LINK, true);
                    t.setLinkName(firstByInode.get(a.ino()));
                } else {
                    switch (a.type()) {
                        case 'd' -> t = new TarArchiveEntry(path + "/", TarConstants.LF_DIR, true);
                        case 'l' -> {
                            t = new TarArchiveEntry(path, TarConstants.LF_SYMLINK, true);
                            t.setLinkName(a.link());
                        }
                        case 'c', 'b' -> {
                            t = new TarArchiveEntry(path, a.type() == 'c' ? TarConstants.LF_CHR : TarConstants.LF_BLK, true);
                            t.setDevMajor((int) ((a.rdev() >> 8) & 0xfff));
                            t.setDevMinor((int) ((a.rdev() & 0xff) | ((a.rdev() >> 12) & 0xfff00)));
                        }
                        case 'p' -> t = new TarArchiveEntry(path, TarConstants.LF_FIFO, true);
                        default -> {
                            t = new TarArchiveEntry(path, TarConstants.LF_NORMAL, true);
                            t.setSize(a.size());
                            withContent = true;
                            if (a.nlink() > 1) {
                                firstByInode.put(a.ino(), path);
                            }
                        }
                    }
                }
                t.setMode(modeBits(a));
                t.setUserId(a.uid());
                t.setGroupId(a.gid());
                t.setUserName("");
                t.setGroupName("");
                t.setModTime(FileTime.from(a.mtimeNanos() / 1_000_000_000L, java.util.concurrent.TimeUnit.SECONDS));
                tar.putArchiveEntry(t);
                if (withContent) {
                    try (InputStream in = Files.newInputStream(file)) {
                        long copied = in.transferTo(tar);
                        if (copied != a.size()) {
                            throw new ImageBuildException("file changed while writing the layer: " + path);
                        }
                    }
                }
                tar.closeArchiveEntry();
            }
            tar.finish();
        }
        String digest = Sha256.ociDigestOf(md);
        return new Layer(out, digest, Files.size(out), MediaTypes.OCI_LAYER, digest);
    }

    private static int modeBits(Entry a) {
        int type = switch (a.type()) {
            case 'd' -> 0040000;
            case 'l' -> 0120000;
            case 'c' -> 0020000;
            case 'b' -> 0060000;
            case 'p' -> 0010000;
            default -> 0100000;
        };
        return type | a.mode();
    }

    static String parentOf(String p) {
        int slash = p.lastIndexOf('/');
        return slash < 0 ? null : p.substring(0, slash);
    }

    private static String whiteout(String p) {
        String parent = parentOf(p);
        String name = p.substring(p.lastIndexOf('/') + 1);
        return (parent == null ? "" : parent + "/") + Whiteouts.deleting(name);
    }

    /**
     * Resolves {@code path} (absolute in the image) to a host path inside the root, following
     * symlinks as the image would see them (absolute targets restart at the image root, {@code ..}
     * stops at it). The last component is followed only when {@code followLast}.
     */
    Path resolve(String path, boolean followLast) throws IOException {
        return confined.resolve(path, followLast);
    }

    /** Creates missing directories of the image path {@code path} (mode 0755, root-owned). */
    Path mkdirs(String path) throws IOException {
        Path p = resolve(path, true);
        if (Files.isDirectory(p)) {
            return p;
        }
        List<Path> missing = new ArrayList<>();
        for (Path q = p; q != null && !q.equals(dir) && !Files.exists(q, LinkOption.NOFOLLOW_LINKS); q = q.getParent()) {
            missing.add(0, q);
        }
        for (Path m : missing) {
            Files.createDirectory(m);
            Files.setAttribute(m, "unix:mode", 0755, LinkOption.NOFOLLOW_LINKS);
            Files.setAttribute(m, "unix:uid", 0, LinkOption.NOFOLLOW_LINKS);
            Files.setAttribute(m, "unix:gid", 0, LinkOption.NOFOLLOW_LINKS);
        }
        if (!Files.isDirectory(p)) {
            throw new ImageBuildException("not a directory in the image: " + path);
        }
        return p;
    }

}

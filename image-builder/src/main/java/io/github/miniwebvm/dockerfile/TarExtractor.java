package io.github.miniwebvm.dockerfile;

import io.github.miniwebvm.fs.PathNames;
import io.github.miniwebvm.image.Whiteouts;
import io.github.miniwebvm.io.Trees;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Unpacks a tar into a directory of a {@link ConfinedRoot} without ever touching anything outside
 * the root, where GNU tar would follow symlinks that earlier entries or layers made (a layer with
 * {@code evil -> /} and then {@code evil/etc/shadow} writes the host's file). The one tar unpacker
 * of the native builder: layers, image archives and ADD's local archives ({@link Rules}).
 * <ul>
 *   <li>entry names are relative to the directory (a leading {@code /} is dropped); a name or hard
 *       link target that climbs above it through {@code ..} is refused;</li>
 *   <li>the directories on an entry's way are resolved inside the root as a chroot would; the entry
 *       itself is never followed: what is in its place is removed first, a regular file is created
 *       with O_CREAT|O_EXCL|O_NOFOLLOW;</li>
 *   <li>a hard link must name an existing non-directory inside the root, resolved the same way;</li>
 *   <li>a non-directory replaces a directory and the other way round, as Docker does.</li>
 * </ul>
 * Numeric owners, permissions, modification times, xattrs, device nodes and fifos are kept as GNU
 * tar {@code --same-owner --numeric-owner -p --xattrs} kept them, as far as the {@link Rules} say.
 * An extraction may be limited to a number of tar bytes (headers count too, so millions of empty
 * entries are a bomb as well), so a decompression bomb cannot fill the disk.
 */
final class TarExtractor {
    private static final String XATTR = "SCHILY.xattr.";

    /** What an extraction does with the entries of its tar. */
    enum Rules {
        /** An image layer: whiteouts and opaque markers delete lower files; everything is kept. */
        LAYER(true, true, true, true),
        /** An image archive unpacked into the cache: files, directories and links owned by the builder. */
        IMAGE_ARCHIVE(false, false, false, false),
        /**
         * A local archive that ADD unpacks, as Docker does: owners, permissions and times kept (no
         * xattrs), a directory's metadata set once everything below it is written, a hard link only
         * to a regular file, entry kinds other than files, directories, links and devices skipped.
         */
        ADD_ARCHIVE(false, true, true, false);

        final boolean whiteouts;
        final boolean keepsMetadata;
        final boolean allowsDevices;
        final boolean keepsXattrs;

        Rules(boolean whiteouts, boolean keepsMetadata, boolean allowsDevices, boolean keepsXattrs) {
            this.whiteouts = whiteouts;
            this.keepsMetadata = keepsMetadata;
            this.allowsDevices = allowsDevices;
            this.keepsXattrs = keepsXattrs;
        }
    }

    /** A directory of an ADD archive: its metadata is set once everything below it is written. */
    private record Directory(Path path, TarArchiveEntry entry) {
    }

    private final ConfinedRoot root;
    private final Rules rules;
    private final String archive;
    private final Consumer<String> log;
    /** Paths this tar made, and their directories: whiteouts and opaque markers leave them alone. */
    private final Set<Path> touched = new HashSet<>();
    /** Set when the tar is done, since adding an entry to a directory changes its time. */
    private final Map<Path, FileTime> directoryTimes = new HashMap<>();
    /** {@link Rules#ADD_ARCHIVE}: the directories whose whole metadata is set when the tar is done. */
    private final List<Directory> directories = new ArrayList<>();
    /** The image path unpacked into, for messages ({@link Rules#ADD_ARCHIVE}). */
    private String destination;
    private long maxBytes = Long.MAX_VALUE;

    /**
     * @param archive names the tar in messages, such as {@code layer sha256:...}
     * @param log     gets a line for each attribute that could not be kept
     */
    TarExtractor(ConfinedRoot root, Rules rules, String archive, Consumer<String> log) {
        this.root = root;
        this.rules = rules;
        this.archive = archive;
        this.log = log;
    }

    /**
     * ADD's unpacking of the local archive {@code file} (plain, gzip, bzip2, xz or zstd; called
     * {@code name} in messages) into the image directory {@code destPath} of {@code root}, created
     * when missing; the archive may unpack to at most {@code maxBytes}.
     */
    static void unpackAdd(Path file, String name, Rootfs root, String destPath, long maxBytes, Consumer<String> log)
            throws IOException {
        TarExtractor x = new TarExtractor(root.confined(), Rules.ADD_ARCHIVE, "ADD " + name, log);
        x.destination = destPath;
        x.maxBytes = maxBytes;
        Path into = root.mkdirs(destPath);
        try (InputStream tar = Decompressed.open(file)) {
            x.extract(tar, into);
        }
    }

    /** True when {@code file} is a tar archive, compressed or not; Docker's ADD copies anything else as it is. */
    static boolean isTar(Path file) throws IOException {
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        try (InputStream in = Decompressed.open(file)) {
            byte[] head = in.readNBytes(512);
            return TarArchiveInputStream.matches(head, head.length);
        } catch (IOException e) {
            return false;   // a compressed file that does not decompress is no archive either
        }
    }

    /** Unpacks the (uncompressed) {@code tar} into {@code into}, a directory inside the root. */
    void extract(InputStream tar, Path into) throws IOException {
        TarArchiveInputStream in = new TarArchiveInputStream(maxBytes == Long.MAX_VALUE ? tar : new Limited(tar));
        while (true) {
            TarArchiveEntry e;
            try {
                e = in.getNextEntry();
            } catch (ImageBuildException x) {
                throw x;
            } catch (IOException x) {
                throw new ImageBuildException(archive + " is not a readable tar: " + x.getMessage(), x);
            }
            if (e == null) {
                break;
            }
            try {
                apply(e, in, into);
            } catch (ImageBuildException x) {
                throw x;
            } catch (IOException | RuntimeException x) {
                throw new ImageBuildException(archive + ": entry '" + e.getName() + "' cannot be unpacked: " + x, x);
            }
        }
        for (Map.Entry<Path, FileTime> d : directoryTimes.entrySet()) {
            PosixCalls.setModifiedTime(d.getKey(), d.getValue());
        }
        for (int i = directories.size() - 1; i >= 0; i--) {
            Directory d = directories.get(i);
            BasicFileAttributes a = ConfinedRoot.lstat(d.path());
            if (a != null && a.isDirectory()) {
                setMetadata(d.path(), d.entry());
                setTime(d.path(), d.entry());
            }
        }
    }

    private void apply(TarArchiveEntry e, InputStream data, Path into) throws IOException {
        List<String> segments = segments(e.getName(), e, "name");
        if (segments.isEmpty()) {
            if (e.isSymbolicLink() || e.isLink() || !e.isDirectory()) {
                if (rules == Rules.ADD_ARCHIVE) {
                    return;
                }
                throw refused(e, "names the root, which must stay a directory");
            }
            keepMetadata(into, e, true);
            return;
        }
        List<String> parent = segments.subList(0, segments.size() - 1);
        String base = segments.get(segments.size() - 1);
        if (rules.whiteouts && parent.stream().anyMatch(s -> s.startsWith(Whiteouts.PREFIX))) {
            return; // AUFS metadata directories (.wh..wh.plnk): not part of the filesystem
        }
        Whiteouts.Kind kind = rules.whiteouts ? Whiteouts.kindOf(base) : Whiteouts.Kind.ENTRY;
        if (kind != Whiteouts.Kind.ENTRY) {
            whiteout(e, parent, base, kind, into);
            return;
        }
        if (rules == Rules.ADD_ARCHIVE && !(e.isSymbolicLink() || e.isLink() || e.isCharacterDevice()
                || e.isBlockDevice() || e.isFIFO() || e.isDirectory() || e.isFile())) {
            return;
        }
        Path path = directoryOf(e, into, parent, true).resolve(base);
        markTouched(path);
        if (e.isSymbolicLink()) {
            symlink(path, e);
        } else if (e.isLink()) {
            hardLink(path, e, into);
        } else if (e.isCharacterDevice() || e.isBlockDevice() || e.isFIFO()) {
            device(path, e);
        } else if (e.isDirectory()) {
            directory(path, e);
        } else {
            regularFile(path, e, data);
        }
    }

    private void directory(Path path, TarArchiveEntry e) throws IOException {
        BasicFileAttributes existing = ConfinedRoot.lstat(path);
        if (existing == null || !existing.isDirectory()) {
            remove(path);
            Files.createDirectory(path);
        }
        keepMetadata(path, e, true);
    }

    private void regularFile(Path path, TarArchiveEntry e, InputStream data) throws IOException {
        remove(path);
        byte[] buf = new byte[1 << 16];
        try (OutputStream out = Files.newOutputStream(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                LinkOption.NOFOLLOW_LINKS)) {
            int n;
            while ((n = data.read(buf)) > 0) {
                out.write(buf, 0, n);
            }
        }
        keepMetadata(path, e, false);
    }

    private void symlink(Path path, TarArchiveEntry e) throws IOException {
        if (e.getLinkName().isEmpty()) {
            throw refused(e, "is a symlink without a target");
        }
        remove(path);
        PosixCalls.symlink(e.getLinkName(), path);
        if (rules.keepsMetadata) {
            PosixCalls.lchown(path, e.getLongUserId(), e.getLongGroupId());
            if (rules.keepsXattrs) {
                keepXattrs(path, e);
            }
            setTime(path, e);
        }
    }

    /** Links {@code path} to the file the entry names; the target is never followed, only looked up. */
    private void hardLink(Path path, TarArchiveEntry e, Path into) throws IOException {
        String name = e.getLinkName();
        List<String> target = segments(name, e, "hard link target");
        if (target.isEmpty()) {
            throw refused(e, "is a hard link to the root directory");
        }
        Path targetDir = directoryOf(e, into, target.subList(0, target.size() - 1), false);
        Path targetPath = targetDir == null ? null : targetDir.resolve(target.get(target.size() - 1));
        BasicFileAttributes a = targetPath == null ? null : ConfinedRoot.lstat(targetPath);
        if (a == null && rules == Rules.ADD_ARCHIVE) {
            throw new ImageBuildException(archive + ": '" + e.getName() + "' is a hard link to '" + name
                    + "', which is not a file unpacked before it");
        }
        if (a == null) {
            throw refused(e, "is a hard link to '" + name + "', which is not in the root (symlinks on its way are"
                    + " resolved inside the root, never on the host)");
        }
        if (rules == Rules.ADD_ARCHIVE && !a.isRegularFile()) {
            throw new ImageBuildException(archive + ": '" + e.getName() + "' is a hard link to '" + name
                    + "', which is not a file unpacked before it");
        }
        if (a.isDirectory()) {
            throw refused(e, "is a hard link to the directory '" + name + "'");
        }
        BasicFileAttributes existing = ConfinedRoot.lstat(path);
        if (targetPath.equals(path) || existing != null && a.fileKey() != null && a.fileKey().equals(existing.fileKey())) {
            return;
        }
        remove(path);
        Files.createLink(path, targetPath);   // link(2): a symlink target is linked itself, not followed
    }

    private void device(Path path, TarArchiveEntry e) throws IOException {
        if (!rules.allowsDevices) {
            throw refused(e, "is a device node or fifo; an image archive holds files, directories and links only");
        }
        int type = e.isCharacterDevice() ? 0020000 : e.isBlockDevice() ? 0060000 : 0010000;
        remove(path);
        PosixCalls.mknod(path, type | (e.getMode() & 07777), e.getDevMajor(), e.getDevMinor());
        keepMetadata(path, e, false);
    }

    private void whiteout(TarArchiveEntry e, List<String> parent, String base, Whiteouts.Kind kind, Path into)
            throws IOException {
        Path dir = directoryOf(e, into, parent, false);
        if (dir == null) {
            return; // nothing below a directory that is not there
        }
        switch (kind) {
            case OPAQUE -> hideLower(dir);
            case INVALID -> throw refused(e, "is a whiteout of '" + Whiteouts.deletedName(base) + "', not of a file");
            case DELETES -> {
                Path victim = dir.resolve(Whiteouts.deletedName(base));
                if (!touched.contains(victim)) {
                    remove(victim);
                }
            }
            case AUFS_METADATA, ENTRY -> { }
        }
    }

    /** {@link ConfinedRoot#directory}, its refusals naming the entry. */
    private Path directoryOf(TarArchiveEntry e, Path into, List<String> segments, boolean create) throws IOException {
        try {
            return root.directory(into, segments, create);
        } catch (ConfinedRoot.UnresolvablePathException x) {
            throw refused(e, "has no place in the root: " + x.getMessage());
        }
    }

    /** Removes what lower layers put in {@code dir}; what this tar made stays. */
    private void hideLower(Path dir) throws IOException {
        List<Path> children;
        try (var list = Files.list(dir)) {
            children = new ArrayList<>(list.toList());
        }
        for (Path child : children) {
            if (!touched.contains(child)) {
                remove(child);
            } else if (Files.isDirectory(child, LinkOption.NOFOLLOW_LINKS)) {
                hideLower(child);
            }
        }
    }

    /** Removes whatever is at {@code path} (a symlink itself, a directory with its contents). */
    private void remove(Path path) throws IOException {
        BasicFileAttributes a = ConfinedRoot.lstat(path);
        if (a == null) {
            return;
        }
        if (a.isDirectory()) {
            // a later symlink in its place must not redirect the deferred times of what was below
            directoryTimes.keySet().removeIf(d -> d.startsWith(path));
            directories.removeIf(d -> d.path().startsWith(path));
        }
        Trees.deleteRecursively(path);
    }

    private void keepMetadata(Path path, TarArchiveEntry e, boolean directory) throws IOException {
        if (!rules.keepsMetadata) {
            return;
        }
        if (directory && rules == Rules.ADD_ARCHIVE) {
            directories.add(new Directory(path, e));
            return;
        }
        setMetadata(path, e);
        if (directory) {
            if (e.getLastModifiedTime() != null) {
                directoryTimes.put(path, e.getLastModifiedTime());
            }
        } else {
            setTime(path, e);
        }
    }

    /** Owner, permissions and xattrs of a file or directory the extraction made (not a symlink). */
    private void setMetadata(Path path, TarArchiveEntry e) throws IOException {
        // owner first: chown clears the setuid bits and file capabilities set before it
        PosixCalls.lchown(path, e.getLongUserId(), e.getLongGroupId());
        PosixCalls.chmod(path, e.getMode() & 07777);
        if (rules.keepsXattrs) {
            keepXattrs(path, e);
        }
    }

    private void setTime(Path path, TarArchiveEntry e) throws IOException {
        if (e.getLastModifiedTime() != null) {
            PosixCalls.setModifiedTime(path, e.getLastModifiedTime());
        }
    }

    private void keepXattrs(Path path, TarArchiveEntry e) {
        for (Map.Entry<String, String> h : e.getExtraPaxHeaders().entrySet()) {
            if (!h.getKey().startsWith(XATTR)) {
                continue;
            }
            String name = h.getKey().substring(XATTR.length());
            // the tar reader decodes PAX values as UTF-8 text, replacing what is not
            if (h.getValue().indexOf('\uFFFD') >= 0) {
                log.accept("[webvm] " + archive + ": entry '" + e.getName() + "': the extended attribute " + name
                        + " is binary, which the tar reader cannot keep; it is not set in the build's root");
                continue;
            }
            try {
                PosixCalls.lsetxattr(path, name, h.getValue().getBytes(StandardCharsets.UTF_8));
            } catch (IOException x) {
                log.accept("[webvm] " + archive + ": entry '" + e.getName() + "': " + x.getMessage());
            }
        }
    }

    private void markTouched(Path path) {
        for (Path p = path; p != null && !p.equals(root.dir) && touched.add(p); p = p.getParent()) {
            // ancestors of a touched path are touched already
        }
    }

    /** The components of a name relative to the extraction directory; refuses one that climbs above it. */
    private List<String> segments(String name, TarArchiveEntry e, String what) throws ImageBuildException {
        if (name.indexOf('\0') >= 0) {
            throw refused(e, "has a NUL byte in its " + what);
        }
        List<String> out = PathNames.inside(name);
        if (out == null && rules == Rules.ADD_ARCHIVE) {
            throw new ImageBuildException(archive + ": the archive entry '" + name + "' climbs out of the destination "
                    + destination + " with '..'");
        }
        if (out == null) {
            throw refused(e, "has a " + what + " ('" + name + "') that climbs out of the root through '..'");
        }
        return out;
    }

    private ImageBuildException refused(TarArchiveEntry e, String problem) {
        return new ImageBuildException(archive + ": entry '" + e.getName() + "' " + problem
                + "; refused, as the archive is broken or hostile");
    }

    private ImageBuildException tooLarge() {
        return new ImageBuildException(archive + ": refused, the archive unpacks to more than the limit of "
                + Sizes.describe(maxBytes) + "; unpack it in a RUN step if it really is that large, or raise the "
                + "limit with the maxAddSize parameter");
    }

    /** The tar, at most {@link #maxBytes} of it. */
    private final class Limited extends FilterInputStream {
        private long read;

        Limited(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count(1);
            }
            return b;
        }

        @Override
        public int read(byte[] buf, int off, int len) throws IOException {
            int n = super.read(buf, off, len);
            if (n > 0) {
                count(n);
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long skipped = super.skip(n);
            count(skipped);
            return skipped;
        }

        private void count(long n) throws ImageBuildException {
            read += n;
            if (read > maxBytes) {
                throw tooLarge();
            }
        }
    }
}

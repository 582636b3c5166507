package io.github.miniwebvm.dockerfile;

import io.github.miniwebvm.fs.PathNames;
import io.github.miniwebvm.io.Trees;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * ADD's unpacking of a local tar archive (plain, gzip, bzip2, xz or zstd) into a directory of the
 * image being built. Every entry lands inside the image's root: symlinks on the way, whether the
 * image had them or the archive made them, are followed as the image sees them
 * ({@link Rootfs#resolve}), never on the host; an entry whose name climbs out of the destination
 * with {@code ..} is refused. The archive may unpack to at most a limit of bytes, so a
 * decompression bomb cannot fill the disk.
 */
final class TarUnpacker {
    /** A directory of the archive: its metadata is set once everything below it is written. */
    private record Directory(Path path, TarArchiveEntry entry) {
    }

    private final Path archive;
    private final String name;
    private final Rootfs root;
    private final String destPath;
    private final long maxBytes;
    private long written;

    private TarUnpacker(Path archive, String name, Rootfs root, String destPath, long maxBytes) {
        this.archive = archive;
        this.name = name;
        this.root = root;
        this.destPath = destPath;
        this.maxBytes = maxBytes;
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

    /**
     * Unpacks {@code archive} (called {@code name} in messages) into the image directory
     * {@code destPath} of {@code root}, created when missing.
     */
    static void unpack(Path archive, String name, Rootfs root, String destPath, long maxBytes) throws IOException {
        new TarUnpacker(archive, name, root, destPath, maxBytes).run();
    }

    private void run() throws IOException {
        root.mkdirs(destPath);
        List<Directory> directories = new ArrayList<>();
        try (InputStream raw = Decompressed.open(archive);
             TarArchiveInputStream tar = new TarArchiveInputStream(new Limited(raw))) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                Path path = write(e, tar);
                if (path != null && e.isDirectory()) {
                    directories.add(new Directory(path, e));
                }
            }
        }
        for (int i = directories.size() - 1; i >= 0; i--) {
            setMetadata(directories.get(i).path(), directories.get(i).entry());
        }
    }

    /** Writes one entry; returns where, or null for an entry kind that is skipped. */
    private Path write(TarArchiveEntry e, InputStream content) throws IOException {
        String rel = entryPath(e.getName());
        if (rel.isEmpty()) {
            return e.isDirectory() ? root.mkdirs(destPath) : null;
        }
        String imagePath = (destPath.equals("/") ? "" : destPath) + "/" + rel;
        String parentPath = imagePath.substring(0, imagePath.lastIndexOf('/'));
        Path target = root.mkdirs(parentPath.isEmpty() ? "/" : parentPath).resolve(rel.substring(rel.lastIndexOf('/') + 1));
        boolean exists = Files.exists(target, LinkOption.NOFOLLOW_LINKS);
        if (e.isDirectory()) {
            if (exists && !Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
                Files.delete(target);
                exists = false;
            }
            if (!exists) {
                Files.createDirectory(target);
            }
            return target;
        }
        if (exists) {
            Trees.deleteRecursively(target);
        }
        if (e.isSymbolicLink()) {
            Files.createSymbolicLink(target, Path.of(e.getLinkName()));
        } else if (e.isLink()) {
            String linkPath = (destPath.equals("/") ? "" : destPath) + "/" + entryPath(e.getLinkName());
            Path existing = root.resolve(linkPath, false);
            if (!Files.isRegularFile(existing, LinkOption.NOFOLLOW_LINKS)) {
                throw new ImageBuildException("ADD " + name + ": '" + e.getName() + "' is a hard link to '"
                        + e.getLinkName() + "', which is not a file unpacked before it");
            }
            Files.createLink(target, existing);
            return target;      // a hard link shares its file's metadata
        } else if (e.isCharacterDevice() || e.isBlockDevice() || e.isFIFO()) {
            List<String> mknod = e.isFIFO() ? List.of("mknod", target.toString(), "p")
                    : List.of("mknod", target.toString(), e.isCharacterDevice() ? "c" : "b",
                    String.valueOf(e.getDevMajor()), String.valueOf(e.getDevMinor()));
            CommandRunner.Result r = CommandRunner.runCaptured(mknod);
            if (!r.ok()) {
                throw new ImageBuildException("ADD " + name + ": cannot create the device '" + e.getName() + "': "
                        + r.tailText());
            }
        } else if (e.isFile()) {
            try (OutputStream out = Files.newOutputStream(target, StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE)) {
                copyCounted(content, out);
            }
        } else {
            return null;
        }
        setMetadata(target, e);
        return target;
    }

    /**
     * The entry's name below the destination: without leading {@code /} and {@code ./}, with
     * {@code .} and {@code ..} applied; climbing above the destination is refused.
     */
    private String entryPath(String entryName) throws ImageBuildException {
        List<String> out = PathNames.inside(entryName);
        if (out == null) {
            throw new ImageBuildException("ADD " + name + ": the archive entry '" + entryName
                    + "' climbs out of the destination " + destPath + " with '..'");
        }
        return String.join("/", out);
    }

    private void copyCounted(InputStream in, OutputStream out) throws IOException {
        byte[] buf = new byte[1 << 16];
        int n;
        while ((n = in.read(buf)) > 0) {
            written += n;
            if (written > maxBytes) {
                throw tooLarge();
            }
            out.write(buf, 0, n);
        }
    }

    private ImageBuildException tooLarge() {
        return new ImageBuildException("ADD " + name + ": refused, the archive unpacks to more than the limit of "
                + Sizes.describe(maxBytes) + "; unpack it in a RUN step if it really is that large, or raise the "
                + "limit with the maxAddSize parameter");
    }

    private static void setMetadata(Path p, TarArchiveEntry e) throws IOException {
        Files.setAttribute(p, "unix:uid", (int) e.getLongUserId(), LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(p, "unix:gid", (int) e.getLongGroupId(), LinkOption.NOFOLLOW_LINKS);
        if (!e.isSymbolicLink()) {
            Files.setAttribute(p, "unix:mode", e.getMode() & 07777, LinkOption.NOFOLLOW_LINKS);
        }
        Files.getFileAttributeView(p, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                .setTimes(e.getLastModifiedTime(), null, null);
    }

    /**
     * The decompressed archive, at most {@link #maxBytes} of it: headers count too, so millions of
     * empty entries are a bomb as well.
     */
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

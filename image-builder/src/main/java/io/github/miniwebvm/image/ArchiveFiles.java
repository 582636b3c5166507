package io.github.miniwebvm.image;

import io.github.miniwebvm.fs.PathNames;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The files of an image container (an OCI layout or an extracted docker archive as a directory,
 * or an uncompressed tar of either) as byte ranges of host files, so blobs are read in place.
 * Symlinks are followed inside the container only: in a directory each component is looked at
 * without following it and a symlink whose target is absolute or climbs above the directory is
 * refused, so no file outside the directory is ever read or even looked at.
 */
public final class ArchiveFiles {
    /** As Linux gives up with ELOOP. */
    private static final int MAX_SYMLINK_HOPS = 40;

    /**
     * A file of the container: {@code length} bytes at {@code offset} of the host file {@code file}
     * (in a directory, the whole file, at a host path without symlinks).
     */
    public record Range(String name, Path file, long offset, long length) {
        InputStream open() throws IOException {
            return new FileRangeInputStream(file, offset, length);
        }
    }

    private record TarMember(char type, long offset, long size, String linkName, boolean sparse) { }

    private final Path root;                       // directory form
    private final Path tarFile;                    // tar form
    private final Map<String, TarMember> members;  // tar form: names up to three segments deep
    private final String description;

    private ArchiveFiles(Path root, Path tarFile, Map<String, TarMember> members, String description) {
        this.root = root;
        this.tarFile = tarFile;
        this.members = members;
        this.description = description;
    }

    public static ArchiveFiles ofDirectory(Path dir) {
        return new ArchiveFiles(dir, null, null, dir.toString());
    }

    /** Indexes the headers of an uncompressed tar (seeking over data); {@code description} names it in errors. */
    static ArchiveFiles ofTar(Path tar, String description, LoadLimits limits) throws IOException {
        Map<String, TarMember> members = new HashMap<>();
        try (InputStream in = new FileRangeInputStream(tar, 0, Files.size(tar))) {
            TarReader reader = new TarReader(in, description, limits);
            TarHeader h;
            while ((h = reader.next()) != null) {
                String name = PathNames.normalise(h.name());
                if (name.split("/").length <= 3) {
                    members.put(name, new TarMember(h.type(), h.dataOffset(), h.size(), h.linkName(), h.isSparse()));
                }
            }
        }
        return new ArchiveFiles(null, tar, members, description);
    }

    String description() {
        return description;
    }

    boolean contains(String name) throws IOException {
        return find(name).isPresent();
    }

    /** The regular file {@code name} (relative, {@code /}-separated), following symlinks inside the container. */
    Optional<Range> find(String name) throws IOException {
        String n = PathNames.normalise(name);
        if (n.isEmpty() || n.startsWith("../")) {
            return Optional.empty();
        }
        if (root != null) {
            return findInDirectory(n);
        }
        for (int hops = 0; hops < 8; hops++) {
            TarMember m = members.get(n);
            if (m == null) {
                return Optional.empty();
            }
            switch (m.type()) {
                case '0', '\0', '7' -> {
                    if (m.sparse()) {
                        throw new ImageFormatException(n + " in " + description + " is stored as a sparse tar entry;"
                                + " the files of an image archive (manifests, blobs) must be stored whole: save the"
                                + " image again without --sparse");
                    }
                    return Optional.of(new Range(n, tarFile, m.offset(), m.size()));
                }
                case '2' -> {
                    String dir = n.contains("/") ? n.substring(0, n.lastIndexOf('/') + 1) : "";
                    n = PathNames.normalise(m.linkName().startsWith("/") ? m.linkName() : dir + m.linkName());
                    if (n.startsWith("../")) {
                        return Optional.empty();
                    }
                }
                case '1' -> n = PathNames.normalise(m.linkName());
                default -> {
                    return Optional.empty();
                }
            }
        }
        return Optional.empty();
    }

    /** {@link #find} in the directory form: each component looked at, symlinks followed inside it only. */
    private Optional<Range> findInDirectory(String name) throws IOException {
        if (name.indexOf('\0') >= 0) {
            return Optional.empty();   // no host file has such a name
        }
        Deque<String> todo = new ArrayDeque<>(Arrays.asList(name.split("/")));
        List<String> at = new ArrayList<>();
        int hops = 0;
        String link = null;
        while (!todo.isEmpty()) {
            String s = todo.removeFirst();
            if (s.isEmpty() || s.equals(".")) {
                continue;
            }
            if (s.equals("..")) {
                if (at.isEmpty()) {
                    throw outOfDirectory(name, link);
                }
                at.remove(at.size() - 1);
                continue;
            }
            Path next = root.resolve(String.join("/", at)).resolve(s);
            BasicFileAttributes a = lstat(next);
            if (a == null) {
                return Optional.empty();
            }
            if (a.isSymbolicLink()) {
                if (++hops > MAX_SYMLINK_HOPS) {
                    throw new ImageFormatException(name + " in " + description + ": more than " + MAX_SYMLINK_HOPS
                            + " symbolic links to follow (a link loop?)");
                }
                link = Files.readSymbolicLink(next).toString();
                if (link.startsWith("/")) {
                    throw outOfDirectory(name, link);
                }
                List<String> target = Arrays.asList(link.split("/"));
                for (int i = target.size() - 1; i >= 0; i--) {
                    todo.addFirst(target.get(i));
                }
                continue;
            }
            boolean last = todo.stream().allMatch(t -> t.isEmpty() || t.equals("."));
            if (!last && !a.isDirectory()) {
                return Optional.empty();
            }
            at.add(s);
        }
        Path p = root.resolve(String.join("/", at));
        BasicFileAttributes a = lstat(p);
        if (at.isEmpty() || a == null || !a.isRegularFile()) {
            return Optional.empty();
        }
        return Optional.of(new Range(name, p, 0, a.size()));
    }

    private ImageFormatException outOfDirectory(String name, String link) {
        return new ImageFormatException(name + " in " + description + " is missing or not a regular file: it is a"
                + " symlink out of the image directory (to " + link + "), and nothing outside the directory is read;"
                + " refused");
    }

    /** Attributes of {@code p} itself (a symlink is not followed), or null when nothing is there. */
    private static BasicFileAttributes lstat(Path p) throws IOException {
        try {
            return Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /** Reads a small file (a manifest, index or config) completely. */
    byte[] readSmall(Range r) throws IOException {
        if (r.length() > 64L << 20) {
            throw new ImageFormatException(r.name() + " in " + description + " is " + r.length()
                    + " bytes, too large for a manifest or configuration");
        }
        try (InputStream in = r.open()) {
            byte[] b = in.readNBytes((int) r.length());
            if (b.length != r.length()) {
                throw new ImageFormatException(r.name() + " in " + description + " is truncated");
            }
            return b;
        }
    }

    /** A stream over a range of a file whose skip seeks. */
    static final class FileRangeInputStream extends InputStream {
        private final FileChannel channel;
        private final long end;
        private long pos;

        FileRangeInputStream(Path file, long offset, long length) throws IOException {
            if (Files.isDirectory(file, LinkOption.NOFOLLOW_LINKS)) {
                throw new ImageFormatException(file + " is a directory");
            }
            this.channel = FileChannel.open(file, StandardOpenOption.READ);
            this.pos = offset;
            this.end = offset + length;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            long left = end - pos;
            if (left <= 0) {
                return -1;
            }
            int n = channel.read(ByteBuffer.wrap(b, off, (int) Math.min(len, left)), pos);
            if (n > 0) {
                pos += n;
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long real = Math.min(end, channel.size());
            long k = Math.max(0, Math.min(n, real - pos));
            pos += k;
            return k;
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }

    static List<String> hexDigestPath(String digest) {
        int colon = digest.indexOf(':');
        return List.of("blobs", digest.substring(0, colon), digest.substring(colon + 1));
    }
}

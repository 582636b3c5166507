package io.github.miniwebvm.image;

import io.github.miniwebvm.fs.PathNames;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The files of an image container (an OCI layout or an extracted docker archive as a directory,
 * or an uncompressed tar of either) as byte ranges of host files, so blobs are read in place.
 */
final class ArchiveFiles {
    /** A file of the container: {@code length} bytes at {@code offset} of the host file {@code file}. */
    record Range(String name, Path file, long offset, long length) {
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

    static ArchiveFiles ofDirectory(Path dir) {
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
            Path p = root.resolve(n).normalize();
            if (!Files.isRegularFile(p)) {
                return Optional.empty();
            }
            Path real = p.toRealPath();
            if (!real.startsWith(root.toRealPath())) {
                throw new ImageFormatException(n + " in " + description + " is a symlink out of the image directory (to "
                        + real + "); refused");
            }
            return Optional.of(new Range(n, real, 0, Files.size(real)));
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

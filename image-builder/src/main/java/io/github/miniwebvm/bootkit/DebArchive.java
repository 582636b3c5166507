package io.github.miniwebvm.bootkit;

import com.github.luben.zstd.ZstdInputStream;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.Set;
import java.util.List;
import java.util.function.Predicate;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.ar.ArArchiveEntry;
import org.apache.commons.compress.archivers.ar.ArArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.tukaani.xz.XZInputStream;

/** Extracts regular files from a {@code .deb} (an ar archive whose {@code data.tar.*} holds the files). */
final class DebArchive {
    private DebArchive() {
    }

    /**
     * Writes the regular files of the data archive whose path (relative, without a leading
     * {@code ./}) {@code wanted} accepts into {@code target}, and returns those paths, sorted.
     */
    static List<String> extract(Path deb, Predicate<String> wanted, Path target) throws IOException {
        try (ArArchiveInputStream ar = new ArArchiveInputStream(new BufferedInputStream(Files.newInputStream(deb)))) {
            ArArchiveEntry member;
            while ((member = ar.getNextEntry()) != null) {
                String name = member.getName();
                if (name.startsWith("data.tar")) {
                    try (InputStream data = decompress(name, ar, deb)) {
                        return extractTar(data, wanted, target);
                    }
                }
            }
        }
        throw new BootKitException(deb + " has no data.tar member: not a Debian package");
    }

    private static InputStream decompress(String member, InputStream in, Path deb) throws IOException {
        if (member.equals("data.tar")) {
            return in;
        }
        if (member.endsWith(".xz")) {
            return new XZInputStream(in, 1 << 20);
        }
        if (member.endsWith(".zst")) {
            return new ZstdInputStream(in);
        }
        if (member.endsWith(".gz")) {
            return new GZIPInputStream(in, 1 << 16);
        }
        throw new BootKitException(deb + ": unsupported compression of " + member);
    }

    /** Keeps the mode bits where the filesystem has them (busybox must stay executable). */
    private static void setPermissions(Path file, int mode) throws IOException {
        if (Files.getFileStore(file).supportsFileAttributeView(PosixFileAttributeView.class)) {
            Set<PosixFilePermission> perms = EnumSet.noneOf(PosixFilePermission.class);
            PosixFilePermission[] bits = PosixFilePermission.values();   // OWNER_READ (0400) ... OTHERS_EXECUTE (01)
            for (int i = 0; i < bits.length; i++) {
                if ((mode & (0400 >> i)) != 0) {
                    perms.add(bits[i]);
                }
            }
            Files.setPosixFilePermissions(file, perms);
        } else if ((mode & 0111) != 0) {
            file.toFile().setExecutable(true, false);
        }
    }

    private static List<String> extractTar(InputStream data, Predicate<String> wanted, Path target) throws IOException {
        List<String> out = new ArrayList<>();
        TarArchiveInputStream tar = new TarArchiveInputStream(new BufferedInputStream(data, 1 << 16));
        TarArchiveEntry e;
        Path root = target.toAbsolutePath().normalize();
        while ((e = tar.getNextEntry()) != null) {
            if (!e.isFile()) {
                continue;
            }
            String path = e.getName();
            while (path.startsWith("./") || path.startsWith("/")) {
                path = path.substring(path.indexOf('/') + 1);
            }
            if (!wanted.test(path)) {
                continue;
            }
            Path dest = root.resolve(path).normalize();
            if (!dest.startsWith(root)) {
                throw new BootKitException("refusing to extract " + e.getName() + " outside " + root);
            }
            Files.createDirectories(dest.getParent());
            Files.copy(tar, dest, StandardCopyOption.REPLACE_EXISTING);
            setPermissions(dest, e.getMode());
            out.add(path);
        }
        out.sort(null);
        return out;
    }
}

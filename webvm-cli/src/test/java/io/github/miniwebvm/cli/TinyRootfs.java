package io.github.miniwebvm.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/** A rootfs tar small enough to build in a second: /etc/passwd, /bin/sh (not a real shell), /etc/motd. */
final class TinyRootfs {
    static final String MOTD = "built by the webvm CLI\n";

    private TinyRootfs() {
    }

    static Path write(Path file) throws IOException {
        try (OutputStream out = Files.newOutputStream(file); TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
            dir(tar, "etc/");
            dir(tar, "bin/");
            file(tar, "etc/passwd", "root:x:0:0:root:/root:/bin/sh\n", 0644);
            file(tar, "etc/motd", MOTD, 0644);
            file(tar, "bin/sh", "#!fake\n", 0755);
        }
        return file;
    }

    private static void dir(TarArchiveOutputStream tar, String name) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name);
        e.setMode(040755);
        tar.putArchiveEntry(e);
        tar.closeArchiveEntry();
    }

    private static void file(TarArchiveOutputStream tar, String name, String text, int mode) throws IOException {
        byte[] data = text.getBytes(StandardCharsets.UTF_8);
        TarArchiveEntry e = new TarArchiveEntry(name);
        e.setMode(0100000 | mode);
        e.setSize(data.length);
        tar.putArchiveEntry(e);
        tar.write(data);
        tar.closeArchiveEntry();
    }
}

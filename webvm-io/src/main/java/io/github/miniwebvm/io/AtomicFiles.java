package io.github.miniwebvm.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Writes files so that a reader sees either the old file or the whole new one, never a part. */
public final class AtomicFiles {
    private AtomicFiles() {
    }

    /** Writes the content of a temporary file. */
    @FunctionalInterface
    public interface Content {
        void writeTo(Path temporary) throws IOException;
    }

    /** Writes the content of a stream. */
    @FunctionalInterface
    public interface StreamContent {
        void writeTo(OutputStream out) throws IOException;
    }

    /**
     * Lets {@code content} fill a temporary file next to {@code target} (named
     * {@code .<name>…part}), then renames it over {@code target}. On failure the temporary file
     * is removed and {@code target} is as it was. The parent directory is created if missing.
     */
    public static void write(Path target, Content content) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + target.getFileName(), ".part");
        try {
            content.writeTo(tmp);
            replace(tmp, target);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    public static void writeStream(Path target, StreamContent content) throws IOException {
        write(target, tmp -> {
            try (OutputStream out = Files.newOutputStream(tmp)) {
                content.writeTo(out);
            }
        });
    }

    public static void write(Path target, byte[] bytes) throws IOException {
        write(target, tmp -> {
            Files.write(tmp, bytes);
        });
    }

    /** Renames {@code source} to {@code target}, replacing it; atomically where the file system can. */
    public static void replace(Path source, Path target) throws IOException {
        try {
            Files.move(source, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(source, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}

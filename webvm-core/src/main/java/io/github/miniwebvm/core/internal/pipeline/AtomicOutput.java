package io.github.miniwebvm.core.internal.pipeline;

import io.github.miniwebvm.io.Trees;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Builds a directory beside its final place and swaps it in, so a failed or killed build never
 * leaves a half-written site: the previous site stays until the new one is complete.
 *
 * <p>Layout next to {@code target}: {@code .NAME.tmp-<pid>} while building,
 * {@code .NAME.old-<pid>} for the instant of the swap. Leftovers of killed builds are removed by {@link #open}. Only a folder that is empty or
 * holds {@value OwnedFolders#SITE_MARKER} (which every site written here gets) is replaced.
 */
public final class AtomicOutput implements AutoCloseable {
    private final Path target;
    private final Path staging;
    private boolean committed;

    private AtomicOutput(Path target, Path staging) {
        this.target = target;
        this.staging = staging;
    }

    /**
     * Cleans leftovers of earlier interrupted builds and creates an empty staging directory. The
     * caller holds the site's {@link BuildLock}.
     *
     * @throws IllegalArgumentException if {@code target} holds something this plugin did not write
     */
    public static AtomicOutput open(Path target) throws IOException {
        Path abs = target.toAbsolutePath().normalize();
        Path parent = abs.getParent();
        Files.createDirectories(parent);
        String name = abs.getFileName().toString();
        recoverInterruptedSwap(abs, parent, name);
        OwnedFolders.requireOwnedOrEmpty(abs, OwnedFolders.SITE_MARKER, "outputDirectory");
        removeLeftovers(parent, name);
        Path staging = parent.resolve("." + name + ".tmp-" + ProcessHandle.current().pid());
        Files.createDirectories(staging);
        OwnedFolders.writeMarker(staging, OwnedFolders.SITE_MARKER);
        return new AtomicOutput(abs, staging);
    }

    /** Where to write the new content. */
    public Path staging() {
        return staging;
    }

    /** The current (previous) content, if any, for incremental work. */
    public Path target() {
        return target;
    }

    /** Swaps the staging directory into place; the old content is deleted afterwards. */
    public void commit() throws IOException {
        Path parent = target.getParent();
        String name = target.getFileName().toString();
        Path old = parent.resolve("." + name + ".old-" + ProcessHandle.current().pid());
        if (Files.exists(target)) {
            move(target, old);
        }
        PausePoint.MID_SWAP.reach();
        move(staging, target);
        committed = true;
        Trees.deleteRecursively(old);
    }

    /** Without a commit, removes the staging directory and leaves the target as it was. */
    @Override
    public void close() throws IOException {
        if (!committed) {
            Trees.deleteRecursively(staging);
        }
    }

    /** A build killed between the two renames of a swap leaves only {@code .NAME.old-*}: put it back. */
    private static void recoverInterruptedSwap(Path target, Path parent, String name) throws IOException {
        if (Files.exists(target)) {
            return;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(parent, "." + name + ".old-*")) {
            for (Path old : ds) {
                move(old, target);
                return;
            }
        }
    }

    private static void removeLeftovers(Path parent, String name) throws IOException {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(parent, "." + name + ".{tmp,old}-*")) {
            for (Path p : ds) {
                Trees.deleteRecursively(p);
            }
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to);
        }
    }

    /** Hard-links (or copies, across filesystems) every file of {@code from} into {@code to}. */
    public static void linkTree(Path from, Path to) throws IOException {
        if (!Files.isDirectory(from)) {
            return;
        }
        try (var files = Files.walk(from)) {
            files.forEach(p -> {
                Path dest = to.resolve(from.relativize(p).toString());
                try {
                    if (Files.isDirectory(p)) {
                        Files.createDirectories(dest);
                    } else {
                        try {
                            Files.createLink(dest, p);
                        } catch (UnsupportedOperationException | IOException e) {
                            Files.copy(p, dest, StandardCopyOption.COPY_ATTRIBUTES);
                        }
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}

package io.github.miniwebvm.core.internal.pipeline;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One build at a time per site: {@code .NAME.lock} beside the output folder, locked for the whole
 * run (work folder included), so that a second build of the same site fails at once instead of
 * mixing its files with the first one's. The file stays; the lock goes with the process.
 */
final class BuildLock implements AutoCloseable {
    private final FileChannel channel;
    private final FileLock lock;

    private BuildLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** @throws IllegalArgumentException if another build (in any process) holds the lock */
    static BuildLock acquire(Path outputDirectory) throws IOException {
        Path abs = outputDirectory.toAbsolutePath().normalize();
        Files.createDirectories(abs.getParent());
        Path file = abs.resolveSibling("." + abs.getFileName() + ".lock");
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        if (lock == null) {
            channel.close();
            throw new IllegalArgumentException("another build is writing " + abs + " (it holds " + file
                    + "); wait for it to finish, or give this one another outputDirectory and workDirectory");
        }
        return new BuildLock(channel, lock);
    }

    @Override
    public void close() throws IOException {
        try {
            lock.release();
        } finally {
            channel.close();
        }
    }
}

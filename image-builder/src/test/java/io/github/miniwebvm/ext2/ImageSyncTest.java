package io.github.miniwebvm.ext2;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ImageSyncTest {
    private static final long STEP = (long) ImageSync.STEP_MIB << 20;

    @Test
    void flushesInTheBackgroundAndAtTheEnd(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("image");
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
             ImageSync sync = new ImageSync(channel)) {
            ByteBuffer block = ByteBuffer.allocate(1 << 20);
            for (int i = 0; i < 3 * ImageSync.STEP_MIB; i++) {
                block.clear();
                channel.write(block, (long) i << 20);
                sync.written(1 << 20);
            }
            assertThat(threadRunning()).as("the background flush thread").isTrue();
            sync.finish();
            assertThat(threadRunning()).as("the background flush thread after finish").isFalse();
        }
        assertThat(Files.size(file)).isEqualTo(3 * STEP);
    }

    @Test
    void aFailedBackgroundFlushFailsTheWrite(@TempDir Path dir) throws IOException {
        FileChannel channel = FileChannel.open(dir.resolve("image"), StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE);
        try (ImageSync sync = new ImageSync(channel)) {
            channel.close();               // every flush from now on fails
            sync.written(STEP);
            assertThatThrownBy(sync::finish).isInstanceOf(ClosedChannelException.class);
        }
    }

    @Test
    void closingWithoutFinishingStopsTheThread(@TempDir Path dir) throws IOException {
        try (FileChannel channel = FileChannel.open(dir.resolve("image"), StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE)) {
            ImageSync sync = new ImageSync(channel);
            sync.written(STEP);
            sync.close();
            assertThat(threadRunning()).isFalse();
            assertThat(channel.isOpen()).as("the channel, which a flush interrupted would have closed").isTrue();
        }
    }

    @Test
    void aSmallImageStartsNoThread(@TempDir Path dir) throws IOException {
        try (FileChannel channel = FileChannel.open(dir.resolve("image"), StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE);
             ImageSync sync = new ImageSync(channel)) {
            sync.written(STEP - 1);
            assertThat(threadRunning()).isFalse();
            sync.finish();
        }
    }

    private static boolean threadRunning() {
        return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals("ext2-image-sync"));
    }
}

package io.github.miniwebvm.fs;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

class HostFileExtentsTest {
    private static final long MIB = 1L << 20;

    @TempDir
    Path dir;

    @Test
    void sparseFileReportsOnlyWhereItHoldsData() throws IOException {
        Path file = SparseFiles.create(dir.resolve("sparse.bin"), 64 * MIB, 10 * MIB, 40 * MIB);

        long[] extents = Content.ofFile(file).dataExtents();

        // the kernel may round to its own block size or keep some zeros as data; it must cover the data
        // and leave most of the 64 MiB out
        assertThat(extents.length % 2).isZero();
        assertThat(covered(extents)).isLessThan(8 * MIB);
        assertThat(covers(extents, 10 * MIB, 10 * MIB + 4096)).isTrue();
        assertThat(covers(extents, 40 * MIB, 40 * MIB + 4096)).isTrue();
        for (int i = 2; i < extents.length; i += 2) {
            assertThat(extents[i]).isGreaterThanOrEqualTo(extents[i - 1]);
        }
    }

    @Test
    void denseAndSmallFilesAreOneExtent() throws IOException {
        Path dense = dir.resolve("dense.bin");
        byte[] bytes = new byte[(int) (9 * MIB)];
        Arrays.fill(bytes, (byte) 7);
        Files.write(dense, bytes);
        Path small = SparseFiles.create(dir.resolve("small.bin"), MIB, 512 * 1024);

        assertThat(Content.ofFile(dense).dataExtents()).containsExactly(0, 9 * MIB);
        // below the probe size a file is read whole, holes and all
        assertThat(Content.ofFile(small).dataExtents()).containsExactly(0, MIB);
    }

    @Test
    void fileOfHolesOnlyHasNoExtents() throws IOException {
        Path holes = SparseFiles.create(dir.resolve("holes.bin"), 32 * MIB);
        assertThat(Content.ofFile(holes).dataExtents()).isEmpty();
    }

    @Test
    void channelsOpenAtAPosition() throws IOException {
        Content memory = Content.ofBytes("0123456789".getBytes());
        Path file = Files.writeString(dir.resolve("f"), "0123456789");
        for (Content c : new Content[] {memory, Content.ofFile(file), Content.ofRange(file, 2, 6)}) {
            try (ReadableByteChannel ch = c.openChannel(3)) {
                ByteBuffer buf = ByteBuffer.allocate(16);
                while (ch.read(buf) >= 0) {
                    // read to the end
                }
                String expected = c.size() == 6 ? "567" : "3456789";
                assertThat(new String(buf.array(), 0, buf.position())).as(c.describe()).isEqualTo(expected);
            }
        }
    }

    private static long covered(long[] extents) {
        long sum = 0;
        for (int i = 0; i < extents.length; i += 2) {
            sum += extents[i + 1] - extents[i];
        }
        return sum;
    }

    private static boolean covers(long[] extents, long from, long to) {
        for (int i = 0; i < extents.length; i += 2) {
            if (extents[i] <= from && to <= extents[i + 1]) {
                return true;
            }
        }
        return false;
    }
}

package io.github.miniwebvm.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Content#ofSparseRange}: stored segments read back in place, holes as zeros, from any position. */
class SparseFileRangeTest {
    @TempDir
    Path tmp;

    /** "junk" then the stored segments "abc" and "de" (at offset 4 of the file), then more junk. */
    private Path stored() throws IOException {
        return Files.writeString(tmp.resolve("stored"), "junkabcdejunk");
    }

    /** The logical file: 10 bytes, "abc" at 2, an empty segment at 6, "de" at 8; 12 bytes in all. */
    private Content content() throws IOException {
        return Content.ofSparseRange(stored(), 4, 12, new long[] {2, 5, 6, 6, 8, 10});
    }

    private static final byte[] EXPECTED = {0, 0, 'a', 'b', 'c', 0, 0, 0, 'd', 'e', 0, 0};

    @Test
    void readsSegmentsInPlaceAndHolesAsZeros() throws IOException {
        Content c = content();
        assertThat(c.size()).isEqualTo(12);
        assertThat(c.dataExtents()).as("the empty segment is left out").containsExactly(2, 5, 8, 10);
        try (InputStream in = c.open()) {
            assertThat(in.readAllBytes()).isEqualTo(EXPECTED);
        }
        for (int from = 0; from <= 12; from++) {
            try (ReadableByteChannel ch = c.openChannel(from)) {
                ByteBuffer b = ByteBuffer.allocate(20);
                ByteBuffer one = ByteBuffer.allocate(1);       // byte by byte: every boundary is crossed alone
                while (ch.read(one.clear()) > 0) {
                    b.put(one.flip());
                }
                assertThat(java.util.Arrays.copyOf(b.array(), b.position())).as("from %d", from)
                        .isEqualTo(java.util.Arrays.copyOfRange(EXPECTED, from, 12));
            }
        }
    }

    @Test
    void aStoredFileCutShortEndsTheContentEarly() throws IOException {
        Path shortFile = Files.writeString(tmp.resolve("short"), "junkab");
        Content c = Content.ofSparseRange(shortFile, 4, 12, new long[] {2, 5, 8, 10});
        try (InputStream in = c.open()) {
            assertThat(in.readAllBytes()).as("what is there, then the end").isEqualTo(new byte[] {0, 0, 'a', 'b'});
        }
    }

    @Test
    void segmentsMustAscendWithinTheSize() throws IOException {
        Path f = stored();
        assertThatThrownBy(() -> Content.ofSparseRange(f, 0, 10, new long[] {4, 6, 5, 7}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ascending");
        assertThatThrownBy(() -> Content.ofSparseRange(f, 0, 10, new long[] {4, 11}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("within the size 10");
        assertThatThrownBy(() -> Content.ofSparseRange(f, 0, 10, new long[] {4}))
                .isInstanceOf(IllegalArgumentException.class);
    }
}

package io.github.miniwebvm.image;

import static io.github.miniwebvm.testsupport.SparseTars.DATA;
import static io.github.miniwebvm.testsupport.SparseTars.SIZE;
import static io.github.miniwebvm.testsupport.SparseTars.expectedBytes;
import static io.github.miniwebvm.testsupport.SparseTars.gnuTar;
import static io.github.miniwebvm.testsupport.SparseTars.sparseFile;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.miniwebvm.fs.Content;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * GNU sparse tar entries, as GNU tar (a tar writer we did not write) makes them with
 * {@code --sparse} in its four formats, are read as files of their real size whose holes are
 * described rather than stored; forged sparse maps are refused naming the entry.
 */
class SparseTarTest {
    @TempDir
    Path tmp;

    @ParameterizedTest
    @FieldSource("io.github.miniwebvm.testsupport.SparseTars#FORMATS")
    void gnuTarSparseFilesLoadWithTheirRealSizeHolesAndBytes(String format) throws IOException {
        Path dir = Files.createDirectory(tmp.resolve("src"));
        sparseFile(dir.resolve("f"));
        Files.createDirectory(dir.resolve("d"));
        Path tar = gnuTar(dir, ".", format, tmp.resolve(format + ".tar"));
        assertThat(Files.size(tar)).as("the tar stores the data, not the holes").isLessThan(1 << 20);

        try (LoadedImage image = ImageLoader.builder().workDirectory(tmp.resolve("work")).webvmFixups(false).build()
                .load(tar)) {
            assertThat(image.tree().root().children()).as("no GNUSparseFile.<pid> placeholder directory")
                    .containsOnlyKeys("f", "d");
            Content content = image.tree().lookup("f").orElseThrow().content();
            assertThat(content.size()).isEqualTo(SIZE);
            long[] extents = content.dataExtents();
            long described = 0;
            for (int i = 0; i < extents.length; i += 2) {
                described += extents[i + 1] - extents[i];
            }
            assertThat(described).as("bytes outside the holes").isLessThan(64 << 10);
            for (long[] d : DATA) {
                assertThat(coveredBy(extents, d[0], d[0] + d[1])).as("data at %d is in an extent", d[0]).isTrue();
            }
            assertSameBytes(content, dir.resolve("f"));
            for (long[] d : DATA) {
                try (ReadableByteChannel ch = content.openChannel(d[0])) {
                    ByteBuffer b = ByteBuffer.allocate((int) d[1]);
                    while (b.hasRemaining() && ch.read(b) >= 0) {
                        // fill
                    }
                    assertThat(b.array()).as("read from %d", d[0]).isEqualTo(expectedBytes(d[0], (int) d[1]));
                }
            }
        }
    }

    private static boolean coveredBy(long[] extents, long start, long end) {
        for (int i = 0; i < extents.length; i += 2) {
            if (extents[i] <= start && end <= extents[i + 1]) {
                return true;
            }
        }
        return false;
    }

    private static void assertSameBytes(Content content, Path expected) throws IOException {
        try (InputStream a = content.open(); InputStream b = Files.newInputStream(expected)) {
            byte[] x = new byte[1 << 16];
            byte[] y = new byte[1 << 16];
            long at = 0;
            while (true) {
                int n = a.readNBytes(x, 0, x.length);
                int m = b.readNBytes(y, 0, y.length);
                assertThat(n).as("bytes read at %d", at).isEqualTo(m);
                if (n == 0) {
                    break;
                }
                assertThat(java.util.Arrays.mismatch(x, 0, n, y, 0, n)).as("first difference after byte %d", at)
                        .isEqualTo(-1);
                at += n;
            }
        }
    }

    // ---------------------------------------------------------------- forged maps

    /** A PAX sparse entry "f" (format 0.1 unless the records say otherwise) storing {@code stored} bytes. */
    private Path paxSparse(Map<String, String> records, int stored) throws IOException {
        ByteArrayOutputStream tar = new ByteArrayOutputStream();
        ByteArrayOutputStream pax = new ByteArrayOutputStream();
        records.forEach((k, v) -> pax.writeBytes(ImageLoaderFuzzTest.paxRecord(k, v)));
        tar.writeBytes(ImageLoaderFuzzTest.header("PaxHeaders/f", 'x', 0644, 0, pax.size(), ""));
        tar.writeBytes(pax.toByteArray());
        tar.writeBytes(new byte[(512 - pax.size() % 512) % 512]);
        tar.writeBytes(ImageLoaderFuzzTest.header("GNUSparseFile.1/f", '0', 0644, 0, stored, ""));
        byte[] data = new byte[(stored + 511) / 512 * 512];
        java.util.Arrays.fill(data, 0, stored, (byte) 'x');
        tar.writeBytes(data);
        tar.writeBytes(new byte[1024]);
        return Files.write(tmp.resolve("forged-" + Integer.toHexString(records.hashCode()) + ".tar"), tar.toByteArray());
    }

    private static Map<String, String> records(String... keysAndValues) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            m.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        m.putIfAbsent("GNU.sparse.name", "f");
        return m;
    }

    private void assertRefused(Path tar, String... parts) {
        assertThatThrownBy(() -> ImageLoader.builder().workDirectory(tmp.resolve("work")).build().load(tar))
                .isInstanceOf(ImageFormatException.class)
                .hasMessageContaining(tar.toString())
                .hasMessageContaining("'f'")
                .hasMessageContainingAll(parts);
    }

    @Test
    void aWellFormedHandMadeMapLoads() throws IOException {
        Path tar = paxSparse(records("GNU.sparse.size", "10000", "GNU.sparse.numblocks", "2",
                "GNU.sparse.map", "100,3,9000,2"), 5);
        try (LoadedImage image = ImageLoader.builder().workDirectory(tmp.resolve("work")).build().load(tar)) {
            Content c = image.tree().lookup("f").orElseThrow().content();
            assertThat(c.size()).isEqualTo(10_000);
            assertThat(c.dataExtents()).containsExactly(100, 103, 9000, 9002);
            try (InputStream in = c.open()) {
                byte[] all = in.readAllBytes();
                assertThat(all).hasSize(10_000);
                assertThat(new String(all, 100, 3, StandardCharsets.US_ASCII)).isEqualTo("xxx");
                assertThat(all[99]).isZero();
                assertThat(all[103]).isZero();
                assertThat(new String(all, 9000, 2, StandardCharsets.US_ASCII)).isEqualTo("xx");
            }
        }
    }

    @Test
    void forgedMapsAreRefusedNamingTheEntry() throws IOException {
        assertRefused(paxSparse(records("GNU.sparse.size", "-1", "GNU.sparse.map", "0,5"), 5),
                "GNU.sparse.size=-1", "not a number");
        assertRefused(paxSparse(records("GNU.sparse.size", "100", "GNU.sparse.map", "-5,5"), 5),
                "'-'", "decimal digit");
        assertRefused(paxSparse(records("GNU.sparse.size", "100", "GNU.sparse.map", "0,99999999999999999999"), 5),
                "does not fit in 64 bits");
        assertRefused(paxSparse(records("GNU.sparse.size", "100", "GNU.sparse.map",
                        "9223372036854775800,10"), 10), "beyond any file size");
        assertRefused(paxSparse(records("GNU.sparse.size", "100", "GNU.sparse.map", "10,5,12,5"), 10),
                "before the previous one ends");
        assertRefused(paxSparse(records("GNU.sparse.size", "100", "GNU.sparse.map", "98,5"), 5),
                "reaches byte 103 of a file of 100 bytes");
        assertRefused(paxSparse(records("GNU.sparse.size", "100", "GNU.sparse.map", "0,5"), 4),
                "lists 5 bytes of data but the archive stores 4");
        assertRefused(paxSparse(records("GNU.sparse.size", "100", "GNU.sparse.numblocks", "3",
                "GNU.sparse.map", "0,5"), 5), "numblocks says 3");
        assertRefused(paxSparse(records("GNU.sparse.map", "0,5"), 5), "real size is unknown");
        assertRefused(paxSparse(records("GNU.sparse.size", "100", "GNU.sparse.map", "0,5,7"), 5), "odd number");
        assertRefused(paxSparse(records("GNU.sparse.size", "100", "GNU.sparse.major", "2",
                "GNU.sparse.minor", "0"), 5), "format 2.0");
        assertRefused(paxSparse(records("GNU.sparse.size", "100", "GNU.sparse.major", "1",
                "GNU.sparse.minor", "0", "GNU.sparse.realsize", "100"), 5), "sparse map runs past the end");
    }

    /** Format 1.0 keeps its map in the data; a map that claims more than the data holds ends there. */
    @Test
    void aFormat10MapIsReadFromTheDataAndChecked() throws IOException {
        Path ok = paxSparse10("2\n10\n3\n50\n2\n", "GNU.sparse.realsize", "60");
        try (LoadedImage image = ImageLoader.builder().workDirectory(tmp.resolve("work")).build().load(ok)) {
            Content c = image.tree().lookup("f").orElseThrow().content();
            assertThat(c.size()).isEqualTo(60);
            assertThat(c.dataExtents()).containsExactly(10, 13, 50, 52);
            try (InputStream in = c.open()) {
                byte[] all = in.readAllBytes();
                assertThat(new String(all, 10, 3, StandardCharsets.US_ASCII)).isEqualTo("xxx");
                assertThat(new String(all, 50, 2, StandardCharsets.US_ASCII)).isEqualTo("xx");
            }
        }
        assertRefused(paxSparse10("1000000000\n10\n3\n", "GNU.sparse.realsize", "60"),
                "'\\x00' where a decimal digit belongs");
        assertRefused(paxSparse10("1\n1x\n3\n", "GNU.sparse.realsize", "60"), "'x' where a decimal digit belongs");
        assertRefused(paxSparse10("1\n\n3\n", "GNU.sparse.realsize", "60"), "empty line");
    }

    /** A format 1.0 entry "f": its map text padded to a block, then 5 bytes of 'x'. */
    private Path paxSparse10(String map, String... extra) throws IOException {
        ByteArrayOutputStream tar = new ByteArrayOutputStream();
        ByteArrayOutputStream pax = new ByteArrayOutputStream();
        Map<String, String> r = records("GNU.sparse.major", "1", "GNU.sparse.minor", "0");
        r.putAll(records(extra));
        r.forEach((k, v) -> pax.writeBytes(ImageLoaderFuzzTest.paxRecord(k, v)));
        tar.writeBytes(ImageLoaderFuzzTest.header("PaxHeaders/f", 'x', 0644, 0, pax.size(), ""));
        tar.writeBytes(pax.toByteArray());
        tar.writeBytes(new byte[(512 - pax.size() % 512) % 512]);
        byte[] mapBlock = new byte[512];
        byte[] m = map.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(m, 0, mapBlock, 0, m.length);
        tar.writeBytes(ImageLoaderFuzzTest.header("GNUSparseFile.1/f", '0', 0644, 0, 512 + 5, ""));
        tar.writeBytes(mapBlock);
        byte[] data = new byte[512];
        java.util.Arrays.fill(data, 0, 5, (byte) 'x');
        tar.writeBytes(data);
        tar.writeBytes(new byte[1024]);
        return Files.write(tmp.resolve("forged10-" + Integer.toHexString(map.hashCode()) + ".tar"), tar.toByteArray());
    }

    /** Millions of one-byte segments would each cost memory: the segment budget stops them. */
    @Test
    void theSegmentBudgetBoundsTheMemoryOfForgedMaps() throws IOException {
        StringBuilder map = new StringBuilder();
        for (int i = 0; i < 1000; i++) {
            map.append(i == 0 ? "" : ",").append(i * 2).append(",1");
        }
        Path tar = paxSparse(records("GNU.sparse.size", "2000", "GNU.sparse.map", map.toString()), 1000);
        assertThatThrownBy(() -> ImageLoader.builder().workDirectory(tmp.resolve("work")).maxSparseSegments(999)
                .build().load(tar)).isInstanceOf(ImageFormatException.class)
                .hasMessageContaining(tar.toString()).hasMessageContaining("more than 999 data segments")
                .hasMessageContaining("maxSparseSegments");
        try (LoadedImage image = ImageLoader.builder().workDirectory(tmp.resolve("work")).maxSparseSegments(1000)
                .build().load(tar)) {
            assertThat(image.tree().lookup("f").orElseThrow().content().dataExtents()).hasSize(2000);
        }
    }

    @Test
    void oldGnuSparseEntriesWithExtensionHeadersAreRead() throws IOException {
        Path dir = Files.createDirectory(tmp.resolve("src"));
        Path f = dir.resolve("g");
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            raf.setLength(8L << 20);
            for (int i = 0; i < 60; i++) {         // 60 segments: 4 in the header, 56 in three extension headers
                raf.seek(i * 131_072L + 7);
                raf.write(expectedBytes(i, 100));
            }
        }
        Path tar = gnuTar(dir, "g", "gnu", tmp.resolve("ext.tar"));
        try (LoadedImage image = ImageLoader.builder().workDirectory(tmp.resolve("work")).build().load(tar)) {
            Content c = image.tree().lookup("g").orElseThrow().content();
            assertThat(c.size()).isEqualTo(8L << 20);
            assertThat(c.dataExtents().length / 2).isBetween(60, 120);
            assertSameBytes(c, f);
        }
    }
}

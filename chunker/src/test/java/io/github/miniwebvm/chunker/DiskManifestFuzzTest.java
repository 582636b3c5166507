package io.github.miniwebvm.chunker;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * {@link DiskManifest#read} on arbitrary bytes: it returns a manifest that is consistent with
 * itself or throws {@link ChunkerException}, nothing else. Regression inputs (the seed corpus and
 * every crash found) are in {@code DiskManifestFuzzTestInputs/read/}; {@code fuzz/run.sh} fuzzes.
 */
class DiskManifestFuzzTest {
    private static Path dir;

    @BeforeAll
    static void createDir() throws IOException {
        dir = Files.createTempDirectory("manifest-fuzz");
    }

    @AfterAll
    static void deleteDir() throws IOException {
        Files.deleteIfExists(dir.resolve(DiskManifest.FILE_NAME));
        Files.deleteIfExists(dir);
    }

    @FuzzTest(maxDuration = "5m")
    void read(byte[] input) {
        Path file = dir.resolve(DiskManifest.FILE_NAME);
        write(file, input);
        DiskManifest m;
        try {
            m = DiskManifest.read(dir);
        } catch (ChunkerException expected) {
            assertThat(expected.getMessage()).contains(file.toString());
            return;
        }
        assertThat(m.chunks()).hasSize(DiskManifest.chunkCount(m.size(), m.chunkSize()));
        for (int i : m.raw()) {
            assertThat(m.chunks().get(i)).isNotNull();
        }
        write(file, m.toJson().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        try {
            assertThat(DiskManifest.read(dir)).isEqualTo(m);
        } catch (ChunkerException e) {
            throw new AssertionError("a manifest that was read does not read back after toJson()", e);
        }
    }

    private static void write(Path file, byte[] bytes) {
        try {
            Files.write(file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

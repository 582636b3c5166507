package io.github.miniwebvm.image;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.miniwebvm.io.Sha256;
import io.github.miniwebvm.io.Trees;
import java.io.BufferedOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.junit.jupiter.api.Test;

/**
 * A 1 GiB file in a gzip layer flattens in a JVM limited to 256 MiB of heap: file contents are
 * spooled and referenced, never held in memory. Runs the loader in a child JVM with -Xmx256m.
 */
class LargeLayerTest {
    static final long SIZE = 1L << 30;

    @Test
    void oneGibLayerFlattensWith256MibHeap() throws Exception {
        Path dir = Path.of("target/large-layer").toAbsolutePath();
        Trees.deleteRecursively(dir);
        Path layout = writeLayout(dir.resolve("oci"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Path log = dir.resolve("child.log");
        Process p = new ProcessBuilder(java, "-Xmx256m", "-cp", cp, LargeLayerTest.class.getName() + "$Child",
                layout.toString(), dir.resolve("work").toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        int exit = p.waitFor();
        String out = Files.readString(log);
        try {
            assertThat(exit).as(out).isZero();
            assertThat(out).contains("size=" + SIZE).contains("sha256=" + zeroHash()).contains("spool-left=0");
            System.out.println("LargeLayerTest child: " + out.trim());
        } finally {
            Trees.deleteRecursively(dir);
        }
    }

    /** Loads the layout given as args[0] with work directory args[1]; prints size, hash and peak heap. */
    public static final class Child {
        public static void main(String[] args) throws Exception {
            long start = System.nanoTime();
            Path work = Path.of(args[1]);
            String hash;
            long size;
            try (LoadedImage image = ImageLoader.builder().workDirectory(work).build().load(Path.of(args[0]))) {
                var node = image.tree().lookup("big/zeros").orElseThrow();
                size = node.size();
                try (InputStream in = node.content().open()) {
                    hash = Sha256.hex(in);
                }
            }
            long left;
            try (var s = Files.walk(work)) {
                left = s.filter(Files::isRegularFile).count();
            }
            long used = 0;
            for (var pool : java.lang.management.ManagementFactory.getMemoryPoolMXBeans()) {
                if (pool.getType() == java.lang.management.MemoryType.HEAP) {
                    used += pool.getPeakUsage().getUsed();
                }
            }
            System.out.printf("size=%d sha256=%s spool-left=%d peak-heap-MiB=%d seconds=%.1f%n", size, hash, left,
                    used >> 20, (System.nanoTime() - start) / 1e9);
        }
    }

    private static String zeroHash() throws Exception {
        MessageDigest md = Sha256.newDigest();
        byte[] zeros = new byte[1 << 20];
        for (long i = 0; i < SIZE; i += zeros.length) {
            md.update(zeros);
        }
        return Sha256.hexOf(md);
    }

    private static Path writeLayout(Path layout) throws Exception {
        Files.createDirectories(layout.resolve("blobs/sha256"));
        Path tmp = layout.resolve("layer.tmp");
        MessageDigest blobDigest = Sha256.newDigest();
        MessageDigest diffId = Sha256.newDigest();
        try (OutputStream file = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16);
             DigestOutputStream blob = new DigestOutputStream(file, blobDigest);
             GzipCompressorOutputStream gz = new GzipCompressorOutputStream(blob);
             DigestOutputStream plain = new DigestOutputStream(gz, diffId);
             TarArchiveOutputStream tar = new TarArchiveOutputStream(plain)) {
            TarArchiveEntry e = new TarArchiveEntry("big/zeros");
            e.setSize(SIZE);
            tar.putArchiveEntry(e);
            byte[] zeros = new byte[1 << 20];
            for (long i = 0; i < SIZE; i += zeros.length) {
                tar.write(zeros);
            }
            tar.closeArchiveEntry();
            tar.finish();
        }
        String layerDigest = Sha256.ociDigestOf(blobDigest);
        Files.move(tmp, layout.resolve("blobs/sha256/" + layerDigest.substring(7)));
        ObjectMapper json = new ObjectMapper();
        ObjectNode config = TestTars.config("386", List.of());
        config.with("rootfs").putArray("diff_ids").add(Sha256.ociDigestOf(diffId));
        ObjectNode manifest = json.createObjectNode();
        manifest.put("schemaVersion", 2);
        manifest.put("mediaType", MediaTypes.OCI_MANIFEST);
        manifest.set("config", TestTars.descriptor(layout, "application/vnd.oci.image.config.v1+json",
                json.writeValueAsBytes(config)));
        ObjectNode layer = manifest.putArray("layers").addObject();
        layer.put("mediaType", "application/vnd.oci.image.layer.v1.tar+gzip");
        layer.put("digest", layerDigest);
        layer.put("size", Files.size(layout.resolve("blobs/sha256/" + layerDigest.substring(7))));
        ObjectNode index = json.createObjectNode();
        index.put("schemaVersion", 2);
        index.putArray("manifests").add(TestTars.descriptor(layout, MediaTypes.OCI_MANIFEST,
                json.writeValueAsBytes(manifest)));
        Files.write(layout.resolve("index.json"), json.writeValueAsBytes(index));
        Files.writeString(layout.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        return layout;
    }
}

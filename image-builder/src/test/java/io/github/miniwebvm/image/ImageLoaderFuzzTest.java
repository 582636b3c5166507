package io.github.miniwebvm.image;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.miniwebvm.io.Sha256;
import io.github.miniwebvm.io.Trees;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * {@link ImageLoader} on hostile bytes: every input either loads or fails with an
 * {@link ImageFormatException} that names the input; nothing is written outside the work
 * directory and a failed or closed load leaves no spool files.
 *
 * <p>{@link #load} takes the file as given (any container, compression or tar damage);
 * {@link #loadLayer} builds well-formed tar headers (right checksums) from the fuzzer's choices of
 * names, types, link targets, PAX records and sizes, and wraps the layer as a rootfs tar, a gzip
 * rootfs, a docker archive or an OCI archive, so the fuzzer reaches the flattener. Regression
 * inputs are in {@code ImageLoaderFuzzTestInputs/<method>/}; {@code fuzz/run.sh} fuzzes.
 */
class ImageLoaderFuzzTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TYPES = "0125736xgLK\0S4";
    private static final List<String> PAX_KEYS = List.of("path", "linkpath", "size", "uid", "gid", "mtime",
            "SCHILY.xattr.user.a", "SCHILY.xattr.security.capability", "SCHILY.devmajor", "GNU.sparse.major",
            "GNU.sparse.minor", "GNU.sparse.name", "GNU.sparse.size", "GNU.sparse.realsize", "GNU.sparse.numblocks",
            "GNU.sparse.map", "GNU.sparse.offset", "GNU.sparse.numbytes", "x");
    private static Path dir;

    @BeforeAll
    static void createDir() throws IOException {
        dir = Files.createTempDirectory("loader-fuzz");
    }

    @AfterAll
    static void deleteDir() throws IOException {
        Trees.deleteRecursively(dir);
    }

    @FuzzTest(maxDuration = "5m")
    void load(byte[] input) {
        check(input);
    }

    @FuzzTest(maxDuration = "5m")
    void loadLayer(FuzzedDataProvider data) {
        int container = data.consumeInt(0, 3);
        byte[] layer = layer(data);
        try {
            check(switch (container) {
                case 0 -> layer;
                case 1 -> TestTars.gzip(layer);
                case 2 -> dockerArchive(layer);
                default -> ociArchive(TestTars.gzip(layer));
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void check(byte[] bytes) {
        try {
            Path input = dir.resolve("input");
            Path work = dir.resolve("work");
            Files.write(input, bytes);
            ImageLoader loader = ImageLoader.builder().workDirectory(work).maxEntries(10_000)
                    .maxSpoolBytes(64L << 20).build();
            try (LoadedImage image = loader.load(input)) {
                assertThat(image.tree().root().isDirectory()).isTrue();
                assertThat(image.digest()).startsWith("sha256:");
            } catch (ImageFormatException expected) {
                assertThat(expected.getMessage()).contains(input.toString());
            }
            try (Stream<Path> s = Files.list(work)) {
                assertThat(s).as("spool files left in " + work).isEmpty();
            }
            try (Stream<Path> s = Files.list(dir)) {
                assertThat(s).as("files created next to the input").containsExactlyInAnyOrder(input, work);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A tar of fuzzer-chosen entries with valid headers. */
    private static byte[] layer(FuzzedDataProvider data) {
        ByteArrayOutputStream tar = new ByteArrayOutputStream();
        int entries = data.consumeInt(0, 12);
        for (int i = 0; i < entries && data.remainingBytes() > 0; i++) {
            char type = TYPES.charAt(data.consumeInt(0, TYPES.length() - 1));
            String name = data.consumeString(120);
            String link = data.consumeString(60);
            int mode = data.consumeInt(0, 07777);
            long uid = data.consumeLong(0, 70000);
            byte[] body;
            if (type == 'x' || type == 'g') {
                ByteArrayOutputStream pax = new ByteArrayOutputStream();
                int n = data.consumeInt(1, 3);
                for (int k = 0; k < n; k++) {
                    pax.writeBytes(paxRecord(data.pickValue(PAX_KEYS), data.consumeString(40)));
                }
                body = pax.toByteArray();
            } else {
                body = data.consumeBytes(data.consumeInt(0, 700));
            }
            long declared = data.consumeBoolean() ? body.length : data.consumeLong(0, 4096);
            tar.writeBytes(header(name, type, mode, uid, declared, link));
            tar.writeBytes(body);
            tar.writeBytes(new byte[(int) ((512 - body.length % 512) % 512)]);
        }
        if (data.consumeBoolean()) {
            tar.writeBytes(new byte[1024]);
        }
        return tar.toByteArray();
    }

    static byte[] paxRecord(String key, String value) {
        byte[] kv = (" " + key + "=" + value + "\n").getBytes(StandardCharsets.UTF_8);
        int len = kv.length + 1;
        while (String.valueOf(len).length() + kv.length != len) {
            len++;
        }
        return (len + new String(kv, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
    }

    /** A ustar header with a correct checksum; fields longer than theirs are cut. */
    static byte[] header(String name, char type, int mode, long uid, long size, String link) {
        byte[] h = new byte[512];
        put(h, 0, 100, name.getBytes(StandardCharsets.UTF_8));
        octal(h, 100, 8, mode);
        octal(h, 108, 8, uid);
        octal(h, 116, 8, 0);
        octal(h, 124, 12, size);
        octal(h, 136, 12, 1_600_000_000L);
        h[156] = (byte) type;
        put(h, 157, 100, link.getBytes(StandardCharsets.UTF_8));
        put(h, 257, 8, "ustar\u000000".getBytes(StandardCharsets.US_ASCII));
        for (int i = 148; i < 156; i++) {
            h[i] = ' ';
        }
        long sum = 0;
        for (byte b : h) {
            sum += b & 0xff;
        }
        octal(h, 148, 8, sum);
        return h;
    }

    private static void put(byte[] h, int off, int len, byte[] v) {
        System.arraycopy(v, 0, h, off, Math.min(len, v.length));
    }

    private static void octal(byte[] h, int off, int len, long v) {
        String s = String.format("%0" + (len - 1) + "o", v);
        put(h, off, len - 1, s.substring(Math.max(0, s.length() - (len - 1))).getBytes(StandardCharsets.US_ASCII));
    }

    static byte[] tarOf(List<String> names, List<byte[]> contents) {
        ByteArrayOutputStream tar = new ByteArrayOutputStream();
        for (int i = 0; i < names.size(); i++) {
            byte[] c = contents.get(i);
            tar.writeBytes(header(names.get(i), '0', 0644, 0, c.length, ""));
            tar.writeBytes(c);
            tar.writeBytes(new byte[(512 - c.length % 512) % 512]);
        }
        tar.writeBytes(new byte[1024]);
        return tar.toByteArray();
    }

    private static byte[] config(byte[] uncompressedLayer) throws IOException {
        ObjectNode c = JSON.createObjectNode();
        c.put("architecture", "386").put("os", "linux");
        c.putObject("rootfs").put("type", "layers").putArray("diff_ids").add(Sha256.ociDigest(uncompressedLayer));
        return JSON.writeValueAsBytes(c);
    }

    static byte[] dockerArchive(byte[] layer) throws IOException {
        byte[] config = config(layer);
        String configName = Sha256.ociDigest(config).substring(7) + ".json";
        byte[] manifest = ("[{\"Config\":\"" + configName + "\",\"Layers\":[\"l/layer.tar\"]}]")
                .getBytes(StandardCharsets.UTF_8);
        return tarOf(List.of(configName, "l/layer.tar", "manifest.json"), List.of(config, layer, manifest));
    }

    static byte[] ociArchive(byte[] gzippedLayer) throws IOException {
        byte[] layer = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(gzippedLayer)).readAllBytes();
        byte[] config = config(layer);
        String manifest = "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"config\":"
                + descriptor("application/vnd.oci.image.config.v1+json", config) + ",\"layers\":["
                + descriptor("application/vnd.oci.image.layer.v1.tar+gzip", gzippedLayer) + "]}";
        byte[] m = manifest.getBytes(StandardCharsets.UTF_8);
        byte[] index = ("{\"schemaVersion\":2,\"manifests\":[" + descriptor(MediaTypes.OCI_MANIFEST, m) + "]}")
                .getBytes(StandardCharsets.UTF_8);
        return tarOf(List.of("oci-layout", "index.json", blobName(m), blobName(config), blobName(gzippedLayer)),
                List.of("{\"imageLayoutVersion\":\"1.0.0\"}".getBytes(StandardCharsets.UTF_8), index, m, config,
                        gzippedLayer));
    }

    private static String descriptor(String mediaType, byte[] blob) {
        return "{\"mediaType\":\"" + mediaType + "\",\"digest\":\"" + Sha256.ociDigest(blob) + "\",\"size\":"
                + blob.length + "}";
    }

    private static String blobName(byte[] blob) {
        return "blobs/sha256/" + Sha256.ociDigest(blob).substring(7);
    }
}

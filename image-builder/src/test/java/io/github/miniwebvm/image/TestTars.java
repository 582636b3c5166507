package io.github.miniwebvm.image;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.miniwebvm.io.Sha256;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;

/** Hand-built tars and images for the unit tests (written with Commons Compress, a tar writer we did not write). */
final class TestTars {
    private static final ObjectMapper JSON = new ObjectMapper();

    private TestTars() { }

    /** A layer tar under construction; entries are written in call order. */
    static final class Layer {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final TarArchiveOutputStream out;

        Layer() {
            this(TarArchiveOutputStream.LONGFILE_POSIX);
        }

        Layer(int longFileMode) {
            out = new TarArchiveOutputStream(bytes);
            out.setLongFileMode(longFileMode);
            out.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        }

        Layer dir(String name) {
            return dir(name, 0755, 0, 0, 1_600_000_000L);
        }

        Layer dir(String name, int mode, long uid, long gid, long mtime) {
            TarArchiveEntry e = new TarArchiveEntry(name.endsWith("/") ? name : name + "/");
            return put(e, mode, uid, gid, mtime, null);
        }

        Layer file(String name, String text) {
            return file(name, text, 0644, 0, 0, 1_600_000_000L);
        }

        Layer file(String name, String text, int mode, long uid, long gid, long mtime) {
            TarArchiveEntry e = new TarArchiveEntry(name);
            return put(e, mode, uid, gid, mtime, text.getBytes(StandardCharsets.UTF_8));
        }

        Layer symlink(String name, String target) {
            TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_SYMLINK);
            e.setLinkName(target);
            return put(e, 0777, 0, 0, 1_600_000_000L, null);
        }

        Layer hardlink(String name, String target) {
            TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_LINK);
            e.setLinkName(target);
            return put(e, 0644, 0, 0, 1_600_000_000L, null);
        }

        Layer device(String name, byte type, int major, int minor) {
            TarArchiveEntry e = new TarArchiveEntry(name, type);
            e.setDevMajor(major);
            e.setDevMinor(minor);
            return put(e, 0660, 0, 6, 1_600_000_000L, null);
        }

        Layer fifo(String name) {
            return put(new TarArchiveEntry(name, TarConstants.LF_FIFO), 0644, 0, 0, 1_600_000_000L, null);
        }

        /** A file preceded by a hand-made PAX header whose values are raw bytes (binary xattrs). */
        Layer fileWithRawPax(String name, String text, Map<String, byte[]> pax) {
            ByteArrayOutputStream records = new ByteArrayOutputStream();
            for (Map.Entry<String, byte[]> r : pax.entrySet()) {
                byte[] key = r.getKey().getBytes(StandardCharsets.UTF_8);
                int body = 1 + key.length + 1 + r.getValue().length + 1;
                int len = body + String.valueOf(body).length();
                if (String.valueOf(len).length() != String.valueOf(body).length()) {
                    len++;
                }
                records.writeBytes((len + " ").getBytes(StandardCharsets.US_ASCII));
                records.writeBytes(key);
                records.write('=');
                records.writeBytes(r.getValue());
                records.write('\n');
            }
            TarArchiveEntry x = new TarArchiveEntry("PaxHeaders/" + name, TarConstants.LF_PAX_EXTENDED_HEADER_LC);
            x.setSize(records.size());
            try {
                out.putArchiveEntry(x);
                out.write(records.toByteArray());
                out.closeArchiveEntry();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return file(name, text);
        }

        Layer put(TarArchiveEntry e, int mode, long uid, long gid, long mtime, byte[] data) {
            e.setMode((e.getMode() & ~07777) | mode);
            e.setUserId(uid);
            e.setGroupId(gid);
            e.setModTime(mtime * 1000);
            if (data != null) {
                e.setSize(data.length);
            }
            try {
                out.putArchiveEntry(e);
                if (data != null) {
                    out.write(data);
                }
                out.closeArchiveEntry();
            } catch (IOException ex) {
                throw new UncheckedIOException(ex);
            }
            return this;
        }

        byte[] bytes() {
            try {
                out.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return bytes.toByteArray();
        }
    }

    static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (OutputStream g = new GzipCompressorOutputStream(b)) {
            g.write(data);
        }
        return b.toByteArray();
    }

    static byte[] zstd(byte[] data) {
        return com.github.luben.zstd.Zstd.compress(data);
    }

    static byte[] xz(byte[] data) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (OutputStream x = new org.tukaani.xz.XZOutputStream(b, new org.tukaani.xz.LZMA2Options())) {
            x.write(data);
        }
        return b.toByteArray();
    }

    /** A layer blob as stored plus its media type and the uncompressed tar (for the diff ID). */
    record Blob(byte[] stored, String mediaType, byte[] uncompressed) {
        static Blob plain(byte[] tar) {
            return new Blob(tar, "application/vnd.oci.image.layer.v1.tar", tar);
        }

        static Blob gzipped(byte[] tar) throws IOException {
            return new Blob(gzip(tar), "application/vnd.oci.image.layer.v1.tar+gzip", tar);
        }

        static Blob zstded(byte[] tar) {
            return new Blob(zstd(tar), "application/vnd.oci.image.layer.v1.tar+zstd", tar);
        }
    }

    static ObjectNode config(String arch, List<Blob> layers) {
        ObjectNode c = JSON.createObjectNode();
        c.put("architecture", arch);
        c.put("os", "linux");
        ObjectNode cc = c.putObject("config");
        cc.putArray("Env").add("PATH=/usr/bin:/bin");
        cc.putArray("Cmd").add("/bin/sh");
        cc.put("WorkingDir", "/root");
        ObjectNode rootfs = c.putObject("rootfs");
        rootfs.put("type", "layers");
        ArrayNode ids = rootfs.putArray("diff_ids");
        layers.forEach(l -> ids.add(Sha256.ociDigest(l.uncompressed())));
        return c;
    }

    /** Writes an OCI image layout with one linux/{@code arch} image; returns the directory. */
    static Path ociLayout(Path dir, String arch, List<Blob> layers) throws IOException {
        return ociLayout(dir, List.of(arch), layers, true);
    }

    /** One image per architecture (same layers), listed in an index with platforms when {@code withPlatforms}. */
    static Path ociLayout(Path dir, List<String> arches, List<Blob> layers, boolean withPlatforms) throws IOException {
        Files.createDirectories(dir.resolve("blobs/sha256"));
        Files.writeString(dir.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        ObjectNode index = JSON.createObjectNode();
        index.put("schemaVersion", 2);
        ArrayNode manifests = index.putArray("manifests");
        for (String arch : arches) {
            ObjectNode manifest = JSON.createObjectNode();
            manifest.put("schemaVersion", 2);
            manifest.put("mediaType", MediaTypes.OCI_MANIFEST);
            manifest.set("config", descriptor(dir, "application/vnd.oci.image.config.v1+json",
                    JSON.writeValueAsBytes(config(arch, layers))));
            ArrayNode ls = manifest.putArray("layers");
            for (Blob l : layers) {
                ls.add(descriptor(dir, l.mediaType(), l.stored()));
            }
            ObjectNode md = descriptor(dir, MediaTypes.OCI_MANIFEST, JSON.writeValueAsBytes(manifest));
            if (withPlatforms) {
                md.putObject("platform").put("architecture", arch).put("os", "linux");
            }
            manifests.add(md);
        }
        Files.write(dir.resolve("index.json"), JSON.writeValueAsBytes(index));
        return dir;
    }

    static ObjectNode descriptor(Path dir, String mediaType, byte[] data) throws IOException {
        String digest = Sha256.ociDigest(data);
        Files.write(dir.resolve("blobs/sha256/" + digest.substring(7)), data);
        ObjectNode d = JSON.createObjectNode();
        d.put("mediaType", mediaType);
        d.put("digest", digest);
        d.put("size", data.length);
        return d;
    }

    /** A docker archive (docker save layout) with uncompressed layers. */
    static Path dockerArchive(Path file, String arch, List<byte[]> layers) throws IOException {
        List<Blob> blobs = new ArrayList<>();
        layers.forEach(l -> blobs.add(Blob.plain(l)));
        byte[] config = JSON.writeValueAsBytes(config(arch, blobs));
        String configName = Sha256.ociDigest(config).substring(7) + ".json";
        Layer outer = new Layer();
        outer.put(new TarArchiveEntry(configName), 0644, 0, 0, 0, config);
        ArrayNode manifest = JSON.createArrayNode();
        ObjectNode m = manifest.addObject();
        m.put("Config", configName);
        ArrayNode names = m.putArray("Layers");
        for (int i = 0; i < layers.size(); i++) {
            String name = "layer" + i + "/layer.tar";
            outer.put(new TarArchiveEntry(name), 0644, 0, 0, 0, layers.get(i));
            names.add(name);
        }
        outer.put(new TarArchiveEntry("manifest.json"), 0644, 0, 0, 0, JSON.writeValueAsBytes(manifest));
        Files.write(file, outer.bytes());
        return file;
    }
}

package io.github.miniwebvm.dockerfile;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.miniwebvm.image.MediaTypes;
import io.github.miniwebvm.io.Sha256;
import io.github.miniwebvm.io.Trees;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Writes an {@link ImageState} as an OCI image layout directory (layers linked from the cache). */
final class OciLayoutWriter {
    private OciLayoutWriter() {
    }

    static BuiltImage write(ImageState state, Path dir, String created, String reason) throws IOException {
        Trees.deleteRecursively(dir);
        Path blobs = Files.createDirectories(dir.resolve("blobs/sha256"));
        ObjectNode config = state.config.deepCopy();
        config.put("created", created);
        ObjectNode rootfs = config.putObject("rootfs");
        rootfs.put("type", "layers");
        ArrayNode ids = rootfs.putArray("diff_ids");
        ObjectNode manifest = ImageState.JSON.createObjectNode();
        manifest.put("schemaVersion", 2);
        manifest.put("mediaType", MediaTypes.OCI_MANIFEST);
        ObjectNode cfgDesc = manifest.putObject("config");
        ArrayNode layers = manifest.putArray("layers");
        for (Layer l : state.layers) {
            ids.add(l.diffId());
            Path target = blobs.resolve(Sha256.hexOfOciDigest(l.digest()));
            if (!Files.exists(target)) {
                try {
                    Files.createLink(target, l.blob());
                } catch (FileSystemException | UnsupportedOperationException e) {
                    Files.copy(l.blob(), target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
            ObjectNode d = layers.addObject();
            d.put("mediaType", ociLayerType(l.mediaType()));
            d.put("digest", l.digest());
            d.put("size", Files.size(target));
        }
        byte[] configBytes = ImageState.JSON.writeValueAsBytes(config);
        String configDigest = Sha256.ociDigest(configBytes);
        Files.write(blobs.resolve(Sha256.hexOfOciDigest(configDigest)), configBytes);
        cfgDesc.put("mediaType", MediaTypes.OCI_CONFIG);
        cfgDesc.put("digest", configDigest);
        cfgDesc.put("size", configBytes.length);
        byte[] manifestBytes = ImageState.JSON.writeValueAsBytes(manifest);
        String manifestDigest = Sha256.ociDigest(manifestBytes);
        Files.write(blobs.resolve(Sha256.hexOfOciDigest(manifestDigest)), manifestBytes);
        ObjectNode index = ImageState.JSON.createObjectNode();
        index.put("schemaVersion", 2);
        ObjectNode m = index.putArray("manifests").addObject();
        m.put("mediaType", MediaTypes.OCI_MANIFEST);
        m.put("digest", manifestDigest);
        m.put("size", manifestBytes.length);
        m.putObject("annotations").put("org.opencontainers.image.ref.name", "latest");
        Files.write(dir.resolve("index.json"), ImageState.JSON.writeValueAsBytes(index));
        Files.writeString(dir.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}", StandardCharsets.UTF_8);
        return new BuiltImage(dir, BuiltImage.Format.OCI_LAYOUT, Backend.NATIVE, "native", configDigest, reason);
    }

    static String ociLayerType(String mediaType) {
        if (mediaType.contains("zstd")) {
            return MediaTypes.OCI_LAYER_ZSTD;
        }
        if (mediaType.contains("gzip")) {
            return MediaTypes.OCI_LAYER_GZIP;
        }
        return MediaTypes.OCI_LAYER;
    }
}

package io.github.miniwebvm.build;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the base image of a FROM from an OCI image layout directory or a docker-archive
 * directory into an {@link ImageState} (layers stay where they are).
 */
final class ImageLayouts {
    static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    static final String DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";

    private ImageLayouts() {
    }

    static ImageState readOciLayout(Path dir, String tag, String platform) throws IOException {
        Path indexFile = dir.resolve("index.json");
        if (!Files.isRegularFile(indexFile)) {
            throw new ImageBuildException("not an OCI image layout (no index.json): " + dir);
        }
        JsonNode index = ImageState.JSON.readTree(indexFile.toFile());
        List<JsonNode> candidates = new ArrayList<>();
        for (JsonNode m : index.path("manifests")) {
            String ref = m.path("annotations").path("org.opencontainers.image.ref.name").asText(null);
            if (tag == null || tag.equals(ref)) {
                candidates.add(m);
            }
        }
        if (candidates.isEmpty()) {
            throw new ImageBuildException("no image " + (tag == null ? "" : "tagged '" + tag + "' ") + "in " + dir);
        }
        JsonNode desc = candidates.size() == 1 ? candidates.get(0) : choosePlatform(candidates, platform, dir.toString());
        return readManifest(dir, desc, platform);
    }

    private static ImageState readManifest(Path dir, JsonNode desc, String platform) throws IOException {
        String mediaType = desc.path("mediaType").asText();
        JsonNode doc = ImageState.JSON.readTree(blob(dir, desc.path("digest").asText()).toFile());
        if (mediaType.equals(OCI_INDEX) || mediaType.equals(DOCKER_LIST) || doc.has("manifests")) {
            List<JsonNode> list = new ArrayList<>();
            doc.path("manifests").forEach(list::add);
            return readManifest(dir, choosePlatform(list, platform, dir.toString()), platform);
        }
        String configDigest = doc.path("config").path("digest").asText();
        ObjectNode config = (ObjectNode) ImageState.JSON.readTree(blob(dir, configDigest).toFile());
        JsonNode diffIds = config.path("rootfs").path("diff_ids");
        List<Layer> layers = new ArrayList<>();
        int i = 0;
        for (JsonNode l : doc.path("layers")) {
            String d = l.path("digest").asText();
            layers.add(new Layer(blob(dir, d), d, l.path("size").asLong(), l.path("mediaType").asText(),
                    diffIds.path(i++).asText(d)));
        }
        checkPlatform(config, platform, dir.toString());
        return new ImageState(layers, config, Digests.of("image " + configDigest));
    }

    /** A docker-archive, already extracted into {@code dir}. */
    static ImageState readDockerArchiveDir(Path dir, String platform) throws IOException {
        JsonNode manifest = ImageState.JSON.readTree(dir.resolve("manifest.json").toFile());
        if (!manifest.isArray() || manifest.size() != 1) {
            throw new ImageBuildException("a docker-archive with " + manifest.size() + " images: " + dir
                    + " (expected exactly one)");
        }
        String configName = manifest.get(0).path("Config").asText();
        Path configFile = dir.resolve(configName);
        ObjectNode config = (ObjectNode) ImageState.JSON.readTree(configFile.toFile());
        JsonNode diffIds = config.path("rootfs").path("diff_ids");
        List<Layer> layers = new ArrayList<>();
        int i = 0;
        for (JsonNode l : manifest.get(0).path("Layers")) {
            // docker-archive layers are uncompressed tars, so their digest is their diff id
            Path file = dir.resolve(l.asText());
            String diffId = diffIds.path(i++).asText();
            layers.add(new Layer(file, diffId, Files.exists(file) ? Files.size(file) : 0, Layer.OCI_TAR, diffId));
        }
        checkPlatform(config, platform, dir.toString());
        return new ImageState(layers, config, Digests.of("image " + Digests.of(configFile)));
    }

    static Path blob(Path dir, String digest) throws ImageBuildException {
        Path p = dir.resolve("blobs/sha256/" + Digests.hex(digest));
        if (!Files.isRegularFile(p)) {
            throw new ImageBuildException("blob " + digest + " missing in the image layout " + dir);
        }
        return p;
    }

    static JsonNode choosePlatform(List<JsonNode> descriptors, String platform, String where)
            throws ImageBuildException {
        String[] want = platform.split("/");
        List<String> seen = new ArrayList<>();
        for (JsonNode d : descriptors) {
            JsonNode p = d.path("platform");
            String os = p.path("os").asText();
            String arch = p.path("architecture").asText();
            seen.add(os + "/" + arch);
            if (os.equals(want[0]) && arch.equals(want[1])) {
                return d;
            }
        }
        throw new ImageBuildException("no " + platform + " image in " + where + "; it has " + seen);
    }

    static void checkPlatform(JsonNode config, String platform, String where) throws ImageBuildException {
        String[] want = platform.split("/");
        String os = config.path("os").asText(want[0]);
        String arch = config.path("architecture").asText(want[1]);
        if (!os.equals(want[0]) || !arch.equals(want[1])) {
            throw new ImageBuildException("the image " + where + " is " + os + "/" + arch + ", not " + platform);
        }
    }
}

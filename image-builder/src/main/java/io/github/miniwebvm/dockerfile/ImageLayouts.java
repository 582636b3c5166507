package io.github.miniwebvm.dockerfile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.miniwebvm.image.MediaTypes;
import io.github.miniwebvm.io.Sha256;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads the base image of a FROM from an OCI image layout directory or a docker-archive
 * directory into an {@link ImageState} (layers stay where they are). Every file is looked up
 * inside the directory (symlinks resolved as a chroot would); manifests and configurations are
 * checked against their digests here, layers when they are applied ({@link LayerDigests}).
 */
final class ImageLayouts {
    private static final long MAX_JSON_BYTES = 64L << 20;

    private ImageLayouts() {
    }

    static ImageState readOciLayout(Path dir, String tag, String platform) throws IOException {
        ConfinedRoot layout = new ConfinedRoot(dir);
        Path indexFile = layout.resolve("index.json", true);
        if (!Files.isRegularFile(indexFile, LinkOption.NOFOLLOW_LINKS)) {
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
        return readManifest(layout, desc, platform);
    }

    private static ImageState readManifest(ConfinedRoot layout, JsonNode desc, String platform) throws IOException {
        String mediaType = desc.path("mediaType").asText();
        JsonNode doc = verifiedJson(layout, desc.path("digest").asText(), "manifest");
        if (mediaType.equals(MediaTypes.OCI_INDEX) || mediaType.equals(MediaTypes.DOCKER_LIST) || doc.has("manifests")) {
            List<JsonNode> list = new ArrayList<>();
            doc.path("manifests").forEach(list::add);
            return readManifest(layout, choosePlatform(list, platform, layout.dir.toString()), platform);
        }
        String configDigest = doc.path("config").path("digest").asText();
        ObjectNode config = (ObjectNode) verifiedJson(layout, configDigest, "image configuration");
        List<String> diffIds = diffIds(config, doc.path("layers").size(), layout.dir.toString());
        List<Layer> layers = new ArrayList<>();
        for (JsonNode l : doc.path("layers")) {
            String d = l.path("digest").asText();
            layers.add(new Layer(blob(layout, d), d, l.path("size").asLong(), l.path("mediaType").asText(),
                    diffIds.isEmpty() ? d : diffIds.get(layers.size())));
        }
        checkPlatform(config, platform, layout.dir.toString());
        return new ImageState(layers, config, Sha256.ociDigest("image " + configDigest));
    }

    /** A docker-archive, already extracted into {@code dir}; its layers are checked against the diff ids when applied. */
    static ImageState readDockerArchiveDir(Path dir, String platform) throws IOException {
        ConfinedRoot archive = new ConfinedRoot(dir);
        Path manifestFile = archive.resolve("manifest.json", true);
        if (!Files.isRegularFile(manifestFile, LinkOption.NOFOLLOW_LINKS)) {
            throw new ImageBuildException("not a docker-archive (no manifest.json): " + dir);
        }
        JsonNode manifest = ImageState.JSON.readTree(manifestFile.toFile());
        if (!manifest.isArray() || manifest.size() != 1) {
            throw new ImageBuildException("a docker-archive with " + manifest.size() + " images: " + dir
                    + " (expected exactly one)");
        }
        String configName = manifest.get(0).path("Config").asText();
        Path configFile = member(archive, configName, "Config");
        if (!Files.isRegularFile(configFile, LinkOption.NOFOLLOW_LINKS)) {
            throw new ImageBuildException("the docker-archive " + dir + " lacks its configuration '" + configName + "'");
        }
        byte[] configBytes = Files.readAllBytes(configFile);
        String named = digestInName(configName);
        if (named != null && !named.equals(Sha256.ociDigest(configBytes))) {
            throw new ImageBuildException("the configuration '" + configName + "' of the docker-archive " + dir
                    + " does not match its digest: it is " + Sha256.ociDigest(configBytes)
                    + ". The image is corrupt or was tampered with");
        }
        ObjectNode config = (ObjectNode) ImageState.JSON.readTree(configBytes);
        JsonNode layerNames = manifest.get(0).path("Layers");
        List<String> diffIds = diffIds(config, layerNames.size(), dir.toString());
        if (diffIds.isEmpty() && !layerNames.isEmpty()) {
            throw new ImageBuildException("the configuration of the docker-archive " + dir + " lists no diff ids,"
                    + " so its layers cannot be checked; save the image again with docker or podman");
        }
        List<Layer> layers = new ArrayList<>();
        for (JsonNode l : layerNames) {
            // docker-archive layers are uncompressed tars, so their digest is their diff id
            Path file = member(archive, l.asText(), "Layers");
            String diffId = diffIds.get(layers.size());
            layers.add(new Layer(file, diffId, Files.exists(file) ? Files.size(file) : 0, MediaTypes.OCI_LAYER, diffId));
        }
        checkPlatform(config, platform, dir.toString());
        return new ImageState(layers, config, Sha256.ociDigest("image " + Sha256.ociDigest(configBytes)));
    }

    /** The file a docker-archive manifest names, which must be a relative path inside the archive. */
    private static Path member(ConfinedRoot archive, String name, String field) throws IOException {
        if (name.isEmpty() || name.startsWith("/") || Arrays.asList(name.split("/")).contains("..")) {
            throw new ImageBuildException("the docker-archive " + archive.dir + " is refused: its manifest.json names '"
                    + name + "' in " + field + ", which is not a relative path inside the archive");
        }
        return archive.resolve(name, true);
    }

    /** {@code sha256:<hex>} when a docker-archive member is named after its digest ({@code <hex>.json}, {@code blobs/sha256/<hex>}). */
    private static String digestInName(String name) {
        String base = name.substring(name.lastIndexOf('/') + 1);
        if (base.matches("[0-9a-f]{64}\\.json")) {
            return "sha256:" + base.substring(0, 64);
        }
        if (name.matches("(.*/)?blobs/sha256/[0-9a-f]{64}")) {
            return "sha256:" + base;
        }
        return null;
    }

    /** The configuration's diff ids: none, or one per layer. */
    static List<String> diffIds(JsonNode config, int layers, String where) throws ImageBuildException {
        List<String> out = new ArrayList<>();
        config.path("rootfs").path("diff_ids").forEach(n -> out.add(n.asText()));
        if (!out.isEmpty() && out.size() != layers) {
            throw new ImageBuildException("the image " + where + " has " + layers + " layers but its configuration lists "
                    + out.size() + " diff ids; the image is corrupt");
        }
        return out;
    }

    static Path blob(ConfinedRoot layout, String digest) throws IOException {
        String hex;
        try {
            hex = Sha256.hexOfOciDigest(digest);
        } catch (IllegalArgumentException e) {
            throw new ImageBuildException("the image layout " + layout.dir + " names a blob '" + digest
                    + "', which is not a sha256 digest");
        }
        Path p = layout.resolve("blobs/sha256/" + hex, true);
        if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
            throw new ImageBuildException("blob " + digest + " missing in the image layout " + layout.dir);
        }
        return p;
    }

    /** A manifest, index or configuration blob, parsed once its digest is checked. */
    private static JsonNode verifiedJson(ConfinedRoot layout, String digest, String what) throws IOException {
        Path p = blob(layout, digest);
        if (Files.size(p) > MAX_JSON_BYTES) {
            throw new ImageBuildException("the " + what + " " + digest + " in " + layout.dir + " is " + Files.size(p)
                    + " bytes, too large for a " + what);
        }
        byte[] bytes = Files.readAllBytes(p);
        if (!Sha256.ociDigest(bytes).equals(digest)) {
            throw new ImageBuildException("the " + what + " " + digest + " in " + layout.dir + " does not match its digest:"
                    + " it is " + Sha256.ociDigest(bytes) + ". The image is corrupt or was tampered with");
        }
        return ImageState.JSON.readTree(bytes);
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

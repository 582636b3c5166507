package io.github.miniwebvm.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.miniwebvm.fs.PathNames;
import io.github.miniwebvm.io.Sha256;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads which image an OCI image layout or a docker archive holds (as a directory or an
 * uncompressed tar, {@link ArchiveFiles}): the index and the indexes nested in it, the manifest for
 * the wanted platform (and tag), its configuration checked against its digest, and the ordered
 * layer blobs with their media type, digest, diff ID and place. Layers are not read here: the
 * {@link ImageLoader} flattens them into a file tree, the native builder unpacks them for a FROM.
 *
 * <p>Every file is looked up inside the image ({@link ArchiveFiles#find}); indexes, manifests and
 * configurations are at most 64 MiB and are checked against their sizes and digests before they
 * are parsed. Of several images the first for the wanted
 * platform is taken: descriptors that say that platform first, then those without a platform, whose
 * configuration decides; an image whose configuration names another platform is passed over and
 * listed in the error when none fits.
 */
public final class ImageReader {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String REF_NAME = "org.opencontainers.image.ref.name";

    private static final Map<String, Compression> LAYER_TYPES = Map.ofEntries(
            Map.entry(MediaTypes.OCI_LAYER, Compression.NONE),
            Map.entry(MediaTypes.OCI_LAYER_GZIP, Compression.GZIP),
            Map.entry(MediaTypes.OCI_LAYER_ZSTD, Compression.ZSTD),
            Map.entry("application/vnd.oci.image.layer.nondistributable.v1.tar", Compression.NONE),
            Map.entry("application/vnd.oci.image.layer.nondistributable.v1.tar+gzip", Compression.GZIP),
            Map.entry("application/vnd.oci.image.layer.nondistributable.v1.tar+zstd", Compression.ZSTD),
            Map.entry("application/vnd.docker.image.rootfs.diff.tar", Compression.NONE),
            Map.entry("application/vnd.docker.image.rootfs.diff.tar.gzip", Compression.GZIP),
            Map.entry("application/vnd.docker.image.rootfs.foreign.diff.tar.gzip", Compression.GZIP),
            Map.entry("application/vnd.docker.image.rootfs.diff.tar.zstd", Compression.ZSTD));

    /**
     * The image found: its configuration document (a JSON object, as stored), the digest of that
     * document, and its layers from the lowest up.
     */
    public record Image(ObjectNode config, String configDigest, List<LayerBlob> layers) {
        public Image {
            layers = List.copyOf(layers);
        }
    }

    /**
     * One layer of the image.
     *
     * @param name        names the layer in messages: {@code 2/3 (sha256:...)} or {@code 2/3 (abc/layer.tar)}
     * @param mediaType   its media type; null in a docker archive, whose layers have none
     * @param compression what the media type says of it; null when it must be sniffed (docker archive)
     * @param digest      {@code sha256:} of the blob as the manifest names it; null in a docker archive
     * @param diffId      {@code sha256:} of its tar as the configuration names it; null when it names none
     * @param size        the blob's size as the manifest says it, -1 when unknown; like the digest it is
     *                    checked by whoever reads the blob (a tampered layer is best reported by its digest)
     * @param blob        where the blob is
     */
    public record LayerBlob(String name, String mediaType, Compression compression, String digest, String diffId,
                            long size, ArchiveFiles.Range blob) {
    }

    private final ArchiveFiles files;
    private final String os;
    private final String architecture;
    private final String platform;

    private ImageReader(ArchiveFiles files, String platform) {
        String[] p = platform.split("/");
        if (p.length < 2) {
            throw new IllegalArgumentException("a platform is os/architecture, not '" + platform + "'");
        }
        this.files = files;
        this.os = p[0];
        this.architecture = p[1];
        this.platform = p[0] + "/" + p[1];
    }

    /**
     * The image for {@code platform} ({@code os/architecture[/variant]}; the variant is not looked
     * at) in an OCI image layout, among those tagged {@code tag} when it is not null.
     * {@code platformHint} is added to the error when there is no such image.
     *
     * @throws ImageFormatException when the layout is broken, tampered with or has no such image
     */
    public static Image readOciLayout(ArchiveFiles files, String tag, String platform, String platformHint)
            throws IOException {
        return new ImageReader(files, platform).ociLayout(tag, platformHint);
    }

    /** The image for {@code platform} in a docker archive ({@code manifest.json}), as {@link #readOciLayout}. */
    public static Image readDockerArchive(ArchiveFiles files, String platform, String platformHint) throws IOException {
        return new ImageReader(files, platform).dockerArchive(platformHint);
    }

    // ---- OCI image layout

    private Image ociLayout(String tag, String platformHint) throws IOException {
        JsonNode index = json(require("index.json", "the OCI index"), "index.json", null);
        List<String> otherPlatforms = new ArrayList<>();
        for (JsonNode manifestDescriptor : manifestCandidates(index, "index.json", 0, tag, otherPlatforms)) {
            String manifestDigest = manifestDescriptor.path("digest").asText();
            JsonNode manifest = blobJson(manifestDescriptor, "manifest " + manifestDigest);
            String mediaType = manifest.path("mediaType").asText(manifestDescriptor.path("mediaType").asText(""));
            if (!mediaType.isEmpty() && !mediaType.equals(MediaTypes.OCI_MANIFEST)
                    && !mediaType.equals(MediaTypes.DOCKER_MANIFEST)) {
                throw new ImageFormatException("manifest " + manifestDigest + " in " + files.description()
                        + " has the unknown media type " + mediaType);
            }
            JsonNode configDescriptor = manifest.path("config");
            String configDigest = configDescriptor.path("digest").asText();
            JsonNode config = blobJson(configDescriptor, "image configuration " + configDigest);
            String other = otherPlatform(config);
            if (other != null) {
                otherPlatforms.add(other);
                continue;
            }
            return ociImage(manifestDigest, manifest, configDigest, configObject(config, configDigest));
        }
        throw noImage(otherPlatforms, platformHint);
    }

    private Image ociImage(String manifestDigest, JsonNode manifest, String configDigest, ObjectNode config)
            throws IOException {
        JsonNode layers = manifest.path("layers");
        if (!layers.isArray()) {
            throw new ImageFormatException("manifest " + manifestDigest + " in " + files.description()
                    + " has no layers array");
        }
        List<String> diffIds = diffIds(config, layers.size());
        List<LayerBlob> out = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
            JsonNode d = layers.get(i);
            String digest = d.path("digest").asText();
            String type = d.path("mediaType").asText();
            String name = (i + 1) + "/" + layers.size() + " (" + digest + ")";
            Compression declared = LAYER_TYPES.get(type);
            if (declared == null) {
                throw new ImageFormatException("layer " + name + " in " + files.description()
                        + " has the unknown media type '" + type + "'; known: " + LAYER_TYPES.keySet());
            }
            out.add(new LayerBlob(name, type, declared, digest, diffIds.isEmpty() ? null : diffIds.get(i),
                    d.path("size").asLong(-1), blob(d, "layer " + name, false)));
        }
        return new Image(config, configDigest, out);
    }

    /**
     * The image manifests of an index that may be for the wanted platform, descending into nested
     * indexes: those whose platform says so first, then those without a platform (their
     * configuration decides). Other platforms are added to {@code otherPlatforms}. At the top, only
     * the manifests tagged {@code tag} count when it is not null.
     */
    private List<JsonNode> manifestCandidates(JsonNode index, String where, int depth, String tag,
            List<String> otherPlatforms) throws IOException {
        if (depth > 4) {
            throw new ImageFormatException("image indexes nested too deeply in " + files.description());
        }
        JsonNode manifests = index.path("manifests");
        if (!manifests.isArray() || manifests.isEmpty()) {
            throw new ImageFormatException(where + " in " + files.description() + " lists no manifests");
        }
        List<JsonNode> listed = new ArrayList<>();
        for (JsonNode d : manifests) {
            if (tag == null || tag.equals(d.path("annotations").path(REF_NAME).asText(null))) {
                listed.add(d);
            }
        }
        if (listed.isEmpty()) {
            throw new ImageFormatException("no image tagged '" + tag + "' in " + files.description());
        }
        List<JsonNode> matching = new ArrayList<>();
        List<JsonNode> unknown = new ArrayList<>();
        for (JsonNode d : listed) {
            String type = d.path("mediaType").asText();
            JsonNode p = d.path("platform");
            String arch = p.path("architecture").asText("");
            String dos = p.path("os").asText("");
            if (arch.equals("unknown") || dos.equals("unknown")) {
                continue; // attestation manifests of buildx
            }
            if (type.equals(MediaTypes.OCI_INDEX) || type.equals(MediaTypes.DOCKER_LIST)) {
                String digest = d.path("digest").asText();
                JsonNode nested = blobJson(d, "image index " + digest);
                matching.addAll(manifestCandidates(nested, "image index " + digest, depth + 1, null, otherPlatforms));
                continue;
            }
            if (!type.isEmpty() && !type.equals(MediaTypes.OCI_MANIFEST) && !type.equals(MediaTypes.DOCKER_MANIFEST)) {
                throw new ImageFormatException(where + " in " + files.description() + " references "
                        + d.path("digest").asText() + " of the unknown media type " + type);
            }
            if (arch.isEmpty()) {
                unknown.add(d);
            } else if (dos.equals(os) && sameArchitecture(arch, architecture)) {
                matching.add(d);
            } else {
                otherPlatforms.add(dos + "/" + arch);
            }
        }
        matching.addAll(unknown);
        return matching;
    }

    // ---- docker archive

    private Image dockerArchive(String platformHint) throws IOException {
        JsonNode manifest = json(require("manifest.json", "the docker archive manifest"), "manifest.json", null);
        if (!manifest.isArray() || manifest.isEmpty()) {
            throw new ImageFormatException("manifest.json in " + files.description() + " lists no images");
        }
        List<String> otherPlatforms = new ArrayList<>();
        for (JsonNode image : manifest) {
            String configName = member(image.path("Config").asText(), "Config");
            ArchiveFiles.Range configRange = require(configName, "the image configuration");
            byte[] configBytes = files.readSmall(configRange);
            String configDigest = Sha256.ociDigest(configBytes);
            String named = digestInName(configName);
            if (named != null && !named.equals(configDigest)) {
                throw new ImageFormatException("digest mismatch: the image configuration " + configName + " in "
                        + files.description() + " has " + configDigest + ". The image is corrupt or was tampered with");
            }
            JsonNode config = json(configRange, configName, configBytes);
            String other = otherPlatform(config);
            if (other != null) {
                otherPlatforms.add(other);
                continue;
            }
            JsonNode layerNames = image.path("Layers");
            List<String> diffIds = diffIds(config, layerNames.size());
            if (diffIds.isEmpty() && !layerNames.isEmpty()) {
                throw new ImageFormatException("the configuration of the docker archive " + files.description()
                        + " lists no diff IDs, so its layers cannot be checked; save the image again with docker or"
                        + " podman");
            }
            List<LayerBlob> layers = new ArrayList<>();
            for (int i = 0; i < layerNames.size(); i++) {
                String file = member(layerNames.get(i).asText(), "Layers");
                String name = (i + 1) + "/" + layerNames.size() + " (" + file + ")";
                layers.add(new LayerBlob(name, null, null, null, diffIds.get(i), -1, require(file, "layer " + name)));
            }
            return new Image(configObject(config, configDigest), configDigest, layers);
        }
        throw noImage(otherPlatforms, platformHint);
    }

    /** A file a docker archive's manifest.json names, which must be a relative path inside the archive. */
    private String member(String name, String field) throws ImageFormatException {
        if (name.isEmpty() || name.startsWith("/") || Arrays.asList(name.split("/")).contains("..")) {
            throw new ImageFormatException("the docker archive " + files.description() + " is refused: its"
                    + " manifest.json names '" + name + "' in " + field + ", which is not a relative path inside the"
                    + " archive");
        }
        return name;
    }

    /** {@code sha256:<hex>} when a docker archive member is named after its digest ({@code <hex>.json}, {@code blobs/sha256/<hex>}). */
    private static String digestInName(String name) {
        String n = PathNames.normalise(name);
        String base = n.substring(n.lastIndexOf('/') + 1);
        if (base.matches("[0-9a-f]{64}\\.json")) {
            return "sha256:" + base.substring(0, 64);
        }
        if (n.matches("(.*/)?blobs/sha256/[0-9a-f]{64}")) {
            return "sha256:" + base;
        }
        return null;
    }

    // ---- shared

    private static boolean sameArchitecture(String a, String b) {
        return a.equals(b) || isI386(a) && isI386(b);
    }

    private static boolean isI386(String arch) {
        return arch.equals("386") || arch.equals("i386");
    }

    /** Null when the configuration is for the wanted platform (no os counts as any), else its os/architecture. */
    private String otherPlatform(JsonNode config) {
        String arch = config.path("architecture").asText("");
        String cos = config.path("os").asText("");
        if (sameArchitecture(arch, architecture) && (cos.isEmpty() || cos.equals(os))) {
            return null;
        }
        return (cos.isEmpty() ? "?" : cos) + "/" + (arch.isEmpty() ? "(no architecture)" : arch);
    }

    private ImageFormatException noImage(List<String> otherPlatforms, String platformHint) {
        return new ImageFormatException(files.description() + " has no " + platform + " image (it has "
                + (otherPlatforms.isEmpty() ? "none" : String.join(", ", otherPlatforms)) + ")"
                + (platformHint == null ? "" : platformHint));
    }

    private ObjectNode configObject(JsonNode config, String digest) throws ImageFormatException {
        if (!config.isObject()) {
            throw new ImageFormatException("the image configuration " + digest + " in " + files.description()
                    + " is not a JSON object");
        }
        return (ObjectNode) config;
    }

    /** The configuration's diff IDs: none, or one per layer. */
    private List<String> diffIds(JsonNode config, int layers) throws ImageFormatException {
        List<String> out = new ArrayList<>();
        config.path("rootfs").path("diff_ids").forEach(n -> out.add(n.asText()));
        if (!out.isEmpty() && out.size() != layers) {
            throw new ImageFormatException("the image in " + files.description() + " has " + layers
                    + " layers but its configuration lists " + out.size() + " diff IDs; the image is corrupt");
        }
        return Collections.unmodifiableList(out);
    }

    private ArchiveFiles.Range require(String name, String what) throws IOException {
        Optional<ArchiveFiles.Range> r = files.find(name);
        if (r.isEmpty()) {
            throw new ImageFormatException(files.description() + " lacks " + what + " ('" + name + "')");
        }
        return r.get();
    }

    /** The blob a descriptor names, with its size checked when {@code checkSize} (its digest is checked when read). */
    private ArchiveFiles.Range blob(JsonNode descriptor, String what, boolean checkSize) throws IOException {
        String digest = descriptor.path("digest").asText("");
        if (!digest.matches("sha256:[0-9a-f]{64}")) {
            throw new ImageFormatException(what + " in " + files.description() + " has an unsupported digest '"
                    + digest + "' (expected sha256:<64 hex digits>)");
        }
        ArchiveFiles.Range r = files.find(String.join("/", ArchiveFiles.hexDigestPath(digest)))
                .orElseThrow(() -> new ImageFormatException("missing blob " + digest + " (" + what + ") in "
                        + files.description()));
        long size = descriptor.path("size").asLong(-1);
        if (checkSize && size >= 0 && size != r.length()) {
            throw new ImageFormatException("blob " + digest + " (" + what + ") in " + files.description() + " is "
                    + r.length() + " bytes, its descriptor says " + size);
        }
        return r;
    }

    /** An index, manifest or configuration blob, parsed once its digest is checked. */
    private JsonNode blobJson(JsonNode descriptor, String what) throws IOException {
        ArchiveFiles.Range r = blob(descriptor, what, true);
        byte[] bytes = files.readSmall(r);
        String digest = descriptor.path("digest").asText();
        String actual = Sha256.ociDigest(bytes);
        if (!digest.equals(actual)) {
            throw new ImageFormatException("digest mismatch: blob " + digest + " (" + what + ") in "
                    + files.description() + " has " + actual + ". The image is corrupt or was tampered with");
        }
        return json(r, what, bytes);
    }

    private JsonNode json(ArchiveFiles.Range r, String what, byte[] bytes) throws IOException {
        byte[] b = bytes != null ? bytes : files.readSmall(r);
        try {
            JsonNode n = JSON.readTree(b);
            if (n == null || n.isMissingNode()) {
                throw new ImageFormatException(what + " in " + files.description() + " is empty");
            }
            return n;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new ImageFormatException(what + " in " + files.description() + " is not valid JSON: "
                    + e.getOriginalMessage(), e);
        } catch (java.io.CharConversionException e) {
            // Jackson guesses UTF-16/32 from the first bytes and reports bad characters this way
            throw new ImageFormatException(what + " in " + files.description() + " is not valid JSON text: "
                    + e.getMessage(), e);
        }
    }
}

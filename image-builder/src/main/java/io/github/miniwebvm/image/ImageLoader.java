package io.github.miniwebvm.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.miniwebvm.fs.FileTree;
import io.github.miniwebvm.fs.PathNames;
import io.github.miniwebvm.io.Sha256;
import io.github.miniwebvm.io.Trees;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Reads an image and flattens its layers into a {@link FileTree}. Accepted inputs (detected from
 * their content, not their name):
 * <ul>
 *   <li>an OCI image layout directory ({@code index.json}, {@code blobs/}), or an OCI archive tar
 *       ({@code podman save --format oci-archive});</li>
 *   <li>a docker archive tar ({@code docker save}, {@code podman save --format docker-archive}:
 *       {@code manifest.json} and layer tars), or such an archive extracted to a directory;</li>
 *   <li>a plain rootfs tar, optionally gzip, zstd or xz compressed.</li>
 * </ul>
 * Archives may themselves be gzip/zstd/xz compressed. From an index with several platforms the
 * linux/386 manifest is chosen; an image for any other architecture is refused, since the VM runs
 * i386 only. Blob digests and layer diff IDs are verified while the layers are read.
 *
 * <p>Uncompressed layers are referenced in place (file contents are ranges of the input);
 * compressed layers are decompressed once into a spool file under the work directory. Memory use
 * grows with the number of files, not their size. A failed load deletes its spool files.
 */
public final class ImageLoader {
    private static final ObjectMapper JSON = new ObjectMapper();

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

    /** Default of {@link Builder#maxEntries}: ten times the files of a large distribution image. */
    public static final long DEFAULT_MAX_ENTRIES = 5_000_000;
    /**
     * Default of {@link Builder#maxSparseSegments}: a 16 GiB disk image with a hole after every
     * 4 KiB block; each segment costs about 60 bytes of memory while the image is written.
     */
    public static final long DEFAULT_MAX_SPARSE_SEGMENTS = 4_000_000;
    /** Default of {@link Builder#maxSpoolBytes}: 32 GiB, more than any disk the VM engines can use. */
    public static final long DEFAULT_MAX_SPOOL_BYTES = 32L << 30;

    private final Path workDirectory;
    private final boolean webvmFixups;
    private final long maxEntries;
    private final long maxSparseSegments;
    private final long maxSpoolBytes;

    private ImageLoader(Builder b) {
        this.workDirectory = b.workDirectory;
        this.webvmFixups = b.webvmFixups;
        this.maxEntries = b.maxEntries;
        this.maxSparseSegments = b.maxSparseSegments;
        this.maxSpoolBytes = b.maxSpoolBytes;
    }

    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder {
        private Path workDirectory;
        private boolean webvmFixups = true;
        private long maxEntries = DEFAULT_MAX_ENTRIES;
        private long maxSparseSegments = DEFAULT_MAX_SPARSE_SEGMENTS;
        private long maxSpoolBytes = DEFAULT_MAX_SPOOL_BYTES;

        private Builder() { }

        /**
         * The most tar headers one load may read, over the archive and all its layers (default
         * 5,000,000). Past it the load fails with an {@link ImageFormatException}:
         * memory grows with the number of entries, so this bounds it against header bombs.
         */
        public Builder maxEntries(long maxEntries) {
            if (maxEntries < 1) {
                throw new IllegalArgumentException("maxEntries must be positive, not " + maxEntries);
            }
            this.maxEntries = maxEntries;
            return this;
        }

        /**
         * The most data segments the sparse entries of one load may list in all (default
         * 4,000,000). Past it the load fails with an {@link ImageFormatException}: the segments
         * of a sparse file are kept in memory, so this bounds it against forged sparse maps.
         */
        public Builder maxSparseSegments(long maxSparseSegments) {
            if (maxSparseSegments < 0) {
                throw new IllegalArgumentException("maxSparseSegments must not be negative, not " + maxSparseSegments);
            }
            this.maxSparseSegments = maxSparseSegments;
            return this;
        }

        /**
         * The most bytes one load may decompress into spool files (default 32 GiB). Past it the load
         * fails with an {@link ImageFormatException} and deletes its spool files, so a
         * decompression bomb cannot fill the disk.
         */
        public Builder maxSpoolBytes(long maxSpoolBytes) {
            if (maxSpoolBytes < 0) {
                throw new IllegalArgumentException("maxSpoolBytes must not be negative, not " + maxSpoolBytes);
            }
            this.maxSpoolBytes = maxSpoolBytes;
            return this;
        }

        /** Where spool files of compressed layers go (each load uses its own subdirectory). Required. */
        public Builder workDirectory(Path workDirectory) {
            this.workDirectory = Objects.requireNonNull(workDirectory);
            return this;
        }

        /**
         * Whether to adjust the tree as WebVM's export does (default true): no {@code /.dockerenv},
         * and {@code /etc/resolv.conf} and {@code /etc/hosts} present (the image's own, or a
         * default). Off gives the image's filesystem exactly.
         */
        public Builder webvmFixups(boolean webvmFixups) {
            this.webvmFixups = webvmFixups;
            return this;
        }

        public ImageLoader build() {
            if (workDirectory == null) {
                throw new IllegalStateException("ImageLoader needs a workDirectory for spool files");
            }
            return new ImageLoader(this);
        }
    }

    /**
     * Loads and flattens {@code input}. The caller closes the result to delete its spool files.
     *
     * @throws ImageFormatException when the input is not a usable linux/386 image or rootfs tar
     */
    public LoadedImage load(Path input) throws IOException {
        if (!Files.exists(input)) {
            throw new ImageFormatException("image input not found: " + input);
        }
        Files.createDirectories(workDirectory);
        Path spool = Files.createTempDirectory(workDirectory, "flatten-");
        boolean ok = false;
        try {
            LoadedImage image = new Load(input, spool, new LoadLimits(maxEntries, maxSparseSegments, maxSpoolBytes)).run();
            if (webvmFixups) {
                WebvmFixups.apply(image.tree());
            }
            ok = true;
            return image;
        } catch (UncheckedIOException e) {
            throw e.getCause();
        } finally {
            if (!ok) {
                Trees.deleteRecursively(spool);
            }
        }
    }

    /** One load: the input, its spool directory and what was found so far. */
    private static final class Load {
        private final Path input;
        private final Path spool;
        private final FileTree tree = new FileTree();
        private final LoadLimits limits;
        private ArchiveFiles files;
        private int spoolCount;

        Load(Path input, Path spool, LoadLimits limits) {
            this.input = input;
            this.spool = spool;
            this.limits = limits;
        }

        LoadedImage run() throws IOException {
            if (Files.isDirectory(input)) {
                files = ArchiveFiles.ofDirectory(input);
                if (files.contains("index.json")) {
                    return loadOci();
                }
                if (files.contains("manifest.json")) {
                    return loadDockerArchive();
                }
                throw new ImageFormatException(input + " is a directory but neither an OCI image layout (index.json)"
                        + " nor an extracted docker archive (manifest.json)");
            }
            if (Files.size(input) == 0) {
                throw new ImageFormatException(input + " is empty, not an image");
            }
            Path tar = input;
            String fileDigest;
            Compression compression;
            try (BufferedInputStream in = Compression.buffered(Files.newInputStream(input))) {
                compression = Compression.sniff(in);
                if (compression == Compression.NONE) {
                    fileDigest = null;
                } else {
                    tar = spool.resolve("input.tar");
                    HashingInputStream raw = new HashingInputStream(in, null);
                    String name = input + " (" + compression.name().toLowerCase() + ")";
                    try (OutputStream out = limits.spool(
                            new BufferedOutputStream(Files.newOutputStream(tar), 65536), name)) {
                        compression.decompress(raw).transferTo(out);
                        fileDigest = raw.drainAndDigest();
                    } catch (ImageFormatException e) {
                        throw e;
                    } catch (IOException e) {
                        throw new ImageFormatException(input + ": bad " + compression.name().toLowerCase()
                                + " data: " + e.getMessage(), e);
                    }
                }
            }
            String what = compression == Compression.NONE ? input.toString()
                    : input + " (" + compression.name().toLowerCase() + "-decompressed)";
            try {
                files = ArchiveFiles.ofTar(tar, what, limits.freshCount());
            } catch (ImageFormatException e) {
                if (e.getMessage().startsWith("not a tar archive") && e.getMessage().endsWith(" at byte 0")) {
                    throw new ImageFormatException(input + " is not an image: expected an OCI layout directory, an OCI"
                            + " archive, a docker archive or a rootfs tar (optionally gzip/zstd/xz compressed)");
                }
                throw e;
            }
            if (files.contains("index.json") && files.contains("oci-layout")) {
                return loadOci();
            }
            if (files.contains("manifest.json")) {
                return loadDockerArchive();
            }
            return loadRootfs(tar, what, fileDigest);
        }

        private LoadedImage loadRootfs(Path tar, String what, String fileDigest) throws IOException {
            String tarDigest;
            try (InputStream in = new ArchiveFiles.FileRangeInputStream(tar, 0, Files.size(tar))) {
                HashingInputStream h = new HashingInputStream(Compression.buffered(in), null);
                new LayerApplier(tree, what, tar, 0).apply(new TarReader(h, what, limits));
                tarDigest = h.drainAndDigest();
            }
            return new LoadedImage(tree, ImageConfig.empty(), fileDigest != null ? fileDigest : tarDigest, spool);
        }

        // ---- OCI image layout / archive

        private LoadedImage loadOci() throws IOException {
            JsonNode index = json(require("index.json", "the OCI index"), "index.json", null);
            List<String> otherPlatforms = new ArrayList<>();
            for (JsonNode manifestDescriptor : manifestCandidates(index, "index.json", 0, otherPlatforms)) {
                String manifestDigest = manifestDescriptor.path("digest").asText();
                JsonNode manifest = blobJson(manifestDescriptor, "manifest " + manifestDigest);
                String mediaType = manifest.path("mediaType").asText(manifestDescriptor.path("mediaType").asText(""));
                if (!mediaType.isEmpty() && !mediaType.equals(MediaTypes.OCI_MANIFEST) && !mediaType.equals(MediaTypes.DOCKER_MANIFEST)) {
                    throw new ImageFormatException("manifest " + manifestDigest + " in " + files.description()
                            + " has the unknown media type " + mediaType);
                }
                JsonNode configDescriptor = manifest.path("config");
                String configDigest = configDescriptor.path("digest").asText();
                JsonNode configJson = blobJson(configDescriptor, "image configuration " + configDigest);
                if (!isI386(configJson.path("architecture").asText(""))) {
                    otherPlatforms.add(configJson.path("os").asText("?") + "/"
                            + configJson.path("architecture").asText("(no architecture)"));
                    continue;
                }
                return loadOciImage(manifestDigest, manifest, configDigest, configJson);
            }
            throw new ImageFormatException(files.description() + " has no linux/386 image (it has "
                    + String.join(", ", otherPlatforms) + "); the VM runs i386 only: build the image with"
                    + " --platform linux/386 from a base image that has a linux/386 variant");
        }

        private LoadedImage loadOciImage(String manifestDigest, JsonNode manifest, String configDigest,
                JsonNode configJson) throws IOException {
            ImageConfig config = checkedConfig(configJson);
            List<String> diffIds = diffIds(configJson);
            JsonNode layers = manifest.path("layers");
            if (!layers.isArray()) {
                throw new ImageFormatException("manifest " + manifestDigest + " in " + files.description()
                        + " has no layers array");
            }
            checkLayerCount(layers.size(), diffIds);
            for (int i = 0; i < layers.size(); i++) {
                JsonNode d = layers.get(i);
                String digest = d.path("digest").asText();
                String type = d.path("mediaType").asText();
                String layerName = (i + 1) + "/" + layers.size() + " (" + digest + ")";
                Compression declared = LAYER_TYPES.get(type);
                if (declared == null) {
                    throw new ImageFormatException("layer " + layerName + " in " + files.description()
                            + " has the unknown media type '" + type + "'; known: " + LAYER_TYPES.keySet());
                }
                ArchiveFiles.Range blob = blob(d, "layer " + layerName);
                applyLayer(blob, layerName, declared, digest, diffIds.isEmpty() ? null : diffIds.get(i));
            }
            return new LoadedImage(tree, config, configDigest, spool);
        }

        /**
         * The image manifests of an index that may be linux/386, descending into nested indexes:
         * those whose platform says linux/386 first, then those without a platform (their
         * configuration decides). Other platforms are added to {@code otherPlatforms}.
         */
        private List<JsonNode> manifestCandidates(JsonNode index, String where, int depth, List<String> otherPlatforms)
                throws IOException {
            if (depth > 4) {
                throw new ImageFormatException("image indexes nested too deeply in " + files.description());
            }
            JsonNode manifests = index.path("manifests");
            if (!manifests.isArray() || manifests.isEmpty()) {
                throw new ImageFormatException(where + " in " + files.description() + " lists no manifests");
            }
            List<JsonNode> matching = new ArrayList<>();
            List<JsonNode> unknown = new ArrayList<>();
            for (JsonNode d : manifests) {
                String type = d.path("mediaType").asText();
                JsonNode platform = d.path("platform");
                String arch = platform.path("architecture").asText("");
                String os = platform.path("os").asText("");
                if (arch.equals("unknown") || os.equals("unknown")) {
                    continue; // attestation manifests of buildx
                }
                if (type.equals(MediaTypes.OCI_INDEX) || type.equals(MediaTypes.DOCKER_LIST)) {
                    String digest = d.path("digest").asText();
                    JsonNode nested = blobJson(d, "image index " + digest);
                    matching.addAll(manifestCandidates(nested, "image index " + digest, depth + 1, otherPlatforms));
                    continue;
                }
                if (!type.isEmpty() && !type.equals(MediaTypes.OCI_MANIFEST) && !type.equals(MediaTypes.DOCKER_MANIFEST)) {
                    throw new ImageFormatException(where + " in " + files.description() + " references "
                            + d.path("digest").asText() + " of the unknown media type " + type);
                }
                if (arch.isEmpty()) {
                    unknown.add(d);
                } else if (os.equals("linux") && isI386(arch)) {
                    matching.add(d);
                } else {
                    otherPlatforms.add(os + "/" + arch);
                }
            }
            matching.addAll(unknown);
            return matching;
        }

        // ---- docker archive

        private LoadedImage loadDockerArchive() throws IOException {
            JsonNode manifest = json(require("manifest.json", "the docker archive manifest"), "manifest.json", null);
            if (!manifest.isArray() || manifest.isEmpty()) {
                throw new ImageFormatException("manifest.json in " + files.description() + " lists no images");
            }
            List<String> seen = new ArrayList<>();
            for (JsonNode image : manifest) {
                String configName = image.path("Config").asText();
                ArchiveFiles.Range configRange = require(configName, "the image configuration");
                byte[] configBytes = files.readSmall(configRange);
                String configDigest = Sha256.ociDigest(configBytes);
                String expected = digestFromName(configName);
                if (expected != null && !expected.equals(configDigest)) {
                    throw new ImageFormatException("digest mismatch: " + configName + " in " + files.description()
                            + " has " + configDigest);
                }
                JsonNode configJson = json(configRange, configName, configBytes);
                String arch = configJson.path("architecture").asText("");
                if (!isI386(arch)) {
                    seen.add(configJson.path("os").asText("?") + "/" + (arch.isEmpty() ? "?" : arch));
                    continue;
                }
                ImageConfig config = checkedConfig(configJson);
                List<String> diffIds = diffIds(configJson);
                JsonNode layers = image.path("Layers");
                checkLayerCount(layers.size(), diffIds);
                for (int i = 0; i < layers.size(); i++) {
                    String name = layers.get(i).asText();
                    String layerName = (i + 1) + "/" + layers.size() + " (" + name + ")";
                    ArchiveFiles.Range blob = require(name, "layer " + layerName);
                    applyLayer(blob, layerName, null, null, diffIds.isEmpty() ? null : diffIds.get(i));
                }
                return new LoadedImage(tree, config, configDigest, spool);
            }
            throw new ImageFormatException(files.description() + " has no linux/386 image (it has "
                    + String.join(", ", seen) + "); the VM runs i386 only: build the image with --platform linux/386");
        }

        // ---- layers

        /**
         * Applies one layer blob. {@code declared} is the media type's compression (null: sniff);
         * {@code blobDigest} and {@code diffId} are verified when given.
         */
        private void applyLayer(ArchiveFiles.Range blob, String layerName, Compression declared, String blobDigest,
                String diffId) throws IOException {
            String where = "layer " + layerName + " in " + files.description();
            try (InputStream raw = blob.open()) {
                HashingInputStream hashedBlob = new HashingInputStream(raw, null);
                BufferedInputStream buffered = Compression.buffered(hashedBlob);
                Compression actual = Compression.sniff(buffered);
                Compression c = declared != null ? declared : actual;
                if (c != actual) {
                    throw new ImageFormatException(where + ": bad " + c.name().toLowerCase() + " data (the media type says "
                            + c.name().toLowerCase() + ", the blob starts like " + actual.name().toLowerCase() + ")");
                }
                Path contentFile = blob.file();
                long contentBase = blob.offset();
                OutputStream spoolOut = null;
                if (c != Compression.NONE) {
                    contentFile = spool.resolve("layer-" + (++spoolCount) + ".tar");
                    contentBase = 0;
                    spoolOut = limits.spool(new BufferedOutputStream(Files.newOutputStream(contentFile), 65536), where);
                }
                String tarDigest;
                try (OutputStream closeMe = spoolOut) {
                    InputStream plain = c.decompress(buffered);
                    HashingInputStream tar = new HashingInputStream(plain, spoolOut);
                    try {
                        new LayerApplier(tree, layerName + " in " + files.description(), contentFile, contentBase)
                                .apply(new TarReader(tar, where, limits));
                    } catch (ImageFormatException e) {
                        // a tampered or corrupt blob is best reported as such, not as the odd entry it produced
                        String rawDigest = blobDigest == null ? null : drainQuietly(hashedBlob);
                        if (rawDigest != null && !rawDigest.equals(blobDigest)) {
                            ImageFormatException mismatch = new ImageFormatException("digest mismatch: " + where
                                    + " has " + rawDigest);
                            mismatch.addSuppressed(e);
                            throw mismatch;
                        }
                        throw e;
                    }
                    tarDigest = tar.drainAndDigest();
                } catch (ImageFormatException e) {
                    throw e;
                } catch (IOException e) {
                    if (c == Compression.NONE) {
                        throw e;
                    }
                    throw new ImageFormatException(where + ": bad " + c.name().toLowerCase() + " data: " + e.getMessage(), e);
                }
                String actualBlobDigest = hashedBlob.drainAndDigest();
                if (hashedBlob.count() != blob.length()) {
                    throw new ImageFormatException(where + ": blob truncated (" + hashedBlob.count() + " of " + blob.length()
                            + " bytes)");
                }
                if (blobDigest != null && !blobDigest.equals(actualBlobDigest)) {
                    throw new ImageFormatException("digest mismatch: " + where + " has " + actualBlobDigest);
                }
                if (diffId != null && !diffId.equals(tarDigest)) {
                    throw new ImageFormatException("digest mismatch: " + where + " is not the layer the image configuration"
                            + " names (diff ID " + diffId + ", content " + tarDigest + ")");
                }
            }
        }

        // ---- helpers

        private static String drainQuietly(HashingInputStream in) {
            try {
                return in.drainAndDigest();
            } catch (IOException e) {
                return null;
            }
        }

        private ImageConfig checkedConfig(JsonNode configJson) throws ImageFormatException {
            String arch = configJson.path("architecture").asText("");
            String os = configJson.path("os").asText("");
            if (!isI386(arch) || !(os.isEmpty() || os.equals("linux"))) {
                throw new ImageFormatException("the image in " + files.description() + " is " + os + "/"
                        + (arch.isEmpty() ? "(no architecture)" : arch) + "; the VM runs i386 (linux/386) only: build it"
                        + " with --platform linux/386 from a base image that has a linux/386 variant");
            }
            return ImageConfig.fromImageConfigJson(configJson);
        }

        private static boolean isI386(String arch) {
            return arch.equals("386") || arch.equals("i386");
        }

        private List<String> diffIds(JsonNode configJson) {
            List<String> out = new ArrayList<>();
            configJson.path("rootfs").path("diff_ids").forEach(n -> out.add(n.asText()));
            return out;
        }

        private void checkLayerCount(int layers, List<String> diffIds) throws ImageFormatException {
            if (!diffIds.isEmpty() && diffIds.size() != layers) {
                throw new ImageFormatException("the image in " + files.description() + " has " + layers
                        + " layers but its configuration lists " + diffIds.size() + " diff IDs");
            }
        }

        private ArchiveFiles.Range require(String name, String what) throws IOException {
            Optional<ArchiveFiles.Range> r = files.find(name);
            if (r.isEmpty()) {
                throw new ImageFormatException(files.description() + " lacks " + what + " ('" + name + "')");
            }
            return r.get();
        }

        /** The blob a descriptor names, with its size checked (its digest is checked when read). */
        private ArchiveFiles.Range blob(JsonNode descriptor, String what) throws IOException {
            String digest = descriptor.path("digest").asText("");
            if (!digest.matches("sha256:[0-9a-f]{64}")) {
                throw new ImageFormatException(what + " in " + files.description() + " has an unsupported digest '"
                        + digest + "' (expected sha256:<64 hex digits>)");
            }
            ArchiveFiles.Range r = files.find(String.join("/", ArchiveFiles.hexDigestPath(digest)))
                    .orElseThrow(() -> new ImageFormatException("missing blob " + digest + " (" + what + ") in "
                            + files.description()));
            long size = descriptor.path("size").asLong(-1);
            if (size >= 0 && size != r.length()) {
                throw new ImageFormatException("blob " + digest + " (" + what + ") in " + files.description() + " is "
                        + r.length() + " bytes, its descriptor says " + size);
            }
            return r;
        }

        private JsonNode blobJson(JsonNode descriptor, String what) throws IOException {
            ArchiveFiles.Range r = blob(descriptor, what);
            byte[] bytes = files.readSmall(r);
            String digest = descriptor.path("digest").asText();
            String actual = Sha256.ociDigest(bytes);
            if (!digest.equals(actual)) {
                throw new ImageFormatException("digest mismatch: blob " + digest + " (" + what + ") in "
                        + files.description() + " has " + actual);
            }
            return json(r, what, bytes);
        }

        private JsonNode json(ArchiveFiles.Range r, String what, byte[] bytes) throws IOException {
            byte[] b = bytes != null ? bytes : files.readSmall(r);
            try {
                JsonNode n = JSON.readTree(b);
                if (n == null) {
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

        private static String digestFromName(String name) {
            String n = PathNames.normalise(name);
            String base = n.substring(n.lastIndexOf('/') + 1);
            if (base.matches("[0-9a-f]{64}\\.json")) {
                return "sha256:" + base.substring(0, 64);
            }
            if (n.matches("blobs/sha256/[0-9a-f]{64}")) {
                return "sha256:" + base;
            }
            return null;
        }
    }
}

package io.github.miniwebvm.image;

import io.github.miniwebvm.fs.FileTree;
import io.github.miniwebvm.io.Trees;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

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
 * i386 only ({@link ImageReader} finds the image). Blob digests and layer diff IDs are verified
 * while the layers are read.
 *
 * <p>Uncompressed layers are referenced in place (file contents are ranges of the input);
 * compressed layers are decompressed once into a spool file under the work directory. Memory use
 * grows with the number of files, not their size. A failed load deletes its spool files.
 */
public final class ImageLoader {
    private static final String NOT_I386 = "; the VM runs i386 only: build the image with --platform linux/386"
            + " from a base image that has a linux/386 variant";

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

        // ---- OCI image layout / archive, docker archive

        private LoadedImage loadOci() throws IOException {
            return loadLayers(ImageReader.readOciLayout(files, null, "linux/386", NOT_I386));
        }

        private LoadedImage loadDockerArchive() throws IOException {
            return loadLayers(ImageReader.readDockerArchive(files, "linux/386", NOT_I386));
        }

        private LoadedImage loadLayers(ImageReader.Image image) throws IOException {
            ImageConfig config = ImageConfig.fromImageConfigJson(image.config());
            for (ImageReader.LayerBlob layer : image.layers()) {
                if (layer.size() >= 0 && layer.size() != layer.blob().length()) {
                    throw new ImageFormatException("blob " + layer.digest() + " (layer " + layer.name() + ") in "
                            + files.description() + " is " + layer.blob().length() + " bytes, its descriptor says "
                            + layer.size());
                }
                applyLayer(layer.blob(), layer.name(), layer.compression(), layer.digest(), layer.diffId());
            }
            return new LoadedImage(tree, config, image.configDigest(), spool);
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
    }
}

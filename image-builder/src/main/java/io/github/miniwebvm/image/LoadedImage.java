package io.github.miniwebvm.image;

import io.github.miniwebvm.fs.FileTree;
import io.github.miniwebvm.io.Trees;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A flattened image: its filesystem tree and configuration. File contents in the tree are ranges
 * of the input's blobs or of spool files under the loader's work directory; they stay readable
 * until {@link #close()}, which deletes the spool files.
 */
public final class LoadedImage implements AutoCloseable {
    private final FileTree tree;
    private final ImageConfig config;
    private final String digest;
    private final Path spoolDirectory;

    LoadedImage(FileTree tree, ImageConfig config, String digest, Path spoolDirectory) {
        this.tree = tree;
        this.config = config;
        this.digest = digest;
        this.spoolDirectory = spoolDirectory;
    }

    public FileTree tree() {
        return tree;
    }

    public ImageConfig config() {
        return config;
    }

    /**
     * {@code sha256:<hex>} identifying the image content: the image ID (config digest, which
     * covers every layer's uncompressed digest) for OCI and docker images, the file's digest for a
     * plain rootfs tar. The same digest means the same flattened tree and configuration.
     */
    public String digest() {
        return digest;
    }

    /** Deletes the spool files; the tree's file contents are unreadable afterwards. */
    @Override
    public void close() throws IOException {
        Trees.deleteRecursively(spoolDirectory);
    }
}

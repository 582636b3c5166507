package io.github.miniwebvm.dockerfile;

import io.github.miniwebvm.image.ArchiveFiles;
import io.github.miniwebvm.image.ImageFormatException;
import io.github.miniwebvm.image.ImageReader;
import io.github.miniwebvm.image.MediaTypes;
import io.github.miniwebvm.io.Sha256;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The base image of a FROM from an OCI image layout directory or a docker-archive directory, as
 * an {@link ImageState}: {@link ImageReader} finds it (digests of indexes, manifests and
 * configurations checked, every file looked up inside the directory), its layers stay where they
 * are and are checked when they are applied ({@link LayerDigests}).
 */
final class ImageLayouts {
    private ImageLayouts() {
    }

    static ImageState readOciLayout(Path dir, String tag, String platform) throws IOException {
        return read(dir, files -> ImageReader.readOciLayout(files, tag, platform, null));
    }

    /** A docker-archive, already extracted into {@code dir}; its layers are checked against the diff ids when applied. */
    static ImageState readDockerArchiveDir(Path dir, String platform) throws IOException {
        return read(dir, files -> ImageReader.readDockerArchive(files, platform, null));
    }

    private interface Reading {
        ImageReader.Image of(ArchiveFiles files) throws IOException;
    }

    private static ImageState read(Path dir, Reading reading) throws IOException {
        ImageReader.Image image;
        try {
            image = reading.of(ArchiveFiles.ofDirectory(dir));
        } catch (ImageFormatException e) {
            throw new ImageBuildException(e.getMessage(), e);
        }
        List<Layer> layers = new ArrayList<>();
        for (ImageReader.LayerBlob l : image.layers()) {
            // docker-archive layers have no digest of their own: uncompressed tars, named by their diff id
            String digest = l.digest() != null ? l.digest() : l.diffId();
            layers.add(new Layer(l.blob().file(), digest, l.blob().length(),
                    l.mediaType() != null ? l.mediaType() : MediaTypes.OCI_LAYER, l.diffId() != null ? l.diffId() : digest));
        }
        return new ImageState(layers, image.config(), Sha256.ociDigest("image " + image.configDigest()));
    }
}

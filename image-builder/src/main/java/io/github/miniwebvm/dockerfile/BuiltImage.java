package io.github.miniwebvm.dockerfile;

import java.nio.file.Path;
import java.util.Objects;

/**
 * The result of a build: where the image is, in which format, which backend made it and why.
 *
 * @param path    a docker-archive tar or an OCI image layout directory, as {@link #format()} says
 * @param format  how {@link #path()} is laid out
 * @param backend the backend that ran ({@link Backend#ENGINE} or {@link Backend#NATIVE}, never AUTO)
 * @param engine  the engine command that ran ({@code podman}, {@code docker}) or {@code native}
 * @param digest  the image id: {@code sha256:} of the image config
 * @param reason  why this backend was chosen (for the build log)
 */
public record BuiltImage(Path path, Format format, Backend backend, String engine, String digest, String reason) {

    public BuiltImage {
        Objects.requireNonNull(path);
        Objects.requireNonNull(format);
        Objects.requireNonNull(backend);
        Objects.requireNonNull(digest);
    }

    /** Layout of {@link BuiltImage#path()}. */
    public enum Format {
        /** {@code docker save} tar: manifest.json, config json, layer tars. */
        DOCKER_ARCHIVE,
        /** OCI image layout directory: oci-layout, index.json, blobs/sha256/. */
        OCI_LAYOUT
    }
}

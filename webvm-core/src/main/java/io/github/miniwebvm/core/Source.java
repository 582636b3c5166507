package io.github.miniwebvm.core;

import java.nio.file.Path;
import java.util.Objects;

/** What the site's disk is made from: a Dockerfile and its context, or an image that exists already. */
public final class Source {
    final Path dockerfile;
    final Path context;
    final Path image;

    private Source(Path dockerfile, Path context, Path image) {
        this.dockerfile = dockerfile;
        this.context = context;
        this.image = image;
    }

    /** {@code Dockerfile} in {@code context}, built with that context. */
    public static Source dockerfileIn(Path context) {
        Path ctx = context.toAbsolutePath().normalize();
        return new Source(ctx.resolve("Dockerfile"), ctx, null);
    }

    /** {@code dockerfile}, built with {@code context}. */
    public static Source dockerfile(Path dockerfile, Path context) {
        return new Source(dockerfile.toAbsolutePath().normalize(), context.toAbsolutePath().normalize(), null);
    }

    /** An ext2 disk image, a rootfs tar (optionally gzip/zstd/xz), an OCI layout or archive, or a docker archive. */
    public static Source image(Path image) {
        Path abs = Objects.requireNonNull(image, "image").toAbsolutePath().normalize();
        return new Source(null, abs.getParent(), abs);
    }

    @Override
    public String toString() {
        return image != null ? "image " + image : "Dockerfile " + dockerfile + " (context " + context + ")";
    }
}

/**
 * Building a Dockerfile into a linux/386 image.
 *
 * <p>Public API: {@link io.github.miniwebvm.dockerfile.ImageBuild} (builder, {@code run(Path workDir)}),
 * {@link io.github.miniwebvm.dockerfile.Backend} ({@code AUTO}, {@code ENGINE}, {@code NATIVE}),
 * {@link io.github.miniwebvm.dockerfile.BuiltImage} (where the image is, its format, backend, engine,
 * digest, and why that backend) and {@link io.github.miniwebvm.dockerfile.ImageBuildException}. The
 * result is a docker-archive (engine) or an OCI image layout (native), both read by
 * {@link io.github.miniwebvm.image.ImageLoader}.
 *
 * <p>The engine backend runs {@code docker build}/{@code podman build --platform linux/386} and
 * {@code save}s the image (podman retries with {@code --isolation=chroot} when its OCI runtime
 * cannot start containers). The native backend parses the Dockerfile itself
 * ({@link io.github.miniwebvm.dockerfile.syntax}), pulls base images (registries, {@code oci:},
 * {@code oci-archive:}, {@code docker-archive:}, {@code scratch}; the layouts and archives read by
 * {@link io.github.miniwebvm.image.ImageReader}), runs RUN in a bubblewrap sandbox
 * ({@link io.github.miniwebvm.dockerfile.SandboxRun}; root needed) through qemu-i386 binfmt and caches
 * each filesystem step under the cache directory.
 *
 * <p>Safety: layers, {@code ADD}ed archives and image archives are unpacked in Java by one
 * extractor ({@code TarExtractor}), never by a host tool: a layer only once its digests match,
 * every entry inside the stage's root (symlinks on its way resolved as a chroot would, names
 * climbing out through {@code ..} refused, files never written through a symlink). Each stage's
 * root lives in a folder only its owner may enter. RUN runs in its own PID, IPC, UTS and mount
 * namespaces with Docker's default capabilities and {@code no_new_privs}, and dies with the build.
 */
package io.github.miniwebvm.dockerfile;

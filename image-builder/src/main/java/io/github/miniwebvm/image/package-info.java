/**
 * Reading container images and flattening them into a {@link io.github.miniwebvm.fs.FileTree}.
 *
 * <p>Public API: {@link io.github.miniwebvm.image.ImageLoader} (builder, {@code load(Path)}),
 * {@link io.github.miniwebvm.image.LoadedImage} (tree, config, digest; closeable),
 * {@link io.github.miniwebvm.image.ImageConfig} (entrypoint/cmd/env/workingDir/user, the command
 * line WebVM derives from them, {@code image.json}, overrides) and
 * {@link io.github.miniwebvm.image.ImageFormatException} (every problem with the input).
 * {@link io.github.miniwebvm.image.ImageReader} over {@link io.github.miniwebvm.image.ArchiveFiles} is
 * the one reader of an OCI layout or docker archive (index, manifest for a platform, verified
 * configuration, layer blobs): the loader and the native builder's FROM both use it.
 *
 * <p>Safety: nothing is extracted to the host. Entry names are normalised inside the image root
 * (absolute names are rooted there, {@code ..} above the root is refused) and an entry whose
 * parent in the tree is a symlink is refused with an error naming the layer and the entry, never
 * resolved. The files of an image directory are looked up inside it only: a symlink out of it is
 * refused.
 */
package io.github.miniwebvm.image;

/**
 * Reading container images and flattening them into a {@link io.github.miniwebvm.fs.FileTree}.
 *
 * <p>Public API: {@link io.github.miniwebvm.image.ImageLoader} (builder, {@code load(Path)}),
 * {@link io.github.miniwebvm.image.LoadedImage} (tree, config, digest; closeable),
 * {@link io.github.miniwebvm.image.ImageConfig} (entrypoint/cmd/env/workingDir/user, the command
 * line WebVM derives from them, {@code image.json}, overrides) and
 * {@link io.github.miniwebvm.image.ImageFormatException} (every problem with the input).
 *
 * <p>Safety: nothing is extracted to the host. Entry names are normalised inside the image root
 * (absolute names are rooted there, {@code ..} above the root is refused) and an entry whose
 * parent in the tree is a symlink is refused with an error naming the layer and the entry, never
 * resolved.
 */
package io.github.miniwebvm.image;

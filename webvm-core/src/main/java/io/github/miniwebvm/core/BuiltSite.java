package io.github.miniwebvm.core;

import java.nio.file.Path;
import java.time.Duration;

/**
 * What {@link WebVm#buildSite} did.
 *
 * @param directory   the site folder, ready to deploy
 * @param rebuilt     false when the inputs had not changed and the site was left as it was
 * @param took        how long the call took
 * @param imageDigest what the disk was made from: the image's digest ({@code sha256:…}), or for an
 *                    ext2 input its size and modification time
 * @param diskSha256  sha256 (hex) of the ext2 disk image, which also names the browser's chunk cache
 * @param siteBytes   bytes of all the site's files: what a static host serves
 * @param siteFiles   number of the site's files
 */
public record BuiltSite(Path directory, boolean rebuilt, Duration took, String imageDigest, String diskSha256,
                        long siteBytes, long siteFiles) {
}

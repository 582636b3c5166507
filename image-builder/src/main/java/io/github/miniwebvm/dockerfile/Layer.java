package io.github.miniwebvm.dockerfile;

import java.nio.file.Path;

/**
 * One filesystem layer of an image being built natively.
 *
 * @param blob      the layer file (tar, possibly compressed as {@code mediaType} says)
 * @param digest    {@code sha256:} of the blob bytes
 * @param size      blob size in bytes
 * @param mediaType OCI/docker layer media type
 * @param diffId    {@code sha256:} of the uncompressed tar
 */
record Layer(Path blob, String digest, long size, String mediaType, String diffId) {
}

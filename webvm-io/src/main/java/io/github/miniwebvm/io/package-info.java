/**
 * File helpers every module shares: {@link io.github.miniwebvm.io.Sha256} (digests of bytes,
 * streams and files, as plain hex or as the OCI {@code sha256:<hex>} form),
 * {@link io.github.miniwebvm.io.Trees} (deleting a directory tree without following symbolic
 * links) and {@link io.github.miniwebvm.io.AtomicFiles} (a file is replaced whole or not at all).
 */
package io.github.miniwebvm.io;

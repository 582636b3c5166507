/**
 * Cuts an ext2 disk image into what a static web site serves to the in-browser emulator.
 *
 * <p>Public API: {@link io.github.miniwebvm.chunker.Chunker} (builder, {@code write}), {@link
 * io.github.miniwebvm.chunker.DiskLayout}, {@link io.github.miniwebvm.chunker.ChunkEncoding},
 * {@link io.github.miniwebvm.chunker.ChunkReport}, {@link io.github.miniwebvm.chunker.DiskManifest}
 * (reader, {@code reassemble}) and {@link io.github.miniwebvm.chunker.ChunkerException}. The
 * packed format is specified in {@code chunker/FORMAT.md}.
 */
package io.github.miniwebvm.chunker;

/**
 * An ext2 filesystem writer: {@link io.github.miniwebvm.ext2.Ext2Writer} turns a
 * {@link io.github.miniwebvm.fs.FileTree} into an image file, {@link io.github.miniwebvm.ext2.Ext2Result}
 * says what it wrote. Everything else is package-private and mirrors the disk layout:
 * {@code Layout} (block groups and where their metadata sits), {@code Allocator} (contiguous data
 * blocks), {@code Superblock}, {@code BlockGroupDescriptor}, {@code Bitmap}, {@code Inode},
 * {@code BlockMap} (direct, indirect, double and triple indirect pointers), {@code DirectoryBlock}
 * and {@code DirEntry}, {@code XattrBlock}; {@code ImageWriter} runs one write.
 *
 * <p>The write streams: the tree is scanned once for metadata (inode numbers in depth-first
 * order, link counts, directory sizes, attribute sets), the layout is fixed from an upper bound of
 * the data (every block of each content's data extents: all of it, except the holes a sparse host
 * file reports), then every inode's data extents are read once, all-zero blocks are left as holes
 * and the rest written through a {@code FileChannel}; bitmaps, group descriptors and superblocks
 * come last; the image is flushed to the disk while it is written ({@code ImageSync}) and takes
 * its name only when whole. Memory grows with the number of entries, not with their size.
 * Contents are read on threads of their own, one per core up to three ({@code FileDataReader}),
 * from the moment the scan meets the first file.
 *
 * <p>The writer also runs as a short-lived command-line JVM ({@code bench/ext2-bench.sh} measures
 * it against {@code mke2fs -d} with start-up included), so code on its path avoids what costs a
 * fresh JVM milliseconds: lambdas (each is a class spun at first use), invokedynamic string
 * concatenation (compiled inline, see the pom), {@code String.format}, {@code MessageDigest} and
 * {@code SecureRandom} (security provider start-up).
 */
package io.github.miniwebvm.ext2;

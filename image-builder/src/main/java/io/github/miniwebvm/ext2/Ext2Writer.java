package io.github.miniwebvm.ext2;

import io.github.miniwebvm.fs.FileTree;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * Writes a {@link FileTree} as an ext2 filesystem image, without mounting anything and without
 * holding the image in memory.
 *
 * <pre>{@code
 * Ext2Result r = Ext2Writer.builder().revision(1).blockSize(4096).build().write(tree, Path.of("disk.ext2"));
 * }</pre>
 *
 * The same tree and options give the same bytes. The image is written to a temporary file next
 * to the target and moved into place, so a failure never leaves a partial image.
 */
public final class Ext2Writer {
    static final long MIB = 1L << 20;
    static final long DEFAULT_MIN_HEADROOM = 256 * MIB;
    static final int DEFAULT_HEADROOM_PERCENT = 50;

    final int revision;
    final int blockSize;
    final long size;                // 0 = automatic
    final long headroomBytes;       // -1 = not set
    final int headroomPercent;      // -1 = not set
    final long inodeCount;          // 0 = automatic
    final UUID uuid;                // null = derived from the content
    final String volumeLabel;
    final Long sourceDateEpoch;     // null = no clamping
    final Consumer<String> progress;

    private Ext2Writer(Builder b) {
        this.revision = b.revision;
        this.blockSize = b.blockSize;
        this.size = b.size;
        this.headroomBytes = b.headroomBytes;
        this.headroomPercent = b.headroomPercent;
        this.inodeCount = b.inodeCount;
        this.uuid = b.uuid;
        this.volumeLabel = b.volumeLabel;
        this.sourceDateEpoch = b.sourceDateEpoch;
        this.progress = b.progress;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Writes {@code tree} to {@code out} (replacing it). The image is written beside {@code out}
     * under a temporary name, flushed to the disk (as {@code mke2fs} ends with an fsync) and then
     * renamed, so {@code out} is either the old file or the whole new image, even after a crash.
     *
     * @throws IllegalArgumentException when the tree cannot be stored (a name over 255 bytes, a
     *                                  symlink target over a block, the size too small, …); the
     *                                  message names the entry and the fix
     * @throws IOException              when content cannot be read (the message names the path)
     *                                  or the image cannot be written
     */
    public Ext2Result write(FileTree tree, Path out) throws IOException {
        return new ImageWriter(this, tree).write(out);
    }

    /** Options of {@link Ext2Writer}; every one has a default. */
    public static final class Builder {
        private int revision = 1;
        private int blockSize = 4096;
        private long size;
        private long headroomBytes = -1;
        private int headroomPercent = -1;
        private long inodeCount;
        private UUID uuid;
        private String volumeLabel = "";
        private Long sourceDateEpoch;
        private Consumer<String> progress = new Consumer<>() {     // not a lambda: see package-info.java
            @Override
            public void accept(String message) {
            }
        };

        private Builder() {
        }

        /**
         * 0: the original format, as {@code mkfs.ext2 -r 0} (what CheerpX reads): no extended
         * attributes, files below 2 GiB. 1 (default): filetype, sparse_super, large_file, ext_attr and
         * 256-byte inodes.
         */
        public Builder revision(int revision) {
            if (revision != 0 && revision != 1) {
                throw new IllegalArgumentException("ext2 revision must be 0 or 1, not " + revision);
            }
            this.revision = revision;
            return this;
        }

        /** 1024, 2048 or 4096 (default). */
        public Builder blockSize(int blockSize) {
            if (blockSize != 1024 && blockSize != 2048 && blockSize != 4096) {
                throw new IllegalArgumentException("ext2 block size must be 1024, 2048 or 4096, not " + blockSize);
            }
            this.blockSize = blockSize;
            return this;
        }

        /** An explicit image size in bytes; too small a size fails with the minimum in the message. */
        public Builder size(long bytes) {
            if (bytes <= 0) {
                throw new IllegalArgumentException("image size must be positive: " + bytes);
            }
            if (bytes > (1L << 44)) {
                throw new IllegalArgumentException("image size " + bytes + " bytes is more than this writer supports"
                        + " (16 TiB, 2^32 blocks of 4 KiB)");
            }
            this.size = bytes;
            return this;
        }

        /**
         * Automatic size: free space on top of the content, in bytes. Without this and
         * {@link #headroomPercent}, the headroom is 50% of the content or 256 MiB, whichever is larger.
         */
        public Builder headroomBytes(long bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("headroom must not be negative: " + bytes);
            }
            this.headroomBytes = bytes;
            return this;
        }

        /** Automatic size: free space as a percentage of the content (with headroomBytes too, the larger wins). */
        public Builder headroomPercent(int percent) {
            if (percent < 0) {
                throw new IllegalArgumentException("headroom percent must not be negative: " + percent);
            }
            this.headroomPercent = percent;
            return this;
        }

        /** Number of inodes; by default what the tree needs plus headroom, at least one per 16 KiB. */
        public Builder inodeCount(long inodes) {
            if (inodes <= 0 || inodes > 0xFFFF_FFFFL) {
                throw new IllegalArgumentException("inode count must be between 1 and 2^32 - 1 (the most ext2 allows): "
                        + inodes);
            }
            this.inodeCount = inodes;
            return this;
        }

        /** The filesystem UUID; by default derived from the tree and the options. */
        public Builder uuid(UUID uuid) {
            this.uuid = Objects.requireNonNull(uuid);
            return this;
        }

        /** Up to 16 bytes of UTF-8. */
        public Builder volumeLabel(String label) {
            if (label.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 16) {
                throw new IllegalArgumentException("volume label longer than 16 bytes: " + label);
            }
            this.volumeLabel = label;
            return this;
        }

        /**
         * Clamps every timestamp to at most this many seconds since the epoch (the
         * SOURCE_DATE_EPOCH convention; reading the environment variable is the caller's job).
         */
        public Builder sourceDateEpoch(long epochSeconds) {
            this.sourceDateEpoch = epochSeconds;
            return this;
        }

        /** Receives a progress line now and then (at most every few seconds). */
        public Builder progress(Consumer<String> progress) {
            this.progress = Objects.requireNonNull(progress);
            return this;
        }

        public Ext2Writer build() {
            return new Ext2Writer(this);
        }
    }
}

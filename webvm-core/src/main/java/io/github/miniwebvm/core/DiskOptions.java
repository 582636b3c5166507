package io.github.miniwebvm.core;

import java.util.Objects;

/**
 * The ext2 disk and how the site stores it. Immutable; made with {@link #builder()}, validated
 * when built.
 *
 * @param size         the disk's size, or {@code null} for the content plus {@code headroom}
 * @param headroom     free space for the visitor when the size is automatic, or {@code null} for the default
 * @param ext2Revision 0 (what CheerpX reads) or 1, or {@code null}: 1 for v86, 0 for CheerpX
 * @param blockSize    1024, 2048 or 4096
 * @param chunkSize    bytes per chunk, a power of two from 4 KiB to 4 MiB
 * @param layout       the disk layouts written
 */
public record DiskOptions(DataSize size, Headroom headroom, Integer ext2Revision, int blockSize, DataSize chunkSize,
                          DiskLayout layout) {
    public static final DataSize DEFAULT_CHUNK_SIZE = DataSize.ofBytes(128 << 10);

    public DiskOptions {
        if (ext2Revision != null && ext2Revision != 0 && ext2Revision != 1) {
            throw new IllegalArgumentException("ext2Revision must be 0 or 1, not " + ext2Revision);
        }
        if (blockSize != 1024 && blockSize != 2048 && blockSize != 4096) {
            throw new IllegalArgumentException("blockSize must be 1024, 2048 or 4096, not " + blockSize);
        }
        long chunk = chunkSize.bytes();
        if (Long.bitCount(chunk) != 1 || chunk < 4096 || chunk > 4 << 20) {
            throw new IllegalArgumentException("chunkSize must be a power of two from 4096 to 4194304, not " + chunk);
        }
        Objects.requireNonNull(layout, "layout");
    }

    public static DiskOptions defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder {
        private DataSize size;
        private Headroom headroom;
        private Integer ext2Revision;
        private int blockSize = 4096;
        private DataSize chunkSize = DEFAULT_CHUNK_SIZE;
        private DiskLayout layout = DiskLayout.PACKED;

        private Builder() {
        }

        public Builder size(DataSize size) {
            this.size = size;
            return this;
        }

        public Builder headroom(Headroom headroom) {
            this.headroom = headroom;
            return this;
        }

        public Builder ext2Revision(Integer revision) {
            this.ext2Revision = revision;
            return this;
        }

        public Builder blockSize(int bytes) {
            this.blockSize = bytes;
            return this;
        }

        public Builder chunkSize(DataSize size) {
            this.chunkSize = size;
            return this;
        }

        public Builder layout(DiskLayout layout) {
            this.layout = layout;
            return this;
        }

        public DiskOptions build() {
            return new DiskOptions(size, headroom, ext2Revision, blockSize, chunkSize, layout);
        }
    }
}

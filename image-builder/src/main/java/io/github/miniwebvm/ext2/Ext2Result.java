package io.github.miniwebvm.ext2;

import java.util.List;
import java.util.UUID;

/**
 * What {@link Ext2Writer#write} produced.
 *
 * @param imageSize   length of the image file in bytes
 * @param blockSize   filesystem block size in bytes
 * @param blocksCount blocks of the filesystem (may be a little less than imageSize / blockSize
 *                    when a last partial group was too small to keep, as mke2fs does)
 * @param blocksUsed  blocks in use (metadata and data)
 * @param inodeCount  inodes of the filesystem
 * @param inodesUsed  inodes in use, the 10 reserved ones included
 * @param uuid        the filesystem UUID
 * @param warnings    things that could not be represented (for example extended attributes in
 *                    revision 0), one message each
 */
public record Ext2Result(long imageSize, int blockSize, long blocksCount, long blocksUsed,
                         long inodeCount, long inodesUsed, UUID uuid, List<String> warnings) {
    public Ext2Result {
        warnings = List.copyOf(warnings);
    }
}

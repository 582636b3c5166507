package io.github.miniwebvm.ext2;

import io.github.miniwebvm.fs.FileTree;
import io.github.miniwebvm.fs.HostDirectoryReader;

import java.nio.file.Path;

/**
 * The writer's side of {@code bench/ext2-bench.sh}: reads a host directory and writes an image.
 * Usage: {@code Ext2Bench DIR IMAGE REVISION BLOCKSIZE}; prints the image size in blocks and the
 * inode count so the script can give mke2fs the same geometry.
 */
public final class Ext2Bench {
    private Ext2Bench() {
    }

    public static void main(String[] args) throws Exception {
        long t0 = System.nanoTime();
        FileTree tree = HostDirectoryReader.read(Path.of(args[0]));
        long t1 = System.nanoTime();
        Ext2Result r = Ext2Writer.builder().revision(Integer.parseInt(args[2])).blockSize(Integer.parseInt(args[3]))
                .build().write(tree, Path.of(args[1]));
        long t2 = System.nanoTime();
        System.err.printf("read directory %.2f s, write image %.2f s%n", (t1 - t0) / 1e9, (t2 - t1) / 1e9);
        System.out.println("blocks=" + r.imageSize() / r.blockSize() + " inodes=" + r.inodeCount()
                + " used_blocks=" + r.blocksUsed() + " used_inodes=" + r.inodesUsed());
    }
}

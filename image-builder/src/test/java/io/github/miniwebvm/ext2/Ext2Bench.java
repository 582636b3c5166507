package io.github.miniwebvm.ext2;

import io.github.miniwebvm.fs.FileTree;
import io.github.miniwebvm.fs.HostDirectoryReader;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The writer's side of {@code bench/ext2-bench.sh}: reads a host directory and writes an image.
 * Usage: {@code Ext2Bench DIR IMAGE REVISION BLOCKSIZE [WARM_RUNS]}; prints the image size in
 * blocks and the inode count so the script can give mke2fs the same geometry. With WARM_RUNS > 0
 * it then repeats read + write that many times in the same JVM and prints the median duration of
 * the runs after the first: the figure for a caller whose JVM is already running (the Maven plugin).
 */
public final class Ext2Bench {
    private Ext2Bench() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        Path image = Path.of(args[1]);
        Ext2Writer writer = Ext2Writer.builder().revision(Integer.parseInt(args[2]))
                .blockSize(Integer.parseInt(args[3])).build();
        Ext2Result r = writer.write(HostDirectoryReader.read(dir), image);
        System.out.println("blocks=" + r.imageSize() / r.blockSize() + " inodes=" + r.inodeCount()
                + " used_blocks=" + r.blocksUsed() + " used_inodes=" + r.inodesUsed());
        int warmRuns = args.length > 4 ? Integer.parseInt(args[4]) : 0;
        double[] seconds = new double[warmRuns];
        for (int i = 0; i < warmRuns; i++) {
            Path again = image.resolveSibling(image.getFileName() + ".warm");
            long t0 = System.nanoTime();
            FileTree tree = HostDirectoryReader.read(dir);
            writer.write(tree, again);
            seconds[i] = (System.nanoTime() - t0) / 1e9;
            Files.delete(again);
        }
        if (warmRuns > 0) {
            // the median of the runs after the first (which still compiles)
            double[] warm = Arrays.copyOfRange(seconds, warmRuns > 1 ? 1 : 0, warmRuns);
            Arrays.sort(warm);
            System.out.printf("warm_seconds=%.3f%n", warm[warm.length / 2]);
        }
    }
}

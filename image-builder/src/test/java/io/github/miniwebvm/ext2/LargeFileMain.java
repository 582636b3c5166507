package io.github.miniwebvm.ext2;

import io.github.miniwebvm.fs.FileTree;
import io.github.miniwebvm.fs.Node;

import java.nio.file.Path;

/**
 * Run in a JVM with a small heap by {@link LargeFileTest}: writes the large-file trees and prints
 * the results, so the test can show the writer's memory does not grow with file sizes.
 */
public final class LargeFileMain {
    static final long GIB = 1L << 30;
    static final long MIB = 1L << 20;

    private LargeFileMain() {
    }

    /** A 3 GiB file with 1 MiB of data every 64 MiB (48 MiB of data). */
    static PatternContent threeGib() {
        long[] offsets = new long[48];
        for (int i = 0; i < offsets.length; i++) {
            offsets[i] = i * 64 * MIB + i * 4099L;
        }
        return new PatternContent(3 * GIB, 3, (int) MIB, offsets);
    }

    /** A file past 4 GiB (into the triple indirect range of 4 KiB blocks), mostly holes. */
    static PatternContent pastFourGib() {
        long size = 4 * GIB + 400 * MIB + 123;
        return new PatternContent(size, 4, 100_000, 0, GIB - 1000, 2 * GIB, 3 * GIB + 5, 4 * GIB + 8 * MIB + 7,
                size - 1000);
    }

    static FileTree threeGibTree() {
        FileTree t = new FileTree();
        t.put("data", Node.directory(0755));
        t.put("data/three-gib", Node.file(0644, threeGib()).setTime(1_600_000_000L));
        return t;
    }

    static FileTree pastFourGibTree() {
        FileTree t = new FileTree();
        t.put("big", Node.file(0600, pastFourGib()).setOwner(1000, 1000).setTime(1_600_000_000L));
        return t;
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        Ext2Result a = Ext2Writer.builder().size(4 * GIB).progress(System.out::println).build()
                .write(threeGibTree(), dir.resolve("three.ext2"));
        System.out.println("three: " + a);
        Ext2Result b = Ext2Writer.builder().headroomBytes(64 * MIB).progress(System.out::println).build()
                .write(pastFourGibTree(), dir.resolve("four.ext2"));
        System.out.println("four: " + b);
        Runtime rt = Runtime.getRuntime();
        System.out.println("max heap " + rt.maxMemory() / MIB + " MiB");
    }
}

package io.github.miniwebvm.ext2;

/**
 * Hands out data blocks in ascending order, skipping each group's metadata, so everything is
 * allocated contiguously: the used blocks of the image are exactly the metadata plus every data
 * block below {@link #cursor()}.
 */
final class Allocator {
    private final Layout layout;
    private int group;
    private long next;
    private long allocated;

    Allocator(Layout layout) {
        this.layout = layout;
        this.group = 0;
        this.next = layout.dataStart(0);
    }

    long allocate() {
        while (next >= layout.groupEnd(group)) {
            if (group + 1 >= layout.groupCount) {
                throw new IllegalStateException("internal error: the layout has no free block left after "
                        + allocated + " data blocks");
            }
            group++;
            next = layout.dataStart(group);
        }
        allocated++;
        return next++;
    }

    /** The first block not yet handed out (within the current group). */
    long cursor() {
        return next;
    }

    int cursorGroup() {
        return group;
    }

    long allocated() {
        return allocated;
    }

    /** Data blocks used in {@code g}. */
    long usedDataBlocks(int g) {
        if (g < group) {
            return layout.groupEnd(g) - layout.dataStart(g);
        }
        if (g > group) {
            return 0;
        }
        return next - layout.dataStart(g);
    }
}

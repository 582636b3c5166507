package io.github.miniwebvm.dockerfile;

/** Byte counts for messages. */
final class Sizes {
    private Sizes() {
    }

    /** {@code 4 GiB}, {@code 512 MiB}, {@code 1 KiB} when exact, else {@code 1234 bytes}. */
    static String describe(long bytes) {
        String[] units = {"GiB", "MiB", "KiB"};
        for (int i = 0; i < units.length; i++) {
            int shift = 30 - 10 * i;
            if (bytes > 0 && bytes % (1L << shift) == 0) {
                return (bytes >> shift) + " " + units[i];
            }
        }
        return bytes + " bytes";
    }
}

package io.github.miniwebvm.core;

/** How the disk is laid out in the site. The page always reads {@link #PACKED}; the others are written beside it. */
public enum DiskLayout {
    /** Compressed, deduplicated chunks with a manifest ({@code disk/}). */
    PACKED,
    /** WebVM's own split of the image as well ({@code webvm-disk/}), for WebVM's page. */
    WEBVM,
    /** v86's {@code use_parts} layout as well ({@code v86-disk/}). */
    V86;

    /** {@code packed}, {@code webvm} or {@code v86}, any case; blank gives {@link #PACKED}. */
    public static DiskLayout parse(String text) {
        return Names.parse(DiskLayout.class, text, "diskLayout", PACKED);
    }
}

package io.github.miniwebvm.image;

/**
 * The names by which a layer deletes what lower layers made (OCI image spec, from AUFS):
 * {@code .wh.<name>} deletes {@code <name>}, {@code .wh..wh..opq} hides everything lower layers
 * put in its directory, and other {@code .wh..wh.*} names are AUFS bookkeeping, not files.
 * The one rule set of the layer flattener ({@link LayerApplier}) and of the native builder's
 * layer unpacking and layer writing.
 */
public final class Whiteouts {
    /** What starts every whiteout name. */
    public static final String PREFIX = ".wh.";
    private static final String OPAQUE = PREFIX + PREFIX + ".opq";

    /** What an entry's last name component means. */
    public enum Kind {
        /** Not a whiteout: an ordinary entry. */
        ENTRY,
        /** {@code .wh..wh..opq}: what lower layers put in the directory is hidden. */
        OPAQUE,
        /** Other {@code .wh..wh.*}: AUFS bookkeeping, not part of the filesystem. */
        AUFS_METADATA,
        /** {@code .wh.<name>}: {@code <name>} ({@link Whiteouts#deletedName}) is deleted. */
        DELETES,
        /** {@code .wh.}, {@code .wh..} or {@code .wh...}: names no file; refused. */
        INVALID
    }

    private Whiteouts() {
    }

    public static Kind kindOf(String base) {
        if (!base.startsWith(PREFIX)) {
            return Kind.ENTRY;
        }
        if (base.equals(OPAQUE)) {
            return Kind.OPAQUE;
        }
        if (base.startsWith(PREFIX + PREFIX)) {
            return Kind.AUFS_METADATA;
        }
        String name = deletedName(base);
        return name.isEmpty() || name.equals(".") || name.equals("..") ? Kind.INVALID : Kind.DELETES;
    }

    /** The name a {@code .wh.<name>} entry deletes. */
    public static String deletedName(String base) {
        return base.substring(PREFIX.length());
    }

    /** The whiteout entry name that deletes {@code name}. */
    public static String deleting(String name) {
        return PREFIX + name;
    }
}

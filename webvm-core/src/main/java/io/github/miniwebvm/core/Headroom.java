package io.github.miniwebvm.core;

/**
 * Free space on the disk for the visitor's work when the image size is automatic: a size, or a
 * percentage of the content. Exactly one of the two is set.
 */
public record Headroom(DataSize size, Integer percent) {
    public Headroom {
        if ((size == null) == (percent == null)) {
            throw new IllegalArgumentException("headroom is a size or a percentage, exactly one of them");
        }
        if (percent != null && (percent < 0 || percent > 1000)) {
            throw new IllegalArgumentException("headroom must be from 0% to 1000%, not " + percent + "%");
        }
    }

    public static Headroom of(DataSize size) {
        return new Headroom(size, null);
    }

    public static Headroom percent(int percent) {
        return new Headroom(null, percent);
    }

    /** {@code 256M} or {@code 50%}; blank gives {@code null} (the writer's default). */
    public static Headroom parse(String text) {
        String t = Names.blankToNull(text);
        if (t == null) {
            return null;
        }
        if (t.endsWith("%")) {
            String n = t.substring(0, t.length() - 1).trim();
            if (!n.matches("\\d{1,4}")) {
                throw new IllegalArgumentException("headroom '" + text + "' is not a percentage; use e.g. 50%");
            }
            return percent(Integer.parseInt(n));
        }
        return of(DataSize.parse(t, "headroom"));
    }

    @Override
    public String toString() {
        return size != null ? size.toString() : percent + "%";
    }
}

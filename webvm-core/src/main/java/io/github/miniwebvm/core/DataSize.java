package io.github.miniwebvm.core;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A number of bytes, as sizes are given to the pipeline: {@code 750M}, {@code 2G}, {@code 1GiB}. */
public record DataSize(long bytes) {
    private static final Pattern TEXT = Pattern.compile("(\\d+)\\s*([KMGT]?)(?:i?B)?", Pattern.CASE_INSENSITIVE);

    public DataSize {
        if (bytes < 0) {
            throw new IllegalArgumentException("a size cannot be negative: " + bytes);
        }
    }

    public static DataSize ofBytes(long bytes) {
        return new DataSize(bytes);
    }

    public static DataSize ofMebibytes(long mebibytes) {
        return new DataSize(Math.multiplyExact(mebibytes, 1L << 20));
    }

    public static DataSize ofGibibytes(long gibibytes) {
        return new DataSize(Math.multiplyExact(gibibytes, 1L << 30));
    }

    /** Parses bytes with an optional binary suffix K, M, G or T ({@code 750M}, {@code 1GiB}, {@code 4096}). */
    public static DataSize parse(String text) {
        return parse(text, null);
    }

    /** As {@link #parse(String, String)}, and {@code null} for a null or blank text (the setting is not given). */
    public static DataSize parseOptional(String text, String setting) {
        return text == null || text.isBlank() ? null : parse(text, setting);
    }

    /** As {@link #parse(String)}; a message about a bad text names {@code setting}. */
    public static DataSize parse(String text, String setting) {
        String name = setting == null ? "" : setting + " ";
        Matcher m = TEXT.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException(name + "'" + text + "' is not a size; use bytes or a suffix K, M, G, T (e.g. 750M)");
        }
        int shift = switch (m.group(2).toUpperCase(Locale.ROOT)) {
            case "K" -> 10;
            case "M" -> 20;
            case "G" -> 30;
            case "T" -> 40;
            default -> 0;
        };
        long n = Long.parseLong(m.group(1));
        if (n > Long.MAX_VALUE >> shift) {
            throw new IllegalArgumentException(name + "'" + text + "' is too large a size");
        }
        return new DataSize(n << shift);
    }

    public long mebibytes() {
        return bytes >> 20;
    }

    /** The size as {@link #parse} reads it back: the largest exact unit. */
    @Override
    public String toString() {
        String[] units = {"T", "G", "M", "K"};
        for (int i = 0; i < units.length; i++) {
            int shift = 40 - 10 * i;
            if (bytes != 0 && bytes % (1L << shift) == 0) {
                return (bytes >> shift) + units[i];
            }
        }
        return Long.toString(bytes);
    }
}

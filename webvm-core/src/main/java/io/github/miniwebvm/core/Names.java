package io.github.miniwebvm.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** How settings given as text (a build tool's parameters, a command line) become enum values. */
final class Names {
    private Names() {
    }

    /** The constant named {@code text} in any case; {@code null} or blank gives {@code whenBlank}. */
    static <E extends Enum<E>> E parse(Class<E> type, String text, String setting, E whenBlank) {
        if (text == null || text.isBlank()) {
            return whenBlank;
        }
        try {
            return Enum.valueOf(type, text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            List<String> names = new ArrayList<>();
            for (E c : type.getEnumConstants()) {
                names.add(c.name().toLowerCase(Locale.ROOT));
            }
            throw new IllegalArgumentException("unknown " + setting + " '" + text.trim() + "'; use one of "
                    + String.join(", ", names));
        }
    }

    static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }
}

package io.github.miniwebvm.fs;

import java.util.ArrayList;
import java.util.List;

/**
 * Lexical handling of '/'-separated names as archives and Dockerfiles spell them: empty and
 * {@code .} components dropped, {@code ..} applied. Nothing here looks at a file system.
 */
public final class PathNames {
    private PathNames() {
    }

    /** The components of {@code name}; {@code ..} at the top stays at the top, as Go's {@code path.Clean} does. */
    public static List<String> clean(String name) {
        List<String> out = new ArrayList<>();
        for (String s : name.split("/")) {
            if (s.equals("..")) {
                if (!out.isEmpty()) {
                    out.remove(out.size() - 1);
                }
            } else if (!s.isEmpty() && !s.equals(".")) {
                out.add(s);
            }
        }
        return out;
    }

    /** The components of {@code name}, or null when a {@code ..} climbs above where the name starts. */
    public static List<String> inside(String name) {
        List<String> out = new ArrayList<>();
        for (String s : name.split("/")) {
            if (s.equals("..")) {
                if (out.isEmpty()) {
                    return null;
                }
                out.remove(out.size() - 1);
            } else if (!s.isEmpty() && !s.equals(".")) {
                out.add(s);
            }
        }
        return out;
    }

    /**
     * {@code name} as a relative name with {@code .} and {@code ..} applied; each {@code ..} that
     * climbs above where the name starts stays as a leading {@code ../}.
     */
    public static String normalise(String name) {
        List<String> out = new ArrayList<>();
        int up = 0;
        for (String s : name.split("/")) {
            if (s.isEmpty() || s.equals(".")) {
                continue;
            }
            if (s.equals("..")) {
                if (out.isEmpty()) {
                    up++;
                } else {
                    out.remove(out.size() - 1);
                }
                continue;
            }
            out.add(s);
        }
        return "../".repeat(up) + String.join("/", out);
    }
}

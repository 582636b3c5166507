package io.github.miniwebvm.dockerfile.syntax;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code .dockerignore} rules of a build context: Go {@code filepath.Match} patterns
 * ({@code *}, {@code ?}, {@code [...]}, {@code \} escapes) plus {@code **} for any number of
 * directories, {@code !} exceptions; the last matching rule wins, and a rule that matches a
 * directory applies to everything below it.
 */
public final class DockerIgnore {
    private record Rule(String pattern, Glob glob, boolean exception) {
    }

    private final List<Rule> rules;

    private DockerIgnore(List<Rule> rules) {
        this.rules = rules;
    }

    public static DockerIgnore none() {
        return new DockerIgnore(List.of());
    }

    /**
     * The rules for a build: {@code <dockerfile name>.dockerignore} next to the Dockerfile when it
     * exists (BuildKit's per-Dockerfile ignore file), else {@code context/.dockerignore}, else none.
     */
    public static DockerIgnore forBuild(Path context, Path dockerfile) throws IOException {
        Path specific = dockerfile.resolveSibling(dockerfile.getFileName() + ".dockerignore");
        Path file = Files.isRegularFile(specific) ? specific : context.resolve(".dockerignore");
        if (!Files.isRegularFile(file)) {
            return none();
        }
        return parse(Files.readString(file, StandardCharsets.UTF_8), file.getFileName().toString());
    }

    public static DockerIgnore parse(String text, String source) throws DockerfileException {
        List<Rule> rules = new ArrayList<>();
        String[] lines = text.replace("\r\n", "\n").split("\n");
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (line.startsWith("#")) {
                continue;
            }
            String p = line.strip();
            if (p.isEmpty()) {
                continue;
            }
            boolean exception = p.startsWith("!");
            if (exception) {
                p = p.substring(1).strip();
                if (p.isEmpty()) {
                    throw new DockerfileException(source, i + 1, "illegal exclusion pattern: \"!\"");
                }
            }
            p = clean(p);
            if (p.isEmpty()) {
                continue;
            }
            try {
                rules.add(new Rule(p, Glob.compile(p, Glob.Syntax.DOCKERIGNORE), exception));
            } catch (IllegalArgumentException e) {
                throw new DockerfileException(source, i + 1, "bad pattern '" + p + "': " + e.getMessage());
            }
        }
        return new DockerIgnore(List.copyOf(rules));
    }

    /** True when {@code path} (relative to the context, {@code /}-separated) is excluded from the context. */
    public boolean excludes(String path) {
        String p = clean(path);
        if (p.isEmpty()) {
            return false;
        }
        boolean excluded = false;
        for (Rule r : rules) {
            if (excluded == !r.exception) {
                continue;   // this rule cannot change the outcome
            }
            if (matchesOrParentMatches(r.glob, p)) {
                excluded = !r.exception;
            }
        }
        return excluded;
    }

    /**
     * True when some exception rule could re-include something below {@code dir}: then the walk
     * must descend into an excluded directory.
     */
    public boolean hasExceptionsUnder(String dir) {
        String d = clean(dir) + "/";
        for (Rule r : rules) {
            if (r.exception && (r.pattern.startsWith(d) || r.pattern.contains("*") || r.pattern.contains("?")
                    || r.pattern.contains("["))) {
                return true;
            }
        }
        return false;
    }

    public boolean isEmpty() {
        return rules.isEmpty();
    }

    private static boolean matchesOrParentMatches(Glob glob, String path) {
        if (glob.matches(path)) {
            return true;
        }
        int slash = path.indexOf('/');
        while (slash >= 0) {
            if (glob.matches(path.substring(0, slash))) {
                return true;
            }
            slash = path.indexOf('/', slash + 1);
        }
        return false;
    }

    /** Lexical cleanup as Go's filepath.Clean, and no leading '/' (patterns are context-relative). */
    static String clean(String p) {
        return String.join("/", io.github.miniwebvm.fs.PathNames.clean(p));
    }
}

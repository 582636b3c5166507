package io.github.miniwebvm.dockerfile.syntax;

import java.util.ArrayList;
import java.util.List;

/**
 * A compiled path pattern in Go {@code filepath.Match} syntax ({@code *}, {@code ?}, {@code [...]}
 * with ranges and {@code ^}, {@code \} escapes), and for {@code .dockerignore} also {@code **}.
 *
 * <p>Matching simulates the pattern as a small automaton, one step per character of the path, so
 * it takes time proportional to (path length × pattern length) whatever the pattern: a regular
 * expression built from many {@code *} and {@code **} can backtrack exponentially.
 */
public final class Glob {
    /** How {@code **} is read; everything else is the same. */
    public enum Syntax {
        /** Go {@code filepath.Match}, as COPY and ADD sources: {@code **} is two {@code *}, within one segment. */
        FILEPATH_MATCH,
        /** {@code .dockerignore}: {@code **} matches any number of directories. */
        DOCKERIGNORE
    }

    private enum Kind { LITERAL, ONE, CLASS, STAR, ANY_RUN, OPTIONAL_DIRS, DIRS_LOOP }

    /** One step of the pattern. */
    private record Token(Kind kind, char literal, boolean negated, char[] ranges) {
        boolean classMatches(char c) {
            boolean in = false;
            for (int r = 0; r < ranges.length; r += 2) {
                if (c >= ranges[r] && c <= ranges[r + 1]) {
                    in = true;
                    break;
                }
            }
            return in != negated;
        }
    }

    private final Token[] tokens;

    private Glob(List<Token> tokens) {
        this.tokens = tokens.toArray(new Token[0]);
    }

    /** Compiles {@code pattern}; throws {@link IllegalArgumentException} naming what is wrong. */
    public static Glob compile(String pattern, Syntax syntax) {
        List<Token> out = new ArrayList<>();
        int n = pattern.length();
        for (int i = 0; i < n; i++) {
            char c = pattern.charAt(i);
            switch (c) {
                case '*' -> {
                    if (syntax == Syntax.DOCKERIGNORE && i + 1 < n && pattern.charAt(i + 1) == '*') {
                        i++;
                        if (i + 1 < n && pattern.charAt(i + 1) == '/') {
                            i++;
                            // "**/": nothing, or anything that ends with '/'
                            out.add(new Token(Kind.OPTIONAL_DIRS, '\0', false, null));
                            out.add(new Token(Kind.DIRS_LOOP, '\0', false, null));
                        } else {
                            out.add(new Token(Kind.ANY_RUN, '\0', false, null));
                        }
                    } else {
                        out.add(new Token(Kind.STAR, '\0', false, null));
                    }
                }
                case '?' -> out.add(new Token(Kind.ONE, '\0', false, null));
                case '[' -> i = compileClass(pattern, i, out);
                case '\\' -> {
                    if (i + 1 >= n) {
                        throw new IllegalArgumentException("trailing '\\'");
                    }
                    out.add(new Token(Kind.LITERAL, pattern.charAt(++i), false, null));
                }
                default -> out.add(new Token(Kind.LITERAL, c, false, null));
            }
        }
        return new Glob(out);
    }

    /** Reads a class starting at {@code start} ('['); returns the index of its ']'. */
    private static int compileClass(String pattern, int start, List<Token> out) {
        int n = pattern.length();
        int j = start + 1;
        boolean negated = false;
        if (j < n && pattern.charAt(j) == '^') {
            negated = true;
            j++;
        }
        StringBuilder ranges = new StringBuilder();
        boolean first = true;
        for (; j < n; j++) {
            char k = pattern.charAt(j);
            if (k == ']' && !first) {
                out.add(new Token(Kind.CLASS, '\0', negated, ranges.toString().toCharArray()));
                return j;
            }
            first = false;
            char lo = k;
            if (k == '\\' && j + 1 < n) {
                lo = pattern.charAt(++j);
            }
            char hi = lo;
            if (j + 2 < n && pattern.charAt(j + 1) == '-' && pattern.charAt(j + 2) != ']') {
                j += 2;
                hi = pattern.charAt(j);
                if (hi == '\\' && j + 1 < n) {
                    hi = pattern.charAt(++j);
                }
                if (hi < lo) {
                    throw new IllegalArgumentException("character range '" + lo + "-" + hi + "' is out of order");
                }
            }
            ranges.append(lo).append(hi);
        }
        throw new IllegalArgumentException("unterminated character class '['");
    }

    /** True when {@code pattern} has a {@code *}, {@code ?} or {@code [} that is not escaped. */
    public static boolean hasWildcards(String pattern) {
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '*' || c == '?' || c == '[') {
                return true;
            }
        }
        return false;
    }

    /** True when the whole of {@code path} matches. */
    public boolean matches(String path) {
        int t = tokens.length;
        boolean[] current = new boolean[t + 1];
        boolean[] next = new boolean[t + 1];
        current[0] = true;
        close(current);
        for (int p = 0; p < path.length(); p++) {
            char c = path.charAt(p);
            java.util.Arrays.fill(next, false);
            boolean any = false;
            for (int i = 0; i < t; i++) {
                if (!current[i]) {
                    continue;
                }
                Token k = tokens[i];
                switch (k.kind) {
                    case LITERAL -> next[i + 1] |= c == k.literal;
                    case ONE -> next[i + 1] |= c != '/';
                    case CLASS -> next[i + 1] |= c != '/' && k.classMatches(c);
                    case STAR -> next[i] |= c != '/';
                    case ANY_RUN -> next[i] = true;
                    case DIRS_LOOP -> {
                        next[i] = true;
                        next[i + 1] |= c == '/';
                    }
                    case OPTIONAL_DIRS -> { }   // consumes nothing: its successors were added by close()
                }
            }
            close(next);
            for (boolean b : next) {
                any |= b;
            }
            if (!any) {
                return false;
            }
            boolean[] swap = current;
            current = next;
            next = swap;
        }
        return current[t];
    }

    /** Adds the states reachable without consuming a character (they only ever lead forward). */
    private void close(boolean[] states) {
        for (int i = 0; i < tokens.length; i++) {
            if (!states[i]) {
                continue;
            }
            switch (tokens[i].kind) {
                case STAR, ANY_RUN -> states[i + 1] = true;
                case OPTIONAL_DIRS -> {
                    states[i + 1] = true;       // into the loop
                    states[i + 2] = true;       // or skip "**/" entirely
                }
                default -> { }
            }
        }
    }
}

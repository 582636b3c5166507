package io.github.miniwebvm.dockerfile.syntax;

import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Variable expansion and word splitting as Docker applies them to instruction arguments: quotes
 * ({@code '...'} literal, {@code "..."} with expansion), the escape character, {@code $VAR},
 * {@code ${VAR}}, {@code ${VAR:-default}}, {@code ${VAR-default}}, {@code ${VAR:+alt}},
 * {@code ${VAR+alt}}, {@code ${VAR:?message}}, {@code ${VAR?message}}.
 *
 * <p>The lookup returns null for an unset variable (an empty string is set-but-empty).
 */
public final class Words {
    /** Deepest {@code ${...${...}}} nesting expanded; deeper is refused rather than overflowing the stack. */
    static final int MAX_NESTING = 100;
    /**
     * The most characters of variable values one instruction may expand to (1 Mi). No real value
     * comes near it; {@code ENV A=$A$A} repeated would double until memory runs out.
     */
    public static final int MAX_EXPANDED_CHARS = 1 << 20;

    /** What is left of {@link #MAX_EXPANDED_CHARS} for the expansions of one instruction. */
    static final class Budget {
        private long left = MAX_EXPANDED_CHARS;

        private void spend(int chars) {
            left -= chars;
            if (left < 0) {
                throw new IllegalArgumentException("variables expand to more than " + MAX_EXPANDED_CHARS
                        + " characters (1 MiB) in this instruction; does a variable double itself, as in"
                        + " ENV A=$A$A repeated?");
            }
        }
    }

    private final String text;
    private final char escape;
    private final Function<String, String> env;
    private final Budget budget;
    private int pos;
    private int nesting;

    private Words(String text, char escape, Function<String, String> env, Budget budget) {
        this.text = text;
        this.escape = escape;
        this.env = env;
        this.budget = budget;
    }

    /** One word: quotes removed, variables expanded, whitespace kept (WORKDIR, USER, ENV values...). */
    public static String expand(String text, char escape, Function<String, String> env) {
        return expand(text, escape, env, new Budget());
    }

    static String expand(String text, char escape, Function<String, String> env, Budget budget) {
        List<String> words = new Words(text, escape, env, budget).split(false);
        return words.isEmpty() ? "" : words.get(0);
    }

    /** Whitespace-separated words, quotes removed, variables expanded (unquoted values split too). */
    public static List<String> expandWords(String text, char escape, Function<String, String> env) {
        return expandWords(text, escape, env, new Budget());
    }

    static List<String> expandWords(String text, char escape, Function<String, String> env, Budget budget) {
        return new Words(text, escape, env, budget).split(true);
    }

    /**
     * {@code ENV}/{@code LABEL}/{@code ARG}-style {@code key=value} pairs. The legacy form
     * {@code ENV key value with spaces} gives one pair when {@code allowLegacy}. Values are expanded;
     * an {@code ARG name} without {@code =} has a null value.
     */
    public static List<Map.Entry<String, String>> keyValues(String text, char escape, Function<String, String> env,
                                                            boolean allowLegacy, boolean valueOptional) {
        return keyValues(text, escape, env, allowLegacy, valueOptional, new Budget());
    }

    static List<Map.Entry<String, String>> keyValues(String text, char escape, Function<String, String> env,
                                                     boolean allowLegacy, boolean valueOptional, Budget budget) {
        List<String> raw = rawWords(text, escape);
        List<Map.Entry<String, String>> out = new ArrayList<>();
        if (raw.isEmpty()) {
            throw new IllegalArgumentException("requires at least one argument");
        }
        if (allowLegacy && !raw.get(0).contains("=")) {
            String key = raw.get(0);
            String rest = text.strip().substring(key.length()).strip();
            if (rest.isEmpty()) {
                throw new IllegalArgumentException("'" + key + "' has no value (use " + key + "=value)");
            }
            out.add(new AbstractMap.SimpleImmutableEntry<>(key, expand(rest, escape, env, budget)));
            return out;
        }
        for (String w : raw) {
            int eq = w.indexOf('=');
            if (eq < 0) {
                if (!valueOptional) {
                    throw new IllegalArgumentException("'" + w + "' is not of the form key=value");
                }
                out.add(new AbstractMap.SimpleImmutableEntry<>(expand(w, escape, env, budget), null));
            } else if (eq == 0) {
                throw new IllegalArgumentException("'" + w + "' has an empty key");
            } else {
                out.add(new AbstractMap.SimpleImmutableEntry<>(expand(w.substring(0, eq), escape, env, budget),
                        expand(w.substring(eq + 1), escape, env, budget)));
            }
        }
        return out;
    }

    /** Splits on unquoted whitespace keeping quotes and escapes in the words (for a later {@link #expand}). */
    static List<String> rawWords(String text, char escape) {
        List<String> out = new ArrayList<>();
        StringBuilder w = new StringBuilder();
        boolean inWord = false;
        char quote = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quote == 0 && Character.isWhitespace(c)) {
                if (inWord) {
                    out.add(w.toString());
                    w.setLength(0);
                    inWord = false;
                }
                continue;
            }
            inWord = true;
            w.append(c);
            if (c == escape && quote != '\'' && i + 1 < text.length()) {
                w.append(text.charAt(++i));
            } else if (quote == 0 && (c == '\'' || c == '"')) {
                quote = c;
            } else if (c == quote) {
                quote = 0;
            }
        }
        if (inWord) {
            out.add(w.toString());
        }
        return out;
    }

    private List<String> split(boolean splitWords) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (splitWords && Character.isWhitespace(c)) {
                pos++;
                if (inWord) {
                    words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
                continue;
            }
            if (c == '\'') {
                pos++;
                int end = text.indexOf('\'', pos);
                if (end < 0) {
                    throw new IllegalArgumentException("unmatched ' in: " + text);
                }
                word.append(text, pos, end);
                pos = end + 1;
                inWord = true;
            } else if (c == '"') {
                pos++;
                word.append(doubleQuoted());
                inWord = true;
            } else if (c == escape) {
                pos++;
                if (pos < text.length()) {
                    word.append(text.charAt(pos++));
                }
                inWord = true;
            } else if (c == '$') {
                String value = dollar();
                if (splitWords) {
                    for (int i = 0; i < value.length(); i++) {
                        char v = value.charAt(i);
                        if (Character.isWhitespace(v)) {
                            if (inWord) {
                                words.add(word.toString());
                                word.setLength(0);
                                inWord = false;
                            }
                        } else {
                            word.append(v);
                            inWord = true;
                        }
                    }
                } else {
                    word.append(value);
                    inWord = true;
                }
            } else {
                word.append(c);
                pos++;
                inWord = true;
            }
        }
        if (inWord || !splitWords) {
            words.add(word.toString());
        }
        return words;
    }

    private String doubleQuoted() {
        StringBuilder sb = new StringBuilder();
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c == '"') {
                pos++;
                return sb.toString();
            }
            if (c == escape && pos + 1 < text.length()) {
                char next = text.charAt(pos + 1);
                if (next == '"' || next == '$' || next == escape) {
                    sb.append(next);
                    pos += 2;
                    continue;
                }
                sb.append(c);
                pos++;
            } else if (c == '$') {
                sb.append(dollar());
            } else {
                sb.append(c);
                pos++;
            }
        }
        throw new IllegalArgumentException("unmatched \" in: " + text);
    }

    /** At a '$': the expansion, or a literal '$' when no name follows. */
    private String dollar() {
        pos++;
        if (pos >= text.length()) {
            return "$";
        }
        char c = text.charAt(pos);
        if (c == '{') {
            if (nesting >= MAX_NESTING) {
                throw new IllegalArgumentException("variable substitutions nested more than " + MAX_NESTING
                        + " deep at character " + pos);
            }
            nesting++;
            try {
                return braced();
            } finally {
                nesting--;
            }
        }
        if (Character.isLetter(c) || c == '_') {
            return valueOrEmpty(name());
        }
        if (Character.isDigit(c)) {
            pos++;
            return "";
        }
        return "$";
    }

    /** At the '{' of a ${...}: its expansion. */
    private String braced() {
        pos++;
        String name = name();
        if (name.isEmpty()) {
            throw new IllegalArgumentException("bad substitution: missing variable name in ${...} in: " + text);
        }
        if (pos >= text.length()) {
            throw new IllegalArgumentException("missing '}' in: " + text);
        }
        char op = text.charAt(pos);
        if (op == '}') {
            pos++;
            return valueOrEmpty(name);
        }
        boolean colon = false;
        if (op == ':') {
            colon = true;
            pos++;
            op = pos < text.length() ? text.charAt(pos) : 0;
        }
        if (op != '-' && op != '+' && op != '?') {
            throw new IllegalArgumentException("unsupported substitution '${" + name + (colon ? ":" : "") + op
                    + "...}' in: " + text + " (supported: ${VAR}, ${VAR:-default}, ${VAR:+alternative},"
                    + " ${VAR:?message}, with or without ':')");
        }
        pos++;
        String word = braceWord();
        String value = env.apply(name);
        boolean set = colon ? value != null && !value.isEmpty() : value != null;
        switch (op) {
            case '-':
                return set ? spent(value) : word;
            case '+':
                return set ? word : "";
            default:
                if (!set) {
                    throw new IllegalArgumentException(name + ": " + (word.isEmpty() ? "is not set" : word));
                }
                return spent(value);
        }
    }

    /** The word inside ${NAME:-word}: expanded, up to the matching '}'. */
    private String braceWord() {
        StringBuilder sb = new StringBuilder();
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c == '}') {
                pos++;
                return sb.toString();
            }
            if (c == escape && pos + 1 < text.length()) {
                sb.append(text.charAt(pos + 1));
                pos += 2;
            } else if (c == '$') {
                sb.append(dollar());
            } else if (c == '\'') {
                pos++;
                int end = text.indexOf('\'', pos);
                if (end < 0) {
                    throw new IllegalArgumentException("unmatched ' in: " + text);
                }
                sb.append(text, pos, end);
                pos = end + 1;
            } else if (c == '"') {
                pos++;
                sb.append(doubleQuoted());
            } else {
                sb.append(c);
                pos++;
            }
        }
        throw new IllegalArgumentException("missing '}' in: " + text);
    }

    private String name() {
        int start = pos;
        while (pos < text.length() && (Character.isLetterOrDigit(text.charAt(pos)) || text.charAt(pos) == '_')) {
            pos++;
        }
        return text.substring(start, pos);
    }

    private String valueOrEmpty(String name) {
        String v = env.apply(name);
        return v == null ? "" : spent(v);
    }

    /**
     * A variable's value on its way into the result, charged to the budget. Everything else in a
     * result is the instruction's own text, which is at most as long as the Dockerfile.
     */
    private String spent(String value) {
        budget.spend(value.length());
        return value;
    }
}

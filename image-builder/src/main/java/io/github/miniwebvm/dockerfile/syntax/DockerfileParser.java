package io.github.miniwebvm.dockerfile.syntax;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Splits Dockerfile text into instructions: directives, comments, continuations, heredocs, flags, JSON form. */
final class DockerfileParser {
    static final Set<String> KEYWORDS = Set.of("ADD", "ARG", "CMD", "COPY", "ENTRYPOINT", "ENV", "EXPOSE", "FROM",
            "HEALTHCHECK", "LABEL", "MAINTAINER", "ONBUILD", "RUN", "SHELL", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR");
    private static final Set<String> HEREDOC_KEYWORDS = Set.of("RUN", "COPY", "ADD");
    private static final Set<String> JSON_KEYWORDS = Set.of("RUN", "CMD", "ENTRYPOINT", "SHELL", "VOLUME", "COPY",
            "ADD", "HEALTHCHECK");
    private static final Pattern DIRECTIVE = Pattern.compile("^#\\s*([a-zA-Z][a-zA-Z0-9_-]*)\\s*=\\s*(.*?)\\s*$");
    private static final Pattern HEREDOC = Pattern.compile("<<(-?)(\"|')?([A-Za-z_][A-Za-z0-9_]*)(\"|')?");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String source;
    private final String[] lines;
    private int pos;
    private char escape = '\\';

    private DockerfileParser(String source, String text) {
        this.source = source;
        this.lines = text.replace("\r\n", "\n").split("\n", -1);
    }

    static Dockerfile parse(String source, String text) throws DockerfileException {
        return new DockerfileParser(source, text).parse();
    }

    private Dockerfile parse() throws DockerfileException {
        Map<String, String> directives = readDirectives();
        List<Instruction> instructions = new ArrayList<>();
        while (pos < lines.length) {
            String line = lines[pos];
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                pos++;
                continue;
            }
            int start = pos + 1;
            StringBuilder logical = new StringBuilder();
            while (true) {
                String cur = lines[pos++];
                int cont = continuationIndex(cur);
                if (cont < 0) {
                    logical.append(cur);
                    break;
                }
                logical.append(cur, 0, cont);
                // comment and empty lines inside a continued instruction are skipped
                while (pos < lines.length && (lines[pos].strip().isEmpty() || lines[pos].strip().startsWith("#"))) {
                    pos++;
                }
                if (pos >= lines.length) {
                    break;
                }
            }
            instructions.add(instruction(start, logical.toString().strip()));
        }
        return new Dockerfile(source, escape, directives, Collections.unmodifiableList(instructions));
    }

    private Map<String, String> readDirectives() throws DockerfileException {
        Map<String, String> directives = new LinkedHashMap<>();
        while (pos < lines.length) {
            Matcher m = DIRECTIVE.matcher(lines[pos].strip());
            if (!m.matches()) {
                break;
            }
            String name = m.group(1).toLowerCase(Locale.ROOT);
            if (directives.containsKey(name)) {
                throw error(pos + 1, "the parser directive '" + name + "' is given twice");
            }
            directives.put(name, m.group(2));
            if (name.equals("escape")) {
                if (!m.group(2).equals("\\") && !m.group(2).equals("`")) {
                    throw error(pos + 1, "invalid escape directive '" + m.group(2) + "': must be \\ or `");
                }
                escape = m.group(2).charAt(0);
            }
            pos++;
        }
        return directives;
    }

    /** Index of the escape character that continues this line, or -1. */
    private int continuationIndex(String line) {
        int end = line.length();
        while (end > 0 && (line.charAt(end - 1) == ' ' || line.charAt(end - 1) == '\t')) {
            end--;
        }
        if (end > 0 && line.charAt(end - 1) == escape) {
            return end - 1;
        }
        return -1;
    }

    private Instruction instruction(int line, String text) throws DockerfileException {
        int sp = 0;
        while (sp < text.length() && !Character.isWhitespace(text.charAt(sp))) {
            sp++;
        }
        String keyword = text.substring(0, sp).toUpperCase(Locale.ROOT);
        if (!KEYWORDS.contains(keyword)) {
            throw error(line, "unknown instruction '" + text.substring(0, sp) + "'"
                    + (text.startsWith("<<") || text.startsWith("-") ? "" : "; expected one of " + new java.util.TreeSet<>(KEYWORDS)));
        }
        String rest = text.substring(sp).strip();
        Map<String, List<String>> flags = new LinkedHashMap<>();
        if (!keyword.equals("ONBUILD")) {
            while (rest.startsWith("--")) {
                int end = 0;
                while (end < rest.length() && !Character.isWhitespace(rest.charAt(end))) {
                    end++;
                }
                String flag = rest.substring(2, end);
                if (flag.isEmpty()) {
                    throw error(line, "empty flag '--' in " + keyword);
                }
                int eq = flag.indexOf('=');
                String name = eq < 0 ? flag : flag.substring(0, eq);
                String value = eq < 0 ? "true" : flag.substring(eq + 1);
                flags.computeIfAbsent(name.toLowerCase(Locale.ROOT), k -> new ArrayList<>()).add(value);
                rest = rest.substring(end).strip();
            }
        }
        List<String> json = null;
        if (JSON_KEYWORDS.contains(keyword) && rest.startsWith("[")) {
            json = parseJson(rest);
        }
        if (rest.isEmpty()) {
            throw error(line, keyword + " requires at least one argument");
        }
        List<Heredoc> heredocs = List.of();
        if (json == null && HEREDOC_KEYWORDS.contains(keyword)) {
            heredocs = readHeredocs(line, rest);
        }
        return new Instruction(line, keyword, Collections.unmodifiableMap(flags), rest,
                json == null ? null : Collections.unmodifiableList(json), heredocs);
    }

    /** A JSON array of strings, or null when the text is not one (then it is shell form, as Docker does). */
    private static List<String> parseJson(String text) {
        try {
            JsonNode node = JSON.readTree(text);
            if (node == null || !node.isArray()) {
                return null;
            }
            List<String> out = new ArrayList<>();
            for (JsonNode e : node) {
                if (!e.isTextual()) {
                    return null;
                }
                out.add(e.asText());
            }
            return out;
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    private List<Heredoc> readHeredocs(int line, String rest) throws DockerfileException {
        List<Heredoc> out = new ArrayList<>();
        Matcher m = HEREDOC.matcher(rest);
        int from = 0;
        while (m.find(from)) {
            from = m.end();
            if (insideQuotes(rest, m.start())) {
                continue;
            }
            String open = m.group(2);
            String close = m.group(4);
            if (open != null && !open.equals(close) || open == null && close != null) {
                throw error(line, "unbalanced quotes around the heredoc delimiter " + m.group());
            }
            boolean stripTabs = !m.group(1).isEmpty();
            String name = m.group(3);
            StringBuilder body = new StringBuilder();
            boolean closed = false;
            while (pos < lines.length) {
                String l = lines[pos++];
                String cmp = stripTabs ? l.replaceFirst("^\t+", "") : l;
                if (cmp.equals(name)) {
                    closed = true;
                    break;
                }
                body.append(cmp).append('\n');
            }
            if (!closed) {
                throw error(line, "heredoc <<" + name + " is not terminated: no line '" + name + "' follows");
            }
            out.add(new Heredoc(name, body.toString(), open == null));
        }
        return Collections.unmodifiableList(out);
    }

    private boolean insideQuotes(String s, int index) {
        boolean single = false;
        boolean dbl = false;
        for (int i = 0; i < index; i++) {
            char c = s.charAt(i);
            if (c == escape && !single) {
                i++;
            } else if (c == '\'' && !dbl) {
                single = !single;
            } else if (c == '"' && !single) {
                dbl = !dbl;
            }
        }
        return single || dbl;
    }

    private DockerfileException error(int line, String message) {
        return new DockerfileException(source, line, message);
    }
}

package io.github.miniwebvm.dockerfile.syntax;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One instruction as written, before variable expansion.
 *
 * @param line     1-based line where it starts
 * @param keyword  upper case ({@code RUN}, {@code COPY}, ...)
 * @param flags    {@code --name=value} options in order of appearance (a flag without value maps to "true")
 * @param args     the text after the flags, continuation lines joined with nothing in between
 * @param json     the exec (JSON array) form, or null for the shell form
 * @param heredocs here-documents in the order of their {@code <<} markers
 */
public record Instruction(int line, String keyword, Map<String, List<String>> flags, String args, List<String> json,
                          List<Heredoc> heredocs) {

    public boolean isJsonForm() {
        return json != null;
    }

    /** The last value of {@code --name}, if given. */
    public Optional<String> flag(String name) {
        List<String> v = flags.get(name);
        return v == null || v.isEmpty() ? Optional.empty() : Optional.of(v.get(v.size() - 1));
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(keyword);
        flags.forEach((k, vs) -> vs.forEach(v -> sb.append(" --").append(k).append('=').append(v)));
        sb.append(' ').append(json != null ? json.toString() : args);
        for (Heredoc h : heredocs) {
            sb.append("\n").append(h.content()).append(h.name());
        }
        return sb.toString();
    }
}

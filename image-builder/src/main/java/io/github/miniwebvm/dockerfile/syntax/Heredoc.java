package io.github.miniwebvm.dockerfile.syntax;

/**
 * A here-document of a RUN, COPY or ADD instruction ({@code <<EOF}).
 *
 * @param name    the delimiter word
 * @param content the body, each line ending with a newline (leading tabs removed for {@code <<-})
 * @param expand  false when the delimiter was quoted ({@code <<"EOF"}, {@code <<'EOF'}): no variable expansion
 */
public record Heredoc(String name, String content, boolean expand) {
}

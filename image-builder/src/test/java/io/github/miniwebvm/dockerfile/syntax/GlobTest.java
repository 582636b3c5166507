package io.github.miniwebvm.dockerfile.syntax;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The two readings of a pattern: COPY's filepath.Match and .dockerignore's, which adds '**'. */
class GlobTest {
    private static boolean copyMatches(String pattern, String path) {
        return Glob.compile(pattern, Glob.Syntax.FILEPATH_MATCH).matches(path);
    }

    @Test
    void doubleStarIsTwoStarsForCopy() {
        assertThat(copyMatches("**", "abc")).isTrue();
        assertThat(copyMatches("**", "a/b")).isFalse();
        assertThat(copyMatches("**/x", "a/x")).isTrue();
        assertThat(copyMatches("**/x", "a/b/x")).isFalse();
        assertThat(Glob.compile("**/x", Glob.Syntax.DOCKERIGNORE).matches("a/b/x")).isTrue();
    }

    @Test
    void filepathMatchSyntax() {
        assertThat(copyMatches("file?.md", "file1.md")).isTrue();
        assertThat(copyMatches("file?.md", "file22.md")).isFalse();
        assertThat(copyMatches("[xy].cfg", "x.cfg")).isTrue();
        assertThat(copyMatches("[^xy].cfg", "x.cfg")).isFalse();
        assertThat(copyMatches("\\*.txt", "*.txt")).isTrue();
        assertThat(copyMatches("\\*.txt", "a.txt")).isFalse();
        assertThatThrownBy(() -> Glob.compile("a[b", Glob.Syntax.FILEPATH_MATCH))
                .hasMessageContaining("unterminated character class");
    }

    @Test
    void manyStarsAgainstALongNameAnswerAtOnce() {
        String pattern = "a*".repeat(30) + "b";
        assertThat(copyMatches(pattern, "a".repeat(200))).isFalse();
        assertThat(copyMatches(pattern, "a".repeat(199) + "b")).isTrue();
    }

    @Test
    void wildcardsAreUnescapedStarsQuestionMarksAndBrackets() {
        assertThat(Glob.hasWildcards("a*")).isTrue();
        assertThat(Glob.hasWildcards("a?")).isTrue();
        assertThat(Glob.hasWildcards("[ab]")).isTrue();
        assertThat(Glob.hasWildcards("a\\*b")).isFalse();
        assertThat(Glob.hasWildcards("plain/path.txt")).isFalse();
    }
}

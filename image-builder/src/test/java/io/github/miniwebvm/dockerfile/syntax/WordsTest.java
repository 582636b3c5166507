package io.github.miniwebvm.dockerfile.syntax;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WordsTest {
    private final Map<String, String> env = new HashMap<>(Map.of("A", "alpha", "EMPTY", "", "SP", "x y"));

    private String expand(String s) {
        return Words.expand(s, '\\', env::get);
    }

    private List<String> words(String s) {
        return Words.expandWords(s, '\\', env::get);
    }

    @Test
    void simpleAndBracedVariables() {
        assertThat(expand("$A-${A}_$A.x")).isEqualTo("alpha-alpha_alpha.x");
        assertThat(expand("$UNSET|${UNSET}")).isEqualTo("|");
        assertThat(expand("cost $5 and $ alone and $")).isEqualTo("cost  and $ alone and $");
    }

    @Test
    void defaultAndAlternativeWithAndWithoutColon() {
        assertThat(expand("${UNSET:-def}")).isEqualTo("def");
        assertThat(expand("${EMPTY:-def}")).isEqualTo("def");
        assertThat(expand("${EMPTY-def}")).isEqualTo("");
        assertThat(expand("${UNSET-def}")).isEqualTo("def");
        assertThat(expand("${A:-def}")).isEqualTo("alpha");
        assertThat(expand("${A:+alt}")).isEqualTo("alt");
        assertThat(expand("${EMPTY:+alt}")).isEqualTo("");
        assertThat(expand("${EMPTY+alt}")).isEqualTo("alt");
        assertThat(expand("${UNSET:+alt}")).isEqualTo("");
        assertThat(expand("${UNSET:-$A/x}")).isEqualTo("alpha/x");
        assertThat(expand("${UNSET:-${EMPTY:-nested}}")).isEqualTo("nested");
    }

    @Test
    void requiredVariableFailsWithItsMessage() {
        assertThat(expand("${A:?need A}")).isEqualTo("alpha");
        assertThatThrownBy(() -> expand("${UNSET:?please set it}")).hasMessage("UNSET: please set it");
        assertThatThrownBy(() -> expand("${UNSET?}")).hasMessage("UNSET: is not set");
    }

    @Test
    void quotes() {
        assertThat(expand("'$A'")).isEqualTo("$A");
        assertThat(expand("\"$A b\"")).isEqualTo("alpha b");
        assertThat(expand("\"say \\\"hi\\\" \\$A \\n\"")).isEqualTo("say \"hi\" $A \\n");
        assertThat(expand("a\\ b\\$A")).isEqualTo("a b$A");
    }

    @Test
    void backtickEscape() {
        assertThat(Words.expand("C:\\dir `$A", '`', env::get)).isEqualTo("C:\\dir $A");
    }

    @Test
    void wordSplitting() {
        assertThat(words("a  b\t'c d' \"e $A\"")).containsExactly("a", "b", "c d", "e alpha");
        assertThat(words("$SP z")).containsExactly("x", "y", "z");
        assertThat(words("\"$SP\" z")).containsExactly("x y", "z");
        assertThat(words("$EMPTY a")).containsExactly("a");
        assertThat(words("'' a")).containsExactly("", "a");
    }

    @Test
    void malformedSubstitutionsAreErrors() {
        assertThatThrownBy(() -> expand("${A")).hasMessageContaining("missing '}'");
        assertThatThrownBy(() -> expand("${}")).hasMessageContaining("missing variable name");
        assertThatThrownBy(() -> expand("${A#x}")).hasMessageContaining("unsupported substitution");
        assertThatThrownBy(() -> expand("'open")).hasMessageContaining("unmatched '");
        assertThatThrownBy(() -> expand("\"open")).hasMessageContaining("unmatched \"");
    }

    @Test
    void keyValuesModernLegacyAndArgForms() {
        assertThat(Words.keyValues("A=1 B=\"two words\" C=$A D=", '\\', env::get, true, false))
                .extracting(Map.Entry::getKey, Map.Entry::getValue)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("A", "1"),
                        org.assertj.core.groups.Tuple.tuple("B", "two words"),
                        org.assertj.core.groups.Tuple.tuple("C", "alpha"),
                        org.assertj.core.groups.Tuple.tuple("D", ""));
        assertThat(Words.keyValues("KEY value with  spaces $A", '\\', env::get, true, false))
                .extracting(Map.Entry::getKey, Map.Entry::getValue)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("KEY", "value with  spaces alpha"));
        assertThat(Words.keyValues("NAME OTHER=x", '\\', env::get, false, true))
                .extracting(Map.Entry::getKey, Map.Entry::getValue)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("NAME", null),
                        org.assertj.core.groups.Tuple.tuple("OTHER", "x"));
        assertThatThrownBy(() -> Words.keyValues("A=1 B", '\\', env::get, true, false))
                .hasMessageContaining("'B' is not of the form key=value");
        assertThatThrownBy(() -> Words.keyValues("LONELY", '\\', env::get, true, false))
                .hasMessageContaining("'LONELY' has no value");
    }
}

package io.github.miniwebvm.dockerfile.syntax;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * The Dockerfile parser and the word expansion on arbitrary text (the input as UTF-8): they succeed or throw
 * {@link DockerfileException} naming the file and a line, nothing else. Regression inputs are in
 * {@code DockerfileFuzzTestInputs/<method>/}; {@code fuzz/run.sh} fuzzes.
 */
class DockerfileFuzzTest {
    private static final Map<String, String> SCOPE = Map.of("A", "a b", "EMPTY", "", "HOME", "/root");

    @FuzzTest(maxDuration = "5m")
    void parse(byte[] input) {
        String text = new String(input, StandardCharsets.UTF_8);
        try {
            Dockerfile d = Dockerfile.parse(text, "Dockerfile");
            List<Stage> stages = d.stagesFor(null, Map.of("A", "from --build-arg"), "linux/386");
            assertThat(stages).isNotEmpty();
            for (Instruction in : d.instructions()) {
                d.expandWords(in, in.args(), SCOPE);
                d.expand(in, in.args(), SCOPE);
                if (List.of("ENV", "LABEL", "ARG").contains(in.keyword())) {
                    d.keyValues(in, SCOPE, !in.keyword().equals("ARG"), in.keyword().equals("ARG"));
                }
            }
        } catch (DockerfileException expected) {
            assertThat(expected.getMessage()).startsWith("Dockerfile:");
            assertThat(expected.line()).isPositive();
        }
    }
}

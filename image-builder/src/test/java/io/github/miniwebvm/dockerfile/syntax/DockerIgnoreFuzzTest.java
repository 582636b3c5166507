package io.github.miniwebvm.dockerfile.syntax;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;

/**
 * {@code .dockerignore} parsing and matching on arbitrary rules and paths (the input as UTF-8: the
 * first line is the path to match, the rest the rules): parsing succeeds or
 * throws {@link DockerfileException} naming the file and line; matching never throws. Regression
 * inputs are in {@code DockerIgnoreFuzzTestInputs/<method>/}; {@code fuzz/run.sh} fuzzes.
 */
class DockerIgnoreFuzzTest {

    @FuzzTest(maxDuration = "5m")
    void parseAndMatch(byte[] input) {
        String text = new String(input, StandardCharsets.UTF_8);
        int nl = text.indexOf('\n');
        String path = nl < 0 ? text : text.substring(0, nl);
        String rules = nl < 0 ? "" : text.substring(nl + 1);
        DockerIgnore ignore;
        try {
            ignore = DockerIgnore.parse(rules, ".dockerignore");
        } catch (DockerfileException expected) {
            assertThat(expected.getMessage()).startsWith(".dockerignore:");
            return;
        }
        boolean excluded = ignore.excludes(path);
        ignore.hasExceptionsUnder(path);
        // a path is decided like its cleaned form: "a/./b", "/a/b" and "a//b" are "a/b"
        assertThat(ignore.excludes("/" + path + "/")).isEqualTo(excluded);
        if (ignore.isEmpty()) {
            assertThat(excluded).isFalse();
        }
    }
}

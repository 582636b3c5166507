package io.github.miniwebvm.dockerfile.syntax;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Dockerfiles made to exhaust the parser: they parse, or fail with a message naming file and line. */
@Timeout(60)
class HostileDockerfileTest {

    @Test
    void tenThousandLinesParseInOnePass() throws DockerfileException {
        StringBuilder text = new StringBuilder("FROM scratch\n");
        for (int i = 1; i < 10_000; i++) {
            text.append(i % 2 == 0 ? "ENV V" + i + "=${V" + (i - 2) + ":-x}" + i : "LABEL l" + i + "=\"v $V" + (i - 1) + "\"")
                    .append('\n');
        }
        Dockerfile d = Dockerfile.parse(text.toString(), "Dockerfile");
        assertThat(d.instructions()).hasSize(10_000);
        assertThat(d.instructions().get(9_999).line()).isEqualTo(10_000);
        List<Stage> stages = d.stages(Map.of(), "linux/386");
        assertThat(stages.get(0).instructions()).hasSize(9_999);
    }

    @Test
    void tenThousandContinuationLinesAreOneInstruction() throws DockerfileException {
        String text = "FROM scratch\nRUN echo \\\n" + "  a \\\n".repeat(9_998) + "  end\n";
        Dockerfile d = Dockerfile.parse(text, "Dockerfile");
        assertThat(d.instructions()).hasSize(2);
        assertThat(d.instructions().get(1).args()).endsWith("a   end").hasSizeGreaterThan(9_998 * 4);
    }

    @Test
    void moderatelyNestedSubstitutionsExpand() throws DockerfileException {
        String deep = "${A:-".repeat(50) + "leaf" + "}".repeat(50);
        Dockerfile d = Dockerfile.parse("FROM scratch\nWORKDIR /" + deep + "\n", "Dockerfile");
        assertThat(d.expand(d.instructions().get(1), d.instructions().get(1).args(), Map.of())).isEqualTo("/leaf");
    }

    @Test
    void deeplyNestedSubstitutionsAreRefusedWithTheLine() throws DockerfileException {
        String deep = "${A:-".repeat(100_000) + "leaf" + "}".repeat(100_000);
        Dockerfile d = Dockerfile.parse("FROM scratch\nWORKDIR /" + deep + "\n", "Dockerfile");
        Instruction workdir = d.instructions().get(1);
        assertThatThrownBy(() -> d.expand(workdir, workdir.args(), Map.of()))
                .isInstanceOf(DockerfileException.class)
                .hasMessageStartingWith("Dockerfile:2: WORKDIR: ")
                .hasMessageContaining("nested more than");
        assertThatThrownBy(() -> Dockerfile.parse("ARG X=" + deep + "\nFROM scratch\n", "Dockerfile")
                .stages(Map.of(), "linux/386"))
                .isInstanceOf(DockerfileException.class)
                .hasMessageStartingWith("Dockerfile:1: ARG: ");
    }

    @Test
    void oneInstructionExpandsToAtMostOneMebibyteOverAllItsWords() throws DockerfileException {
        Map<String, String> scope = Map.of("A", "a".repeat(1000));
        Dockerfile d = Dockerfile.parse("FROM scratch\nENV " + "K=$A ".repeat(2000) + "\nCOPY x /\n", "Dockerfile");
        Instruction env = d.instructions().get(1);
        assertThatThrownBy(() -> d.keyValues(env, scope, true, false))
                .isInstanceOf(DockerfileException.class)
                .hasMessageStartingWith("Dockerfile:2: ENV: variables expand to more than 1048576 characters");

        Dockerfile.Expansion copy = d.expansion(d.instructions().get(2), scope);
        assertThatThrownBy(() -> {
            for (int i = 0; i < 2000; i++) {
                copy.expand("$A");
            }
        }).isInstanceOf(DockerfileException.class).hasMessageStartingWith("Dockerfile:3: COPY: variables expand");
    }

    @Test
    void argsBeforeTheFirstFromAddUpToAtMostSixteenMebibytes() throws DockerfileException {
        StringBuilder text = new StringBuilder("ARG A=" + "x".repeat(1000) + "\n" + "ARG A=$A$A\n".repeat(9));
        for (int i = 1; i <= 40; i++) {
            text.append("ARG B").append(i).append("=$A$A\n");
        }
        Dockerfile d = Dockerfile.parse(text + "FROM scratch\n", "Dockerfile");
        assertThatThrownBy(() -> d.stages(Map.of(), "linux/386"))
                .isInstanceOf(DockerfileException.class)
                .hasMessageStartingWith("Dockerfile:26: ARG: the ARGs before the first FROM add up to more than");
    }
}

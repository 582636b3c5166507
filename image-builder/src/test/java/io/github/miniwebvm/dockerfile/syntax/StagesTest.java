package io.github.miniwebvm.dockerfile.syntax;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class StagesTest {
    private static final String P = "linux/386";

    @Test
    void argBeforeFromWithDefaultsAndBuildArgOverrides() throws Exception {
        Dockerfile df = Dockerfile.parse("ARG REG=localhost:5000\nARG TAG\nARG V=1 W=${V}x\n"
                + "FROM ${REG}/base:${TAG:-latest} AS b\nFROM b\n", "Dockerfile");
        assertThat(df.globalArgs(Map.of(), P)).containsEntry("REG", "localhost:5000").containsEntry("TAG", null)
                // one instruction is expanded before any of its pairs applies (Docker's ENV/ARG rule)
                .containsEntry("W", "x").containsEntry("TARGETARCH", "386").containsEntry("TARGETOS", "linux");
        assertThat(df.stages(Map.of(), P).get(0).base()).isEqualTo("localhost:5000/base:latest");
        assertThat(df.stages(Map.of("TAG", "v2", "REG", "r"), P).get(0).base()).isEqualTo("r/base:v2");
        assertThat(df.stages(Map.of(), P).get(1).baseStage()).isEqualTo(0);
    }

    @Test
    void onlyArgMayPrecedeFrom() {
        assertThatThrownBy(() -> Dockerfile.parse("ENV A=1\nFROM scratch\n", "Dockerfile").stages(Map.of(), P))
                .isInstanceOf(DockerfileException.class)
                .hasMessage("Dockerfile:1: ENV before the first FROM: only ARG may come before FROM");
    }

    @Test
    void noFromIsAnError() {
        assertThatThrownBy(() -> Dockerfile.parse("ARG A\n", "Dockerfile").stages(Map.of(), P))
                .hasMessageContaining("no FROM instruction");
    }

    @Test
    void multiStageNamesTargetAndDependencies() throws Exception {
        Dockerfile df = Dockerfile.parse(String.join("\n",
                "FROM scratch AS Tools",
                "COPY a /a",
                "FROM scratch AS unused",
                "FROM scratch AS lib",
                "FROM tools AS final",
                "COPY --from=lib /x /x",
                "COPY --from=docker.io/library/busybox /bin/busybox /bin/",
                "FROM scratch AS other", ""), "Dockerfile");
        assertThat(df.stages(Map.of(), P)).extracting(Stage::name)
                .containsExactly("tools", "unused", "lib", "final", "other");
        assertThat(df.stagesFor("FINAL", Map.of(), P)).extracting(Stage::name).containsExactly("tools", "lib", "final");
        assertThat(df.stagesFor(null, Map.of(), P)).extracting(Stage::name).containsExactly("other");
        assertThat(df.stages(Map.of(), P).get(3).baseStage()).isEqualTo(0);
        assertThatThrownBy(() -> df.stagesFor("nope", Map.of(), P))
                .hasMessageContaining("target stage 'nope' not found; stages with names: [final, lib, other, tools, unused]");
    }

    @Test
    void copyFromByIndex() throws Exception {
        Dockerfile df = Dockerfile.parse("FROM scratch\nFROM scratch\nFROM scratch\nCOPY --from=0 /a /a\n",
                "Dockerfile");
        assertThat(df.stagesFor(null, Map.of(), P)).extracting(Stage::index).containsExactly(0, 2);
    }

    @Test
    void fromSyntaxErrors() {
        assertThatThrownBy(() -> Dockerfile.parse("FROM a b\n", "Dockerfile").stages(Map.of(), P))
                .hasMessageContaining("Dockerfile:1: FROM takes an image and optionally 'AS name'");
        assertThatThrownBy(() -> Dockerfile.parse("FROM a AS x\nFROM b AS X\n", "Dockerfile").stages(Map.of(), P))
                .hasMessageContaining("Dockerfile:2: duplicate stage name 'x'");
        assertThatThrownBy(() -> Dockerfile.parse("ARG B\nFROM $B\n", "Dockerfile").stages(Map.of(), P))
                .hasMessageContaining("Dockerfile:2: FROM image is empty");
        assertThatThrownBy(() -> Dockerfile.parse("FROM a AS 9x\n", "Dockerfile").stages(Map.of(), P))
                .hasMessageContaining("invalid stage name '9x'");
    }

    @Test
    void platformFlagIsExpanded() throws Exception {
        Dockerfile df = Dockerfile.parse("FROM --platform=$BUILDPLATFORM scratch\n", "Dockerfile");
        assertThat(df.stages(Map.of(), P).get(0).platform()).isEqualTo("linux/386");
        assertThat(df.stages(Map.of(), P).get(0).isScratch()).isTrue();
    }
}

package io.github.miniwebvm.dockerfile.syntax;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DockerfileParserTest {

    private static Dockerfile parse(String text) throws DockerfileException {
        return Dockerfile.parse(text, "Dockerfile");
    }

    @Test
    void keywordsAreCaseInsensitiveAndLineNumbersAreKept() throws Exception {
        Dockerfile df = parse("from scratch\n\n  run echo hi\nCmd [\"a\"]\n");
        assertThat(df.instructions()).extracting(Instruction::keyword).containsExactly("FROM", "RUN", "CMD");
        assertThat(df.instructions()).extracting(Instruction::line).containsExactly(1, 3, 4);
    }

    @Test
    void commentsAreSkippedOnlyAtLineStart() throws Exception {
        Dockerfile df = parse("# a comment\nFROM scratch\n   # indented comment\nRUN echo a # not a comment\n");
        assertThat(df.instructions()).hasSize(2);
        assertThat(df.instructions().get(1).args()).isEqualTo("echo a # not a comment");
    }

    @Test
    void lineContinuationsJoinLinesAndSkipCommentAndEmptyLinesInside() throws Exception {
        Dockerfile df = parse("FROM scratch\nRUN echo a \\\n    b \\  \n# comment inside\n\n    c\nCMD x\n");
        Instruction run = df.instructions().get(1);
        assertThat(run.args()).isEqualTo("echo a     b     c");
        assertThat(run.line()).isEqualTo(2);
        assertThat(df.instructions().get(2).line()).isEqualTo(7);
    }

    @Test
    void escapeDirectiveChangesTheContinuationCharacter() throws Exception {
        Dockerfile df = parse("# escape=`\nFROM scratch\nCOPY a `\n  C:\\dir\\\n");
        assertThat(df.escape()).isEqualTo('`');
        assertThat(df.directives()).containsEntry("escape", "`");
        assertThat(df.instructions().get(1).args()).isEqualTo("a   C:\\dir\\");
    }

    @Test
    void directivesAreOnlyRecognisedAtTheTop() throws Exception {
        Dockerfile df = parse("# syntax=docker/dockerfile:1\n# escape=\\\n\n# escape=`\nFROM scratch\nRUN a \\\n b\n");
        assertThat(df.directives()).containsOnlyKeys("syntax", "escape");
        assertThat(df.escape()).isEqualTo('\\');
        assertThat(df.instructions().get(1).args()).isEqualTo("a  b");
    }

    @Test
    void badOrRepeatedEscapeDirectiveIsAnError() {
        assertThatThrownBy(() -> parse("# escape=x\nFROM scratch\n")).isInstanceOf(DockerfileException.class)
                .hasMessageContaining("Dockerfile:1:").hasMessageContaining("must be \\ or `");
        assertThatThrownBy(() -> parse("# escape=`\n# escape=\\\nFROM scratch\n"))
                .hasMessageContaining("Dockerfile:2:").hasMessageContaining("given twice");
    }

    @Test
    void jsonAndShellForms() throws Exception {
        Dockerfile df = parse("FROM scratch\nCMD [\"echo\", \"a b\"]\nENTRYPOINT echo hi\nRUN [not json\n"
                + "SHELL [\"/bin/bash\", \"-c\"]\n");
        assertThat(df.instructions().get(1).json()).containsExactly("echo", "a b");
        assertThat(df.instructions().get(2).isJsonForm()).isFalse();
        assertThat(df.instructions().get(3).isJsonForm()).isFalse();
        assertThat(df.instructions().get(3).args()).isEqualTo("[not json");
        assertThat(df.instructions().get(4).json()).containsExactly("/bin/bash", "-c");
    }

    @Test
    void flagsAreParsedAndRepeatable() throws Exception {
        Dockerfile df = parse("FROM --platform=linux/386 scratch AS a\n"
                + "COPY --from=a --chown=1:2 --chmod=0755 --link x /y\nCOPY --exclude=*.md --exclude=*.txt . /\n");
        assertThat(df.instructions().get(0).flag("platform")).hasValue("linux/386");
        Instruction copy = df.instructions().get(1);
        assertThat(copy.flag("from")).hasValue("a");
        assertThat(copy.flag("chown")).hasValue("1:2");
        assertThat(copy.flag("chmod")).hasValue("0755");
        assertThat(copy.flag("link")).hasValue("true");
        assertThat(copy.args()).isEqualTo("x /y");
        assertThat(df.instructions().get(2).flags().get("exclude")).containsExactly("*.md", "*.txt");
    }

    @Test
    void heredocsReadTheFollowingLines() throws Exception {
        Dockerfile df = parse("FROM scratch\nRUN <<EOF\necho one\necho $HOME\nEOF\nCOPY <<-\"END\" /etc/motd\n"
                + "\t\tindented $NOT\n\tEND\nCMD done\n");
        Instruction run = df.instructions().get(1);
        assertThat(run.heredocs()).containsExactly(new Heredoc("EOF", "echo one\necho $HOME\n", true));
        Instruction copy = df.instructions().get(2);
        assertThat(copy.heredocs()).containsExactly(new Heredoc("END", "indented $NOT\n", false));
        assertThat(copy.args()).isEqualTo("<<-\"END\" /etc/motd");
        assertThat(df.instructions().get(3).line()).isEqualTo(9);
    }

    @Test
    void severalHeredocsOnOneLine() throws Exception {
        Dockerfile df = parse("FROM scratch\nCOPY <<A <<'B' /dir/\na\nA\nb\nB\n");
        assertThat(df.instructions().get(1).heredocs()).extracting(Heredoc::name).containsExactly("A", "B");
        assertThat(df.instructions().get(1).heredocs()).extracting(Heredoc::expand).containsExactly(true, false);
    }

    @Test
    void heredocMarkerInsideQuotesIsText() throws Exception {
        Dockerfile df = parse("FROM scratch\nRUN echo '<<EOF'\n");
        assertThat(df.instructions().get(1).heredocs()).isEmpty();
    }

    @Test
    void unterminatedHeredocNamesItsLine() {
        assertThatThrownBy(() -> parse("FROM scratch\n\nRUN <<EOF\necho\n"))
                .isInstanceOf(DockerfileException.class)
                .hasMessage("Dockerfile:3: heredoc <<EOF is not terminated: no line 'EOF' follows");
    }

    @Test
    void unknownInstructionNamesItsLine() {
        assertThatThrownBy(() -> parse("FROM scratch\nRUNN echo\n"))
                .isInstanceOf(DockerfileException.class)
                .hasMessageStartingWith("Dockerfile:2: unknown instruction 'RUNN'")
                .satisfies(e -> assertThat(((DockerfileException) e).line()).isEqualTo(2));
    }

    @Test
    void instructionWithoutArgumentsIsAnError() {
        assertThatThrownBy(() -> parse("FROM scratch\nWORKDIR\n"))
                .hasMessage("Dockerfile:2: WORKDIR requires at least one argument");
    }

    @Test
    void crlfLineEndings() throws Exception {
        Dockerfile df = parse("FROM scratch\r\nRUN a \\\r\n b\r\n");
        assertThat(df.instructions().get(1).args()).isEqualTo("a  b");
    }

    @Test
    void onbuildKeepsItsInstructionAsText() throws Exception {
        Dockerfile df = parse("FROM scratch\nONBUILD RUN --mount=x echo\n");
        assertThat(df.instructions().get(1).args()).isEqualTo("RUN --mount=x echo");
        assertThat(df.instructions().get(1).flags()).isEmpty();
    }

    @Test
    void toStringShowsTheInstruction() throws Exception {
        assertThat(parse("FROM scratch\nCOPY --chown=1 a b\n").instructions().get(1).toString())
                .isEqualTo("COPY --chown=1 a b");
    }
}

package io.github.miniwebvm.dockerfile.syntax;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DockerIgnoreTest {

    private static DockerIgnore ignore(String text) throws DockerfileException {
        return DockerIgnore.parse(text, ".dockerignore");
    }

    @Test
    void starMatchesWithinOneSegment() throws Exception {
        DockerIgnore di = ignore("*.log\ndocs/*.md\n");
        assertThat(di.excludes("a.log")).isTrue();
        assertThat(di.excludes("sub/a.log")).isFalse();
        assertThat(di.excludes("docs/x.md")).isTrue();
        assertThat(di.excludes("docs/sub/x.md")).isFalse();
    }

    @Test
    void questionMarkAndCharacterClasses() throws Exception {
        DockerIgnore di = ignore("file?.txt\n[a-c]*.bin\ndata[^0-9].csv\n[]x].q\nlit\\*.z\n");
        assertThat(di.excludes("file1.txt")).isTrue();
        assertThat(di.excludes("file12.txt")).isFalse();
        assertThat(di.excludes("b.bin")).isTrue();
        assertThat(di.excludes("d.bin")).isFalse();
        assertThat(di.excludes("datax.csv")).isTrue();
        assertThat(di.excludes("data1.csv")).isFalse();
        assertThat(di.excludes("].q")).isTrue();
        assertThat(di.excludes("x.q")).isTrue();
        assertThat(di.excludes("lit*.z")).isTrue();
        assertThat(di.excludes("litx.z")).isFalse();
    }

    @Test
    void doubleStarMatchesAnyNumberOfDirectories() throws Exception {
        DockerIgnore di = ignore("**/*.tmp\nbuild/**/cache\n");
        assertThat(di.excludes("x.tmp")).isTrue();
        assertThat(di.excludes("a/b/c/x.tmp")).isTrue();
        assertThat(di.excludes("build/cache")).isTrue();
        assertThat(di.excludes("build/a/b/cache/file")).isTrue();
        assertThat(di.excludes("other/cache")).isFalse();
    }

    @Test
    void exceptionsAndLastRuleWins() throws Exception {
        DockerIgnore di = ignore("*.md\n!README.md\nREADME*.md\n!README-keep.md\n");
        assertThat(di.excludes("CHANGES.md")).isTrue();
        assertThat(di.excludes("README.md")).isTrue();
        assertThat(di.excludes("README-keep.md")).isFalse();
    }

    @Test
    void directoryRuleCoversItsContentUnlessExcepted() throws Exception {
        DockerIgnore di = ignore("secrets\nnode_modules\n!node_modules/keep.js\n");
        assertThat(di.excludes("secrets/key.pem")).isTrue();
        assertThat(di.excludes("node_modules/a/b.js")).isTrue();
        assertThat(di.excludes("node_modules/keep.js")).isFalse();
        assertThat(di.hasExceptionsUnder("node_modules")).isTrue();
        assertThat(di.hasExceptionsUnder("secrets")).isFalse();
    }

    @Test
    void commentsBlankLinesLeadingSlashAndCleaning() throws Exception {
        DockerIgnore di = ignore("# comment\n\n/target\n  ./out/../dist/  \n");
        assertThat(di.excludes("target/x")).isTrue();
        assertThat(di.excludes("dist/y")).isTrue();
        assertThat(di.excludes("out/y")).isFalse();
        assertThat(di.excludes("# comment")).isFalse();
    }

    @Test
    void malformedPatternsNameTheirLine() {
        assertThatThrownBy(() -> ignore("ok\n!\n")).isInstanceOf(DockerfileException.class)
                .hasMessage(".dockerignore:2: illegal exclusion pattern: \"!\"");
        assertThatThrownBy(() -> ignore("a\n\n[abc\n")).hasMessageStartingWith(".dockerignore:3: bad pattern '[abc'");
    }

    @Test
    void perDockerfileIgnoreFileWins(@TempDir Path ctx) throws Exception {
        Files.writeString(ctx.resolve(".dockerignore"), "a\n");
        Files.writeString(ctx.resolve("Dockerfile"), "FROM scratch\n");
        assertThat(DockerIgnore.forBuild(ctx, ctx.resolve("Dockerfile")).excludes("a")).isTrue();
        Files.writeString(ctx.resolve("Dockerfile.dockerignore"), "b\n");
        DockerIgnore di = DockerIgnore.forBuild(ctx, ctx.resolve("Dockerfile"));
        assertThat(di.excludes("a")).isFalse();
        assertThat(di.excludes("b")).isTrue();
    }

    @Test
    void manyStarsDoNotBacktrack() throws Exception {
        // found by fuzzing: as a regular expression, [^/]* and (?:.*/)? chains backtracked for minutes;
        // Glob simulates an automaton (path length x pattern length steps), so this returns at once
        String path = "a/".repeat(300) + "a".repeat(3000);
        DockerIgnore di = ignore("*a*a*a*a*a*a*a*a*a*a*a*a*b\n**/**/**/**/**/**/**/**/x\n**a**a**a**a**a**a**c\n");
        assertThat(di.excludes(path)).isFalse();
        assertThat(di.excludes(path + "/x")).isTrue();
        // '*' never matches '/' (filepath.Match; moby's patternmatcher compiles it to [^/]*)
        assertThat(di.excludes(path + "b")).isFalse();
        assertThat(di.excludes("a".repeat(3000) + "b")).isTrue();
    }

    @Test
    void globSemanticsOfGoFilepathMatch() throws Exception {
        assertThat(ignore("a?c\n").excludes("abc")).isTrue();
        assertThat(ignore("a?c\n").excludes("a/c")).isFalse();
        assertThat(ignore("a*\n").excludes("a/b")).isTrue();          // the directory a matches
        assertThat(ignore("*/b\n").excludes("x/b")).isTrue();
        assertThat(ignore("*/b\n").excludes("x/y/b")).isFalse();
        assertThat(ignore("**/b\n").excludes("x/y/b")).isTrue();
        assertThat(ignore("**/b\n").excludes("b")).isTrue();
        assertThat(ignore("a/**\n").excludes("a/x/y")).isTrue();
        assertThat(ignore("[a-c]x\n").excludes("bx")).isTrue();
        assertThat(ignore("[^a-c]x\n").excludes("bx")).isFalse();
        assertThat(ignore("[^a-c]x\n").excludes("dx")).isTrue();
        assertThat(ignore("[\\]]x\n").excludes("]x")).isTrue();
        assertThat(ignore("\\*x\n").excludes("*x")).isTrue();
        assertThat(ignore("\\*x\n").excludes("ax")).isFalse();
        assertThatThrownBy(() -> ignore("[c-a]\n")).hasMessageContaining("out of order");
    }
}

package io.github.miniwebvm.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.miniwebvm.fs.Content;
import io.github.miniwebvm.fs.FileTree;
import io.github.miniwebvm.fs.Node;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ImageConfigTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    /** entrypoint, cmd (null = not set), expected command (null = none), expected args. */
    static Stream<Arguments> table() {
        return Stream.of(
                Arguments.of("both set", List.of("/entry.sh"), List.of("serve", "--port", "80"), "/entry.sh",
                        List.of("serve", "--port", "80")),
                Arguments.of("cmd only (exec form)", null, List.of("/bin/bash", "-l"), "/bin/bash", List.of("-l")),
                Arguments.of("cmd only, single word", null, List.of("/bin/bash"), "/bin/bash", List.of()),
                Arguments.of("cmd only (shell form)", null, List.of("/bin/sh", "-c", "echo hi && sleep 1"), "/bin/sh",
                        List.of("-c", "echo hi && sleep 1")),
                Arguments.of("entrypoint only", List.of("/usr/bin/app", "--flag"), null, "/usr/bin/app", List.of("--flag")),
                Arguments.of("entrypoint only (shell form)", List.of("/bin/sh", "-c", "exec app"), null, "/bin/sh",
                        List.of("-c", "exec app")),
                Arguments.of("entrypoint and empty cmd", List.of("/e"), List.of(), "/e", List.of()),
                Arguments.of("neither", null, null, null, List.of()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void webvmCommandAndArgs(String what, List<String> entrypoint, List<String> cmd, String command, List<String> args)
            throws Exception {
        ImageConfig c = ImageConfig.of("386", "linux", entrypoint, cmd, List.of(), "", "");
        assertThat(c.webvmCommand().orElse(null)).isEqualTo(command);
        assertThat(c.webvmArgs()).isEqualTo(args);
        assertAgreesWithWebvmWorkflow(entrypoint, cmd, c);
    }

    /**
     * Runs the jq expressions of WebVM's deploy workflow on a {@code docker inspect}-shaped document
     * and checks that running CMD with ARGS is the same process as ours.
     */
    private void assertAgreesWithWebvmWorkflow(List<String> entrypoint, List<String> cmd, ImageConfig c)
            throws Exception {
        assumeTrue(Podman.run(List.of("jq", "--version"), 30, false).exit() == 0, "jq not installed");
        Path inspect = tmp.resolve("inspect.json");
        var config = JSON.createObjectNode();
        config.set("Entrypoint", JSON.valueToTree(entrypoint));
        config.set("Cmd", JSON.valueToTree(cmd));
        var document = JSON.createArrayNode();
        document.addObject().set("Config", config);
        Files.write(inspect, JSON.writeValueAsBytes(document));
        String cmdJq;
        String argsJq;
        if (entrypoint != null && cmd != null) {
            cmdJq = ".[0].Config.Entrypoint";
            argsJq = ".[0].Config.Cmd";
        } else if (cmd != null) {
            cmdJq = ".[0].Config.Cmd[:1]";
            argsJq = ".[0].Config.Cmd[1:]";
        } else {
            cmdJq = ".[0].Config.Entrypoint[:1]";
            argsJq = ".[0].Config.Entrypoint[1:]";
        }
        JsonNode webvmCmd = JSON.readTree(Podman.run("jq", "--compact-output", cmdJq, inspect.toString()).out());
        JsonNode webvmArgs = JSON.readTree(Podman.run("jq", "--compact-output", argsJq, inspect.toString()).out());
        if (webvmCmd.isNull()) {
            assertThat(c.webvmCommand()).isEmpty();
            return;
        }
        List<String> argv = new ArrayList<>();
        webvmCmd.forEach(n -> argv.add(n.asText()));
        webvmArgs.forEach(n -> argv.add(n.asText()));
        assertThat(c.webvmCommand()).contains(argv.get(0));
        assertThat(c.webvmArgs()).isEqualTo(argv.subList(1, argv.size()));
    }

    @Test
    void jsonRoundTripAndDerivedFields() throws IOException {
        ImageConfig c = ImageConfig.of("386", "linux", List.of("/entry"), List.of("a b", "ü"),
                List.of("PATH=/bin", "LANG=C.UTF-8"), "/srv", "1000:1000");
        Path file = tmp.resolve("target/webvm/image.json");
        c.writeJson(file);
        assertThat(ImageConfig.readJson(file)).isEqualTo(c);
        JsonNode json = JSON.readTree(file.toFile());
        assertThat(json.path("webvm").path("cmd").asText()).isEqualTo("/entry");
        assertThat(json.path("webvm").path("args").toString()).isEqualTo("[\"a b\",\"ü\"]");
        assertThat(json.path("webvm").path("cwd").asText()).isEqualTo("/srv");
        assertThat(json.path("webvm").path("env").size()).isEqualTo(2);
        assertThat(json.path("user").asText()).isEqualTo("1000:1000");

        ImageConfig none = ImageConfig.of("386", "linux", null, null, null, null, null);
        none.writeJson(file);
        ImageConfig back = ImageConfig.readJson(file);
        assertThat(back).isEqualTo(none);
        assertThat(back.entrypoint()).isEmpty();
        assertThat(back.webvmCwd()).isEqualTo("/");
        assertThat(JSON.readTree(file.toFile()).path("webvm").path("cmd").isNull()).isTrue();
    }

    @Test
    void containerOverrides() {
        ImageConfig image = ImageConfig.of("386", "linux", List.of("/entry"), List.of("default"),
                List.of("PATH=/bin", "A=1"), "/", "");
        ImageConfig args = image.withOverrides(new ImageConfig.Overrides().args(List.of("x", "y")));
        assertThat(args.argv()).containsExactly("/entry", "x", "y");
        ImageConfig entry = image.withOverrides(new ImageConfig.Overrides().entrypoint(List.of("/bin/bash")));
        assertThat(entry.argv()).containsExactly("/bin/bash");   // as docker run --entrypoint: Cmd dropped
        ImageConfig both = image.withOverrides(new ImageConfig.Overrides().entrypoint(List.of("/bin/sh"))
                .args(List.of("-c", "true")).env("A", "2").env("B", "3").workingDir("/tmp").user("nobody"));
        assertThat(both.argv()).containsExactly("/bin/sh", "-c", "true");
        assertThat(both.env()).containsExactly("PATH=/bin", "A=2", "B=3");
        assertThat(both.workingDir()).isEqualTo("/tmp");
        assertThat(both.user()).isEqualTo("nobody");
        assertThat(image.argv()).containsExactly("/entry", "default");   // immutable
    }

    private static FileTree accounts(String passwd, String group) {
        FileTree tree = new FileTree();
        tree.put("etc", Node.directory(0755));
        tree.put("etc/passwd", Node.file(0644, Content.ofBytes(passwd.getBytes(StandardCharsets.UTF_8))));
        tree.put("etc/group", Node.file(0644, Content.ofBytes(group.getBytes(StandardCharsets.UTF_8))));
        return tree;
    }

    private static ImageConfig.UserIds resolve(String user, FileTree tree) throws IOException {
        return ImageConfig.of("386", "linux", null, null, null, null, user).resolveUser(tree);
    }

    /**
     * Malformed lines of /etc/passwd and /etc/group are skipped; a malformed entry that USER names
     * fails naming the file and the line, and numbers out of range fail too: none of them may
     * surface as a NumberFormatException or be guessed as root.
     */
    @Test
    void resolveUserWithMalformedAccountFiles() throws IOException {
        var tree = accounts("""
                root:x:0:0:root:/root:/bin/sh
                broken line without fields
                # a comment:x:5:5
                app:x:abc:def:/home/app:/bin/sh
                short:x:7
                neg:x:-5:1::/:/bin/sh
                big:x:99999999999999999999:1::/:/bin/sh
                web:x:1000:1001::/home/web:/bin/sh
                """, """
                root:x:0:
                users:x:notanumber:
                staff:x:50:
                """);
        assertThat(resolve("web", tree)).isEqualTo(new ImageConfig.UserIds(1000, 1001));
        assertThat(resolve("1000", tree)).isEqualTo(new ImageConfig.UserIds(1000, 1001));
        assertThat(resolve("web:staff", tree)).isEqualTo(new ImageConfig.UserIds(1000, 50));
        assertThat(resolve("4242", tree)).isEqualTo(new ImageConfig.UserIds(4242, 0));
        assertThatThrownBy(() -> resolve("app", tree))
                .isInstanceOf(ImageFormatException.class)
                .hasMessageContaining("line 4 of the image's /etc/passwd").hasMessageContaining("'abc' as its uid");
        assertThatThrownBy(() -> resolve("short", tree))
                .isInstanceOf(ImageFormatException.class)
                .hasMessageContaining("line 5 of the image's /etc/passwd").hasMessageContaining("has 3 fields");
        assertThatThrownBy(() -> resolve("neg", tree))
                .isInstanceOf(ImageFormatException.class).hasMessageContaining("line 6").hasMessageContaining("'-5'");
        assertThatThrownBy(() -> resolve("big", tree))
                .isInstanceOf(ImageFormatException.class).hasMessageContaining("line 7");
        assertThatThrownBy(() -> resolve("web:users", tree))
                .isInstanceOf(ImageFormatException.class)
                .hasMessageContaining("line 2 of the image's /etc/group")
                .hasMessageContaining("'notanumber' as its gid");
        assertThatThrownBy(() -> resolve("88888888888888888888", tree))
                .isInstanceOf(ImageFormatException.class).hasMessageContaining("uid 88888888888888888888")
                .hasMessageContaining("out of range");
        assertThatThrownBy(() -> resolve("web:88888888888888888888", tree))
                .isInstanceOf(ImageFormatException.class).hasMessageContaining("gid 88888888888888888888");
    }

    /** A sparse /etc/passwd can claim a terabyte: it is refused by its size, never read into memory. */
    @Test
    void aHugeAccountFileIsRefusedWithoutReadingIt() {
        var tree = accounts("", "");
        tree.put("etc/passwd", Node.file(0644, new Content() {
            @Override public long size() {
                return 1L << 40;
            }

            @Override public InputStream open() {
                throw new AssertionError("a terabyte of /etc/passwd was opened for reading");
            }
        }));
        assertThatThrownBy(() -> resolve("web", tree))
                .isInstanceOf(ImageFormatException.class).hasMessageContaining("/etc/passwd is 1099511627776 bytes");
    }
}

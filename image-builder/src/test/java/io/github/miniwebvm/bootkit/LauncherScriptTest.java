package io.github.miniwebvm.bootkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the launcher's functions with the host's /bin/sh on generated command files: what reaches
 * the final exec (environment, program, arguments) must be exactly the {@link GuestCommand}.
 */
class LauncherScriptTest {
    static final List<String> TRICKY = List.of("a b", "it's", "\"double\"", "$HOME", "`id`", "$(id)", "back\\slash",
            "new\nline", "*", "", "-n", "--", " trailing space ", "héllo ✓", "a'b\"c", "\\'", "%s");

    @TempDir
    Path tmp;
    private Path launcher;

    @BeforeEach
    void files() throws Exception {
        launcher = Files.write(tmp.resolve("launcher.sh"), Initramfs.script("launcher.sh"));
        Files.writeString(tmp.resolve("passwd"), "root:x:0:0:root:/root:/bin/bash\n"
                + "user:x:1000:1000:A User,,,:/home/user:/bin/sh\nnohome:x:1001:1001::/nonexistent:/bin/false\n");
    }

    /** The argv that webvm_exec would get, split at the NULs printf writes. */
    private List<String> finalArgv(GuestCommand command) throws Exception {
        Path commandFile = Files.writeString(tmp.resolve("command"), command.toShell());
        String script = "WEBVM_LAUNCHER_LIB=1 . '" + launcher + "'\n"
                + "webvm_passwd='" + tmp.resolve("passwd") + "'\n"
                + ". '" + commandFile + "'\n"
                + "webvm_print() { printf '%s\\0' \"$@\"; }\n"
                + "webvm_command webvm_resolve webvm_print\n";
        String out = sh(script);
        assertThat(out).endsWith("\0");
        return Arrays.asList(out.substring(0, out.length() - 1).split("\0", -1));
    }

    private static String sh(String script) throws Exception {
        Process p = new ProcessBuilder("/bin/sh", "-c", script).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }

    @Test
    void argumentsArriveUnchangedWhateverTheyContain() throws Exception {
        List<String> argv = new java.util.ArrayList<>(List.of("/bin/prog"));
        argv.addAll(TRICKY);
        GuestCommand c = new GuestCommand(argv, List.of("PATH=/bin", "HOME=/h"), "/", 0, 0);
        assertThat(finalArgv(c)).containsExactlyElementsOf(concat(List.of("PATH=/bin", "HOME=/h", "TERM=xterm"), argv));
    }

    @Test
    void environmentValuesArriveUnchangedAndInOrder() throws Exception {
        List<String> env = TRICKY.stream().filter(s -> !s.isEmpty()).map(s -> "V=" + s).toList();
        GuestCommand c = new GuestCommand(List.of("/bin/env"), concat(env, List.of("HOME=/", "TERM=vt100")), "/", 0, 0);
        assertThat(finalArgv(c)).containsExactlyElementsOf(
                concat(concat(env, List.of("HOME=/", "TERM=vt100", "PATH=" + GuestCommand.DEFAULT_PATH)), List.of("/bin/env")));
    }

    @Test
    void homeComesFromThePasswdFileWhenTheEnvironmentHasNone() throws Exception {
        assertThat(finalArgv(GuestCommand.of("/bin/sh").withUser(1000, 1000))).contains("HOME=/home/user");
        assertThat(finalArgv(GuestCommand.of("/bin/sh"))).contains("HOME=/root");
        assertThat(finalArgv(GuestCommand.of("/bin/sh").withUser(4242, 4242))).contains("HOME=/");
        assertThat(finalArgv(GuestCommand.of("/bin/sh").withEnv(List.of("HOME=/x")).withUser(1000, 1000)))
                .contains("HOME=/x").doesNotContain("HOME=/home/user");
    }

    @Test
    void aProgramWithoutSlashIsFoundThroughTheCommandsPath() throws Exception {
        Path first = Files.createDirectories(tmp.resolve("first dir"));
        Path second = Files.createDirectories(tmp.resolve("second"));
        Files.writeString(first.resolve("prog"), "not executable");
        Files.createDirectories(first.resolve("dir-prog"));
        Path exe = Files.writeString(second.resolve("prog"), "#!/bin/sh\n");
        Files.setPosixFilePermissions(exe, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.copy(exe, second.resolve("dir-prog"));
        String path = "PATH=" + first + ":" + second;

        assertThat(finalArgv(GuestCommand.of("prog", "x").withEnv(List.of(path))))
                .containsExactly(path, "TERM=xterm", "HOME=/root", second.resolve("prog").toString(), "x");
        assertThat(finalArgv(GuestCommand.of("dir-prog").withEnv(List.of(path))))
                .endsWith(second.resolve("dir-prog").toString());
        assertThat(finalArgv(GuestCommand.of("missing-prog").withEnv(List.of(path)))).endsWith("missing-prog");
        assertThat(finalArgv(GuestCommand.of("./rel/prog").withEnv(List.of(path)))).endsWith("./rel/prog");
    }

    @Test
    void terminalSizeAndTtyComeFromTheKernelCommandLine() throws Exception {
        String out = sh("WEBVM_LAUNCHER_LIB=1 . '" + launcher + "'\nwebvm_tty=ttyS0\n"
                + "webvm_parse_cmdline 'console=ttyS0 root=/dev/sda webvm.rows=40 webvm.cols=120 webvm.tty=ttyS1 quiet'\n"
                + "echo \"$webvm_tty $webvm_rows $webvm_cols\"");
        assertThat(out).isEqualTo("ttyS1 40 120\n");
    }

    @Test
    void theCommandIsValidated() {
        assertThatThrownBy(() -> new GuestCommand(List.of(), List.of(), "/", 0, 0))
                .hasMessageContaining("argv is empty");
        assertThatThrownBy(() -> GuestCommand.of("/bin/sh").withEnv(List.of("NOVALUE")))
                .hasMessageContaining("not NAME=value");
        assertThatThrownBy(() -> GuestCommand.of("/bin/sh").withCwd("relative"))
                .hasMessageContaining("absolute");
        assertThatThrownBy(() -> GuestCommand.of("/bin/sh", "a\0b")).hasMessageContaining("NUL");
    }

    static List<String> concat(List<String> a, List<String> b) {
        List<String> out = new java.util.ArrayList<>(a);
        out.addAll(b);
        return out;
    }
}

package io.github.miniwebvm.bootkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher's control channel option ({@code webvm.control=TTY}) is read from the kernel command
 * line, and is off unless given. The channel itself is exercised in a real guest by the site's
 * SnapshotBrowserIT (clock and window size after a restore).
 */
class LauncherControlTest {
    @TempDir
    Path tmp;

    private String parsed(String cmdline) throws Exception {
        Path launcher = Files.write(tmp.resolve("launcher.sh"), Initramfs.script("launcher.sh"));
        String script = "WEBVM_LAUNCHER_LIB=1 . '" + launcher + "'\n"
                + "webvm_parse_cmdline '" + cmdline + "'\n"
                + "printf '%s|%s|%s' \"$webvm_control\" \"$webvm_rows\" \"$webvm_cols\"\n";
        Process p = new ProcessBuilder("/bin/sh", "-c", script).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        return out;
    }

    @Test
    void controlPortComesFromTheCommandLine() throws Exception {
        assertThat(parsed("console=ttyS0 root=/dev/sda rw webvm.rows=30 webvm.cols=100 webvm.control=ttyS1 init_on_free=1"))
                .isEqualTo("ttyS1|30|100");
    }

    @Test
    void noControlPortByDefault() throws Exception {
        assertThat(parsed("console=ttyS0 root=/dev/sda rw quiet")).isEqualTo("||");
    }
}

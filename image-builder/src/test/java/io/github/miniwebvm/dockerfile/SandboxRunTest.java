package io.github.miniwebvm.dockerfile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.miniwebvm.testsupport.MissingOracle;
import io.github.miniwebvm.testsupport.TestBaseImage;
import io.github.miniwebvm.testsupport.Tools;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A RUN step is a hostile program: it must not see, signal, read or write anything of the host,
 * and it must not outlive the build. Runs real commands of the Debian i386 fixture in the sandbox.
 */
class SandboxRunTest {
    /** Docker's default capability set as /proc/PID/status prints it. */
    private static final String DOCKER_CAPS = "00000000a80425fb";
    private static Path root;
    private static Path outside;

    @BeforeAll
    static void materialiseTheFixture() throws IOException {
        MissingOracle.require(NativeCapabilities.missingForRun().isEmpty(),
                "RUN cannot execute here: " + NativeCapabilities.missingForRun());
        Path fixture = Path.of(Tools.run(List.of("bash",
                TestBaseImage.repoRoot().resolve("scripts/fixture-base.sh").toString(), "dir"), null).trim());
        Path work = Files.createDirectories(Path.of("target/sandbox-run").toAbsolutePath());
        root = work.resolve("rootfs");
        Tools.run(List.of("rm", "-rf", root.toString()), null);
        Tools.run(List.of("cp", "-a", fixture.toString(), root.toString()), null);
        outside = Files.createDirectories(work.resolve("outside"));
        Files.writeString(outside.resolve("secret"), "host secret\n");
    }

    @AfterAll
    static void removeTheCopy() throws IOException {
        if (root != null) {
            Tools.run(List.of("rm", "-rf", root.toString()), null);
        }
    }

    private static String run(String script, long uid, RunOptions options) throws IOException {
        List<String> out = new ArrayList<>();
        int status = SandboxRun.run(root, List.of("/bin/sh", "-c", script), Map.of(), "/", uid, uid, options, out::add);
        assertThat(status).as("exit status of %s; output %s", script, out).isZero();
        return String.join("\n", out);
    }

    private static String run(String script) throws IOException {
        return run(script, 0, RunOptions.DEFAULT);
    }

    @Test
    void theStepHasItsOwnProcessesHostnameAndIpc() throws IOException {
        String out = run("hostname; ls /proc | grep -c '^[0-9]'; ipcs -m | grep -c '^0x' || true");
        String[] lines = out.split("\n");
        assertThat(lines[0]).isEqualTo("buildkitsandbox");
        assertThat(Integer.parseInt(lines[1].trim())).as("processes visible in the step").isLessThan(8);
    }

    @Test
    void hostProcessesCanBeNeitherSignalledNorEntered() throws Exception {
        Process canary = new ProcessBuilder("sleep", "600").start();
        try {
            String out = run("kill -9 -1 2>/dev/null; ls /proc/" + canary.pid() + "/root/etc 2>&1 | head -1;"
                    + " cat /proc/" + canary.pid() + "/environ 2>&1 | head -c 80; echo");
            assertThat(canary.isAlive()).as("a host process after RUN kill -9 -1").isTrue();
            assertThat(out).contains("No such file or directory").doesNotContain("passwd");
        } finally {
            canary.destroyForcibly();
        }
    }

    @Test
    void hostFilesAreNotThere() throws IOException {
        String out = run("cat " + outside.resolve("secret") + " 2>&1; ls /dev/.webvm; echo -n x > /sys/kernel/uevent_helper 2>&1;"
                + " touch /sys/x 2>&1; true");
        assertThat(out).contains("No such file or directory").doesNotContain("host secret")
                .contains("Read-only file system");
        assertThat(out.lines().filter(l -> !l.contains(":")).toList())
                .as("the helper folder holds setpriv, its loader and libraries only")
                .contains("setpriv", "ld.so", "lib");
        assertThat(outside.resolve("secret")).hasContent("host secret");
    }

    @Test
    void capabilitiesAreDockersDefaultSetAndCannotGrow() throws IOException {
        String rootStatus = run("grep -E '^(CapEff|CapBnd|NoNewPrivs)' /proc/self/status");
        assertThat(rootStatus).contains("CapEff:\t" + DOCKER_CAPS).contains("CapBnd:\t" + DOCKER_CAPS)
                .contains("NoNewPrivs:\t1");
        String userStatus = run("id -u; grep -E '^(CapEff|CapPrm)' /proc/self/status", 1000, RunOptions.DEFAULT);
        assertThat(userStatus).startsWith("1000").contains("CapEff:\t0000000000000000")
                .contains("CapPrm:\t0000000000000000");
    }

    @Test
    void filesMadeByAUserBelongToThatUser() throws IOException {
        run("touch /tmp/made-by-1000", 1000, RunOptions.DEFAULT);
        PosixFileAttributes a = Files.readAttributes(root.resolve("tmp/made-by-1000"), PosixFileAttributes.class);
        assertThat(Files.getAttribute(root.resolve("tmp/made-by-1000"), "unix:uid")).isEqualTo(1000);
        assertThat(Files.getAttribute(root.resolve("tmp/made-by-1000"), "unix:gid")).isEqualTo(1000);
        assertThat(a.isRegularFile()).isTrue();
        assertThat(root.resolve("dev/.webvm")).doesNotExist();
    }

    @Test
    void withoutNetworkOnlyLoopbackIsThere() throws IOException {
        String none = run("cat /proc/net/dev", 0, new RunOptions(false, RunOptions.DEFAULT_TIMEOUT));
        assertThat(none.lines().skip(2).map(l -> l.trim().split(":")[0]).toList()).containsExactly("lo");
        String host = run("cat /proc/net/dev");
        assertThat(host.lines().skip(2).count()).as("the host's interfaces, as docker build gives them").isGreaterThan(1);
    }

    @Test
    void aStepPastItsTimeoutIsKilledWithEveryProcessItStarted() throws Exception {
        String marker = "7" + ProcessHandle.current().pid() + "1";
        assertThatThrownBy(() -> SandboxRun.run(root, List.of("/bin/sh", "-c", "sleep " + marker + " & sleep " + marker),
                Map.of(), "/", 0, 0, new RunOptions(true, Duration.ofSeconds(2)), l -> { }))
                .isInstanceOf(ImageBuildException.class).hasMessageContaining("still running after 2 s");
        assertThat(awaitGone(marker)).as("processes of the killed step").isEmpty();
    }

    @Test
    void theStepDiesWithTheBuild() throws Exception {
        String marker = "8" + ProcessHandle.current().pid() + "1";
        List<String> command = SandboxRun.command(root, List.of("/bin/sh", "-c", "sleep " + marker + " & sleep " + marker),
                "/", 0, 0, RunOptions.DEFAULT);
        StringBuilder quoted = new StringBuilder();
        for (String c : command) {
            quoted.append('\'').append(c.replace("'", "'\\''")).append("' ");
        }
        // the build: a parent process of the sandbox, killed with SIGKILL once the step runs
        Process build = new ProcessBuilder("/bin/sh", "-c", quoted + "& wait").redirectErrorStream(true).start();
        assertThat(awaitPresent(marker)).as("the step's processes before the kill").isNotEmpty();
        build.destroyForcibly();
        build.waitFor(60, TimeUnit.SECONDS);
        assertThat(awaitGone(marker)).as("processes of the step after its build was killed").isEmpty();
    }

    /** Host processes whose command line holds {@code marker}, once there are none (or after a minute). */
    private static List<Long> awaitGone(String marker) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        List<Long> found = processesWith(marker);
        while (!found.isEmpty() && System.nanoTime() < deadline) {
            Thread.onSpinWait();
            found = processesWith(marker);
        }
        return found;
    }

    private static List<Long> awaitPresent(String marker) {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        List<Long> found = processesWith(marker);
        while (found.size() < 2 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
            found = processesWith(marker);
        }
        return found;
    }

    private static List<Long> processesWith(String marker) {
        List<Long> pids = new ArrayList<>();
        try (Stream<Path> s = Files.list(Path.of("/proc"))) {
            for (Path p : (Iterable<Path>) s::iterator) {
                String name = p.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                try {
                    String cmdline = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8);
                    if (cmdline.contains("sleep\0" + marker)) {
                        pids.add(Long.parseLong(name));
                    }
                } catch (IOException gone) {
                    // the process ended while we looked
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return pids;
    }
}

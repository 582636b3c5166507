package io.github.miniwebvm.bootkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The real boot kit (Debian bookworm from deb.debian.org, cached in ~/.cache/webvm-maven/debian)
 * booted in v86 0.5.462 under Node (npm package cached in ~/.cache/webvm-maven/node).
 */
class BootKitV86IT {
    static final String V86_VERSION = "0.5.462";
    /** A boot takes 10 s on an idle 2-core box; 60 s and more when the box is shared (load 25). */
    static final int TIMEOUT_SECONDS = Integer.getInteger("webvm.v86.timeoutSeconds", 300);
    static final Path WORK = Path.of("target", "v86-boot").toAbsolutePath();
    static BootKit kit;
    static BootKitFiles files;

    @BeforeAll
    static void resolveTheRealKit() throws Exception {
        Files.createDirectories(WORK);
        kit = BootKit.builder().log(System.out::println).build();
        long t0 = System.nanoTime();
        files = kit.resolve();
        System.out.printf("boot kit resolved in %.1f s: %s%n", (System.nanoTime() - t0) / 1e9, files);
    }

    @Test
    void theRealKitIsBookwormsNonPaeKernelWithBusyboxAndSeabios() throws Exception {
        assertThat(files.kernelVersion()).matches("6\\.1\\.0-\\d+-686");
        assertThat(files.packages()).extracting(BootKitFiles.SourcePackage::name)
                .containsExactly("linux-image-" + files.kernelVersion(), "busybox-static", "seabios");
        assertThat(Files.size(files.bios())).isEqualTo(131072);
        assertThat(InitramfsTest.run("file -L " + files.kernel())).contains("Linux kernel x86 boot executable");
        assertThat(InitramfsTest.run("file -L " + files.busybox())).contains("ELF 32-bit").contains("statically linked");
    }

    /** The launcher's exec step with the real (i386, via binfmt) busybox: uid/gid, cwd, env, argv. */
    @Test
    void theLauncherRunsTheCommandAsTheUserWithTheRealBusybox() throws Exception {
        assumeTrue(Files.exists(Path.of("/proc/sys/fs/binfmt_misc/qemu-i386")), "qemu-i386 binfmt not registered");
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root to switch users");
        // As in the guest (/dev/.webvm), the user must be able to reach busybox and the working
        // directory: not under the checkout, whose parents may be closed to others (a mktemp -d clone)
        Path dir = Files.createTempDirectory("webvm-launcher-it");
        Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        try {
            runLauncherAsUser(dir);
        } finally {
            try (var walk = Files.walk(dir)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private void runLauncherAsUser(Path dir) throws Exception {
        Path launcher = Files.write(dir.resolve("launcher.sh"), Initramfs.script("launcher.sh"));
        Path busybox = dir.resolve("busybox");
        Files.copy(files.busybox(), busybox, StandardCopyOption.REPLACE_EXISTING);
        Path cwd = Files.createDirectories(dir.resolve("work dir"));
        cwd.toFile().setExecutable(true, false);
        List<String> argv = new ArrayList<>(List.of("/bin/sh", "-c",
                "printf 'uid=%s gid=%s groups=%s pwd=%s\\n' \"$(id -u)\" \"$(id -g)\" \"$(id -G)\" \"$PWD\";"
                        + " printf '<%s>\\n' \"$@\"; env | sort", "argv0"));
        argv.addAll(LauncherScriptTest.TRICKY);
        GuestCommand command = new GuestCommand(argv, List.of("PATH=/usr/bin:/bin", "A=x y"), cwd.toString(), 1000, 1001);
        Path commandFile = Files.writeString(dir.resolve("command"), command.toShell());
        Path passwd = Files.writeString(dir.resolve("passwd"), "u:x:1000:1001::/home/u:/bin/sh\n");
        String script = "WEBVM_LAUNCHER_LIB=1 webvm_bb='" + busybox + "' . '" + launcher + "'\n"
                + "webvm_passwd='" + passwd + "'\n"
                + ". '" + commandFile + "'\ncd \"$webvm_cwd\"\nwebvm_command webvm_resolve webvm_exec\n";
        Process p = new ProcessBuilder(busybox.toString(), "sh", "-c", script).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        StringBuilder args = new StringBuilder();
        LauncherScriptTest.TRICKY.forEach(a -> args.append('<').append(a).append(">\n"));
        assertThat(out).startsWith("uid=1000 gid=1001 groups=1001 pwd=" + cwd + "\n" + args)
                .contains("\nA=x y\n", "\nHOME=/home/u\n", "\nPATH=/usr/bin:/bin\n", "\nTERM=xterm\n");
        assertThat(out.substring(out.indexOf(args.toString()) + args.length()).lines().toList())
                .as("env -i leaves only the command's environment (and what sh sets)")
                .allMatch(l -> l.matches("(A|HOME|PATH|TERM|PWD|SHLVL|_)=.*"));
    }

    @Test
    void bootsTheDebianFixtureToABashPromptAndRestartsTheCommand() throws Exception {
        Path rootfs = Path.of(InitramfsTest.run("bash '" + repoRoot().resolve("scripts/fixture-base.sh") + "' dir").strip());
        Path dir = Files.createDirectories(WORK.resolve("debian"));
        Path image = dir.resolve("root.ext2");
        InitramfsTest.run("mke2fs -q -F -t ext2 -d '" + rootfs + "' -b 4096 '" + image + "' 512M");
        BootFiles boot = kit.assemble(GuestCommand.of("/bin/bash").withCwd("/root"), dir.resolve("boot"));
        System.out.println("boot files: " + boot);

        String result = bootInV86(dir, boot, image, boot.cmdline() + " webvm.rows=33 webvm.cols=101", """
                [{"expect":"webvm:ready"},{"expect":"# "},
                 {"send":"uname -m; id; pwd; stty size; tty; echo \\"$TERM $HOME\\"\\n"},
                 {"expect":"i686"},{"expect":"uid=0(root) gid=0(root)"},{"expect":"/root\\n33 101\\n/dev/ttyS0\\nxterm /root"},
                 {"expect":"# "},{"send":"stty rows 20 cols 70; exit\\n"},
                 {"expect":"webvm: the command exited with status 0; starting it again"},
                 {"expect":"webvm:ready"},{"expect":"# "},{"send":"echo again $((6*7)); stty size\\n"},
                 {"expect":"again 42\\n20 70\\n"}]
                """);
        assertThat(result).contains("PASS");
    }

    /** An image with no shell, no /etc, no /dev, /proc or /tmp: only a static binary, run as a user. */
    @Test
    void bootsAnImageWithoutAShellRunningAStaticBinaryAsAUser() throws Exception {
        Path dir = Files.createDirectories(WORK.resolve("noshell"));
        Path tree = dir.resolve("tree");
        InitramfsTest.run("rm -rf '" + tree + "'");
        Files.createDirectories(tree.resolve("opt/app"));
        Files.copy(files.busybox(), tree.resolve("opt/app/busybox"), StandardCopyOption.REPLACE_EXISTING);
        Path image = dir.resolve("root.ext2");
        InitramfsTest.run("mke2fs -q -F -t ext2 -d '" + tree + "' -b 4096 '" + image + "' 16M");
        GuestCommand command = new GuestCommand(List.of("busybox", "sh", "-c",
                "echo \"args:[$1][$2] id:$(busybox id -u):$(busybox id -g) cwd:$(busybox pwd) home:$HOME"
                        + " tty:$(busybox tty)\"", "x",
                "a b", "it's"), List.of("PATH=/opt/app"), "/opt/app", 1234, 5678);
        BootFiles boot = kit.assemble(command, dir.resolve("boot"));
        String result = bootInV86(dir, boot, image, boot.cmdline(), """
                [{"expect":"webvm:ready"},
                 {"expect":"args:[a b][it's] id:1234:5678 cwd:/opt/app home:/ tty:/dev/ttyS0"},
                 {"expect":"webvm: the command exited with status 0; starting it again"},
                 {"expect":"webvm:ready"},{"expect":"args:[a b]"}]
                """);
        assertThat(result).contains("PASS");
    }

    private static String bootInV86(Path dir, BootFiles boot, Path image, String cmdline, String steps) throws Exception {
        Path v86 = v86Package();
        Path harness = dir.resolve("boot-v86.mjs");
        try (InputStream in = BootKitV86IT.class.getResourceAsStream("/v86/boot-v86.mjs")) {
            Files.copy(in, harness, StandardCopyOption.REPLACE_EXISTING);
        }
        Path config = dir.resolve("boot.json");
        Files.writeString(config, "{\"v86\":" + json(v86.toString())
                + ",\"bios\":" + json(dir.resolve("boot/bios.bin").toString())
                + ",\"kernel\":" + json(dir.resolve("boot/vmlinuz").toString())
                + ",\"initrd\":" + json(dir.resolve("boot/initrd.img").toString())
                + ",\"cmdline\":" + json(cmdline)
                + ",\"hda\":" + json(image.toString())
                + ",\"memoryMb\":256,\"timeoutSeconds\":" + TIMEOUT_SECONDS
                + ",\"log\":" + json(dir.resolve("serial.log").toString())
                + ",\"steps\":" + steps + "}");
        Process p = new ProcessBuilder("node", harness.toString(), config.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(TIMEOUT_SECONDS + 60, TimeUnit.SECONDS)).isTrue();
        System.out.println("v86 boot (" + dir + "):\n" + out);
        assertThat(p.exitValue()).as("v86 boot failed, serial log in " + dir.resolve("serial.log") + ":\n" + out).isZero();
        String serial = Files.readString(dir.resolve("serial.log"), StandardCharsets.ISO_8859_1);
        assertThat(serial).as("module loading and mounting reported no error")
                .doesNotContain("insmod:").doesNotContain("webvm-init:").doesNotContain("webvm: cannot mount");
        return out;
    }

    /** {@code node_modules/v86} of v86@0.5.462, installed once into ~/.cache/webvm-maven/node. */
    static Path v86Package() throws Exception {
        assumeTrue(works("node --version") && works("npm --version"), "node and npm are needed for the v86 boot");
        Path dir = BootKit.defaultCacheDirectory().resolveSibling("node").resolve("v86-" + V86_VERSION);
        Files.createDirectories(dir);
        Path pkg = dir.resolve("node_modules/v86");
        try (FileChannel ch = FileChannel.open(dir.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock lock = ch.lock()) {
            if (!Files.isRegularFile(pkg.resolve("build/libv86.mjs"))) {
                Files.writeString(dir.resolve("package.json"), "{\"private\":true}\n");
                InitramfsTest.run("cd '" + dir + "' && npm install --no-audit --no-fund --loglevel=error v86@" + V86_VERSION);
            }
        }
        return pkg;
    }

    private static boolean works(String cmd) {
        try {
            Process p = new ProcessBuilder("sh", "-c", cmd).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    static Path repoRoot() {
        return Path.of(System.getProperty("webvm.repoRoot", "..")).toAbsolutePath().normalize();
    }

    private static String json(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}

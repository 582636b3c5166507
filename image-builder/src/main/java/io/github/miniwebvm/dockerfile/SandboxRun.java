package io.github.miniwebvm.dockerfile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Runs a RUN command in a bubblewrap sandbox over a materialised root, as {@code docker build}
 * isolates it: new PID, IPC, UTS and mount namespaces (the root is bwrap's pivot_root, not a
 * chroot), a fresh {@code /proc}, a minimal {@code /dev}, {@code /sys} read-only, the host's
 * {@code resolv.conf}; capabilities limited to Docker's default set (bounding set included),
 * {@code no_new_privs}; the host network unless turned off. The whole process tree dies with the
 * build ({@code --die-with-parent}) or when the step's timeout passes. i386 binaries run through
 * the kernel (qemu-i386 binfmt, or natively on x86-64) under the i686 personality.
 *
 * <p>The user switch is done inside the sandbox by the host's {@code setpriv}, mounted read-only
 * with the libraries it needs under {@code /dev/.webvm} (bwrap's own tmpfs, never part of a layer):
 * bwrap can only change the uid in a user namespace, whose files would then belong to the wrong
 * owner.
 */
final class SandboxRun {
    static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    static final String BWRAP = "/usr/bin/bwrap";
    static final String SETPRIV = "/usr/bin/setpriv";
    static final String SETARCH = "/usr/bin/setarch";
    /** Docker's default capability set (moby's oci/caps/defaults.go). */
    static final List<String> DOCKER_CAPABILITIES = List.of("CHOWN", "DAC_OVERRIDE", "FSETID", "FOWNER", "MKNOD",
            "NET_RAW", "SETGID", "SETUID", "SETFCAP", "SETPCAP", "NET_BIND_SERVICE", "SYS_CHROOT", "KILL",
            "AUDIT_WRITE");
    private static final String HELPER_DIR = "/dev/.webvm";

    private SandboxRun() {
    }

    /**
     * Runs {@code argv} in {@code root} as {@code uid:gid} in {@code workdir} with exactly
     * {@code env}; output goes to {@code log}. Returns the exit status.
     *
     * @throws ImageBuildException when the step outlives {@code options.timeout()}
     */
    static int run(Path root, List<String> argv, Map<String, String> env, String workdir, long uid, long gid,
                   RunOptions options, Consumer<String> log) throws IOException {
        // mount points the image may lack; created empty and removed after (they never reach a layer)
        List<Path> created = new ArrayList<>();
        for (String d : List.of("proc", "sys", "dev")) {
            Path p = root.resolve(d);
            if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectory(p);
                created.add(p);
            }
        }
        try {
            ProcessBuilder pb = new ProcessBuilder(command(root, argv, workdir, uid, gid, options))
                    .redirectErrorStream(true);
            pb.environment().clear();
            Map<String, String> fullEnv = new LinkedHashMap<>(env);
            fullEnv.putIfAbsent("PATH", DEFAULT_PATH);
            pb.environment().putAll(fullEnv);
            CommandRunner.Result r = CommandRunner.run(pb, log, options.timeout());
            if (r.timedOut()) {
                throw new ImageBuildException("the RUN step was still running after " + options.timeout().toSeconds()
                        + " s and was killed with every process it started; raise the RUN timeout if it needs longer");
            }
            return r.exitCode();
        } finally {
            for (Path p : created) {
                Files.deleteIfExists(p);
            }
        }
    }

    static List<String> command(Path root, List<String> argv, String workdir, long uid, long gid, RunOptions options)
            throws IOException {
        List<String> cmd = new ArrayList<>(List.of(SETARCH, "i686", BWRAP,
                "--die-with-parent", "--new-session",
                "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
                "--hostname", "buildkitsandbox",
                "--bind", root.toString(), "/",
                "--proc", "/proc",
                "--dev", "/dev",
                "--ro-bind", "/sys", "/sys"));
        if (!options.network()) {
            cmd.add("--unshare-net");
        }
        Path resolv = root.resolve("etc/resolv.conf");
        if (options.network() && Files.isRegularFile(Path.of("/etc/resolv.conf"))
                && Files.isRegularFile(resolv, LinkOption.NOFOLLOW_LINKS)) {
            cmd.addAll(List.of("--ro-bind", Path.of("/etc/resolv.conf").toRealPath().toString(), "/etc/resolv.conf"));
        }
        SetprivFiles setpriv = SetprivFiles.find();
        cmd.addAll(List.of("--ro-bind", setpriv.loader().toString(), HELPER_DIR + "/ld.so",
                "--ro-bind", SETPRIV, HELPER_DIR + "/setpriv"));
        for (Path lib : setpriv.libraries()) {
            cmd.addAll(List.of("--ro-bind", lib.toRealPath().toString(), HELPER_DIR + "/lib/" + lib.getFileName()));
        }
        cmd.addAll(List.of("--chdir", workdir, "--cap-drop", "ALL"));
        for (String c : DOCKER_CAPABILITIES) {
            cmd.addAll(List.of("--cap-add", "CAP_" + c));
        }
        StringBuilder bounding = new StringBuilder("-all");
        for (String c : DOCKER_CAPABILITIES) {
            bounding.append(",+").append(c.toLowerCase(java.util.Locale.ROOT));
        }
        cmd.addAll(List.of(HELPER_DIR + "/ld.so", "--library-path", HELPER_DIR + "/lib", HELPER_DIR + "/setpriv",
                "--reuid", Long.toString(uid), "--regid", Long.toString(gid), "--clear-groups",
                "--bounding-set", bounding.toString(), "--"));
        cmd.addAll(argv);
        return cmd;
    }

    /** The host's setpriv: its dynamic loader and the libraries {@code ldd} names, found once. */
    record SetprivFiles(Path loader, List<Path> libraries) {
        private static volatile SetprivFiles found;

        static SetprivFiles find() throws IOException {
            SetprivFiles f = found;
            if (f == null) {
                f = parseLdd(CommandRunner.runCaptured(List.of("ldd", SETPRIV)));
                found = f;
            }
            return f;
        }

        static SetprivFiles parseLdd(CommandRunner.Result ldd) throws IOException {
            if (!ldd.ok()) {
                throw new ImageBuildException("cannot list the libraries of " + SETPRIV + " (ldd failed: "
                        + ldd.tailText() + "); RUN needs util-linux's setpriv");
            }
            Path loader = null;
            List<Path> libs = new ArrayList<>();
            for (String line : ldd.tail()) {
                String l = line.trim();
                int arrow = l.indexOf("=> /");
                if (arrow >= 0) {
                    libs.add(Path.of(l.substring(arrow + 3, l.lastIndexOf(" (") > arrow ? l.lastIndexOf(" (") : l.length())));
                } else if (l.startsWith("/")) {
                    loader = Path.of(l.substring(0, l.indexOf(' ') > 0 ? l.indexOf(' ') : l.length()));
                }
            }
            if (loader == null) {
                throw new ImageBuildException("ldd names no dynamic loader for " + SETPRIV + ": " + ldd.tailText());
            }
            return new SetprivFiles(loader.toRealPath(), libs);
        }
    }
}

package io.github.miniwebvm.build;

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
 * Runs a RUN command in a chroot of a materialised root: a private mount namespace
 * ({@code unshare --mount}) with /proc, a minimal /dev (tmpfs with the usual nodes bound from the
 * host), /sys read-only and the host's /etc/resolv.conf bound over the image's; i386 binaries run
 * through the kernel (qemu-i386 binfmt, or natively on x86-64) under the i686 personality. Nothing
 * mounted here outlives the command.
 */
final class ChrootRun {
    static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private static final String SETUP = String.join("\n",
            "set -e",
            "R=\"$1\"; W=\"$2\"; U=\"$3\"; G=\"$4\"; shift 4",
            "/bin/mount -t proc proc \"$R/proc\"",
            "/bin/mount -t tmpfs -o mode=755,nosuid devtmp \"$R/dev\"",
            "for d in null zero full random urandom tty; do : > \"$R/dev/$d\"; /bin/mount --bind \"/dev/$d\" \"$R/dev/$d\"; done",
            "/bin/mkdir -p \"$R/dev/pts\" \"$R/dev/shm\"",
            "/bin/ln -s /proc/self/fd \"$R/dev/fd\"",
            "/bin/ln -s /proc/self/fd/0 \"$R/dev/stdin\"; /bin/ln -s /proc/self/fd/1 \"$R/dev/stdout\"; "
                    + "/bin/ln -s /proc/self/fd/2 \"$R/dev/stderr\"",
            "/bin/mount -t tmpfs -o mode=1777 shm \"$R/dev/shm\"",
            "/bin/mount --rbind /sys \"$R/sys\" && /bin/mount -o remount,bind,ro \"$R/sys\" 2>/dev/null || true",
            "if [ -f /etc/resolv.conf ] && [ -e \"$R/etc/resolv.conf\" ]; then "
                    + "/bin/mount --bind \"$(readlink -f /etc/resolv.conf)\" \"$R/etc/resolv.conf\"; fi",
            "exec /usr/bin/setarch i686 /usr/bin/unshare --root=\"$R\" --wd=\"$W\" --setgid=\"$G\" --setuid=\"$U\" -- \"$@\"",
            "");

    private ChrootRun() {
    }

    /**
     * Runs {@code argv} in {@code root} as {@code uid:gid} in {@code workdir} with exactly
     * {@code env}; output goes to {@code log}. Returns the exit status.
     */
    static int run(Path root, List<String> argv, Map<String, String> env, String workdir, long uid, long gid,
                   Consumer<String> log) throws IOException {
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
            List<String> cmd = new ArrayList<>(List.of("/usr/bin/unshare", "--mount", "--propagation", "private",
                    "--fork", "/bin/sh", "-c", SETUP, "webvm-run", root.toString(), workdir,
                    Long.toString(uid), Long.toString(gid)));
            cmd.addAll(argv);
            Map<String, String> fullEnv = new LinkedHashMap<>(env);
            fullEnv.putIfAbsent("PATH", DEFAULT_PATH);
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            pb.environment().clear();
            pb.environment().putAll(fullEnv);
            CommandRunner.Result r = CommandRunner.run(pb, log);
            return r.exitCode();
        } finally {
            for (Path p : created) {
                Files.deleteIfExists(p);
            }
        }
    }
}

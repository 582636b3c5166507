package io.github.miniwebvm.bootkit;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What the guest runs on its console, as an image config gives it (and as WebVM's page runs it):
 * the program and its arguments, the environment ({@code K=V} entries), the working directory,
 * and the numeric user and group. The launcher starts it again whenever it exits.
 *
 * <p>At boot, like Docker: a program without {@code /} is looked up in the command's {@code PATH}
 * (Docker's default {@code PATH} is added when the environment has none), and {@code HOME} comes
 * from the image's {@code /etc/passwd} when the environment has none. {@code TERM=xterm} is added
 * when missing, since the console is shown by a terminal emulator. Supplementary groups are
 * cleared.
 *
 * @param argv the program followed by its arguments; not empty
 * @param env  environment entries {@code NAME=value}
 * @param cwd  absolute working directory; {@code /} if it does not exist in the guest
 */
public record GuestCommand(List<String> argv, List<String> env, String cwd, long uid, long gid) {
    public static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    public GuestCommand {
        argv = List.copyOf(argv);
        env = List.copyOf(env);
        Objects.requireNonNull(cwd, "cwd");
        if (argv.isEmpty() || argv.get(0).isEmpty()) {
            throw new IllegalArgumentException("the guest command needs a program (argv is empty)");
        }
        for (String e : env) {
            if (e.indexOf('=') <= 0) {
                throw new IllegalArgumentException("environment entry is not NAME=value: '" + e + "'");
            }
        }
        if (!cwd.startsWith("/")) {
            throw new IllegalArgumentException("the working directory must be absolute: '" + cwd + "'");
        }
        if (uid < 0 || uid > 0xFFFF_FFFEL || gid < 0 || gid > 0xFFFF_FFFEL) {
            throw new IllegalArgumentException("uid/gid out of range: " + uid + "/" + gid);
        }
        for (String s : concat(argv, env, List.of(cwd))) {
            if (s.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("NUL byte in the guest command: " + s.replace("\0", "\\0"));
            }
        }
    }

    /** {@code argv} as root in {@code /} with Docker's default {@code PATH}. */
    public static GuestCommand of(String... argv) {
        return new GuestCommand(List.of(argv), List.of("PATH=" + DEFAULT_PATH), "/", 0, 0);
    }

    public GuestCommand withEnv(List<String> env) {
        return new GuestCommand(argv, env, cwd, uid, gid);
    }

    public GuestCommand withCwd(String cwd) {
        return new GuestCommand(argv, env, cwd, uid, gid);
    }

    public GuestCommand withUser(long uid, long gid) {
        return new GuestCommand(argv, env, cwd, uid, gid);
    }

    /** The environment the launcher starts with: {@link #env} plus the PATH and TERM defaults. */
    List<String> effectiveEnv() {
        List<String> out = new ArrayList<>(env);
        if (env.stream().noneMatch(e -> e.startsWith("PATH="))) {
            out.add("PATH=" + DEFAULT_PATH);
        }
        if (env.stream().noneMatch(e -> e.startsWith("TERM="))) {
            out.add("TERM=xterm");
        }
        return out;
    }

    /** The {@code /webvm/command} file the launcher sources: shell assignments and one function. */
    String toShell() {
        List<String> env = effectiveEnv();
        StringBuilder sb = new StringBuilder();
        sb.append("# The command the WebVM launcher runs (generated; sourced by /dev/.webvm/launcher).\n");
        sb.append("webvm_uid=").append(uid).append('\n');
        sb.append("webvm_gid=").append(gid).append('\n');
        sb.append("webvm_cwd=").append(quote(cwd)).append('\n');
        sb.append("webvm_command() {\n  \"$@\" ").append(env.size());
        for (String s : concat(env, argv)) {
            sb.append(" \\\n    ").append(quote(s));
        }
        sb.append("\n}\n");
        return sb.toString();
    }

    /** Single-quotes {@code s} for POSIX sh: every byte but NUL survives unchanged. */
    static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    private static List<String> concat(List<String> a, List<String> b, List<String> c) {
        return concat(concat(a, b), c);
    }
}

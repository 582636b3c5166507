package io.github.miniwebvm.dockerfile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** What the native builder needs for RUN steps, and what is missing on this host. */
final class NativeCapabilities {
    private static volatile List<String> cached;

    private NativeCapabilities() {
    }

    /** Missing prerequisites for RUN (empty when RUN can execute here). */
    static List<String> missingForRun() {
        List<String> c = cached;
        if (c == null) {
            c = probe();
            cached = c;
        }
        return c;
    }

    private static List<String> probe() {
        List<String> missing = new ArrayList<>();
        if (!isRoot()) {
            missing.add("root privileges (RUN steps run in a bubblewrap sandbox that switches to the image's users"
                    + " and owners; the build runs as uid " + uid() + ")");
            return missing;
        }
        if (!Files.isExecutable(Path.of(SandboxRun.BWRAP))) {
            missing.add(SandboxRun.BWRAP + " (apt-get install bubblewrap: RUN steps run in its sandbox)");
        }
        for (String tool : List.of(SandboxRun.SETPRIV, SandboxRun.SETARCH)) {
            if (!Files.isExecutable(Path.of(tool))) {
                missing.add(tool + " (util-linux)");
            }
        }
        if (!missing.isEmpty()) {
            return missing;
        }
        if (CommandRunner.query(List.of(SandboxRun.BWRAP, "--unshare-pid", "--unshare-ipc", "--unshare-uts",
                "--ro-bind", "/", "/", "--proc", "/proc", "--dev", "/dev", "/bin/true"), 10) == null) {
            missing.add("the right to create namespaces (a bubblewrap sandbox could not start here, e.g. inside an"
                    + " unprivileged container)");
        }
        if (!canRunI386()) {
            missing.add("a way to run i386 binaries: register qemu-i386 with binfmt_misc (apt-get install "
                    + "qemu-user-static binfmt-support) or build on an x86 host");
        }
        return missing;
    }

    static boolean canRunI386() {
        Path binfmt = Path.of("/proc/sys/fs/binfmt_misc/qemu-i386");
        try {
            if (Files.isRegularFile(binfmt) && Files.readString(binfmt).startsWith("enabled")) {
                return true;
            }
        } catch (IOException e) {
            // fall through to the architecture check
        }
        String arch = System.getProperty("os.arch");
        return arch.equals("amd64") || arch.equals("x86_64") || arch.matches("i[3-6]86") || arch.equals("x86");
    }

    static boolean isRoot() {
        return uid() == 0;
    }

    private static long uid() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return Long.parseLong(line.substring(4).trim().split("\\s+")[1]);
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}

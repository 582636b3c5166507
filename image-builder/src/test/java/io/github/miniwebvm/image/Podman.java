package io.github.miniwebvm.image;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs podman (and other tools) for the differential tests; the base image is imported once and cached. */
final class Podman {
    static final String BASE_IMAGE = "localhost/webvm-flatten-test/base:bookworm";

    private Podman() { }

    static void assumeAvailable() {
        boolean ok;
        try {
            ok = run(List.of("podman", "info", "--format", "{{.Host.Arch}}"), 60, false).exit == 0;
        } catch (IOException e) {
            ok = false;
        }
        assumeTrue(ok, "podman is not installed or not usable here (scripts/setup-host.sh installs it)");
    }

    /** The debootstrapped i386 fixture imported as a linux/386 image (once; cached in podman storage). */
    static synchronized String baseImage() throws IOException {
        if (run(List.of("podman", "image", "exists", BASE_IMAGE), 60, false).exit == 0) {
            return BASE_IMAGE;
        }
        Path repo = Path.of(System.getProperty("webvm.repoRoot", "..")).toAbsolutePath().normalize();
        String tar = run(List.of("bash", repo.resolve("scripts/fixture-base.sh").toString()), 900, true).out.trim();
        run(List.of("podman", "import", "--arch", "386", "--os", "linux", tar, BASE_IMAGE), 600, true);
        return BASE_IMAGE;
    }

    record Result(int exit, String out) { }

    static Result run(List<String> command, long timeoutSeconds, boolean check) throws IOException {
        Path log = Files.createTempFile("podman-", ".log");
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            boolean done;
            try {
                done = p.waitFor(timeoutSeconds, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new IOException("interrupted: " + command);
            }
            if (!done) {
                p.destroyForcibly();
                throw new IOException("timed out after " + timeoutSeconds + " s: " + command);
            }
            String out = Files.readString(log, StandardCharsets.UTF_8);
            if (check && p.exitValue() != 0) {
                throw new IOException("command failed (exit " + p.exitValue() + "): " + String.join(" ", command) + "\n" + out);
            }
            return new Result(p.exitValue(), out);
        } finally {
            Files.deleteIfExists(log);
        }
    }

    static Result run(String... command) throws IOException {
        return run(new ArrayList<>(List.of(command)), 900, true);
    }
}

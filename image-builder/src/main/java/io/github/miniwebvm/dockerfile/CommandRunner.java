package io.github.miniwebvm.dockerfile;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/** Runs an external command, streaming its merged stdout/stderr line by line. */
final class CommandRunner {
    private static final int TAIL_LINES = 40;

    private CommandRunner() {
    }

    /** What a finished command left behind: its exit status and its last lines of output. */
    record Result(int exitCode, List<String> tail, boolean timedOut) {
        Result(int exitCode, List<String> tail) {
            this(exitCode, tail, false);
        }

        boolean ok() {
            return exitCode == 0;
        }

        String tailText() {
            return String.join("\n", tail);
        }

        boolean outputContains(String s) {
            return tail.stream().anyMatch(l -> l.contains(s));
        }
    }

    static Result run(List<String> command, Path directory, Map<String, String> env, Consumer<String> log)
            throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        if (directory != null) {
            pb.directory(directory.toFile());
        }
        if (env != null) {
            pb.environment().putAll(env);
        }
        return run(pb, log);
    }

    static Result run(ProcessBuilder pb, Consumer<String> log) throws IOException {
        return run(pb, log, null);
    }

    /**
     * Runs the command; after {@code timeout} (null: none) it is killed (SIGKILL) and the result
     * says it timed out.
     */
    static Result run(ProcessBuilder pb, Consumer<String> log, Duration timeout) throws IOException {
        List<String> command = pb.command();
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new IOException("cannot start '" + command.get(0) + "': " + e.getMessage(), e);
        }
        p.getOutputStream().close();
        AtomicBoolean timedOut = new AtomicBoolean();
        Thread watchdog = null;
        if (timeout != null) {
            watchdog = new Thread(() -> {
                try {
                    if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                        timedOut.set(true);
                        p.destroyForcibly();
                    }
                } catch (InterruptedException e) {
                    p.destroyForcibly();
                }
            }, "command-timeout");
            watchdog.setDaemon(true);
            watchdog.start();
        }
        Deque<String> tail = new ArrayDeque<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                log.accept(line);
                tail.addLast(line);
                if (tail.size() > TAIL_LINES) {
                    tail.removeFirst();
                }
            }
        }
        try {
            int exit = p.waitFor();
            if (watchdog != null) {
                watchdog.interrupt();
                watchdog.join();
            }
            return new Result(exit, new ArrayList<>(tail), timedOut.get());
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for " + command.get(0), e);
        }
    }

    /** Runs a command and keeps all of its output lines (for listings). */
    static Result runCaptured(List<String> command) throws IOException {
        List<String> lines = new ArrayList<>();
        Result r = run(command, null, null, lines::add);
        return new Result(r.exitCode(), lines);
    }

    /** Runs a short query command quietly; null when it cannot start, fails or takes longer than the timeout. */
    static String query(List<String> command, long timeoutSeconds) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getOutputStream().close();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return null;
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            return p.exitValue() == 0 ? out : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}

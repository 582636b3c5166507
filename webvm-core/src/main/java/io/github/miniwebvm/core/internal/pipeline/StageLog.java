package io.github.miniwebvm.core.internal.pipeline;

import java.util.Locale;
import java.util.function.Consumer;

/**
 * Logs the pipeline's stages: one line per stage with what it did, sizes and time, and progress
 * lines at most every few seconds.
 */
public final class StageLog {
    private static final long PROGRESS_INTERVAL_NANOS = 3_000_000_000L;

    private final Consumer<String> info;
    private final Consumer<String> warn;

    public StageLog(Consumer<String> info, Consumer<String> warn) {
        this.info = info;
        this.warn = warn;
    }

    public void info(String message) {
        info.accept(message);
    }

    public void warn(String message) {
        warn.accept(message);
    }

    /** A stage: {@code done(...)} logs "name: summary, 1.4 s". */
    public Stage stage(String name) {
        return new Stage(name);
    }

    public final class Stage {
        private final String name;
        private final long start = System.nanoTime();
        private long lastProgress = start;

        private Stage(String name) {
            this.name = name;
        }

        /** A progress callback for long work: forwards at most one line every few seconds. */
        public Consumer<String> progress() {
            return message -> {
                long now = System.nanoTime();
                if (now - lastProgress >= PROGRESS_INTERVAL_NANOS) {
                    lastProgress = now;
                    info.accept(prefixed(message));
                }
            };
        }

        /** Every line, for output a user must see (engine build output, warnings). */
        public Consumer<String> lines() {
            return message -> info.accept(prefixed(message));
        }

        private String prefixed(String message) {
            return message.startsWith(name + ":") ? message : name + ": " + message;
        }

        public void done(String summary) {
            info.accept(name + ": " + summary + ", " + seconds(System.nanoTime() - start));
        }

        public void skipped(String why) {
            info.accept(name + ": up to date (" + why + ")");
        }
    }

    public static String seconds(long nanos) {
        return String.format(Locale.ROOT, "%.1f s", nanos / 1e9);
    }

    /** 412 MiB, 1.3 GiB, 900 KiB, 12 B. */
    public static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return (v >= 100 ? String.format(Locale.ROOT, "%.0f %s", v, units[u])
                : String.format(Locale.ROOT, "%.1f %s", v, units[u]));
    }
}

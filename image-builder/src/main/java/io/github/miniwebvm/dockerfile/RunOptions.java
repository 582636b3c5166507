package io.github.miniwebvm.dockerfile;

import java.time.Duration;
import java.util.Objects;

/**
 * How the native builder runs RUN steps.
 *
 * @param network the host's network, as {@code docker build} gives it by default (apt-get needs it);
 *                false gives the step a network namespace of its own with nothing in it
 * @param timeout how long one RUN step may take before its whole process tree is killed
 */
public record RunOptions(boolean network, Duration timeout) {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofHours(2);
    public static final RunOptions DEFAULT = new RunOptions(true, DEFAULT_TIMEOUT);

    public RunOptions {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("the RUN timeout must be positive, not " + timeout);
        }
    }
}

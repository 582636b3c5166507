package io.github.miniwebvm.core.internal.pipeline;

/**
 * A pipeline failure with a message that says what to do. A user error (bad parameter, bad
 * Dockerfile, too small a disk) is reported as a build failure; anything else as an error of the
 * environment (missing tool, network, disk).
 */
public final class PipelineException extends Exception {
    private final boolean userError;

    private PipelineException(String message, Throwable cause, boolean userError) {
        super(message, cause);
        this.userError = userError;
    }

    public static PipelineException user(String message) {
        return new PipelineException(message, null, true);
    }

    public static PipelineException user(String message, Throwable cause) {
        return new PipelineException(message, cause, true);
    }

    public static PipelineException environment(String message, Throwable cause) {
        return new PipelineException(message, cause, false);
    }

    public boolean isUserError() {
        return userError;
    }
}

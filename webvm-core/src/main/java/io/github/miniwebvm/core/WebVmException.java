package io.github.miniwebvm.core;

/** A build that failed; the message says what happened and, for the user's errors, what to change. */
public final class WebVmException extends Exception {
    private final boolean userError;

    WebVmException(String message, Throwable cause, boolean userError) {
        super(message, cause);
        this.userError = userError;
    }

    /** True when an input or an option is at fault (a bad Dockerfile, a size too small), not the machine or the tool. */
    public boolean isUserError() {
        return userError;
    }
}

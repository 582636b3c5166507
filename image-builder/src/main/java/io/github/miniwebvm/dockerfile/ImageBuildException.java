package io.github.miniwebvm.dockerfile;

import java.io.IOException;

/** A build that could not complete; the message says what failed and, where known, how to fix it. */
public class ImageBuildException extends IOException {
    public ImageBuildException(String message) {
        super(message);
    }

    public ImageBuildException(String message, Throwable cause) {
        super(message, cause);
    }
}

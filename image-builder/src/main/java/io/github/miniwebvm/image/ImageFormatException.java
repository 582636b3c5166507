package io.github.miniwebvm.image;

import java.io.IOException;

/**
 * The input is not a usable image: an unknown or corrupt archive, a truncated tar, a bad
 * compression stream, a missing blob, a digest mismatch, an unknown media type, a hostile entry
 * or an image for another platform. The message names the file, layer and entry concerned.
 * I/O failures of the host (disk full, permissions) stay plain {@link IOException}s.
 */
public class ImageFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    public ImageFormatException(String message) {
        super(message);
    }

    public ImageFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}

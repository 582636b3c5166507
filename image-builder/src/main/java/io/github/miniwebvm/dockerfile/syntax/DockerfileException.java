package io.github.miniwebvm.dockerfile.syntax;

import java.io.IOException;

/** A malformed Dockerfile (or .dockerignore); the message starts with {@code source:line:}. */
public final class DockerfileException extends IOException {
    private final String source;
    private final int line;

    public DockerfileException(String source, int line, String message) {
        super(source + ":" + line + ": " + message);
        this.source = source;
        this.line = line;
    }

    /** The file name used in messages. */
    public String source() {
        return source;
    }

    /** 1-based line of the offending instruction. */
    public int line() {
        return line;
    }
}

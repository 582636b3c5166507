package io.github.miniwebvm.core;

/** What builds the Dockerfile. */
public enum BuildBackend {
    /** The native builder when this machine can run it, else a container engine. */
    AUTO,
    /** {@code docker build} when a daemon answers, else {@code podman build}. */
    ENGINE,
    /** Our own builder: no daemon; RUN steps in a bubblewrap sandbox. */
    NATIVE;

    /** {@code auto}, {@code engine} or {@code native}, any case; blank gives {@link #AUTO}. */
    public static BuildBackend parse(String text) {
        return Names.parse(BuildBackend.class, text, "builder", AUTO);
    }
}

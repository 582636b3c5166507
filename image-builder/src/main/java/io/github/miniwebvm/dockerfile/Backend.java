package io.github.miniwebvm.dockerfile;

/** Which builder turns the Dockerfile into an image. */
public enum Backend {
    /** The native builder when it can do every step with the privileges it has, else docker, else podman. */
    AUTO,
    /** The {@code docker} or {@code podman} command line ({@code build}, then {@code save}). */
    ENGINE,
    /** Our own builder: no daemon; {@code RUN} needs root and qemu-i386 binfmt. */
    NATIVE
}

package io.github.miniwebvm.core;

/** The network of the native builder's RUN steps. */
public enum BuildNetwork {
    /** The host's network, as {@code docker build} gives it; {@code apt-get} needs it. */
    DEFAULT,
    /** No network: only a loopback interface. */
    NONE;

    /** {@code default} or {@code none}, any case; blank gives {@link #DEFAULT}. */
    public static BuildNetwork parse(String text) {
        return Names.parse(BuildNetwork.class, text, "buildNetwork", DEFAULT);
    }
}

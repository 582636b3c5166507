package io.github.miniwebvm.core;

/** The emulator the site boots the disk with. */
public enum Engine {
    /** The open-source x86 emulator, self-hosted with the site (the default). */
    V86,
    /** Leaning Technologies' CheerpX, loaded from its CDN, as WebVM uses it. */
    CHEERPX;

    /** {@code v86} or {@code cheerpx}, any case; blank gives {@link #V86}. */
    public static Engine parse(String text) {
        return Names.parse(Engine.class, text, "engine", V86);
    }
}

package io.github.miniwebvm.core.internal.pipeline;

import java.util.Locale;
import java.util.concurrent.CountDownLatch;

/**
 * Named points of a {@code webvm:package} run where a test can stop it. With the system property
 * {@code webvm.test.pauseAt=NAME} the run prints {@code webvm-test: paused at NAME} when it gets
 * there and then waits until its process is killed. The interrupted-builds IT SIGKILLs Maven at
 * every point and checks that the previous site survives; unlike a kill after a delay, each point
 * is hit on every machine, whatever its speed. Without the property nothing happens.
 */
enum PausePoint {
    /** After the up-to-date check, before any stage. */
    STARTED,
    /** The image is built (Dockerfile input only). */
    BUILT,
    /** The image is flattened into a tree. */
    FLATTENED,
    /** {@code rootfs.ext2} is written. */
    EXT2_WRITTEN,
    /** Half the chunks of the disk are in the staging site. */
    CHUNKS_HALFWAY,
    /** The disk is chunked. */
    CHUNKED,
    /** The v86 boot kit is in the staging site. */
    BOOT_KIT,
    /** Page, service worker and runtime are in the staging site. */
    ASSEMBLED,
    /** The build-time snapshot is taken (when enabled). */
    SNAPSHOT,
    /** The staging site is complete, the swap has not started. */
    BEFORE_SWAP,
    /** Between the two renames of the swap: the previous site is moved aside, the new one not yet in place. */
    MID_SWAP,
    /** The new site is in place; {@code site.json} and the up-to-date stamp are not yet written. */
    SWAPPED,
    /** {@code site.json} is written; the up-to-date stamp is not. */
    SITE_JSON;

    static final String PROPERTY = "webvm.test.pauseAt";

    /** The name a test passes in {@value #PROPERTY}: {@code mid-swap} for {@link #MID_SWAP}. */
    String id() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** Waits here for good if the test asked for this point. */
    void reach() {
        if (!id().equals(System.getProperty(PROPERTY))) {
            return;
        }
        System.out.println("webvm-test: paused at " + id() + "; waiting to be killed");
        System.out.flush();
        try {
            new CountDownLatch(1).await();   // never counted down: only the kill ends this
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

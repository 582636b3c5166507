package io.github.miniwebvm.core.internal.pipeline;

import io.github.miniwebvm.runtime.WebvmJson;
import io.github.miniwebvm.snapshot.Snapshotter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/** Stage snapshot (v86): the site boots once in Node and ships the machine state; on failure it cold-boots. */
final class SnapshotStep {
    private final PipelineOptions o;
    private final StageLog log;

    SnapshotStep(PipelineOptions options, StageLog log) {
        this.o = options;
        this.log = log;
    }

    /**
     * Takes the snapshot of the assembled site and adds its entry to {@code webvm.json}; the boot
     * before the disk comes from the cache when another site of this boot kit saved it.
     */
    Optional<Snapshotter.Snapshot> run(Path site, WebvmJson webvmJson, long initrdCommonBytes) throws IOException {
        StageLog.Stage stage = log.stage("snapshot");
        Optional<Snapshotter.Snapshot> taken = Snapshotter.builder()
                .node(o.v86.node())
                .timeout(o.v86.snapshotTimeout())
                .readyPattern(o.v86.snapshotReady())
                .bootStateCache(o.cacheDirectory.resolve("boot-states"))
                .info(stage.lines())
                .warn(log::warn)
                .build()
                .take(site, webvmJson, initrdCommonBytes);
        if (taken.isPresent()) {
            webvmJson.withSnapshot(taken.get().entry()).write(site);
            stage.done(taken.get().file() + " " + StageLog.bytes(taken.get().fileBytes()));
        }
        PausePoint.SNAPSHOT.reach();
        return taken;
    }
}

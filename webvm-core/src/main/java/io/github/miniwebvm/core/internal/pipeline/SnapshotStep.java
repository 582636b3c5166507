package io.github.miniwebvm.core.internal.pipeline;

import io.github.miniwebvm.snapshot.Snapshotter;
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

    Optional<Snapshotter.Snapshot> run(Path site) {
        StageLog.Stage stage = log.stage("snapshot");
        Optional<Snapshotter.Snapshot> taken = Snapshotter.builder()
                .node(o.v86.node())
                .timeout(o.v86.snapshotTimeout())
                .readyPattern(o.v86.snapshotReady())
                .info(stage.lines())
                .warn(log::warn)
                .build()
                .take(site);
        taken.ifPresent(s -> stage.done(s.file() + " " + StageLog.bytes(s.fileBytes())));
        PausePoint.SNAPSHOT.reach();
        return taken;
    }
}

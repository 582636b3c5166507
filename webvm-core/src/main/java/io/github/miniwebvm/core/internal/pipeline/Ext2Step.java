package io.github.miniwebvm.core.internal.pipeline;

import io.github.miniwebvm.ext2.Ext2Result;
import io.github.miniwebvm.ext2.Ext2Writer;
import io.github.miniwebvm.fs.FileTree;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

/** Stage ext2: the file tree becomes the disk image, written by our own ext2 writer. */
final class Ext2Step {
    private final PipelineOptions o;
    private final StageLog log;

    Ext2Step(PipelineOptions options, StageLog log) {
        this.o = options;
        this.log = log;
    }

    Ext2Result run(FileTree tree, Path ext2) throws PipelineException, IOException {
        StageLog.Stage stage = log.stage("ext2");
        Ext2Writer.Builder b = Ext2Writer.builder()
                .revision(o.ext2Revision)
                .blockSize(o.disk.blockSize())
                .progress(stage.progress());
        if (o.disk.size() != null) {
            b.size(o.disk.size().bytes());
        }
        if (o.disk.headroom() != null && o.disk.headroom().size() != null) {
            b.headroomBytes(o.disk.headroom().size().bytes());
        }
        if (o.disk.headroom() != null && o.disk.headroom().percent() != null) {
            b.headroomPercent(o.disk.headroom().percent());
        }
        String epoch = System.getenv("SOURCE_DATE_EPOCH");
        if (epoch != null && !epoch.isBlank()) {
            b.sourceDateEpoch(Long.parseLong(epoch.trim()));
        }
        Ext2Result r;
        try {
            r = b.build().write(tree, ext2);
        } catch (IllegalArgumentException e) {
            throw PipelineException.user("ext2: " + e.getMessage() + (o.disk.size() != null
                    ? " (imageSize " + StageLog.bytes(o.disk.size().bytes()) + ")" : ""), e);
        }
        for (String w : r.warnings()) {
            log.warn("ext2: " + w);
        }
        stage.done(String.format(Locale.ROOT, "%s image, revision %d, %,d inodes, %s used",
                StageLog.bytes(r.imageSize()), o.ext2Revision, r.inodesUsed(),
                StageLog.bytes(r.blocksUsed() * r.blockSize())));
        PausePoint.EXT2_WRITTEN.reach();
        return r;
    }
}

package io.github.miniwebvm.core.internal.pipeline;

import io.github.miniwebvm.chunker.ChunkReport;
import io.github.miniwebvm.chunker.Chunker;
import io.github.miniwebvm.core.DiskLayout;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

/** Stage chunks: the disk image becomes the site's chunk store and manifest. */
final class ChunkStep {
    static final String MANIFEST = "disk/manifest.json";

    private final PipelineOptions o;
    private final StageLog log;

    ChunkStep(PipelineOptions options, StageLog log) {
        this.o = options;
        this.log = log;
    }

    /**
     * Writes {@code ext2} into {@code site/disk}; the chunks of {@code previousSite} are hard-linked
     * first, so unchanged chunks are neither rewritten nor compressed again.
     */
    ChunkReport run(Path ext2, Path site, Path previousSite) throws IOException {
        StageLog.Stage stage = log.stage("chunks");
        AtomicOutput.linkTree(previousSite.resolve("disk"), site.resolve("disk"));
        ChunkReport report = chunker(io.github.miniwebvm.chunker.DiskLayout.PACKED, stage)
                .listener((done, total) -> {
                    if (done == total / 2) {
                        PausePoint.CHUNKS_HALFWAY.reach();
                    }
                })
                .build()
                .write(ext2, site.resolve("disk"));
        if (o.disk.layout() != DiskLayout.PACKED) {
            var layout = o.disk.layout() == DiskLayout.WEBVM
                    ? io.github.miniwebvm.chunker.DiskLayout.WEBVM : io.github.miniwebvm.chunker.DiskLayout.V86;
            String dir = o.disk.layout() == DiskLayout.WEBVM ? "webvm-disk" : "v86-disk";
            AtomicOutput.linkTree(previousSite.resolve(dir), site.resolve(dir));
            chunker(layout, stage).build().write(ext2, site.resolve(dir));
            log.info("chunks: " + o.disk.layout().name().toLowerCase(Locale.ROOT) + " layout in " + dir
                    + "/ as well (the page itself reads the packed store in disk/)");
        }
        stage.done(String.format(Locale.ROOT, "%,d files written, %,d kept from the previous site, %s of the image changed",
                report.filesWritten(), report.filesKept(), StageLog.bytes(report.changedBytes())));
        PausePoint.CHUNKED.reach();
        return report;
    }

    private Chunker.Builder chunker(io.github.miniwebvm.chunker.DiskLayout layout, StageLog.Stage stage) {
        return Chunker.builder()
                .layout(layout)
                .chunkSize((int) o.disk.chunkSize().bytes())
                .imageName(Pipeline.DISK_IMAGE)
                .log(stage.lines());   // the chunker's report, its warnings and its own progress every 10 s
    }
}

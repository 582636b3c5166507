package io.github.miniwebvm.core.internal.pipeline;

import io.github.miniwebvm.chunker.ChunkReport;
import io.github.miniwebvm.core.Engine;
import io.github.miniwebvm.runtime.SiteConfig;
import io.github.miniwebvm.runtime.WebvmJson;
import io.github.miniwebvm.site.AssembledSite;
import io.github.miniwebvm.site.SiteAssembler;
import java.io.IOException;
import java.nio.file.Path;

/** Stage site: page shell, service worker, runtime and {@code webvm.json}, from the earlier stages' results. */
final class SiteStep {
    private final PipelineOptions o;
    private final StageLog log;

    SiteStep(PipelineOptions options, StageLog log) {
        this.o = options;
        this.log = log;
    }

    /** The site's {@code webvm.json}, as written. */
    WebvmJson run(ChunkReport disk, SiteConfig.Boot boot, SiteConfig.Command command, Path site) throws IOException {
        StageLog.Stage stage = log.stage("site");
        SiteConfig config = new SiteConfig(
                o.engine == Engine.V86 ? SiteConfig.Engine.V86 : SiteConfig.Engine.CHEERPX,
                new SiteConfig.Disk(ChunkStep.MANIFEST, Pipeline.DISK_IMAGE, disk.imageSize(), disk.chunkSize(),
                        disk.imageSha256()),
                boot, command, (int) o.v86.memory().mebibytes(), title(), o.cheerpx, o.v86.network());
        AssembledSite assembled = SiteAssembler.builder().config(config).build().assemble(site);
        stage.done(assembled.files().size() + " files of page, service worker and runtime");
        PausePoint.ASSEMBLED.reach();
        return assembled.webvmJson();
    }

    private String title() {
        Path base = o.image != null ? o.image : o.context.toAbsolutePath();
        return "WebVM: " + base.getFileName();
    }
}

package io.github.miniwebvm.core.internal.pipeline;

import io.github.miniwebvm.dockerfile.Backend;
import io.github.miniwebvm.dockerfile.BuiltImage;
import io.github.miniwebvm.dockerfile.ImageBuild;
import java.io.IOException;
import java.nio.file.Files;

/** Stage build: the Dockerfile and its context become an OCI image. */
final class BuildStep {
    private final PipelineOptions o;
    private final StageLog log;

    BuildStep(PipelineOptions options, StageLog log) {
        this.o = options;
        this.log = log;
    }

    BuiltImage run() throws PipelineException, IOException {
        if (!Files.isRegularFile(o.dockerfile)) {
            throw PipelineException.user("no Dockerfile at " + o.dockerfile + "; add one, set dockerfile to its path,"
                    + " or give an existing image with the image setting");
        }
        StageLog.Stage stage = log.stage("build");
        try {
            BuiltImage built = ImageBuild.builder()
                    .dockerfile(o.dockerfile)
                    .context(o.context)
                    .buildArgs(o.build.buildArgs())
                    .target(o.build.target())
                    .platform(o.build.platform())
                    .backend(Backend.valueOf(o.build.backend().name()))
                    .allowInsecureRegistries(o.build.allowInsecureRegistries())
                    .run(o.run)
                    .maxAddBytes(o.build.maxAddSize().bytes())
                    .cacheDirectory(o.cacheDirectory.resolve("layers"))
                    .offline(o.offline)
                    .log(stage.lines())
                    .build()
                    .run(o.workDirectory.resolve("build"));
            stage.done(built.engine() + " (" + built.reason() + "), image " + built.digest());
            PausePoint.BUILT.reach();
            return built;
        } catch (IOException | IllegalArgumentException e) {
            throw PipelineException.user("build: " + e.getMessage(), e);
        }
    }
}

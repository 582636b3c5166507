package io.github.miniwebvm.core.internal.pipeline;

import io.github.miniwebvm.image.ImageFormatException;
import io.github.miniwebvm.image.ImageLoader;
import io.github.miniwebvm.image.LoadedImage;
import java.io.IOException;
import java.nio.file.Path;

/** Stage flatten: an image's layers become one file tree and its run configuration. */
final class FlattenStep {
    private final PipelineOptions o;
    private final StageLog log;

    FlattenStep(PipelineOptions options, StageLog log) {
        this.o = options;
        this.log = log;
    }

    /** The image in {@code input}, flattened; the caller closes it. */
    LoadedImage run(Path input) throws PipelineException, IOException {
        StageLog.Stage stage = log.stage("flatten");
        try {
            LoadedImage image = ImageLoader.builder().workDirectory(o.workDirectory.resolve("spool")).build().load(input);
            stage.done(image.tree().nodeCount() + " inodes from " + input.getFileName());
            PausePoint.FLATTENED.reach();
            return image;
        } catch (ImageFormatException e) {
            throw PipelineException.user("image: " + e.getMessage(), e);
        }
    }
}

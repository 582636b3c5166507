package io.github.miniwebvm.maven.pipeline;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The whole {@code webvm:package} run: build → flatten → ext2 → chunks → site, each stage logged
 * with what it did, and the site swapped into place only when complete.
 */
public final class Pipeline {
    static final String STAMP = "inputs.sha256";

    private final PipelineOptions o;
    private final StageLog log;

    public Pipeline(PipelineOptions options, StageLog log) {
        this.o = options;
        this.log = log;
    }

    public void run() throws PipelineException {
        try {
            Files.createDirectories(o.workDirectory);
            String fingerprint = o.fingerprint().digest();
            Path stamp = o.workDirectory.resolve(STAMP);
            if (isUpToDate(stamp, fingerprint)) {
                log.info("webvm: site is up to date (" + o.outputDirectory + "); nothing changed since the last build");
                return;
            }
            Files.deleteIfExists(stamp);
            runStages();
            Files.writeString(stamp, fingerprint + "\n");
        } catch (IOException e) {
            throw PipelineException.environment("webvm: " + e.getMessage(), e);
        }
    }

    private boolean isUpToDate(Path stamp, String fingerprint) throws IOException {
        return Files.isRegularFile(stamp)
                && Files.readString(stamp).trim().equals(fingerprint)
                && Files.isRegularFile(o.outputDirectory.resolve("webvm.json"));
    }

    private void runStages() throws PipelineException, IOException {
        throw PipelineException.environment("the pipeline stages are not assembled yet", null);
    }
}

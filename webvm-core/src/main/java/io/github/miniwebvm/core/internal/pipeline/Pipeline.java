package io.github.miniwebvm.core.internal.pipeline;

import io.github.miniwebvm.chunker.ChunkReport;
import io.github.miniwebvm.core.Engine;
import io.github.miniwebvm.image.ImageConfig;
import io.github.miniwebvm.image.LoadedImage;
import io.github.miniwebvm.runtime.SiteConfig;
import io.github.miniwebvm.runtime.WebvmJson;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The whole run: build → flatten → ext2 → chunks → boot kit → site → snapshot, one step class
 * each, every step taking the earlier steps' results; the site is swapped into place only when
 * complete, and a run whose inputs have not changed does nothing.
 */
public final class Pipeline {
    static final String STAMP = "inputs.sha256";
    static final String DISK_IMAGE = "rootfs.ext2";
    private static final int EXT2_MAGIC_OFFSET = 1080;

    private final PipelineOptions o;
    private final StageLog log;

    public Pipeline(PipelineOptions options, StageLog log) {
        this.o = options;
        this.log = log;
    }

    /** The outcome of {@link #run()}: whether anything was done, and what the site holds. */
    public record Result(boolean rebuilt, SiteReport site) {
    }

    /** Builds the site, or leaves it as it is when nothing changed since the last build. */
    public Result run() throws PipelineException {
        try {
            OwnedFolders.check(o);   // before the lock file is made beside the output folder
            try (BuildLock lock = BuildLock.acquire(o.outputDirectory)) {
                OwnedFolders.claim(o.workDirectory, OwnedFolders.WORK_MARKER, "workDirectory");
                String fingerprint = o.fingerprint().digest();
                Path stamp = o.workDirectory.resolve(STAMP);
                SiteReport previous = SiteReport.read(o.workDirectory);
                if (previous != null && isUpToDate(stamp, fingerprint)) {
                    log.info("webvm: site is up to date (" + o.outputDirectory + "); nothing changed since the last build");
                    return new Result(false, previous);
                }
                Files.deleteIfExists(stamp);
                PausePoint.STARTED.reach();
                SiteReport report = runStages();
                Files.writeString(stamp, fingerprint + "\n");
                return new Result(true, report);
            }
        } catch (IllegalArgumentException e) {
            throw PipelineException.user("webvm: " + e.getMessage(), e);
        } catch (IOException e) {
            throw PipelineException.environment("webvm: " + e.getMessage(), e);
        }
    }

    private boolean isUpToDate(Path stamp, String fingerprint) throws IOException {
        return Files.isRegularFile(stamp)
                && Files.readString(stamp).trim().equals(fingerprint)
                && Files.isRegularFile(o.outputDirectory.resolve("webvm.json"));
    }

    private SiteReport runStages() throws PipelineException, IOException {
        long start = System.nanoTime();
        Path ext2 = o.workDirectory.resolve(DISK_IMAGE);
        ImageCommand command;
        String imageDigest;
        if (o.image != null && isExt2(o.image)) {
            log.info("image: " + o.image + " is an ext2 disk; using it as is");
            ext2 = o.image;
            command = ImageCommand.resolve(ImageConfig.of("386", "linux", null, null, List.of(), "/", ""),
                    null, o.container, log);
            imageDigest = "ext2:" + Files.size(ext2) + ":" + Files.getLastModifiedTime(ext2).toMillis();
        } else {
            Path input = o.image != null ? o.image : new BuildStep(o, log).run().path();
            try (LoadedImage image = new FlattenStep(o, log).run(input)) {
                command = ImageCommand.resolve(image.config(), image.tree(), o.container, log);
                imageDigest = image.digest();
                new Ext2Step(o, log).run(image.tree(), ext2);
            }
        }
        command.config().writeJson(o.workDirectory.resolve("image.json"));
        if (o.engine == Engine.V86) {
            try {
                SiteConfig.checkV86DiskBytes(Files.size(ext2));
            } catch (IllegalArgumentException e) {
                throw PipelineException.user(e.getMessage(), e);
            }
        }
        if (o.engine == Engine.CHEERPX) {
            log.info("webvm: CheerpX is Leaning Technologies' software, loaded from their CDN by the page; it is free"
                    + " for personal and open-source use, other uses need a license (https://cheerpx.io/)");
        }

        SiteReport report;
        try (AtomicOutput out = AtomicOutput.open(o.outputDirectory)) {
            Path site = out.staging();
            ChunkReport disk = new ChunkStep(o, log).run(ext2, site, out.target());
            BootKitStep.Result bootKit = o.engine == Engine.V86
                    ? new BootKitStep(o, log).run(command.forBootKit(), site) : null;
            WebvmJson webvmJson = new SiteStep(o, log).run(disk, bootKit == null ? null : bootKit.boot(),
                    command.forSite(), site);
            if (o.snapshot) {
                new SnapshotStep(o, log).run(site, webvmJson, bootKit.initrdCommonBytes());
            }
            long[] size = sizeOf(site);
            log.info("site: " + size[1] + " files, " + StageLog.bytes(size[0]) + " in all");
            if (size[0] > ChunkReport.GITHUB_PAGES_SITE_LIMIT) {
                log.warn("the site is " + StageLog.bytes(size[0]) + ", more than GitHub Pages' 1 GB limit;"
                        + " use a smaller imageSize/headroom or another host");
            }
            PausePoint.BEFORE_SWAP.reach();
            out.commit();
            PausePoint.SWAPPED.reach();
            report = new SiteReport(imageDigest, disk.imageSha256(), o.engine.name().toLowerCase(Locale.ROOT),
                    size[0], size[1]);
            report.write(o.workDirectory, o.outputDirectory);
            PausePoint.SITE_JSON.reach();
        } catch (IllegalArgumentException e) {
            throw PipelineException.user(e.getMessage(), e);
        }
        log.info("webvm: site ready in " + o.outputDirectory + " (" + StageLog.seconds(System.nanoTime() - start) + ")");
        return report;
    }

    static boolean isExt2(Path file) throws IOException {
        if (!Files.isRegularFile(file) || Files.size(file) < EXT2_MAGIC_OFFSET + 2) {
            return false;
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate(2);
            ch.read(b, EXT2_MAGIC_OFFSET);
            return (b.get(0) & 0xFF) == 0x53 && (b.get(1) & 0xFF) == 0xEF;
        }
    }

    private static long[] sizeOf(Path dir) throws IOException {
        long[] r = new long[2];
        try (Stream<Path> s = Files.walk(dir)) {
            s.filter(Files::isRegularFile).forEach(p -> {
                try {
                    r[0] += Files.size(p);
                    r[1]++;
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
        }
        return r;
    }
}

package io.github.miniwebvm.core.pipeline;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.miniwebvm.bootkit.BootFiles;
import io.github.miniwebvm.bootkit.BootKit;
import io.github.miniwebvm.bootkit.GuestCommand;
import io.github.miniwebvm.dockerfile.Backend;
import io.github.miniwebvm.dockerfile.BuiltImage;
import io.github.miniwebvm.dockerfile.ImageBuild;
import io.github.miniwebvm.chunker.ChunkReport;
import io.github.miniwebvm.chunker.Chunker;
import io.github.miniwebvm.chunker.DiskLayout;
import io.github.miniwebvm.ext2.Ext2Result;
import io.github.miniwebvm.ext2.Ext2Writer;
import io.github.miniwebvm.fs.FileTree;
import io.github.miniwebvm.image.ImageConfig;
import io.github.miniwebvm.image.ImageFormatException;
import io.github.miniwebvm.image.ImageLoader;
import io.github.miniwebvm.image.LoadedImage;
import io.github.miniwebvm.io.Sha256;
import io.github.miniwebvm.site.SiteAssembler;
import io.github.miniwebvm.site.SiteConfig;
import io.github.miniwebvm.snapshot.Snapshotter;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The whole {@code webvm:package} run: build → flatten → ext2 → chunks → site, each stage logged
 * with what it did, and the site swapped into place only when complete.
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

    /** Builds the site; false when it was up to date and nothing was done. */
    public boolean run() throws PipelineException {
        try {
            OwnedFolders.check(o);   // before the lock file is made beside the output folder
            try (BuildLock lock = BuildLock.acquire(o.outputDirectory)) {
                OwnedFolders.claim(o.workDirectory, OwnedFolders.WORK_MARKER, "workDirectory");
                String fingerprint = o.fingerprint().digest();
                Path stamp = o.workDirectory.resolve(STAMP);
                if (isUpToDate(stamp, fingerprint)) {
                    log.info("webvm: site is up to date (" + o.outputDirectory + "); nothing changed since the last build");
                    return false;
                }
                Files.deleteIfExists(stamp);
                PausePoint.STARTED.reach();
                runStages();
                Files.writeString(stamp, fingerprint + "\n");
                return true;
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

    private void runStages() throws PipelineException, IOException {
        long start = System.nanoTime();
        Path ext2 = o.workDirectory.resolve(DISK_IMAGE);
        ImageConfig config;
        ImageConfig.UserIds ids;
        String imageDigest;
        if (o.image != null && isExt2(o.image)) {
            log.info("image: " + o.image + " is an ext2 disk; using it as is");
            ext2 = o.image;
            config = withDefaultCommand(ImageConfig.of("386", "linux", null, null, List.of(), "/", "")
                    .withOverrides(overrides()), null);
            ids = resolveUser(config, new FileTree()); // an ext2 input has no passwd to read: numeric ids only
            imageDigest = "ext2:" + Files.size(ext2) + ":" + Files.getLastModifiedTime(ext2).toMillis();
        } else {
            Path input = o.image != null ? o.image : buildImage();
            try (LoadedImage image = loadImage(input)) {
                PausePoint.FLATTENED.reach();
                config = withDefaultCommand(image.config().withOverrides(overrides()), image.tree());
                imageDigest = image.digest();
                ids = resolveUser(config, image.tree());
                writeExt2(image.tree(), ext2);
                PausePoint.EXT2_WRITTEN.reach();
            }
        }
        config.writeJson(o.workDirectory.resolve("image.json"));
        if (o.engine == PipelineOptions.Engine.V86 && Files.size(ext2) >= SiteConfig.V86_MAX_DISK_BYTES) {
            throw PipelineException.user("the disk is " + StageLog.bytes(Files.size(ext2))
                    + " but engine v86 supports disks below 2047 MiB (copy/v86 #1353); lower imageSize/headroom,"
                    + " or use engine=cheerpx");
        }
        if (o.engine == PipelineOptions.Engine.CHEERPX) {
            log.info("webvm: CheerpX is Leaning Technologies' software, loaded from their CDN by the page; it is free"
                    + " for personal and open-source use, other uses need a license (https://cheerpx.io/)");
        }

        try (AtomicOutput out = AtomicOutput.open(o.outputDirectory)) {
            Path site = out.staging();
            ChunkReport report = writeDisk(ext2, site, out.target());
            PausePoint.CHUNKED.reach();
            SiteConfig.Boot boot = o.engine == PipelineOptions.Engine.V86
                    ? writeBootKit(new GuestCommand(config.argv(), config.env(), config.webvmCwd(), ids.uid(), ids.gid()), site)
                    : null;
            PausePoint.BOOT_KIT.reach();
            StageLog.Stage stage = log.stage("site");
            SiteConfig siteConfig = new SiteConfig(
                    o.engine == PipelineOptions.Engine.V86 ? SiteConfig.Engine.V86 : SiteConfig.Engine.CHEERPX,
                    SiteConfig.Disk.fromManifest(site, "disk/manifest.json", DISK_IMAGE),
                    boot,
                    new SiteConfig.Command(config.webvmCommand().orElse("/bin/sh"), config.webvmArgs(),
                            config.env(), config.webvmCwd(), ids.uid(), ids.gid()),
                    o.memoryMiB, title(), o.cheerpx, o.network);
            List<String> written = SiteAssembler.builder().config(siteConfig).build().assemble(site);
            stage.done(written.size() + " files of page, service worker and runtime");
            PausePoint.ASSEMBLED.reach();
            if (o.snapshot) {
                takeSnapshot(site);
                PausePoint.SNAPSHOT.reach();
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
            writeSiteJson(imageDigest, report, size);
            PausePoint.SITE_JSON.reach();
        } catch (IllegalArgumentException e) {
            throw PipelineException.user(e.getMessage(), e);
        }
        log.info("webvm: site ready in " + o.outputDirectory + " (" + StageLog.seconds(System.nanoTime() - start) + ")");
    }

    private Path buildImage() throws PipelineException, IOException {
        if (!Files.isRegularFile(o.dockerfile)) {
            throw PipelineException.user("no Dockerfile at " + o.dockerfile + "; add one, set dockerfile to its path,"
                    + " or give an existing image with the image parameter");
        }
        StageLog.Stage stage = log.stage("build");
        try {
            BuiltImage built = ImageBuild.builder()
                    .dockerfile(o.dockerfile)
                    .context(o.context)
                    .buildArgs(o.buildArgs)
                    .target(o.target)
                    .platform(o.platform)
                    .backend(Backend.valueOf(o.builder.name()))
                    .allowInsecureRegistries(o.allowInsecureRegistries)
                    .run(o.run)
                    .maxAddBytes(o.maxAddBytes)
                    .cacheDirectory(o.cacheDirectory.resolve("layers"))
                    .offline(o.offline)
                    .log(stage.lines())
                    .build()
                    .run(o.workDirectory.resolve("build"));
            stage.done(built.engine() + " (" + built.reason() + "), image " + built.digest());
            PausePoint.BUILT.reach();
            return built.path();
        } catch (IOException | IllegalArgumentException e) {
            throw PipelineException.user("build: " + e.getMessage(), e);
        }
    }

    private LoadedImage loadImage(Path input) throws PipelineException, IOException {
        StageLog.Stage stage = log.stage("flatten");
        try {
            LoadedImage image = ImageLoader.builder().workDirectory(o.workDirectory.resolve("spool")).build().load(input);
            stage.done(image.tree().nodeCount() + " inodes from " + input.getFileName());
            return image;
        } catch (ImageFormatException e) {
            throw PipelineException.user("image: " + e.getMessage(), e);
        }
    }

    private void writeExt2(FileTree tree, Path ext2) throws PipelineException, IOException {
        StageLog.Stage stage = log.stage("ext2");
        Ext2Writer.Builder b = Ext2Writer.builder()
                .revision(o.ext2Revision)
                .blockSize(o.blockSize)
                .progress(stage.progress());
        if (o.imageSize != null) {
            b.size(o.imageSize);
        }
        if (o.headroomBytes != null) {
            b.headroomBytes(o.headroomBytes);
        }
        if (o.headroomPercent != null) {
            b.headroomPercent(o.headroomPercent);
        }
        String epoch = System.getenv("SOURCE_DATE_EPOCH");
        if (epoch != null && !epoch.isBlank()) {
            b.sourceDateEpoch(Long.parseLong(epoch.trim()));
        }
        Ext2Result r;
        try {
            r = b.build().write(tree, ext2);
        } catch (IllegalArgumentException e) {
            throw PipelineException.user("ext2: " + e.getMessage() + (o.imageSize != null
                    ? " (imageSize " + StageLog.bytes(o.imageSize) + ")" : ""), e);
        }
        for (String w : r.warnings()) {
            log.warn("ext2: " + w);
        }
        stage.done(String.format(Locale.ROOT, "%s image, revision %d, %,d inodes, %s used",
                StageLog.bytes(r.imageSize()), o.ext2Revision, r.inodesUsed(),
                StageLog.bytes(r.blocksUsed() * r.blockSize())));
    }

    private ChunkReport writeDisk(Path ext2, Path site, Path previousSite) throws PipelineException, IOException {
        StageLog.Stage stage = log.stage("chunks");
        Path disk = site.resolve("disk");
        // the previous site's chunks, hard-linked, so unchanged chunks are neither rewritten nor re-compressed
        AtomicOutput.linkTree(previousSite.resolve("disk"), disk);
        ChunkReport report = Chunker.builder()
                .layout(DiskLayout.PACKED)
                .chunkSize(o.chunkSize)
                .imageName(DISK_IMAGE)
                .log(stage.lines())   // the chunker's report, its warnings and its own progress every 10 s
                .listener((done, total) -> {
                    if (done == total / 2) {
                        PausePoint.CHUNKS_HALFWAY.reach();
                    }
                })
                .build()
                .write(ext2, disk);
        if (o.diskLayout != PipelineOptions.Layout.PACKED) {
            DiskLayout layout = o.diskLayout == PipelineOptions.Layout.WEBVM ? DiskLayout.WEBVM : DiskLayout.V86;
            String dir = layout == DiskLayout.WEBVM ? "webvm-disk" : "v86-disk";
            AtomicOutput.linkTree(previousSite.resolve(dir), site.resolve(dir));
            Chunker.builder().layout(layout).chunkSize(o.chunkSize).imageName(DISK_IMAGE).log(stage.lines())
                    .build().write(ext2, site.resolve(dir));
            log.info("chunks: " + layout.name().toLowerCase(Locale.ROOT) + " layout in " + dir
                    + "/ as well (the page itself reads the packed store in disk/)");
        }
        stage.done(String.format(Locale.ROOT, "%,d files written, %,d kept from the previous site, %s of the image changed",
                report.filesWritten(), report.filesKept(), StageLog.bytes(report.changedBytes())));
        return report;
    }

    private void takeSnapshot(Path site) {
        StageLog.Stage stage = log.stage("snapshot");
        Snapshotter.builder()
                .node(o.snapshotNode)
                .timeout(java.time.Duration.ofSeconds(o.snapshotTimeoutSeconds))
                .readyPattern(o.snapshotReady)
                .info(stage.lines())
                .warn(log::warn)
                .build()
                .take(site)
                .ifPresent(s -> stage.done(s.file() + " " + StageLog.bytes(s.fileBytes())));
    }

    private SiteConfig.Boot writeBootKit(GuestCommand command, Path site) throws PipelineException, IOException {
        StageLog.Stage stage = log.stage("boot kit");
        BootFiles files;
        try {
            files = BootKit.builder()
                    .mirror(URI.create(o.debianMirror))
                    .suite(o.debianSuite)
                    .cacheDirectory(o.cacheDirectory.resolve("debian"))
                    .offline(o.offline)
                    .log(stage.progress())
                    .build()
                    .assemble(command, site.resolve("boot"));
        } catch (IOException e) {
            throw PipelineException.environment("boot kit: " + e.getMessage(), e);
        }
        stage.done("kernel " + files.kernelVersion() + ", " + files.modules().size() + " modules, initrd "
                + StageLog.bytes(files.file(BootFiles.INITRD).size()));
        return new SiteConfig.Boot("boot/" + BootFiles.BIOS, "boot/" + BootFiles.KERNEL, "boot/" + BootFiles.INITRD,
                files.cmdline());
    }

    /**
     * An image without ENTRYPOINT and CMD (a plain rootfs tar, an ext2 disk, {@code FROM scratch}
     * images) gets a login shell, as WebVM's page starts one: bash where the image has it.
     */
    private ImageConfig withDefaultCommand(ImageConfig config, FileTree tree) {
        if (!config.argv().isEmpty()) {
            return config;
        }
        boolean bash = tree == null || tree.lookup("/bin/bash").isPresent() || tree.lookup("/usr/bin/bash").isPresent();
        List<String> shell = bash ? List.of("/bin/bash", "--login") : List.of("/bin/sh", "-l");
        log.info("image: no ENTRYPOINT or CMD; the VM runs " + String.join(" ", shell)
                + " (set <container><entrypoint> to change it)");
        return config.withOverrides(new ImageConfig.Overrides().entrypoint(shell));
    }

    private ImageConfig.Overrides overrides() {
        ImageConfig.Overrides ov = new ImageConfig.Overrides();
        if (o.entrypoint != null && !(o.entrypoint.size() == 1 && o.entrypoint.get(0).equals("INHERIT"))) {
            ov.entrypoint(o.entrypoint);
        }
        if (o.args != null) {
            ov.args(o.args);
        }
        o.environment.forEach(ov::env);
        if (o.workingDirectory != null) {
            ov.workingDir(o.workingDirectory);
        }
        if (o.user != null) {
            ov.user(o.user);
        }
        return ov;
    }

    private static ImageConfig.UserIds resolveUser(ImageConfig config, FileTree tree) throws PipelineException, IOException {
        try {
            return config.resolveUser(tree);
        } catch (ImageFormatException e) {
            throw PipelineException.user("user: " + e.getMessage(), e);
        }
    }

    private String title() {
        Path base = o.image != null ? o.image : o.context.toAbsolutePath();
        return "WebVM: " + base.getFileName();
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

    private void writeSiteJson(String imageDigest, ChunkReport report, long[] size) throws IOException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode n = json.createObjectNode();
        n.put("imageDigest", imageDigest);
        n.put("diskSha256", report.imageSha256());
        n.put("manifestSha256", Sha256.hex(o.outputDirectory.resolve("disk/manifest.json")));
        n.put("engine", o.engine.name().toLowerCase(Locale.ROOT));
        n.put("siteBytes", size[0]);
        n.put("siteFiles", size[1]);
        n.put("outputDirectory", o.outputDirectory.toAbsolutePath().toString());
        Path tmp = o.workDirectory.resolve("site.json.tmp");
        json.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), n);
        Files.move(tmp, o.workDirectory.resolve("site.json"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
}

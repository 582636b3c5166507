package io.github.miniwebvm.core.internal.pipeline;

import io.github.miniwebvm.dockerfile.RunOptions;
import io.github.miniwebvm.core.BuildNetwork;
import io.github.miniwebvm.core.BuildOptions;
import io.github.miniwebvm.core.CheerpxOptions;
import io.github.miniwebvm.core.ContainerOverrides;
import io.github.miniwebvm.core.DiskOptions;
import io.github.miniwebvm.core.Engine;
import io.github.miniwebvm.core.V86Options;
import io.github.miniwebvm.runtime.SiteConfig;
import java.net.URI;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Every setting of one run, as the stages read them: the public option values (each validated
 * when it was made) with what follows from their combination resolved here. Immutable; made with
 * {@link #builder()}.
 */
public final class PipelineOptions {
    public static final URI DEFAULT_DEBIAN_MIRROR = URI.create("https://deb.debian.org/debian");
    public static final String DEFAULT_DEBIAN_SUITE = "bookworm";

    final String toolVersion;
    final Path dockerfile;
    final Path context;
    final Path image;
    final BuildOptions build;
    /** How the native builder runs RUN steps (network, timeout). */
    final RunOptions run;
    final DiskOptions disk;
    /** The disk's ext2 revision: the one asked for, else 0 for cheerpx and 1 for v86. */
    final int ext2Revision;
    final Engine engine;
    /** The v86 settings; engine cheerpx reads none of them (its network must be none). */
    final V86Options v86;
    /** CheerpX settings for the page; {@code null} unless engine is cheerpx. */
    final SiteConfig.Cheerpx cheerpx;
    /** The build-time boot: asked for, and engine v86. */
    final boolean snapshot;
    final ContainerOverrides container;
    /** The project's folder (null without one): never inside outputDirectory or workDirectory. */
    final Path projectDirectory;
    final Path outputDirectory;
    final Path workDirectory;
    final Path cacheDirectory;
    final URI debianMirror;
    final String debianSuite;
    final boolean offline;

    private PipelineOptions(Builder b) {
        this.toolVersion = Objects.requireNonNullElse(b.toolVersion, "dev");
        this.image = b.image;
        if (image == null && (b.dockerfile == null || b.context == null)) {
            throw new IllegalArgumentException("give a Dockerfile and its context, or an image");
        }
        this.dockerfile = b.dockerfile;
        this.context = b.context != null ? b.context : image.toAbsolutePath().getParent();
        this.build = b.build;
        this.run = new RunOptions(build.network() == BuildNetwork.DEFAULT, build.runTimeout());
        this.disk = b.disk;
        this.engine = b.engine;
        this.ext2Revision = disk.ext2Revision() != null ? disk.ext2Revision() : (engine == Engine.CHEERPX ? 0 : 1);
        this.v86 = b.v86;
        if (engine == Engine.V86) {
            this.cheerpx = null;
            if (!b.cheerpx.equals(CheerpxOptions.defaults())) {
                throw new IllegalArgumentException("cheerpxVersion, cheerpxUrl, cheerpxDiskUrl, tailscale and"
                        + " tailscaleControlUrl need engine cheerpx; engine v86 is self-hosted, reads the site's own"
                        + " disk and networks through the network setting");
            }
        } else {
            this.cheerpx = new SiteConfig.Cheerpx(b.cheerpx.version(), b.cheerpx.url(), b.cheerpx.diskUrl(),
                    b.cheerpx.tailscale(), b.cheerpx.tailscaleControlUrl());
            if (!v86.network().equals(SiteConfig.NETWORK_NONE)) {
                throw new IllegalArgumentException("network '" + v86.network() + "' needs engine v86; engine cheerpx"
                        + " networks through Tailscale (tailscale=true)");
            }
        }
        this.snapshot = engine == Engine.V86 && v86.snapshot();
        this.container = b.container;
        this.projectDirectory = b.projectDirectory;
        this.outputDirectory = Objects.requireNonNull(b.outputDirectory, "outputDirectory");
        this.workDirectory = Objects.requireNonNull(b.workDirectory, "workDirectory");
        this.cacheDirectory = Objects.requireNonNull(b.cacheDirectory, "cacheDirectory");
        this.debianMirror = b.debianMirror;
        this.debianSuite = b.debianSuite;
        this.offline = b.offline;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Everything that changes the output, for the up-to-date check. */
    InputFingerprint fingerprint() {
        InputFingerprint f = new InputFingerprint()
                .value("tool", toolVersion)
                .value("build", build.backend() + " " + build.target() + " " + build.platform() + " "
                        + build.network() + " " + build.maxAddSize().bytes())
                .value("image", image)
                .value("disk", disk.size() + " " + disk.headroom() + " " + ext2Revision + " " + disk.blockSize()
                        + " " + disk.chunkSize().bytes() + " " + disk.layout())
                .value("engine", engine)
                .value("v86", v86.memory().bytes() + " " + v86.network() + " " + snapshot + " " + v86.snapshotReady())
                .value("cheerpx", cheerpx)
                .value("entrypoint", container.entrypoint()).value("args", container.args())
                .value("cwd", container.workingDirectory()).value("user", container.user())
                .value("debian", debianMirror + " " + debianSuite)
                .value("SOURCE_DATE_EPOCH", System.getenv("SOURCE_DATE_EPOCH"))
                .values("buildArg", build.buildArgs()).values("env", container.environment());
        if (image != null) {
            f.tree("image", image, Set.of());
        } else {
            Path ctx = context.toAbsolutePath().normalize();
            Set<Path> exclude = new HashSet<>(List.of(
                    outputDirectory.toAbsolutePath().normalize(),
                    workDirectory.toAbsolutePath().normalize(),
                    ctx.resolve(".git"),
                    ctx.resolve("target")));
            f.tree("dockerfile", dockerfile, Set.of()).tree("context", context, exclude);
        }
        return f;
    }

    public static final class Builder {
        private String toolVersion;
        private Path dockerfile;
        private Path context;
        private Path image;
        private BuildOptions build = BuildOptions.defaults();
        private DiskOptions disk = DiskOptions.defaults();
        private Engine engine = Engine.V86;
        private V86Options v86 = V86Options.defaults();
        private CheerpxOptions cheerpx = CheerpxOptions.defaults();
        private ContainerOverrides container = ContainerOverrides.none();
        private Path projectDirectory;
        private Path outputDirectory;
        private Path workDirectory;
        private Path cacheDirectory;
        private URI debianMirror = DEFAULT_DEBIAN_MIRROR;
        private String debianSuite = DEFAULT_DEBIAN_SUITE;
        private boolean offline;

        private Builder() {
        }

        /** The tool and its version; a new one redoes the work. */
        public Builder toolVersion(String v) { toolVersion = v; return this; }
        public Builder dockerfile(Path file, Path buildContext) { dockerfile = file; context = buildContext; return this; }
        public Builder image(Path v) { image = v; return this; }
        public Builder build(BuildOptions v) { build = Objects.requireNonNull(v); return this; }
        public Builder disk(DiskOptions v) { disk = Objects.requireNonNull(v); return this; }
        public Builder engine(Engine v) { engine = Objects.requireNonNull(v); return this; }
        public Builder v86(V86Options v) { v86 = Objects.requireNonNull(v); return this; }
        public Builder cheerpx(CheerpxOptions v) { cheerpx = Objects.requireNonNull(v); return this; }
        public Builder container(ContainerOverrides v) { container = Objects.requireNonNull(v); return this; }
        public Builder projectDirectory(Path v) { projectDirectory = v; return this; }
        public Builder outputDirectory(Path v) { outputDirectory = v; return this; }
        public Builder workDirectory(Path v) { workDirectory = v; return this; }
        public Builder cacheDirectory(Path v) { cacheDirectory = v; return this; }
        public Builder bootKitFrom(URI mirror, String suite) {
            debianMirror = Objects.requireNonNull(mirror);
            debianSuite = Objects.requireNonNull(suite);
            return this;
        }
        public Builder offline(boolean v) { offline = v; return this; }

        public PipelineOptions build() {
            return new PipelineOptions(this);
        }
    }
}

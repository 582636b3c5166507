package io.github.miniwebvm.core;

import io.github.miniwebvm.core.internal.pipeline.Pipeline;
import io.github.miniwebvm.core.internal.pipeline.PipelineException;
import io.github.miniwebvm.core.internal.pipeline.PipelineOptions;
import io.github.miniwebvm.core.internal.pipeline.StageLog;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The whole job in one call: a Dockerfile (or an image) becomes a static site that boots it in
 * the browser.
 *
 * <pre>{@code
 * BuiltSite site = WebVm.from(Source.dockerfileIn(Path.of("app")))
 *         .build(BuildOptions.builder().buildArg("VERSION", "1.2").build())
 *         .v86(V86Options.builder().memory(DataSize.ofMebibytes(512)).build())
 *         .logTo(System.out::println, System.err::println)
 *         .buildSite(Path.of("app/target/webvm-site"));
 * }</pre>
 *
 * Every setting has a default; each option value checks itself when it is made and names the
 * setting in its message. The site is swapped in only when complete; a failed build leaves the
 * previous one as it was, and a call whose inputs have not changed does nothing.
 */
public final class WebVm {
    private final Source source;
    private final PipelineOptions.Builder options = PipelineOptions.builder();
    private Path workDirectory;
    private Path cacheDirectory = Path.of(System.getProperty("user.home"), ".cache", "webvm-maven");
    private Consumer<String> info = line -> { };
    private Consumer<String> warn = line -> { };

    private WebVm(Source source) {
        this.source = Objects.requireNonNull(source, "source");
        if (source.image != null) {
            options.image(source.image);
        } else {
            options.dockerfile(source.dockerfile, source.context);
        }
    }

    public static WebVm from(Source source) {
        return new WebVm(source);
    }

    /** How the Dockerfile is built; default {@link BuildOptions#defaults()}. */
    public WebVm build(BuildOptions build) {
        options.build(build);
        return this;
    }

    /** The ext2 disk and its chunks; default {@link DiskOptions#defaults()}. */
    public WebVm disk(DiskOptions disk) {
        options.disk(disk);
        return this;
    }

    /** The emulator of the site; default {@link Engine#V86}. */
    public WebVm engine(Engine engine) {
        options.engine(engine);
        return this;
    }

    /**
     * The settings of engine v86; default {@link V86Options#defaults()}. With engine CheerpX they
     * are not used, and a network other than {@code none} is refused.
     */
    public WebVm v86(V86Options v86) {
        options.v86(v86);
        return this;
    }

    /** The settings of engine CheerpX; anything but {@link CheerpxOptions#defaults()} needs {@code engine(CHEERPX)}. */
    public WebVm cheerpx(CheerpxOptions cheerpx) {
        options.cheerpx(cheerpx);
        return this;
    }

    /** Overrides of the image's command, environment, working directory and user. */
    public WebVm container(ContainerOverrides container) {
        options.container(container);
        return this;
    }

    /** Where intermediate results go (the ext2 image, the image config); default beside the site, {@code <site>-work}. */
    public WebVm workDirectory(Path workDirectory) {
        this.workDirectory = workDirectory;
        return this;
    }

    /** Downloads, layers and the boot kit; default {@code ~/.cache/webvm-maven}. */
    public WebVm cacheDirectory(Path cacheDirectory) {
        this.cacheDirectory = Objects.requireNonNull(cacheDirectory, "cacheDirectory");
        return this;
    }

    /** The folder of the project the build belongs to: no output or work folder may hold it. */
    public WebVm projectDirectory(Path projectDirectory) {
        options.projectDirectory(projectDirectory == null ? null : projectDirectory.toAbsolutePath().normalize());
        return this;
    }

    /** The Debian mirror and suite the v86 boot kit (kernel, busybox, BIOS) comes from; default deb.debian.org, bookworm. */
    public WebVm bootKitFrom(URI debianMirror, String suite) {
        options.bootKitFrom(debianMirror, suite);
        return this;
    }

    /** Use only what is in the cache: no registry, no mirror. */
    public WebVm offline(boolean offline) {
        options.offline(offline);
        return this;
    }

    /** The calling tool and its version, e.g. {@code webvm-maven-plugin 1.0}; a new one redoes the work. */
    public WebVm toolVersion(String toolVersion) {
        options.toolVersion(toolVersion);
        return this;
    }

    /** Where progress lines ({@code info}) and warnings go; default nowhere. */
    public WebVm logTo(Consumer<String> info, Consumer<String> warn) {
        this.info = Objects.requireNonNull(info, "info");
        this.warn = Objects.requireNonNull(warn, "warn");
        return this;
    }

    /**
     * Builds the site into {@code outputDirectory}, which must be new, empty, or a site this
     * library wrote; it is never a folder that holds the project, the context or the image.
     */
    public BuiltSite buildSite(Path outputDirectory) throws WebVmException {
        long start = System.nanoTime();
        Path out = outputDirectory.toAbsolutePath().normalize();
        PipelineOptions run;
        try {
            run = options
                    .outputDirectory(out)
                    .workDirectory(workDirectory != null ? workDirectory.toAbsolutePath().normalize()
                            : out.resolveSibling(out.getFileName() + "-work"))
                    .cacheDirectory(cacheDirectory.toAbsolutePath().normalize())
                    .build();
        } catch (IllegalArgumentException e) {
            throw new WebVmException(e.getMessage(), e, true);
        }
        try {
            Pipeline.Result result = new Pipeline(run, new StageLog(info, warn)).run();
            return new BuiltSite(out, result.rebuilt(), Duration.ofNanos(System.nanoTime() - start),
                    result.site().imageDigest(), result.site().diskSha256(), result.site().siteBytes(),
                    result.site().siteFiles());
        } catch (PipelineException e) {
            throw new WebVmException(e.getMessage(), e, e.isUserError());
        }
    }

    @Override
    public String toString() {
        return "WebVm from " + source;
    }
}

package io.github.miniwebvm.core;

import io.github.miniwebvm.core.internal.pipeline.Pipeline;
import io.github.miniwebvm.core.internal.pipeline.PipelineException;
import io.github.miniwebvm.core.internal.pipeline.PipelineOptions;
import io.github.miniwebvm.core.internal.pipeline.StageLog;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The whole job in one call: a Dockerfile (or an image) becomes a static site that boots it in
 * the browser.
 *
 * <pre>{@code
 * BuiltSite site = WebVm.from(Source.dockerfileIn(Path.of("app")))
 *         .engine(Engine.V86)
 *         .memory(DataSize.ofMebibytes(512))
 *         .buildArg("VERSION", "1.2")
 *         .logTo(System.out::println, System.err::println)
 *         .buildSite(Path.of("app/target/webvm-site"));
 * }</pre>
 *
 * Settings not given keep the defaults the Maven plugin documents. Everything is validated when
 * {@link #buildSite} is called, in one place, with messages that name the setting. The site is
 * swapped in only when complete; a failed build leaves the previous one as it was, and a call
 * whose inputs have not changed does nothing.
 */
public final class WebVm {
    private final Source source;
    private Engine engine = Engine.V86;
    private BuildBackend backend = BuildBackend.AUTO;
    private DataSize memory = DataSize.ofMebibytes(256);
    private DataSize imageSize;
    private DataSize headroom;
    private final Map<String, String> buildArgs = new LinkedHashMap<>();
    private List<String> command;
    private Boolean snapshot;
    private Path workDirectory;
    private Path cacheDirectory = Path.of(System.getProperty("user.home"), ".cache", "webvm-maven");
    private boolean offline;
    private Consumer<String> info = line -> { };
    private Consumer<String> warn = line -> { };

    private WebVm(Source source) {
        this.source = Objects.requireNonNull(source, "source");
    }

    public static WebVm from(Source source) {
        return new WebVm(source);
    }

    /** The emulator of the site; default {@link Engine#V86}. */
    public WebVm engine(Engine engine) {
        this.engine = Objects.requireNonNull(engine, "engine");
        return this;
    }

    /** What builds the Dockerfile; default {@link BuildBackend#AUTO}. */
    public WebVm buildWith(BuildBackend backend) {
        this.backend = Objects.requireNonNull(backend, "backend");
        return this;
    }

    /** The guest's memory (v86), whole MiB from 64 to 2048; default 256 MiB. */
    public WebVm memory(DataSize memory) {
        this.memory = Objects.requireNonNull(memory, "memory");
        return this;
    }

    /** The ext2 disk's size; default the content plus {@link #headroom}. */
    public WebVm imageSize(DataSize imageSize) {
        this.imageSize = imageSize;
        return this;
    }

    /** Free space on the disk for the visitor's work, when the image size is automatic. */
    public WebVm headroom(DataSize headroom) {
        this.headroom = headroom;
        return this;
    }

    /** An {@code ARG} value of the Dockerfile. */
    public WebVm buildArg(String name, String value) {
        buildArgs.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
        return this;
    }

    /** The command the VM runs instead of the image's ENTRYPOINT and CMD. */
    public WebVm command(List<String> argv) {
        this.command = List.copyOf(argv);
        return this;
    }

    /** Boot once at build time and ship the machine state (v86 only); default on for v86. */
    public WebVm snapshot(boolean snapshot) {
        this.snapshot = snapshot;
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

    /** Use only what is in the cache: no registry, no mirror. */
    public WebVm offline(boolean offline) {
        this.offline = offline;
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
        PipelineOptions options;
        try {
            PipelineOptions.Builder b = PipelineOptions.builder()
                    .dockerfile(source.dockerfile)
                    .context(source.context)
                    .image(source.image)
                    .buildArgs(buildArgs)
                    .builder(backend.name().toLowerCase(Locale.ROOT))
                    .engine(engine.name().toLowerCase(Locale.ROOT))
                    .memoryMiB(memoryMiB())
                    .imageSize(imageSize == null ? null : Long.toString(imageSize.bytes()))
                    .headroom(headroom == null ? null : Long.toString(headroom.bytes()))
                    .entrypoint(command)
                    .snapshot(snapshot)
                    .outputDirectory(out)
                    .workDirectory(workDirectory != null ? workDirectory.toAbsolutePath().normalize()
                            : out.resolveSibling(out.getFileName() + "-work"))
                    .cacheDirectory(cacheDirectory)
                    .offline(offline);
            options = b.build();
        } catch (IllegalArgumentException e) {
            throw new WebVmException(e.getMessage(), e, true);
        }
        try {
            boolean rebuilt = new Pipeline(options, new StageLog(info, warn)).run();
            return new BuiltSite(out, rebuilt, Duration.ofNanos(System.nanoTime() - start));
        } catch (PipelineException e) {
            throw new WebVmException(e.getMessage(), e, e.isUserError());
        }
    }

    private int memoryMiB() {
        if (memory.bytes() % (1 << 20) != 0 || memory.mebibytes() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("memory must be whole MiB, not " + memory.bytes() + " bytes");
        }
        return (int) memory.mebibytes();
    }
}

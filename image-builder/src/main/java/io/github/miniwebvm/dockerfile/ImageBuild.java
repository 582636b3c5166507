package io.github.miniwebvm.dockerfile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import io.github.miniwebvm.dockerfile.syntax.Dockerfile;
import java.util.Collections;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Builds a Dockerfile into an image for {@code linux/386}, with the engine CLI (docker, podman) or
 * the native builder, and leaves it as a docker-archive or an OCI layout that the flattener reads.
 *
 * <pre>{@code
 * BuiltImage image = ImageBuild.builder()
 *         .context(Path.of("."))
 *         .buildArgs(Map.of("VERSION", "1"))
 *         .backend(Backend.AUTO)
 *         .log(getLog()::info)
 *         .build()
 *         .run(Path.of("target/webvm/build"));
 * }</pre>
 */
public final class ImageBuild {
    public static final String DEFAULT_PLATFORM = "linux/386";
    /** Default of {@link Builder#maxAddBytes}: 4 GiB. */
    public static final long DEFAULT_MAX_ADD_BYTES = 4L << 30;

    private final BuildRequest request;
    private final Backend backend;

    private ImageBuild(BuildRequest request, Backend backend) {
        this.request = request;
        this.backend = backend;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Runs the build; intermediate files and the result go under {@code workDir}.
     *
     * @throws ImageBuildException when the build fails; the message carries the failing step's output
     */
    public BuiltImage run(Path workDir) throws IOException {
        Consumer<String> log = request.log();
        switch (backend) {
            case ENGINE: {
                StringBuilder why = new StringBuilder("builder=engine; ");
                Engine engine = Engine.select(request.engine(), why);
                log.accept("[webvm] building with " + engine.command() + " (" + why + ")");
                return engine.build(request, workDir, why.toString());
            }
            case NATIVE: {
                String why = "builder=native";
                log.accept("[webvm] building with the native builder (" + why + ")");
                return new NativeBuilder(request).build(workDir, why);
            }
            default: {
                Dockerfile df = Dockerfile.read(request.dockerfile());
                List<String> obstacles = NativeBuilder.obstacles(df,
                        df.stagesFor(request.target(), request.buildArgs(), request.platform()));
                if (obstacles.isEmpty()) {
                    String why = "builder=auto: the native builder can do every instruction of "
                            + request.dockerfile().getFileName() + " with the privileges it has";
                    log.accept("[webvm] building with the native builder (" + why + ")");
                    return new NativeBuilder(request).build(workDir, why);
                }
                StringBuilder why = new StringBuilder("builder=auto: the native builder cannot ("
                        + String.join("; ", obstacles) + "); ");
                Engine engine;
                try {
                    engine = Engine.select(request.engine(), why);
                } catch (ImageBuildException e) {
                    throw new ImageBuildException("no builder can build " + request.dockerfile() + ": the native "
                            + "builder cannot (" + String.join("; ", obstacles) + ") and " + e.getMessage(), e);
                }
                log.accept("[webvm] building with " + engine.command() + " (" + why + ")");
                return engine.build(request, workDir, why.toString());
            }
        }
    }

    /** Collects the build settings; only {@link #context(Path)} is required. */
    public static final class Builder {
        private Path dockerfile;
        private Path context;
        private final Map<String, String> buildArgs = new LinkedHashMap<>();
        private String target;
        private String platform = DEFAULT_PLATFORM;
        private Backend backend = Backend.AUTO;
        private boolean allowInsecureRegistries;
        private Path cacheDirectory;
        private boolean offline;
        private long maxAddBytes = DEFAULT_MAX_ADD_BYTES;
        private String engine;
        private RunOptions run = RunOptions.DEFAULT;
        private Consumer<String> log = line -> { };

        private Builder() {
        }

        /** The Dockerfile; default {@code <context>/Dockerfile}. */
        public Builder dockerfile(Path dockerfile) {
            this.dockerfile = dockerfile;
            return this;
        }

        /** The build context directory (COPY sources, {@code .dockerignore}). */
        public Builder context(Path context) {
            this.context = context;
            return this;
        }

        /** {@code --build-arg} values; they override the Dockerfile's ARG defaults. */
        public Builder buildArgs(Map<String, String> buildArgs) {
            this.buildArgs.clear();
            this.buildArgs.putAll(buildArgs);
            return this;
        }

        /** The stage to build ({@code --target}); default the last stage. */
        public Builder target(String target) {
            this.target = target;
            return this;
        }

        /** {@code os/arch[/variant]}; default {@value ImageBuild#DEFAULT_PLATFORM}. */
        public Builder platform(String platform) {
            this.platform = Objects.requireNonNull(platform);
            return this;
        }

        public Builder backend(Backend backend) {
            this.backend = Objects.requireNonNull(backend);
            return this;
        }

        /** Lets FROM use plain-HTTP / unverified-TLS registries (e.g. {@code localhost:5000}). */
        public Builder allowInsecureRegistries(boolean allow) {
            this.allowInsecureRegistries = allow;
            return this;
        }

        /** Layer and base image cache of the native builder; default {@code ~/.cache/webvm-maven}. */
        public Builder cacheDirectory(Path cacheDirectory) {
            this.cacheDirectory = cacheDirectory;
            return this;
        }

        /** No network: base images only from caches/local storage; ADD of URLs fails. */
        public Builder offline(boolean offline) {
            this.offline = offline;
            return this;
        }

        /**
         * The most bytes one ADD source may bring into the native build (default 4 GiB): what a
         * URL downloads, or what a local archive unpacks to. Past it the build fails and leaves no
         * partial file behind, so a hostile URL or a decompression bomb cannot fill the disk.
         */
        public Builder maxAddBytes(long maxAddBytes) {
            if (maxAddBytes < 1) {
                throw new IllegalArgumentException("maxAddBytes must be positive, not " + maxAddBytes);
            }
            this.maxAddBytes = maxAddBytes;
            return this;
        }

        /** Force an engine command ({@code docker} or {@code podman}) for the engine backend. */
        public Builder engine(String engine) {
            this.engine = engine;
            return this;
        }

        /** How the native builder runs RUN steps (network, timeout); default {@link RunOptions#DEFAULT}. */
        public Builder run(RunOptions run) {
            this.run = Objects.requireNonNull(run);
            return this;
        }

        /** Receives the build output line by line (engine output, RUN output, decisions). */
        public Builder log(Consumer<String> log) {
            this.log = Objects.requireNonNull(log);
            return this;
        }

        /**
         * Refuses {@code file} when it is a symlink that leads out of {@code allowed}: a Dockerfile or
         * ignore file committed as a link to a host file would otherwise be read, and its lines shown
         * in the build's messages.
         */
        private static void refuseLinkOut(Path file, List<Path> allowed, String what) {
            if (!Files.exists(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                return;
            }
            try {
                Path real = file.toRealPath();
                for (Path a : allowed) {
                    if (real.startsWith(a.toRealPath())) {
                        return;
                    }
                }
                throw new IllegalArgumentException(what + " " + file + " is a symbolic link to " + real
                        + ", outside the build context; refused, as a build would read that host file (replace the"
                        + " link by the file itself)");
            } catch (java.io.IOException e) {
                throw new IllegalArgumentException(what + " " + file + " cannot be resolved: " + e.getMessage()
                        + " (a dangling or looping symbolic link?)", e);
            }
        }

        public ImageBuild build() {
            if (context == null) {
                throw new IllegalStateException("context is required");
            }
            Path ctx = context.toAbsolutePath().normalize();
            if (!Files.isDirectory(ctx)) {
                throw new IllegalArgumentException("the build context is not a directory: " + ctx);
            }
            Path df = (dockerfile == null ? ctx.resolve("Dockerfile") : dockerfile).toAbsolutePath().normalize();
            if (!Files.isRegularFile(df)) {
                throw new IllegalArgumentException("no Dockerfile at " + df
                        + (dockerfile == null ? " (set dockerfile to its path)" : ""));
            }
            refuseLinkOut(df, List.of(ctx, df.getParent()), "the Dockerfile");
            refuseLinkOut(ctx.resolve(".dockerignore"), List.of(ctx), ".dockerignore");
            refuseLinkOut(df.resolveSibling(df.getFileName() + ".dockerignore"), List.of(ctx, df.getParent()),
                    df.getFileName() + ".dockerignore");
            Path cache = cacheDirectory != null ? cacheDirectory
                    : Path.of(System.getProperty("user.home"), ".cache", "webvm-maven");
            BuildRequest req = new BuildRequest(df, ctx, Collections.unmodifiableMap(new LinkedHashMap<>(buildArgs)),
                    target, platform, allowInsecureRegistries, cache.toAbsolutePath(), offline, maxAddBytes, engine, run, log);
            return new ImageBuild(req, backend);
        }
    }
}

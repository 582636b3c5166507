package io.github.miniwebvm.core;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * How the Dockerfile is built. Immutable; made with {@link #builder()}, validated when built.
 *
 * @param backend                 what builds the Dockerfile
 * @param target                  the stage of a multi-stage build, or {@code null} for the last
 * @param buildArgs               {@code ARG} values
 * @param platform                the platform to build for: {@code linux/386}, the only one the VM runs
 * @param network                 the network of the native builder's RUN steps
 * @param runTimeout              how long one RUN step of the native builder may take
 * @param maxAddSize              the most one ADD may fetch from a URL or unpack from an archive
 * @param allowInsecureRegistries plain-HTTP registries on this machine for {@code FROM}
 */
public record BuildOptions(BuildBackend backend, String target, Map<String, String> buildArgs, String platform,
                           BuildNetwork network, Duration runTimeout, DataSize maxAddSize,
                           boolean allowInsecureRegistries) {
    public static final String PLATFORM = "linux/386";
    public static final Duration DEFAULT_RUN_TIMEOUT = Duration.ofHours(2);
    public static final DataSize DEFAULT_MAX_ADD_SIZE = DataSize.ofGibibytes(4);

    public BuildOptions {
        Objects.requireNonNull(backend, "backend");
        target = Names.blankToNull(target);
        buildArgs = Map.copyOf(buildArgs);
        Objects.requireNonNull(network, "network");
        if (!PLATFORM.equals(platform)) {
            throw new IllegalArgumentException("platform " + platform + " is not supported: the VM runs i386 only;"
                    + " use " + PLATFORM);
        }
        if (runTimeout.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException("runTimeout must be at least 1 second, not " + runTimeout.toSeconds());
        }
        if (maxAddSize.bytes() < 1) {
            throw new IllegalArgumentException("maxAddSize must be at least 1 byte, not " + maxAddSize);
        }
    }

    public static BuildOptions defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder {
        private BuildBackend backend = BuildBackend.AUTO;
        private String target;
        private final Map<String, String> buildArgs = new LinkedHashMap<>();
        private String platform = PLATFORM;
        private BuildNetwork network = BuildNetwork.DEFAULT;
        private Duration runTimeout = DEFAULT_RUN_TIMEOUT;
        private DataSize maxAddSize = DEFAULT_MAX_ADD_SIZE;
        private boolean allowInsecureRegistries;

        private Builder() {
        }

        public Builder backend(BuildBackend backend) {
            this.backend = backend;
            return this;
        }

        public Builder target(String stage) {
            this.target = stage;
            return this;
        }

        public Builder buildArg(String name, String value) {
            buildArgs.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
            return this;
        }

        public Builder buildArgs(Map<String, String> args) {
            args.forEach(this::buildArg);
            return this;
        }

        public Builder platform(String platform) {
            this.platform = platform;
            return this;
        }

        public Builder network(BuildNetwork network) {
            this.network = network;
            return this;
        }

        public Builder runTimeout(Duration timeout) {
            this.runTimeout = timeout;
            return this;
        }

        public Builder maxAddSize(DataSize size) {
            this.maxAddSize = size;
            return this;
        }

        public Builder allowInsecureRegistries(boolean allow) {
            this.allowInsecureRegistries = allow;
            return this;
        }

        public BuildOptions build() {
            return new BuildOptions(backend, target, buildArgs, platform, network, runTimeout, maxAddSize,
                    allowInsecureRegistries);
        }
    }
}

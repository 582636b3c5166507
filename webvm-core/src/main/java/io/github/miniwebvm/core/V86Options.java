package io.github.miniwebvm.core;

import io.github.miniwebvm.runtime.SiteConfig;
import java.time.Duration;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The self-hosted v86 engine, the default. Immutable; made with {@link #builder()}, validated when
 * built.
 *
 * @param memory          the guest's memory, whole MiB from 64 to 2048
 * @param network         {@code none}, {@code fetch} or a relay URL ({@code wisp://}, {@code wisps://},
 *                        {@code ws://}, {@code wss://})
 * @param snapshot        boot once at build time and ship the machine state
 * @param snapshotReady   a JavaScript regex the command prints when ready, or {@code null} for the first
 *                        output followed by quiet
 * @param snapshotTimeout how long the build-time boot may take
 * @param node            the Node.js executable of the build-time boot
 */
public record V86Options(DataSize memory, String network, boolean snapshot, String snapshotReady,
                         Duration snapshotTimeout, String node) {
    public static final DataSize DEFAULT_MEMORY = DataSize.ofMebibytes(256);

    public V86Options {
        if (memory.bytes() % (1 << 20) != 0) {
            throw new IllegalArgumentException("memory must be whole MiB, not " + memory.bytes() + " bytes");
        }
        SiteConfig.checkMemoryMiB((int) Math.min(memory.mebibytes(), Integer.MAX_VALUE));
        network = SiteConfig.checkNetwork(network);
        snapshotReady = Names.blankToNull(snapshotReady);
        if (snapshotReady != null) {
            try {
                Pattern.compile(snapshotReady);
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException("snapshotReady '" + snapshotReady + "' is not a regex: "
                        + e.getDescription());
            }
        }
        if (snapshotTimeout.compareTo(Duration.ofSeconds(10)) < 0) {
            throw new IllegalArgumentException("snapshotTimeout must be at least 10 seconds, not "
                    + snapshotTimeout.toSeconds());
        }
        node = Names.blankToNull(node) == null ? "node" : node.trim();
    }

    public static V86Options defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder {
        private DataSize memory = DEFAULT_MEMORY;
        private String network = SiteConfig.NETWORK_NONE;
        private boolean snapshot = true;
        private String snapshotReady;
        private Duration snapshotTimeout = Duration.ofMinutes(10);
        private String node;

        private Builder() {
        }

        public Builder memory(DataSize memory) {
            this.memory = memory;
            return this;
        }

        public Builder network(String network) {
            this.network = network;
            return this;
        }

        public Builder snapshot(boolean snapshot) {
            this.snapshot = snapshot;
            return this;
        }

        public Builder snapshotReady(String regex) {
            this.snapshotReady = regex;
            return this;
        }

        public Builder snapshotTimeout(Duration timeout) {
            this.snapshotTimeout = timeout;
            return this;
        }

        public Builder node(String executable) {
            this.node = executable;
            return this;
        }

        public V86Options build() {
            return new V86Options(memory, network, snapshot, snapshotReady, snapshotTimeout, node);
        }
    }
}

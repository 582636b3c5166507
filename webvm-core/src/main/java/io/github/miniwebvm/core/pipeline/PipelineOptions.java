package io.github.miniwebvm.core.pipeline;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Every setting of one {@code webvm:package} run, validated. Immutable; made with {@link #builder()}. */
public final class PipelineOptions {
    public enum Engine { V86, CHEERPX }
    public enum BuildBackend { AUTO, ENGINE, NATIVE }
    public enum Layout { PACKED, WEBVM, V86 }

    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*([kmgt]?)(i?b)?", Pattern.CASE_INSENSITIVE);

    final String pluginVersion;
    final Path dockerfile;
    final Path context;
    final Map<String, String> buildArgs;
    final String target;
    final BuildBackend builder;
    final String platform;
    final boolean allowInsecureRegistries;
    /** How the native builder runs RUN steps (network, timeout). */
    final io.github.miniwebvm.dockerfile.RunOptions run;
    /** The most bytes one ADD may fetch from a URL or unpack from a local archive (native builder). */
    final long maxAddBytes;
    final Path image;
    final Long imageSize;
    final Long headroomBytes;
    final Integer headroomPercent;
    final int ext2Revision;
    final int blockSize;
    final Layout diskLayout;
    final int chunkSize;
    final Engine engine;
    final String cheerpxUrl;
    final String cheerpxVersion;
    final String cheerpxDiskUrl;
    final boolean tailscale;
    final String tailscaleControlUrl;
    /** CheerpX settings for the page; {@code null} unless engine is cheerpx. */
    final io.github.miniwebvm.site.SiteConfig.Cheerpx cheerpx;
    final int memoryMiB;
    /** The guest's network (engine v86): none, fetch or a relay URL, checked by SiteConfig. */
    final String network;
    final List<String> entrypoint;
    final List<String> args;
    final Map<String, String> environment;
    final String workingDirectory;
    final String user;
    /** The project's folder (null without one): never inside outputDirectory or workDirectory. */
    final Path projectDirectory;
    final Path outputDirectory;
    final Path workDirectory;
    final Path cacheDirectory;
    final String debianMirror;
    final String debianSuite;
    final boolean offline;
    final boolean snapshot;
    final String snapshotReady;
    final int snapshotTimeoutSeconds;
    final String snapshotNode;

    private PipelineOptions(Builder b) {
        this.pluginVersion = Objects.requireNonNullElse(b.pluginVersion, "dev");
        this.dockerfile = b.dockerfile;
        this.context = b.context;
        this.buildArgs = Collections.unmodifiableMap(new LinkedHashMap<>(b.buildArgs));
        this.target = blankToNull(b.target);
        this.builder = parseEnum(BuildBackend.class, b.builder, "builder", BuildBackend.AUTO);
        this.platform = b.platform == null ? "linux/386" : b.platform;
        if (!this.platform.equals("linux/386")) {
            throw new IllegalArgumentException("platform " + this.platform
                    + " is not supported: the VM runs i386 only; use linux/386");
        }
        this.allowInsecureRegistries = b.allowInsecureRegistries;
        String network = b.buildNetwork == null || b.buildNetwork.isBlank() ? "default" : b.buildNetwork.trim();
        if (!network.equals("default") && !network.equals("none")) {
            throw new IllegalArgumentException("buildNetwork must be default (the host's network, as docker build gives"
                    + " it) or none, not '" + network + "'");
        }
        if (b.runTimeoutSeconds < 1) {
            throw new IllegalArgumentException("runTimeout must be at least 1 second, not " + b.runTimeoutSeconds);
        }
        this.run = new io.github.miniwebvm.dockerfile.RunOptions(network.equals("default"),
                java.time.Duration.ofSeconds(b.runTimeoutSeconds));
        this.maxAddBytes = blankToNull(b.maxAddSize) == null ? io.github.miniwebvm.dockerfile.ImageBuild.DEFAULT_MAX_ADD_BYTES
                : parseSize(b.maxAddSize, "maxAddSize");
        if (maxAddBytes < 1) {
            throw new IllegalArgumentException("maxAddSize must be at least 1 byte, not '" + b.maxAddSize + "'");
        }
        this.image = b.image;
        this.imageSize = blankToNull(b.imageSize) == null ? null : parseSize(b.imageSize, "imageSize");
        String h = blankToNull(b.headroom);
        if (h != null && h.endsWith("%")) {
            this.headroomPercent = Integer.parseInt(h.substring(0, h.length() - 1).trim());
            this.headroomBytes = null;
        } else {
            this.headroomPercent = null;
            this.headroomBytes = h == null ? null : parseSize(h, "headroom");
        }
        this.engine = parseEnum(Engine.class, b.engine, "engine", Engine.V86);
        this.ext2Revision = b.ext2Revision != null ? b.ext2Revision : (engine == Engine.CHEERPX ? 0 : 1);
        if (ext2Revision != 0 && ext2Revision != 1) {
            throw new IllegalArgumentException("ext2Revision must be 0 or 1, not " + ext2Revision);
        }
        this.blockSize = b.blockSize;
        if (blockSize != 1024 && blockSize != 2048 && blockSize != 4096) {
            throw new IllegalArgumentException("blockSize must be 1024, 2048 or 4096, not " + blockSize);
        }
        this.diskLayout = parseEnum(Layout.class, b.diskLayout, "diskLayout", Layout.PACKED);
        this.chunkSize = b.chunkSize;
        if (Integer.bitCount(chunkSize) != 1 || chunkSize < 4096 || chunkSize > 4 << 20) {
            throw new IllegalArgumentException("chunkSize must be a power of two from 4096 to 4194304, not " + chunkSize);
        }
        this.cheerpxUrl = blankToNull(b.cheerpxUrl);
        this.cheerpxVersion = blankToNull(b.cheerpxVersion);
        this.cheerpxDiskUrl = blankToNull(b.cheerpxDiskUrl);
        this.tailscale = b.tailscale;
        this.tailscaleControlUrl = blankToNull(b.tailscaleControlUrl);
        if (engine == Engine.CHEERPX) {
            // validated here, before anything is built
            this.cheerpx = new io.github.miniwebvm.site.SiteConfig.Cheerpx(cheerpxVersion, cheerpxUrl, cheerpxDiskUrl,
                    tailscale, tailscaleControlUrl);
        } else {
            this.cheerpx = null;
            if (tailscale || cheerpxDiskUrl != null || tailscaleControlUrl != null) {
                throw new IllegalArgumentException("tailscale, tailscaleControlUrl and cheerpxDiskUrl need engine cheerpx"
                        + " (engine=cheerpx); engine " + engine.name().toLowerCase(java.util.Locale.ROOT)
                        + " has no network and reads the site's own disk");
            }
        }
        this.network = io.github.miniwebvm.site.SiteConfig.checkNetwork(b.network);
        if (engine != Engine.V86 && !this.network.equals(io.github.miniwebvm.site.SiteConfig.NETWORK_NONE)) {
            throw new IllegalArgumentException("network '" + this.network + "' needs engine v86; engine cheerpx networks"
                    + " through Tailscale (tailscale=true)");
        }
        this.memoryMiB = b.memoryMiB;
        if (memoryMiB < 64 || memoryMiB > 2048) {
            throw new IllegalArgumentException("memory must be between 64 and 2048 MiB, not " + memoryMiB);
        }
        this.entrypoint = b.entrypoint == null ? null : List.copyOf(b.entrypoint);
        this.args = b.args == null ? null : List.copyOf(b.args);
        this.environment = b.environment == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(b.environment));
        this.workingDirectory = blankToNull(b.workingDirectory);
        this.user = blankToNull(b.user);
        this.projectDirectory = b.projectDirectory;
        this.outputDirectory = Objects.requireNonNull(b.outputDirectory, "outputDirectory");
        this.workDirectory = Objects.requireNonNull(b.workDirectory, "workDirectory");
        this.cacheDirectory = Objects.requireNonNull(b.cacheDirectory, "cacheDirectory");
        this.debianMirror = b.debianMirror == null ? "https://deb.debian.org/debian" : b.debianMirror;
        this.debianSuite = b.debianSuite == null ? "bookworm" : b.debianSuite;
        this.offline = b.offline;
        this.snapshot = b.snapshot != null ? b.snapshot : engine == Engine.V86;
        if (snapshot && engine != Engine.V86) {
            throw new IllegalArgumentException("snapshot=true needs engine v86 (CheerpX has no saved states); set snapshot=false");
        }
        this.snapshotReady = blankToNull(b.snapshotReady);
        if (snapshotReady != null) {
            try {
                Pattern.compile(snapshotReady);
            } catch (java.util.regex.PatternSyntaxException e) {
                throw new IllegalArgumentException("snapshotReady '" + snapshotReady + "' is not a regex: " + e.getDescription());
            }
        }
        this.snapshotTimeoutSeconds = b.snapshotTimeoutSeconds;
        if (snapshotTimeoutSeconds < 10) {
            throw new IllegalArgumentException("snapshotTimeout must be at least 10 seconds, not " + snapshotTimeoutSeconds);
        }
        this.snapshotNode = b.snapshotNode == null || b.snapshotNode.isBlank() ? "node" : b.snapshotNode.trim();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Everything that changes the output, for the up-to-date check. */
    InputFingerprint fingerprint() {
        InputFingerprint f = new InputFingerprint()
                .value("plugin", pluginVersion)
                .value("target", target).value("builder", builder).value("platform", platform)
                .value("buildNetwork", run.network()).value("maxAddSize", maxAddBytes)
                .value("image", image).value("imageSize", imageSize)
                .value("headroom", headroomBytes + "/" + headroomPercent)
                .value("ext2Revision", ext2Revision).value("blockSize", blockSize)
                .value("diskLayout", diskLayout).value("chunkSize", chunkSize)
                .value("engine", engine).value("cheerpxUrl", cheerpxUrl).value("memory", memoryMiB)
                .value("network", network)
                .value("cheerpx", cheerpxVersion + " " + cheerpxDiskUrl + " " + tailscale + " " + tailscaleControlUrl)
                .value("entrypoint", entrypoint).value("args", args).value("cwd", workingDirectory)
                .value("user", user).value("debian", debianMirror + " " + debianSuite)
                .value("snapshot", snapshot + " " + snapshotReady)
                .value("SOURCE_DATE_EPOCH", System.getenv("SOURCE_DATE_EPOCH"))
                .values("buildArg", buildArgs).values("env", environment);
        Path ctx = context.toAbsolutePath().normalize();
        java.util.Set<Path> exclude = new java.util.HashSet<>(java.util.List.of(
                outputDirectory.toAbsolutePath().normalize(),
                workDirectory.toAbsolutePath().normalize(),
                ctx.resolve(".git"),
                ctx.resolve("target")));
        if (image != null) {
            f.tree("image", image, java.util.Set.of());
        } else {
            f.tree("dockerfile", dockerfile, java.util.Set.of()).tree("context", context, exclude);
        }
        return f;
    }

    /** Parses {@code 750M}, {@code 2G}, {@code 1GiB}, {@code 1048576}. */
    static long parseSize(String text, String what) {
        Matcher m = SIZE.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException(what + " '" + text + "' is not a size; use bytes or a suffix K, M, G, T (e.g. 750M)");
        }
        long n = Long.parseLong(m.group(1));
        int shift = switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "k" -> 10;
            case "m" -> 20;
            case "g" -> 30;
            case "t" -> 40;
            default -> 0;
        };
        return n << shift;
    }

    /** Parses {@code K=V,K2=V2} (values may contain '='); null or blank gives an empty map. */
    public static Map<String, String> parsePairs(String text, String what) {
        Map<String, String> out = new LinkedHashMap<>();
        if (text == null || text.isBlank()) {
            return out;
        }
        for (String pair : text.split(",")) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException(what + ": '" + pair + "' is not KEY=VALUE");
            }
            out.put(pair.substring(0, eq).trim(), pair.substring(eq + 1));
        }
        return out;
    }

    private static <E extends Enum<E>> E parseEnum(Class<E> type, String value, String what, E dflt) {
        if (value == null || value.isBlank()) {
            return dflt;
        }
        try {
            return Enum.valueOf(type, value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            List<String> names = new ArrayList<>();
            for (E c : type.getEnumConstants()) {
                names.add(c.name().toLowerCase(Locale.ROOT));
            }
            throw new IllegalArgumentException("unknown " + what + " '" + value + "'; use one of " + String.join(", ", names));
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }

    public static final class Builder {
        private String pluginVersion;
        private Path dockerfile;
        private Path context;
        private final Map<String, String> buildArgs = new LinkedHashMap<>();
        private String target;
        private String builder;
        private String platform;
        private boolean allowInsecureRegistries;
        private String buildNetwork;
        private String maxAddSize;
        private int runTimeoutSeconds = (int) io.github.miniwebvm.dockerfile.RunOptions.DEFAULT_TIMEOUT.toSeconds();
        private Path image;
        private String imageSize;
        private String headroom;
        private Integer ext2Revision;
        private int blockSize = 4096;
        private String diskLayout;
        private int chunkSize = 131072;
        private String engine;
        private String cheerpxUrl;
        private String cheerpxVersion;
        private String cheerpxDiskUrl;
        private boolean tailscale;
        private String tailscaleControlUrl;
        private int memoryMiB = 256;
        private String network;
        private List<String> entrypoint;
        private List<String> args;
        private Map<String, String> environment;
        private String workingDirectory;
        private String user;
        private Path projectDirectory;
        private Path outputDirectory;
        private Path workDirectory;
        private Path cacheDirectory;
        private String debianMirror;
        private String debianSuite;
        private boolean offline;
        private Boolean snapshot;
        private String snapshotReady;
        private int snapshotTimeoutSeconds = 600;
        private String snapshotNode;

        public Builder pluginVersion(String v) { pluginVersion = v; return this; }
        public Builder dockerfile(Path v) { dockerfile = v; return this; }
        public Builder context(Path v) { context = v; return this; }
        public Builder buildArgs(Map<String, String> v) { buildArgs.putAll(v); return this; }
        public Builder target(String v) { target = v; return this; }
        public Builder builder(String v) { builder = v; return this; }
        public Builder platform(String v) { platform = v; return this; }
        public Builder allowInsecureRegistries(boolean v) { allowInsecureRegistries = v; return this; }
        public Builder buildNetwork(String v) { buildNetwork = v; return this; }
        public Builder runTimeoutSeconds(int v) { runTimeoutSeconds = v; return this; }
        public Builder maxAddSize(String v) { maxAddSize = v; return this; }
        public Builder image(Path v) { image = v; return this; }
        public Builder imageSize(String v) { imageSize = v; return this; }
        public Builder headroom(String v) { headroom = v; return this; }
        public Builder ext2Revision(Integer v) { ext2Revision = v; return this; }
        public Builder blockSize(int v) { blockSize = v; return this; }
        public Builder diskLayout(String v) { diskLayout = v; return this; }
        public Builder chunkSize(int v) { chunkSize = v; return this; }
        public Builder engine(String v) { engine = v; return this; }
        public Builder cheerpxUrl(String v) { cheerpxUrl = v; return this; }
        /** CheerpX version, external disk URL, Tailscale on/off and control server (engine cheerpx); nulls for defaults. */
        public Builder cheerpx(String version, String diskUrl, boolean tailscale, String tailscaleControlUrl) {
            this.cheerpxVersion = version;
            this.cheerpxDiskUrl = diskUrl;
            this.tailscale = tailscale;
            this.tailscaleControlUrl = tailscaleControlUrl;
            return this;
        }
        public Builder memoryMiB(int v) { memoryMiB = v; return this; }
        public Builder network(String v) { network = v; return this; }
        public Builder entrypoint(List<String> v) { if (v != null) { entrypoint = v; } return this; }
        public Builder args(List<String> v) { if (v != null) { args = v; } return this; }
        public Builder environment(Map<String, String> v) { if (v != null) { environment = v; } return this; }
        public Builder workingDirectory(String v) { if (v != null) { workingDirectory = v; } return this; }
        public Builder user(String v) { if (v != null) { user = v; } return this; }
        public Builder projectDirectory(Path v) { projectDirectory = v; return this; }
        public Builder outputDirectory(Path v) { outputDirectory = v; return this; }
        public Builder workDirectory(Path v) { workDirectory = v; return this; }
        public Builder cacheDirectory(Path v) { cacheDirectory = v; return this; }
        public Builder debianMirror(String v) { debianMirror = v; return this; }
        public Builder debianSuite(String v) { debianSuite = v; return this; }
        public Builder offline(boolean v) { offline = v; return this; }
        /** null: on for engine v86. */
        public Builder snapshot(Boolean v) { snapshot = v; return this; }
        public Builder snapshotReady(String v) { snapshotReady = v; return this; }
        public Builder snapshotTimeoutSeconds(int v) { snapshotTimeoutSeconds = v; return this; }
        public Builder snapshotNode(String v) { snapshotNode = v; return this; }

        public PipelineOptions build() {
            return new PipelineOptions(this);
        }
    }
}

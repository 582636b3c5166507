package io.github.miniwebvm.maven;

import io.github.miniwebvm.core.BuildBackend;
import io.github.miniwebvm.core.BuildNetwork;
import io.github.miniwebvm.core.BuildOptions;
import io.github.miniwebvm.core.CheerpxOptions;
import io.github.miniwebvm.core.ContainerOverrides;
import io.github.miniwebvm.core.DataSize;
import io.github.miniwebvm.core.DiskLayout;
import io.github.miniwebvm.core.DiskOptions;
import io.github.miniwebvm.core.Engine;
import io.github.miniwebvm.core.Headroom;
import io.github.miniwebvm.core.Source;
import io.github.miniwebvm.core.V86Options;
import io.github.miniwebvm.core.WebVm;
import io.github.miniwebvm.core.WebVmException;
import java.io.File;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugin.descriptor.PluginDescriptor;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * Builds the image (i386), writes its filesystem as an ext2 disk, cuts the disk into chunks and
 * assembles a static site that boots it in the browser. Runs in a project (bind it to the
 * {@code package} phase) or without one, in a folder with a Dockerfile.
 */
@Mojo(name = "package", defaultPhase = LifecyclePhase.PACKAGE, requiresProject = false, threadSafe = true)
public class PackageMojo extends AbstractMojo {

    /** The Dockerfile to build. */
    @Parameter(property = "webvm.dockerfile", defaultValue = "${basedir}/Dockerfile")
    private File dockerfile;

    /** The build context (the folder COPY and ADD read from). */
    @Parameter(property = "webvm.context", defaultValue = "${basedir}")
    private File context;

    /** Build arguments ({@code ARG}) for the Dockerfile. */
    @Parameter
    private Map<String, String> buildArgs;

    /** Build arguments from the command line, as {@code K=V,K2=V2}; they win over {@code buildArgs}. */
    @Parameter(property = "webvm.buildArgs")
    private String buildArgsList;

    /** The stage of a multi-stage Dockerfile to build (default: the last). */
    @Parameter(property = "webvm.target")
    private String target;

    /** How to build: {@code auto}, {@code engine} (docker or podman CLI) or {@code native} (no daemon). */
    @Parameter(property = "webvm.builder", defaultValue = "auto")
    private String builder;

    /** The platform to build for; the VM runs i386 only. */
    @Parameter(property = "webvm.platform", defaultValue = "linux/386")
    private String platform;

    /** Allow plain-HTTP registries on localhost/127.0.0.1 for FROM. */
    @Parameter(property = "webvm.allowInsecureRegistries", defaultValue = "false")
    private boolean allowInsecureRegistries;

    /**
     * The network of the native builder's RUN steps: {@code default} (the host's, as {@code docker
     * build} gives it; apt-get needs it) or {@code none}.
     */
    @Parameter(property = "webvm.buildNetwork", defaultValue = "default")
    private String buildNetwork;

    /** Seconds one RUN step of the native builder may take before it is killed with everything it started. */
    @Parameter(property = "webvm.runTimeout", defaultValue = "7200")
    private int runTimeout;

    /**
     * The most one ADD of the native builder may fetch from a URL or unpack from a local archive
     * (bytes, or with a suffix K, M, G, T); more is refused, so a hostile URL or archive cannot
     * fill the disk.
     */
    @Parameter(property = "webvm.maxAddSize", defaultValue = "4G")
    private String maxAddSize;

    /**
     * Skip the build and use this image instead: an ext2 disk image, a rootfs tar (optionally
     * gzip/zstd/xz), an OCI layout directory or archive, or a docker archive.
     */
    @Parameter(property = "webvm.image")
    private File image;

    /** The size of the ext2 disk, e.g. {@code 1G} or {@code 750M}; default: content plus headroom. */
    @Parameter(property = "webvm.imageSize")
    private String imageSize;

    /** Free space in the disk for the VM to write, as bytes ({@code 256M}) or percent ({@code 50%}). */
    @Parameter(property = "webvm.headroom")
    private String headroom;

    /** ext2 revision: 0 (what CheerpX reads) or 1; default 0 for cheerpx and 1 for v86. */
    @Parameter(property = "webvm.ext2Revision")
    private Integer ext2Revision;

    /** ext2 block size: 1024, 2048 or 4096. */
    @Parameter(property = "webvm.blockSize", defaultValue = "4096")
    private int blockSize;

    /** Disk layout: {@code packed} (compressed, deduplicated chunks), {@code webvm} or {@code v86}. */
    @Parameter(property = "webvm.diskLayout", defaultValue = "packed")
    private String diskLayout;

    /** Chunk size in bytes, a power of two from 4 KiB to 4 MiB. */
    @Parameter(property = "webvm.chunkSize", defaultValue = "131072")
    private int chunkSize;

    /** The emulator: {@code v86} (self-hosted) or {@code cheerpx} (from Leaning Technologies' CDN). */
    @Parameter(property = "webvm.engine", defaultValue = "v86")
    private String engine;

    /**
     * Where CheerpX is loaded from (engine=cheerpx) instead of Leaning Technologies' CDN: a directory
     * URL holding {@code cx.esm.js}, or the module's URL.
     */
    @Parameter(property = "webvm.cheerpxUrl")
    private String cheerpxUrl;

    /** CheerpX version loaded from the CDN (engine=cheerpx). */
    @Parameter(property = "webvm.cheerpxVersion", defaultValue = "1.3.9")
    private String cheerpxVersion;

    /**
     * An external disk for engine=cheerpx instead of the site's own: {@code wss://…} (a WebVM cloud
     * disk) or {@code https://…/IMAGE.ext2} (one file served with HTTP Range support).
     */
    @Parameter(property = "webvm.cheerpxDiskUrl")
    private String cheerpxDiskUrl;

    /** Offer networking through Tailscale (engine=cheerpx); off by default. */
    @Parameter(property = "webvm.tailscale", defaultValue = "false")
    private boolean tailscale;

    /** A Tailscale control server such as Headscale (engine=cheerpx, tailscale=true). */
    @Parameter(property = "webvm.tailscaleControlUrl")
    private String tailscaleControlUrl;

    /**
     * The guest's network (engine=v86): {@code none}, {@code fetch} (HTTP through the browser's fetch,
     * within CORS, no server needed), or a relay URL for full TCP: {@code wisp://}/{@code wisps://} (a
     * Wisp server) or {@code ws://}/{@code wss://} (an Ethernet relay such as websockproxy).
     */
    @Parameter(property = "webvm.network", defaultValue = "none")
    private String network;

    /** Guest memory in MiB. */
    @Parameter(property = "webvm.memory", defaultValue = "256")
    private int memory;

    /**
     * Instant prompt (engine v86): boot the site once at build time in Node (18 or later, on PATH)
     * and ship the saved state, which the page restores instead of booting. Default: on for v86.
     * Without node, or when the boot fails, the build warns and ships a cold-boot site.
     */
    @Parameter(property = "webvm.snapshot")
    private Boolean snapshot;

    /**
     * A JavaScript regex the command prints when it is ready for the snapshot (matched against the
     * console after the boot kit's {@code webvm:ready}); default: the first output followed by 1.5 s of quiet.
     */
    @Parameter(property = "webvm.snapshotReady")
    private String snapshotReady;

    /** Seconds the snapshot boot may take. */
    @Parameter(property = "webvm.snapshotTimeout", defaultValue = "600")
    private int snapshotTimeout;

    /** The Node.js executable for the snapshot boot. */
    @Parameter(property = "webvm.snapshotNode", defaultValue = "node")
    private String snapshotNode;

    /** Overrides of the image's run configuration (entrypoint, args, environment, workingDirectory, user). */
    @Parameter
    private Container container;

    /** Command line shortcut for {@code container.entrypoint} (comma-separated). */
    @Parameter(property = "webvm.cmd")
    private List<String> cmd;

    /** Command line shortcut for {@code container.args} (comma-separated). */
    @Parameter(property = "webvm.args")
    private List<String> args;

    /** Command line shortcut for {@code container.environment}, as {@code K=V,K2=V2}. */
    @Parameter(property = "webvm.env")
    private String env;

    /** Command line shortcut for {@code container.workingDirectory}. */
    @Parameter(property = "webvm.cwd")
    private String cwd;

    /** Command line shortcut for {@code container.user}. */
    @Parameter(property = "webvm.user")
    private String user;

    /** Where the site is written. */
    @Parameter(property = "webvm.outputDirectory", defaultValue = "${project.build.directory}/webvm-site")
    private File outputDirectory;

    /** Intermediate results (rootfs.ext2, image.json, site.json) for inspection and up-to-date checks. */
    @Parameter(property = "webvm.workDirectory", defaultValue = "${project.build.directory}/webvm")
    private File workDirectory;

    /** Downloads (Debian boot kit, base layers), the native builder's layer cache and the snapshot's boot states. */
    @Parameter(property = "webvm.cacheDirectory", defaultValue = "${user.home}/.cache/webvm-maven")
    private File cacheDirectory;

    /**
     * The Debian mirror the v86 boot kit (kernel, busybox, BIOS) is read from. Use HTTPS: the
     * Release file's signature is not checked, so a plain-HTTP mirror gets a warning.
     */
    @Parameter(property = "webvm.debianMirror", defaultValue = "https://deb.debian.org/debian")
    private String debianMirror;

    /** The Debian suite of the boot kit. */
    @Parameter(property = "webvm.debianSuite", defaultValue = "bookworm")
    private String debianSuite;

    /** Skip this goal. */
    @Parameter(property = "webvm.skip", defaultValue = "false")
    private boolean skip;

    @Parameter(defaultValue = "${settings.offline}", readonly = true)
    private boolean offline;

    @Parameter(defaultValue = "${plugin}", readonly = true)
    private PluginDescriptor plugin;

    @Parameter(defaultValue = "${session.executionRootDirectory}", readonly = true)
    private File executionRoot;

    /** The project's folder (where Maven runs, without a POM): the plugin never replaces a folder that holds it. */
    @Parameter(defaultValue = "${project.basedir}", readonly = true)
    private File projectDirectory;

    @Override
    public void execute() throws MojoExecutionException, MojoFailureException {
        if (skip) {
            getLog().info("webvm:package skipped (webvm.skip)");
            return;
        }
        WebVm vm;
        try {
            vm = configure();
        } catch (IllegalArgumentException e) {
            throw new MojoFailureException("webvm: " + e.getMessage(), e);
        }
        try {
            vm.buildSite(Defaults.resolve(outputDirectory, executionRoot, "target/webvm-site"));
            getLog().info("preview it with `mvn webvm:serve`");
        } catch (WebVmException e) {
            if (e.isUserError()) {
                throw new MojoFailureException(e.getMessage(), e);
            }
            throw new MojoExecutionException(e.getMessage(), e);
        }
    }

    /** The version, and for snapshots the jar's size and time too, so a rebuilt plugin redoes the work. */
    private String pluginIdentity() {
        if (plugin == null) {
            return "dev";
        }
        File jar = plugin.getPluginArtifact() == null ? null : plugin.getPluginArtifact().getFile();
        return plugin.getVersion() + (jar != null && plugin.getVersion().endsWith("-SNAPSHOT")
                ? " " + jar.length() + "@" + jar.lastModified() : "");
    }

    /** The parameters as the core's typed settings; a bad value throws with the parameter's name. */
    private WebVm configure() {
        Map<String, String> allBuildArgs = new LinkedHashMap<>();
        if (buildArgs != null) {
            allBuildArgs.putAll(buildArgs);
        }
        allBuildArgs.putAll(parsePairs(buildArgsList, "webvm.buildArgs"));
        ContainerOverrides.Builder overrides = ContainerOverrides.builder();
        if (container != null) {
            overrides.entrypoint(container.entrypoint).args(container.args).workingDirectory(container.workingDirectory)
                    .user(container.user);
            if (container.environment != null) {
                overrides.environment(container.environment);
            }
        }
        if (cmd != null && !cmd.isEmpty()) {
            overrides.entrypoint(cmd);
        }
        if (args != null && !args.isEmpty()) {
            overrides.args(args);
        }
        overrides.environment(parsePairs(env, "webvm.env"));
        if (cwd != null && !cwd.isBlank()) {
            overrides.workingDirectory(cwd);
        }
        if (user != null && !user.isBlank()) {
            overrides.user(user);
        }
        Engine engineKind = Engine.parse(engine);
        if (engineKind == Engine.CHEERPX && Boolean.TRUE.equals(snapshot)) {
            throw new IllegalArgumentException("snapshot=true needs engine v86 (CheerpX has no saved states);"
                    + " set snapshot=false");
        }
        return WebVm.from(image != null ? Source.image(image.toPath())
                        : Source.dockerfile(dockerfile.toPath(), context.toPath()))
                .toolVersion(pluginIdentity())
                .build(BuildOptions.builder()
                        .backend(BuildBackend.parse(builder))
                        .target(target)
                        .buildArgs(allBuildArgs)
                        .platform(platform)
                        .network(BuildNetwork.parse(buildNetwork))
                        .runTimeout(Duration.ofSeconds(runTimeout))
                        .maxAddSize(DataSize.parse(maxAddSize, "maxAddSize"))
                        .allowInsecureRegistries(allowInsecureRegistries)
                        .build())
                .disk(DiskOptions.builder()
                        .size(DataSize.parseOptional(imageSize, "imageSize"))
                        .headroom(Headroom.parse(headroom))
                        .ext2Revision(ext2Revision)
                        .blockSize(blockSize)
                        .chunkSize(DataSize.ofBytes(chunkSize))
                        .layout(DiskLayout.parse(diskLayout))
                        .build())
                .engine(engineKind)
                .v86(V86Options.builder()
                        .memory(DataSize.ofMebibytes(memory))
                        .network(network)
                        .snapshot(snapshot == null || snapshot)
                        .snapshotReady(snapshotReady)
                        .snapshotTimeout(Duration.ofSeconds(snapshotTimeout))
                        .node(snapshotNode)
                        .build())
                .cheerpx(CheerpxOptions.builder()
                        .version(cheerpxVersion)
                        .url(cheerpxUrl)
                        .diskUrl(cheerpxDiskUrl)
                        .tailscale(tailscale)
                        .tailscaleControlUrl(tailscaleControlUrl)
                        .build())
                .container(overrides.build())
                .projectDirectory(Defaults.resolve(projectDirectory, executionRoot, "."))
                .workDirectory(Defaults.resolve(workDirectory, executionRoot, "target/webvm"))
                .cacheDirectory(cacheDirectory.toPath())
                .bootKitFrom(URI.create(debianMirror), debianSuite)
                .offline(offline)
                .logTo(getLog()::info, getLog()::warn);
    }

    /** Parses {@code K=V,K2=V2} (values may contain '='); null or blank gives an empty map. */
    static Map<String, String> parsePairs(String text, String parameter) {
        Map<String, String> out = new LinkedHashMap<>();
        if (text == null || text.isBlank()) {
            return out;
        }
        for (String pair : text.split(",")) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException(parameter + ": '" + pair + "' is not KEY=VALUE");
            }
            out.put(pair.substring(0, eq).trim(), pair.substring(eq + 1));
        }
        return out;
    }
}

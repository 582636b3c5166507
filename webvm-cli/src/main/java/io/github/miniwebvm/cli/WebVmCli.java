package io.github.miniwebvm.cli;

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
import io.github.miniwebvm.core.SiteServer;
import io.github.miniwebvm.core.Source;
import io.github.miniwebvm.core.V86Options;
import io.github.miniwebvm.core.WebVm;
import io.github.miniwebvm.core.WebVmException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code java -jar webvm-cli.jar package|serve}: the Maven plugin's two goals without Maven. Every
 * option maps onto the same core options as the plugin's parameter of the same name; paths are
 * relative to the folder the command runs in.
 */
@Command(name = "webvm", mixinStandardHelpOptions = true, versionProvider = WebVmCli.Version.class,
        description = "Turns a Dockerfile into a static website that boots it in the browser.",
        subcommands = {WebVmCli.Package.class, WebVmCli.Serve.class})
public final class WebVmCli {
    /** Exit status of a build the user can fix (bad option, Dockerfile error, refused input). */
    static final int USER_ERROR = 1;
    /** Exit status of a failure in the tool or the machine. */
    static final int INTERNAL_ERROR = 3;

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs one command line; returns the exit status. */
    static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new WebVmCli());
        cl.setOut(out).setErr(err);
        // bad values are usage errors (status 2) whose message says what the option accepts
        cl.registerConverter(DataSize.class, DataSize::parse);
        cl.registerConverter(Headroom.class, Headroom::parse);
        cl.registerConverter(Engine.class, Engine::parse);
        cl.registerConverter(BuildBackend.class, BuildBackend::parse);
        cl.registerConverter(BuildNetwork.class, BuildNetwork::parse);
        cl.registerConverter(DiskLayout.class, DiskLayout::parse);
        cl.setExecutionExceptionHandler((e, line, parsed) -> {
            if (e instanceof WebVmException p) {
                line.getErr().println("webvm: " + p.getMessage());
                return p.isUserError() ? USER_ERROR : INTERNAL_ERROR;
            }
            if (e instanceof IllegalArgumentException) {
                line.getErr().println("webvm: " + e.getMessage());
                return USER_ERROR;
            }
            line.getErr().println("webvm: internal error: " + e);
            e.printStackTrace(line.getErr());
            return INTERNAL_ERROR;
        });
        return cl.execute(args);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = WebVmCli.class.getPackage().getImplementationVersion();
            return new String[] {"webvm " + (v == null ? "dev" : v)};
        }
    }

    @Command(name = "package", mixinStandardHelpOptions = true,
            description = "Builds the image, writes the ext2 disk, cuts it into chunks and assembles the site.")
    static final class Package implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--dockerfile", description = "the Dockerfile to build (default: Dockerfile in the context)")
        Path dockerfile;
        @Option(names = "--context", defaultValue = ".", description = "the build context (default: ${DEFAULT-VALUE})")
        Path context;
        @Option(names = "--build-arg", paramLabel = "K=V", description = "an ARG value; repeat for more")
        Map<String, String> buildArgs = new LinkedHashMap<>();
        @Option(names = "--target", description = "the stage of a multi-stage build (default: the last)")
        String target;
        @Option(names = "--builder", description = "auto, engine (docker/podman) or native (default: auto)")
        BuildBackend builder = BuildBackend.AUTO;
        @Option(names = "--platform", defaultValue = BuildOptions.PLATFORM, description = "the platform to build for; the VM runs i386 only")
        String platform;
        @Option(names = "--allow-insecure-registries", description = "plain-HTTP registries on this machine for FROM")
        boolean allowInsecureRegistries;
        @Option(names = "--build-network", description = "network of native RUN steps: default or none")
        BuildNetwork buildNetwork = BuildNetwork.DEFAULT;
        @Option(names = "--run-timeout", defaultValue = "7200", description = "seconds one native RUN step may take")
        int runTimeout;
        @Option(names = "--max-add-size", description = "the most one ADD may fetch or unpack (default: 4G)")
        DataSize maxAddSize = BuildOptions.DEFAULT_MAX_ADD_SIZE;
        @Option(names = "--image", description = "skip the build: an ext2 image, rootfs tar, OCI layout/archive or docker archive")
        Path image;
        @Option(names = "--image-size", description = "the ext2 image's size, e.g. 750M (default: content + headroom)")
        DataSize imageSize;
        @Option(names = "--headroom", description = "free space for the visitor, e.g. 256M or 50%%")
        Headroom headroom;
        @Option(names = "--ext2-revision", description = "0 or 1 (default: 1 for v86, 0 for cheerpx)")
        Integer ext2Revision;
        @Option(names = "--block-size", defaultValue = "4096", description = "ext2 block size: 1024, 2048 or 4096")
        int blockSize;
        @Option(names = "--disk-layout", description = "packed, webvm or v86 (default: packed)")
        DiskLayout diskLayout = DiskLayout.PACKED;
        @Option(names = "--chunk-size", description = "bytes per disk chunk, e.g. 128K (default: 128K)")
        DataSize chunkSize = DiskOptions.DEFAULT_CHUNK_SIZE;
        @Option(names = "--engine", description = "v86 (default) or cheerpx")
        Engine engine = Engine.V86;
        @Option(names = "--cheerpx-url", description = "where the page loads CheerpX from")
        String cheerpxUrl;
        @Option(names = "--cheerpx-version", description = "the CheerpX version the page loads (default: 1.3.9)")
        String cheerpxVersion;
        @Option(names = "--cheerpx-disk-url", description = "an external disk for cheerpx: wss://… or https://…/IMAGE.ext2")
        String cheerpxDiskUrl;
        @Option(names = "--tailscale", description = "offer networking through Tailscale (cheerpx)")
        boolean tailscale;
        @Option(names = "--tailscale-control-url", description = "a Tailscale control server such as Headscale (cheerpx)")
        String tailscaleControlUrl;
        @Option(names = "--memory", defaultValue = "256", description = "guest memory in MiB (v86)")
        int memory;
        @Option(names = "--network", description = "the guest's network (v86): none (default), fetch, or a wisp:// or wss:// relay URL")
        String network;
        @Option(names = "--cmd", split = ",", description = "the command the VM runs (default: the image's)")
        List<String> cmd;
        @Option(names = "--args", split = ",", description = "the command's arguments (default: the image's CMD)")
        List<String> args;
        @Option(names = "--env", paramLabel = "K=V", description = "an environment variable for the command; repeat for more")
        Map<String, String> env = new LinkedHashMap<>();
        @Option(names = "--cwd", description = "the command's working directory (default: the image's)")
        String cwd;
        @Option(names = "--user", description = "the command's user (default: the image's)")
        String user;
        @Option(names = "--output", defaultValue = "target/webvm-site", description = "the site folder (default: ${DEFAULT-VALUE})")
        Path output;
        @Option(names = "--work-dir", defaultValue = "target/webvm", description = "intermediate results (default: ${DEFAULT-VALUE})")
        Path workDirectory;
        @Option(names = "--cache-dir", description = "downloads and layers (default: ~/.cache/webvm-maven)")
        Path cacheDirectory;
        @Option(names = "--debian-mirror", defaultValue = "https://deb.debian.org/debian",
                description = "the Debian mirror of the v86 boot kit (default: ${DEFAULT-VALUE})")
        String debianMirror;
        @Option(names = "--debian-suite", defaultValue = "bookworm", description = "the Debian suite of the boot kit (default: ${DEFAULT-VALUE})")
        String debianSuite;
        @Option(names = "--offline", description = "use only what is cached")
        boolean offline;
        @Option(names = "--snapshot", negatable = true, description = "boot once at build time and ship the machine state (default: on for v86)")
        Boolean snapshot;
        @Option(names = "--snapshot-ready", description = "a JavaScript regex the command prints when ready for the snapshot")
        String snapshotReady;
        @Option(names = "--snapshot-node", defaultValue = "node", description = "the Node.js executable of the snapshot boot (default: ${DEFAULT-VALUE})")
        String snapshotNode;
        @Option(names = "--snapshot-timeout", defaultValue = "600", description = "seconds the build-time boot may take")
        int snapshotTimeout;

        @Override
        public Integer call() throws WebVmException {
            Path here = Path.of("").toAbsolutePath();
            Path ctx = here.resolve(context).normalize();
            if (engine == Engine.CHEERPX && Boolean.TRUE.equals(snapshot)) {
                throw new IllegalArgumentException("--snapshot needs --engine v86 (CheerpX has no saved states)");
            }
            WebVm vm = WebVm.from(image != null ? Source.image(here.resolve(image))
                            : Source.dockerfile(dockerfile != null ? here.resolve(dockerfile) : ctx.resolve("Dockerfile"), ctx))
                    .toolVersion(new Version().getVersion()[0])
                    .build(BuildOptions.builder()
                            .backend(builder).target(target).buildArgs(buildArgs).platform(platform).network(buildNetwork)
                            .runTimeout(Duration.ofSeconds(runTimeout)).maxAddSize(maxAddSize)
                            .allowInsecureRegistries(allowInsecureRegistries)
                            .build())
                    .disk(DiskOptions.builder().size(imageSize).headroom(headroom).ext2Revision(ext2Revision)
                            .blockSize(blockSize).chunkSize(chunkSize).layout(diskLayout).build())
                    .engine(engine)
                    .v86(V86Options.builder().memory(DataSize.ofMebibytes(memory)).network(network)
                            .snapshot(snapshot == null || snapshot).snapshotReady(snapshotReady)
                            .snapshotTimeout(Duration.ofSeconds(snapshotTimeout)).node(snapshotNode).build())
                    .cheerpx(CheerpxOptions.builder().version(cheerpxVersion).url(cheerpxUrl).diskUrl(cheerpxDiskUrl)
                            .tailscale(tailscale).tailscaleControlUrl(tailscaleControlUrl).build())
                    .container(ContainerOverrides.builder()
                            .entrypoint(cmd)
                            .args(args)
                            .environment(env)
                            .workingDirectory(cwd)
                            .user(user)
                            .build())
                    .projectDirectory(here)
                    .workDirectory(here.resolve(workDirectory))
                    .offline(offline);
            if (cacheDirectory != null) {
                vm.cacheDirectory(here.resolve(cacheDirectory));
            }
            vm.bootKitFrom(URI.create(debianMirror), debianSuite);
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            vm.logTo(out::println, line -> err.println("warning: " + line)).buildSite(here.resolve(output));
            out.println("preview it with `java -jar webvm-cli.jar serve" + (output.equals(Path.of("target/webvm-site"))
                    ? "" : " --dir " + output) + "`");
            return 0;
        }
    }

    @Command(name = "serve", mixinStandardHelpOptions = true,
            description = "Serves a site on 127.0.0.1 with the headers the emulators need, until Ctrl-C.")
    static final class Serve implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--dir", defaultValue = "target/webvm-site", description = "the site folder (default: ${DEFAULT-VALUE})")
        Path dir;
        @Option(names = "--port", defaultValue = "8080", description = "the TCP port on 127.0.0.1; 0 picks a free one")
        int port;

        @Override
        public Integer call() throws Exception {
            Path site = Path.of("").toAbsolutePath().resolve(dir);
            SiteServer server;
            try {
                server = SiteServer.start(site, port);
            } catch (java.net.BindException e) {
                throw new IllegalArgumentException("port " + port + " is in use; pick another with --port N", e);
            }
            spec.commandLine().getOut().println("Serving " + site + " at " + server.uri() + " (Ctrl-C to stop)");
            CountDownLatch stop = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                server.close();
                stop.countDown();
            }, "webvm-serve-stop"));
            stop.await();
            return 0;
        }
    }
}

package io.github.miniwebvm.dockerfile;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.miniwebvm.fs.Node;
import io.github.miniwebvm.image.ImageLoader;
import io.github.miniwebvm.image.LoadedImage;
import io.github.miniwebvm.io.Trees;
import io.github.miniwebvm.testsupport.TestBaseImage;
import io.github.miniwebvm.testsupport.Tools;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every Dockerfile of {@code src/test/resources/corpus} is built by the native builder (from the
 * fixture as an oci-archive) and by podman ({@code --isolation=chroot --platform linux/386}, from
 * the same fixture imported into podman); both results are read back with the flattener
 * ({@link ImageLoader}) and the flattened filesystems and configs must be equal in everything
 * deterministic. A case may hold {@code build-args} (KEY=VALUE lines), {@code target}
 * (a stage name), {@code archive-src/} (packed into {@code archive.tar.gz} before the build), or
 * {@code native-only} (why podman cannot be the oracle) with {@code expect} (path TAB content).
 */
class DifferentialCorpusTest {
    static final Path CORPUS = Path.of("src/test/resources/corpus").toAbsolutePath();

    /**
     * Paths whose differences say nothing about the Dockerfile, and why:
     * /etc/hostname, /etc/hosts, /etc/resolv.conf: engines bind-mount these for RUN and buildah
     * leaves empty files behind when the image lacks them; /proc, /sys, /dev: mount points whose
     * contents are the host's, never the image's; /var/log: logs carry timestamps.
     */
    static final List<String> IGNORED = List.of("etc/hostname", "etc/hosts", "etc/resolv.conf", "proc", "sys", "dev",
            "var/log", "run/.containerenv");

    /** Files whose content is random by design: chpasswd/useradd write salted password hashes. */
    static final List<String> CONTENT_IGNORED = List.of("etc/shadow", "etc/shadow-");

    @TempDir
    Path work;

    static Stream<String> cases() throws IOException {
        try (Stream<Path> s = Files.list(CORPUS)) {
            // -Dcorpus.only=<regex> selects cases while iterating
            String only = System.getProperty("corpus.only", ".*");
            return s.filter(Files::isDirectory).map(p -> p.getFileName().toString()).filter(n -> n.matches(only))
                    .sorted().toList().stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void nativeBuildEqualsPodmanBuild(String name) throws Exception {
        Path ctx = prepareContext(name);
        Map<String, String> args = buildArgs(ctx);
        String target = Files.exists(ctx.resolve("target")) ? Files.readString(ctx.resolve("target")).strip() : null;
        Base base = Base.get();
        java.util.Set<Long> sourceMtimes = new java.util.HashSet<>(mtimes(ctx));
        sourceMtimes.addAll(base.mtimes);

        Map<String, String> nativeArgs = new LinkedHashMap<>(args);
        nativeArgs.put("BASE", "oci-archive:" + TestBaseImage.ociArchive());
        BuiltImage nat = ImageBuild.builder().context(ctx).buildArgs(nativeArgs).target(target)
                .backend(Backend.NATIVE).cacheDirectory(Path.of("target/test-native-cache").toAbsolutePath())
                .log(l -> System.out.println("native| " + l)).build().run(work.resolve("native"));
        ImageState natState = ImageTrees.read(nat, work.resolve("nat-read"), base.diffId);
        ImageLoader loader = ImageLoader.builder().workDirectory(work.resolve("spool")).webvmFixups(false).build();

        try (LoadedImage natImage = loader.load(nat.path())) {
            if (Files.exists(ctx.resolve("native-only"))) {
                Map<String, String> config = ImageTrees.configSummary(natState);
                for (String line : Files.readAllLines(ctx.resolve("expect"))) {
                    String[] kv = line.split("\t", 2);
                    if (kv[0].startsWith("config:")) {
                        assertThat(config.get(kv[0].substring(7))).as(kv[0]).isEqualTo(kv[1]);
                    } else {
                        Node n = natImage.tree().lookup(kv[0]).orElseThrow(() -> new AssertionError("missing " + kv[0]));
                        try (var in = n.content().open()) {
                            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8))
                                    .as(kv[0]).isEqualTo(kv[1].replace("\\n", "\n"));
                        }
                    }
                }
                return;
            }

            Map<String, String> podmanArgs = new LinkedHashMap<>(args);
            podmanArgs.put("BASE", TestBaseImage.podmanImage());
            BuiltImage pod = ImageBuild.builder().context(ctx).buildArgs(podmanArgs).target(target)
                    .backend(Backend.ENGINE).engine("podman").offline(true)
                    .log(l -> System.out.println("podman| " + l)).build().run(work.resolve("podman"));
            ImageState podState = ImageTrees.read(pod, work.resolve("pod-read"), base.diffId);
            assertThat(ImageTrees.configSummary(natState)).as("config").isEqualTo(ImageTrees.configSummary(podState));

            try (LoadedImage podImage = loader.load(pod.path())) {
                TreeSet<String> touched = ImageTrees.touched(natState, base.diffId);
                touched.addAll(ImageTrees.touched(podState, base.diffId));
                List<String> ignored = new ArrayList<>(IGNORED);
                Path caseIgnore = ctx.resolve("differential-ignore");
                if (Files.exists(caseIgnore)) {
                    // path TAB why podman is not the reference there
                    Files.readAllLines(caseIgnore).forEach(l -> ignored.add(l.split("\t")[0]));
                }
                List<String> diffs = ImageTrees.treeDifferences(natImage.tree(), podImage.tree(), touched,
                        sourceMtimes, ignored, CONTENT_IGNORED);
                assertThat(diffs).as("filesystem differences native vs podman").isEmpty();
            }
        }
    }

    /** The fixture's layer: its diff id and the mtimes of its files, read once per test JVM. */
    static final class Base {
        private static Base instance;
        final String diffId;
        final java.util.Set<Long> mtimes = new java.util.HashSet<>();

        private Base(String diffId) {
            this.diffId = diffId;
        }

        static synchronized Base get() throws IOException {
            if (instance == null) {
                Path archive = TestBaseImage.ociArchive();
                ImageState state = new BaseImages(new BuildRequest(null, Path.of("."), Map.of(), null, "linux/386",
                        false, Path.of("target/test-native-cache").toAbsolutePath(), true,
                        ImageBuild.DEFAULT_MAX_ADD_BYTES, null, RunOptions.DEFAULT, l -> { }))
                        .resolve("oci-archive:" + archive);
                Base b = new Base(state.layers.get(0).diffId());
                Path spool = Files.createTempDirectory("webvm-base-");
                try (LoadedImage img = ImageLoader.builder().workDirectory(spool).webvmFixups(false).build()
                        .load(archive)) {
                    img.tree().walk((p, n) -> {
                        if (!n.isDirectory()) {
                            b.mtimes.add(n.mtime());
                        }
                    });
                } finally {
                    Trees.deleteRecursively(spool);
                }
                instance = b;
            }
            return instance;
        }
    }

    /** The mtimes (seconds) of the non-directories below {@code dir}. */
    private static java.util.Set<Long> mtimes(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> !Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)).map(p -> {
                try {
                    return Files.getLastModifiedTime(p, java.nio.file.LinkOption.NOFOLLOW_LINKS).toMillis() / 1000;
                } catch (IOException e) {
                    return 0L;
                }
            }).collect(java.util.stream.Collectors.toSet());
        }
    }

    private Path prepareContext(String name) throws IOException {
        Path ctx = work.resolve("ctx");
        Tools.run(List.of("cp", "-a", CORPUS.resolve(name).toString(), ctx.toString()), null);
        // The corpus's mtimes are whenever Maven copied the test resources. Builders may reuse a
        // cached COPY layer whose key ignores mtimes (buildah does), which would then carry an older
        // copy's mtimes: one fixed instant keeps cached and fresh layers of both builders equal.
        Tools.run(List.of("find", ctx.toString(), "-exec", "touch", "-h", "-d", "2020-01-01 00:00:00Z", "{}", "+"), null);
        Path src = ctx.resolve("archive-src");
        if (Files.isDirectory(src)) {
            Tools.run(List.of("tar", "--owner=0", "--group=0", "--numeric-owner", "--mtime=2020-01-01 00:00:00Z",
                    "--sort=name", "-czf", ctx.resolve("archive.tar.gz").toString(), "-C", src.toString(), "."), null);
            Tools.run(List.of("touch", "-d", "2020-01-01 00:00:00Z", ctx.resolve("archive.tar.gz").toString()), null);
        }
        return ctx;
    }

    private static Map<String, String> buildArgs(Path ctx) throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        Path f = ctx.resolve("build-args");
        if (Files.exists(f)) {
            for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
                int eq = line.indexOf('=');
                if (eq > 0) {
                    out.put(line.substring(0, eq), line.substring(eq + 1));
                }
            }
        }
        return out;
    }

}

package io.github.miniwebvm.dockerfile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.github.miniwebvm.dockerfile.syntax.DockerfileException;
import io.github.miniwebvm.fs.Node;
import io.github.miniwebvm.fs.NodeType;
import io.github.miniwebvm.image.ImageLoader;
import io.github.miniwebvm.image.LoadedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Build contexts and Dockerfiles written by strangers (CI builds pull requests) against the native
 * builder: nothing outside the context reaches the image, nothing outside the build's folders is
 * written, and what would exhaust time, memory or disk is refused with a message.
 */
// a guard against hangs only (every case takes about a second when it works); in a thread of its
// own, because a backtracking match cannot be interrupted
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class HostileContextTest {
    private static final String CANARY_TEXT = "host file outside the context\n";

    @TempDir
    Path work;
    private Path outside;
    private Path canary;
    private FileTime canaryTime;
    private Path ctx;

    @BeforeEach
    void layout() throws Exception {
        outside = Files.createDirectories(work.resolve("outside"));
        canary = outside.resolve("canary");
        Files.writeString(canary, CANARY_TEXT);
        canaryTime = Files.getLastModifiedTime(canary);
        ctx = Files.createDirectories(work.resolve("ctx"));
    }

    @AfterEach
    void nothingOutsideTheBuildChanged() throws Exception {
        assertThat(Files.readString(canary)).isEqualTo(CANARY_TEXT);
        assertThat(Files.getLastModifiedTime(canary)).isEqualTo(canaryTime);
        assertThat(names(outside)).containsExactly("canary");
        assertThat(names(work)).isSubsetOf("outside", "ctx", "cache", "out", "spool");
    }

    private static List<String> names(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private ImageBuild.Builder nativeBuild(String dockerfile) throws Exception {
        Files.writeString(ctx.resolve("Dockerfile"), dockerfile);
        return ImageBuild.builder().context(ctx).backend(Backend.NATIVE).cacheDirectory(work.resolve("cache"));
    }

    private LoadedImage build(String dockerfile) throws Exception {
        BuiltImage img = nativeBuild(dockerfile).build().run(work.resolve("out"));
        return ImageLoader.builder().workDirectory(work.resolve("spool")).webvmFixups(false).build().load(img.path());
    }

    private void assertRefused(String dockerfile, String... messageParts) throws Exception {
        ImageBuild build = nativeBuild(dockerfile).build();
        var refusal = assertThatThrownBy(() -> build.run(work.resolve("out")))
                .isInstanceOf(DockerfileException.class);
        for (String part : messageParts) {
            refusal.hasMessageContaining(part);
        }
    }

    private static Node node(LoadedImage img, String path) {
        return img.tree().lookup(path).orElseThrow(() -> new AssertionError("missing " + path));
    }

    private static String text(LoadedImage img, String path) throws Exception {
        try (var in = node(img, path).content().open()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void aLinkToTheHostRootLeadsToTheContextRoot() throws Exception {
        Files.createSymbolicLink(ctx.resolve("h"), Path.of("/"));
        Files.writeString(ctx.resolve("inside.txt"), "in the context\n");

        assertRefused("FROM scratch\nCOPY h" + canary + " /stolen\n",
                "Dockerfile:2: COPY failed: 'h" + canary + "' not found in the build context");
        try (LoadedImage img = build("FROM scratch\nCOPY h/inside.txt /inside.txt\n")) {
            assertThat(text(img, "inside.txt")).isEqualTo("in the context\n");
        }
    }

    @Test
    void aLinkToADirectoryOutsideTheContextFindsNothing() throws Exception {
        Files.createSymbolicLink(ctx.resolve("out-link"), outside);
        Files.createDirectories(ctx.resolve("dir"));
        Files.createSymbolicLink(ctx.resolve("dir/up"), Path.of("../../outside"));

        assertRefused("FROM scratch\nCOPY out-link/canary /stolen\n", "'out-link/canary' not found");
        assertRefused("FROM scratch\nCOPY out-link /stolen/\n", "'out-link' not found");
        assertRefused("FROM scratch\nCOPY dir/up/canary /stolen\n", "'dir/up/canary' not found");
        assertRefused("FROM scratch\nCOPY out-*/canary /stolen\n", "'out-*/canary' not found");
    }

    @Test
    void aDockerfileOrIgnoreFileLinkedToAHostFileIsNotRead() throws Exception {
        Files.createSymbolicLink(ctx.resolve("Dockerfile"), canary);
        assertThatThrownBy(() -> ImageBuild.builder().context(ctx).backend(Backend.NATIVE).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("the Dockerfile " + ctx.resolve("Dockerfile") + " is a symbolic link to " + canary)
                .hasMessageContaining("outside the build context")
                .hasMessageNotContaining(CANARY_TEXT.strip());
        Files.delete(ctx.resolve("Dockerfile"));
        Files.writeString(ctx.resolve("Dockerfile"), "FROM scratch\n");
        for (String ignoreFile : List.of(".dockerignore", "Dockerfile.dockerignore")) {
            Files.createSymbolicLink(ctx.resolve(ignoreFile), canary);
            assertThatThrownBy(() -> ImageBuild.builder().context(ctx).backend(Backend.NATIVE).build())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(ignoreFile + " " + ctx.resolve(ignoreFile) + " is a symbolic link to " + canary);
            Files.delete(ctx.resolve(ignoreFile));
        }
    }

    @Test
    void aDockerfileLinkedInsideTheContextIsRead() throws Exception {
        Files.createDirectories(ctx.resolve("docker"));
        Files.writeString(ctx.resolve("docker/Dockerfile.real"), "FROM scratch\nCOPY docker/Dockerfile.real /copied\n");
        Files.createSymbolicLink(ctx.resolve("Dockerfile"), Path.of("docker/Dockerfile.real"));
        BuiltImage img = ImageBuild.builder().context(ctx).backend(Backend.NATIVE).cacheDirectory(work.resolve("cache"))
                .build().run(work.resolve("out"));
        LoadedImage loaded = ImageLoader.builder().workDirectory(work.resolve("spool")).webvmFixups(false).build()
                .load(img.path());
        assertThat(text(loaded, "/copied")).startsWith("FROM scratch");
    }

    @Test
    void dotDotAboveTheContextIsRefused() throws Exception {
        assertRefused("FROM scratch\nCOPY ../outside/canary /stolen\n",
                "Dockerfile:2: COPY failed: '../outside/canary' is outside the build context");
        assertRefused("FROM scratch\nCOPY sub/../../outside/canary /stolen\n", "is outside the build context");
    }

    @Test
    void ignoredFilesStayOutWhenReachedThroughLinks() throws Exception {
        Files.writeString(ctx.resolve(".dockerignore"), "secret.txt\nsecret-dir/\n");
        Files.writeString(ctx.resolve("secret.txt"), "secret\n");
        Files.createDirectories(ctx.resolve("secret-dir"));
        Files.writeString(ctx.resolve("secret-dir/key"), "key\n");
        Files.createSymbolicLink(ctx.resolve("s"), Path.of("secret.txt"));
        Files.createSymbolicLink(ctx.resolve("self"), Path.of("."));
        Files.createSymbolicLink(ctx.resolve("sd"), Path.of("/secret-dir"));
        Files.writeString(ctx.resolve("public.txt"), "public\n");

        assertRefused("FROM scratch\nCOPY s /x\n", "'s' not found");
        assertRefused("FROM scratch\nCOPY self/secret.txt /x\n", "'self/secret.txt' not found");
        assertRefused("FROM scratch\nCOPY sd/key /x\n", "'sd/key' not found");
        assertRefused("FROM scratch\nCOPY sd /x/\n", "'sd' not found");
        try (LoadedImage img = build("FROM scratch\nCOPY self/ /all/\n")) {
            assertThat(text(img, "all/public.txt")).isEqualTo("public\n");
            assertThat(node(img, "all/s").linkTarget()).isEqualTo("secret.txt");  // links inside a directory stay links
            assertThat(img.tree().lookup("all/secret.txt")).isEmpty();
            assertThat(img.tree().lookup("all/secret-dir")).isEmpty();
        }
    }

    @Test
    void linksInsideTheContextAreFollowedThere() throws Exception {
        Files.createDirectories(ctx.resolve("sub"));
        Files.writeString(ctx.resolve("sub/f"), "f\n");
        Files.createSymbolicLink(ctx.resolve("sub/link-to-f"), Path.of("f"));
        Files.createSymbolicLink(ctx.resolve("abs"), Path.of("/sub"));

        try (LoadedImage img = build("FROM scratch\nCOPY abs/f /a\nCOPY sub/link-to-f /b\nCOPY abs/link-* /c/\n"
                + "COPY abs /d/\n")) {
            assertThat(text(img, "a")).isEqualTo("f\n");
            assertThat(node(img, "b").type()).isEqualTo(NodeType.FILE);   // a source that is a link is followed
            assertThat(text(img, "b")).isEqualTo("f\n");
            assertThat(text(img, "c/link-to-f")).isEqualTo("f\n");
            assertThat(node(img, "d/link-to-f").linkTarget()).isEqualTo("f");
        }
    }

    @Test
    void manyStarsMatchWithoutBacktracking() throws Exception {
        // as a regular expression [^/]* chains, 24 stars against 60 letters ran for hours
        Files.writeString(ctx.resolve("a".repeat(60)), "no\n");
        Files.writeString(ctx.resolve("a".repeat(59) + "b"), "yes\n");
        Files.writeString(ctx.resolve("a".repeat(30) + "c"), "no\n");
        String pattern = "a*".repeat(24) + "b";
        try (LoadedImage img = build("FROM scratch\nCOPY " + pattern + " /g/\n")) {
            assertThat(node(img, "g").children().keySet()).containsExactly("a".repeat(59) + "b");
        }
    }

    @Test
    void addOfAUrlStopsAtTheLimitAndLeavesNoPartialFile() throws Exception {
        int mib = 1 << 20;
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/declared", exchange -> serve(exchange, 2 * mib, true));
        server.createContext("/chunked", exchange -> serve(exchange, 2 * mib, false));
        server.createContext("/small.tar.gz", exchange -> {
            byte[] gzip = gzip("not unpacked\n");
            exchange.sendResponseHeaders(200, gzip.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(gzip);
            }
        });
        server.start();
        try {
            String base = "http://127.0.0.1:" + server.getAddress().getPort();
            for (String path : List.of("/declared", "/chunked")) {
                ImageBuild build = nativeBuild("FROM scratch\nADD " + base + path + " /big\n").maxAddBytes(mib).build();
                assertThatThrownBy(() -> build.run(work.resolve("out")))
                        .isInstanceOf(ImageBuildException.class)
                        .hasMessageStartingWith("Dockerfile:2: ADD " + base + path + ": refused, larger than the limit of 1 MiB")
                        .hasMessageContaining("maxAddSize");
                assertThat(names(work.resolve("cache/native/downloads"))).isEmpty();
            }
            try (LoadedImage img = build("FROM scratch\nADD " + base + "/small.tar.gz /d/\n")) {
                Node file = node(img, "d/small.tar.gz");          // a URL's archive is not unpacked
                assertThat(file.permissions()).isEqualTo(0600);
                assertThat(file.size()).isEqualTo(gzip("not unpacked\n").length);
            }
        } finally {
            server.stop(0);
        }
    }

    private static void serve(com.sun.net.httpserver.HttpExchange exchange, int size, boolean declareLength)
            throws IOException {
        exchange.sendResponseHeaders(200, declareLength ? size : 0);
        byte[] chunk = new byte[64 * 1024];
        try (OutputStream out = exchange.getResponseBody()) {
            for (int sent = 0; sent < size; sent += chunk.length) {
                out.write(chunk);
            }
        } catch (IOException clientGaveUp) {
            // the builder stops reading at its limit
        }
    }

    private static byte[] gzip(String text) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) {
            gz.write(text.getBytes(StandardCharsets.UTF_8));
        }
        return bytes.toByteArray();
    }

    @Test
    void aVariableThatDoublesItselfIsRefusedAtItsLine() throws Exception {
        // 16 characters doubled 16 times are 1 MiB; the 17th doubling, on line 19, would pass it
        String dockerfile = "FROM scratch\nENV A=0123456789abcdef\n" + "ENV A=$A$A\n".repeat(40);
        assertRefused(dockerfile, "Dockerfile:19: ENV: variables expand to more than 1048576 characters");
    }

    @Test
    void manyLargeVariablesAreRefusedAtTheLineThatPassesTheTotal() throws Exception {
        // A is 512,000 characters after 9 doublings (lines 3-11); each B line adds 1,024,003, and
        // the 16th (line 27) takes the stage past 16 MiB
        StringBuilder text = new StringBuilder("FROM scratch\nENV A=" + "x".repeat(1000) + "\n"
                + "ENV A=$A$A\n".repeat(9));
        for (int i = 1; i <= 40; i++) {
            text.append("ENV B").append(i).append("=$A$A\n");
        }
        assertRefused(text.toString(), "Dockerfile:27: ENV: the ARG, ENV and LABEL values of this stage add up to "
                + "more than 16777216 characters");
    }

    @Test
    void anArchiveCannotWriteThroughALink() throws Exception {
        // the context puts a link to the host directory into the image, and the archive makes one
        // of its own; both are followed as the image sees them: /<outside>/..., never the host's
        Files.createDirectories(ctx.resolve("d"));
        Files.createSymbolicLink(ctx.resolve("d/x"), outside);
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(Files.newOutputStream(ctx.resolve("a.tar")))) {
            addFile(tar, "x/planted", "through the image's link\n");
            TarArchiveEntry link = new TarArchiveEntry("y", TarConstants.LF_SYMLINK);
            link.setLinkName(outside.toString());
            tar.putArchiveEntry(link);
            tar.closeArchiveEntry();
            addFile(tar, "y/planted-too", "through the archive's link\n");
        }
        try (LoadedImage img = build("FROM scratch\nCOPY d/ /opt/\nADD a.tar /opt/\n")) {
            String inImage = outside.toString().substring(1);
            assertThat(node(img, "opt/x").linkTarget()).isEqualTo(outside.toString());
            assertThat(text(img, inImage + "/planted")).isEqualTo("through the image's link\n");
            assertThat(text(img, inImage + "/planted-too")).isEqualTo("through the archive's link\n");
        }
    }

    @Test
    void anArchiveEntryCannotClimbOutOfTheDestination() throws Exception {
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(Files.newOutputStream(ctx.resolve("a.tar")))) {
            addFile(tar, "../../../../../../../../../../.." + canary, "overwritten\n");
        }
        ImageBuild build = nativeBuild("FROM scratch\nADD a.tar /opt/\n").build();
        assertThatThrownBy(() -> build.run(work.resolve("out")))
                .isInstanceOf(ImageBuildException.class)
                .hasMessageContaining("ADD a.tar: the archive entry '../")
                .hasMessageContaining("climbs out of the destination /opt with '..'");
    }

    @Test
    void anArchiveEntryBelowAFileIsRefused() throws Exception {
        // ADD unpacks with the extractor of layers: an entry whose way goes through a file is named
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(Files.newOutputStream(ctx.resolve("a.tar")))) {
            addFile(tar, "f", "a file\n");
            addFile(tar, "f/x", "below a file\n");
        }
        ImageBuild build = nativeBuild("FROM scratch\nADD a.tar /opt/\n").build();
        assertThatThrownBy(() -> build.run(work.resolve("out")))
                .isInstanceOf(ImageBuildException.class)
                .hasMessageContaining("ADD a.tar: entry 'f/x' has no place in the root: /opt/f is not a directory");
    }

    @Test
    void aDecompressionBombStopsAtTheLimit() throws Exception {
        // 8 MiB of zeros compress to a few KiB
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GZIPOutputStream(
                Files.newOutputStream(ctx.resolve("bomb.tar.gz"))))) {
            TarArchiveEntry e = new TarArchiveEntry("zeros");
            e.setSize(8 << 20);
            tar.putArchiveEntry(e);
            tar.write(new byte[8 << 20]);
            tar.closeArchiveEntry();
        }
        assertThat(Files.size(ctx.resolve("bomb.tar.gz"))).isLessThan(1 << 20);
        ImageBuild build = nativeBuild("FROM scratch\nADD bomb.tar.gz /opt/\n").maxAddBytes(1 << 20).build();
        assertThatThrownBy(() -> build.run(work.resolve("out")))
                .isInstanceOf(ImageBuildException.class)
                .hasMessageStartingWith("Dockerfile:2: ADD bomb.tar.gz: refused, the archive unpacks to more than the limit of 1 MiB");
    }

    private static void addFile(TarArchiveOutputStream tar, String name, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        TarArchiveEntry e = new TarArchiveEntry(name, true);
        e.setSize(bytes.length);
        tar.putArchiveEntry(e);
        tar.write(bytes);
        tar.closeArchiveEntry();
    }
}

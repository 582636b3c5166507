package io.github.miniwebvm.core.internal.pipeline;

import io.github.miniwebvm.core.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile Dockerfiles and build contexts through the whole {@link Pipeline} with the native
 * builder: each is refused with a message that names the instruction (or the file), the previous
 * site stays byte-identical, and nothing outside the output and work folders changes — a canary
 * file beside the project is checked after every case. The builder-level cases, with more
 * variants each, are in image-builder's HostileContextTest.
 */
class HostileDockerfilePipelineTest {
    private static final Path CACHE = Path.of(System.getProperty("user.home"), ".cache", "webvm-maven");
    private static final String CANARY_TEXT = "a host file beside the project\n";

    @TempDir
    Path tmp;
    private Path project;
    private Path site;
    private Path work;
    private Path canary;
    private FileTime canaryTime;
    private Map<String, String> previousSite;
    private final List<String> log = new ArrayList<>();

    @BeforeEach
    void buildAGoodSite() throws Exception {
        assumeTrue(Files.isDirectory(CACHE.resolve("debian")), "no boot kit cache in " + CACHE
                + "; run one build online (or the image-builder boot kit tests) first");
        canary = Files.writeString(Files.createDirectories(tmp.resolve("outside")).resolve("canary"), CANARY_TEXT);
        canaryTime = Files.getLastModifiedTime(canary);
        project = Files.createDirectories(tmp.resolve("project"));
        Files.createDirectories(project.resolve("rootfs/etc"));
        Files.createDirectories(project.resolve("rootfs/bin"));
        Files.writeString(project.resolve("rootfs/etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n");
        Files.writeString(project.resolve("rootfs/bin/sh"), "#!fake\n");
        site = project.resolve("target/webvm-site");
        work = project.resolve("target/webvm");
        Files.writeString(project.resolve("Dockerfile"), "FROM scratch\nCOPY rootfs/ /\n");
        pipeline().run();
        previousSite = HostileInputPipelineTest.hashes(site);
        assertThat(previousSite).containsKeys("index.html", "webvm.json", "disk/manifest.json");
    }

    @AfterEach
    void nothingOutsideTheBuildChanged() throws Exception {
        assertThat(Files.readString(canary)).isEqualTo(CANARY_TEXT);
        assertThat(Files.getLastModifiedTime(canary)).isEqualTo(canaryTime);
        try (Stream<Path> s = Files.list(canary.getParent())) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactly("canary");
        }
    }

    private Pipeline pipeline() {
        PipelineOptions o = PipelineOptions.builder()
                .dockerfile(project.resolve("Dockerfile"), project).projectDirectory(project)
                .build(BuildOptions.builder().backend(BuildBackend.NATIVE).maxAddSize(DataSize.parse("64K")).build())
                .disk(DiskOptions.builder().size(DataSize.parse("4M")).build())
                .outputDirectory(site).workDirectory(work).cacheDirectory(CACHE)
                .offline(true)
                // the tiny image cannot boot; the snapshot stage is not under test here
                .v86(V86Options.builder().snapshot(false).build())
                .build();
        return new Pipeline(o, new StageLog(log::add, log::add));
    }

    private void assertRefusedAndSiteKept(String dockerfile, String... messageParts) throws IOException {
        if (!Files.isSymbolicLink(project.resolve("Dockerfile"))) {
            Files.writeString(project.resolve("Dockerfile"), dockerfile);
        }
        List<Path> before = listing();
        assertThatThrownBy(() -> pipeline().run()).isInstanceOf(PipelineException.class)
                .hasMessageContainingAll(messageParts)
                .satisfies(e -> assertThat(((PipelineException) e).isUserError()).isTrue());
        assertThat(HostileInputPipelineTest.hashes(site)).as("the previous site").isEqualTo(previousSite);
        List<Path> after = listing();
        assertThat(after).as("files outside the work folder").isEqualTo(before);
    }

    private List<Path> listing() throws IOException {
        try (Stream<Path> s = Files.walk(tmp)) {
            return new ArrayList<>(s.filter(p -> !p.startsWith(work)).sorted().toList());
        }
    }

    @Test
    void copyThroughALinkToTheHostRootFindsNothing() throws Exception {
        Files.createSymbolicLink(project.resolve("h"), Path.of("/"));
        assertRefusedAndSiteKept("FROM scratch\nCOPY rootfs/ /\nCOPY h" + canary + " /stolen\n",
                "Dockerfile:3: COPY failed: 'h" + canary + "' not found in the build context");
    }

    @Test
    void copyAboveTheContextIsRefused() throws Exception {
        assertRefusedAndSiteKept("FROM scratch\nCOPY ../outside/canary /stolen\n",
                "Dockerfile:2: COPY failed: '../outside/canary' is outside the build context");
    }

    @Test
    void aDockerfileLinkedToAHostFileIsNotRead() throws Exception {
        Files.delete(project.resolve("Dockerfile"));
        Files.createSymbolicLink(project.resolve("Dockerfile"), canary);
        assertRefusedAndSiteKept(null, "the Dockerfile", "is a symbolic link to " + canary, "outside the build context");
    }

    @Test
    void anArchiveEntryClimbingOutOfTheDestinationIsRefused() throws Exception {
        writeTar(project.resolve("evil.tar"), "../../../../../../../../.." + canary, "overwritten\n");
        assertRefusedAndSiteKept("FROM scratch\nCOPY rootfs/ /\nADD evil.tar /opt/\n",
                "Dockerfile:3", "climbs out of the destination /opt");
    }

    @Test
    void anArchiveLargerThanMaxAddSizeIsRefused() throws Exception {
        writeTar(project.resolve("big.tar"), "big", "x".repeat(100_000));
        assertRefusedAndSiteKept("FROM scratch\nCOPY rootfs/ /\nADD big.tar /opt/\n",
                "Dockerfile:3", "more than the limit of 64 KiB", "maxAddSize");
    }

    @Test
    void aVariableThatDoublesItselfIsRefusedAtItsLine() throws Exception {
        assertRefusedAndSiteKept("FROM scratch\nENV A=0123456789abcdef\n" + "ENV A=$A$A\n".repeat(40),
                "Dockerfile:19: ENV: variables expand to more than 1048576 characters");
    }

    private static void writeTar(Path file, String name, String text) throws IOException {
        try (OutputStream out = Files.newOutputStream(file);
             TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            byte[] data = text.getBytes(StandardCharsets.UTF_8);
            TarArchiveEntry e = new TarArchiveEntry(name, true);
            e.setSize(data.length);
            tar.putArchiveEntry(e);
            tar.write(data);
            tar.closeArchiveEntry();
        }
    }
}

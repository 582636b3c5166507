package io.github.miniwebvm.core.internal.pipeline;

import io.github.miniwebvm.core.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Output and work folders that would make a build delete what is not its own are refused before
 * anything is written: the project, its context and a canary outside stay byte for byte.
 */
class OutputSafetyTest {
    @TempDir
    Path tmp;
    private Path project;
    private Path canary;
    private Map<String, String> before;

    @BeforeEach
    void aProjectAndACanary() throws Exception {
        project = Files.createDirectories(tmp.resolve("project"));
        Files.writeString(project.resolve("pom.xml"), "<project/>\n");
        Files.writeString(project.resolve("Dockerfile"), "FROM scratch\n");
        Files.createDirectories(project.resolve(".git"));
        Files.writeString(project.resolve(".git/HEAD"), "ref: refs/heads/main\n");
        Files.createDirectories(project.resolve("docs"));
        Files.writeString(project.resolve("docs/guide.md"), "# the user's own docs\n");
        canary = Files.createDirectories(tmp.resolve("canary"));
        Files.writeString(canary.resolve("keep"), "canary\n");
        before = listing(tmp);
    }

    private PipelineOptions.Builder options(Path output, Path work) {
        return PipelineOptions.builder()
                .projectDirectory(project).dockerfile(project.resolve("Dockerfile"), project)
                .outputDirectory(output).workDirectory(work).cacheDirectory(tmp.resolve("cache"))
                .offline(true).v86(V86Options.builder().snapshot(false).build());
    }

    private void assertRefused(PipelineOptions.Builder options, String... message) throws Exception {
        List<String> log = new ArrayList<>();
        assertThatThrownBy(() -> new Pipeline(options.build(), new StageLog(log::add, log::add)).run())
                .isInstanceOf(PipelineException.class)
                .hasMessageContainingAll(message)
                .satisfies(e -> assertThat(((PipelineException) e).isUserError()).isTrue());
        assertThat(listing(tmp)).as("every file after the refused build").isEqualTo(before);
    }

    @Test
    void theProjectFolderItselfIsRefused() throws Exception {
        assertRefused(options(project, project.resolve("target/webvm")),
                "outputDirectory " + project, "holds the project", "would delete it");
    }

    @Test
    void aFolderAboveTheContextIsRefused() throws Exception {
        assertRefused(options(tmp, project.resolve("target/webvm")), "outputDirectory " + tmp, "holds the project");
    }

    @Test
    void aSymbolicLinkToTheProjectIsRefused() throws Exception {
        Path link = Files.createSymbolicLink(tmp.resolve("site-link"), project);
        before = listing(tmp);
        assertRefused(options(link, project.resolve("target/webvm")), "holds the project");
    }

    @Test
    void aFolderWithTheUsersOwnFilesIsRefused() throws Exception {
        assertRefused(options(project.resolve("docs"), project.resolve("target/webvm")),
                "outputDirectory " + project.resolve("docs"), "1 entries that this plugin did not write",
                OwnedFolders.SITE_MARKER);
    }

    @Test
    void theCacheIsNeverInsideTheOutput() throws Exception {
        Files.createDirectories(tmp.resolve("out/cache"));
        before = listing(tmp);
        assertRefused(options(tmp.resolve("out"), project.resolve("target/webvm")).cacheDirectory(tmp.resolve("out/cache")),
                "outputDirectory " + tmp.resolve("out"), "the cache directory");
    }

    @Test
    void theWorkFolderIsCheckedToo() throws Exception {
        assertRefused(options(project.resolve("target/webvm-site"), project), "workDirectory " + project,
                "holds the project");
        assertRefused(options(project.resolve("target/webvm-site"), project.resolve("docs")),
                "workDirectory " + project.resolve("docs"), "did not write", OwnedFolders.WORK_MARKER);
        assertRefused(options(project.resolve("target/webvm-site"), project.resolve("target/webvm-site/work")),
                "is inside outputDirectory");
    }

    @Test
    void aSiteThisPluginWroteIsReplacedAndAnEmptyFolderTaken() throws Exception {
        Path site = Files.createDirectories(project.resolve("target/webvm-site"));   // empty: taken
        try (AtomicOutput out = AtomicOutput.open(site)) {
            Files.writeString(out.staging().resolve("index.html"), "v1");
            out.commit();
        }
        assertThat(site.resolve(OwnedFolders.SITE_MARKER)).exists();
        try (AtomicOutput out = AtomicOutput.open(site)) {
            Files.writeString(out.staging().resolve("index.html"), "v2");
            out.commit();
        }
        assertThat(site.resolve("index.html")).hasContent("v2");
        assertThat(site.resolve(OwnedFolders.SITE_MARKER)).exists();
    }

    @Test
    void aSecondBuildOfTheSameSiteIsRefusedWhileTheFirstRuns() throws Exception {
        Path site = project.resolve("target/webvm-site");
        try (BuildLock first = BuildLock.acquire(site)) {
            assertThatThrownBy(() -> BuildLock.acquire(site)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("another build is writing " + site);
            // the whole pipeline refuses too, before it writes anything
            Map<String, String> locked = listing(tmp);
            List<String> log = new ArrayList<>();
            assertThatThrownBy(() -> new Pipeline(options(site, project.resolve("target/webvm")).build(),
                    new StageLog(log::add, log::add)).run()).hasMessageContaining("another build is writing");
            assertThat(listing(tmp)).isEqualTo(locked);
        }
        BuildLock.acquire(site).close();   // free again once the first is done
    }

    @Test
    void aBuildInAnotherProcessHoldsTheLockToo() throws Exception {
        Path site = project.resolve("target/webvm-site");
        Files.createDirectories(site.getParent());
        Path lockFile = site.resolveSibling(".webvm-site.lock");
        Path holder = Files.writeString(tmp.resolve("Holder.java"),
                "import java.nio.channels.FileChannel; import java.nio.file.*;\n"
                        + "public class Holder { public static void main(String[] a) throws Exception {\n"
                        + "  try (FileChannel c = FileChannel.open(Path.of(a[0]), StandardOpenOption.CREATE,"
                        + " StandardOpenOption.WRITE); var l = c.lock()) {\n"
                        + "    System.out.println(\"locked\"); System.out.flush(); System.in.read(); } } }\n");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), holder.toString(), lockFile.toString()).start();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            assertThat(r.readLine()).isEqualTo("locked");
            assertThatThrownBy(() -> BuildLock.acquire(site)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("another build is writing");
        } finally {
            p.getOutputStream().close();   // the holder reads end of input and exits, releasing the lock
            p.waitFor();
        }
        BuildLock.acquire(site).close();
    }

    private static Map<String, String> listing(Path root) throws Exception {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                String content = Files.isSymbolicLink(p) ? "-> " + Files.readSymbolicLink(p)
                        : Files.isDirectory(p) ? "dir" : java.util.Base64.getEncoder().encodeToString(Files.readAllBytes(p));
                out.put(root.relativize(p).toString(), content);
            }
        }
        return out;
    }
}

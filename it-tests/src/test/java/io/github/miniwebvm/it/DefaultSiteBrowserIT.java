package io.github.miniwebvm.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.miniwebvm.testsupport.Browser;
import io.github.miniwebvm.testsupport.StaticServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The product as users run it: the sites that the invoker ITs {@code default-site} and
 * {@code rev0-site} built with the real plugin (Dockerfile → native build → our ext2 writer →
 * packed chunks → boot kit; the build-time snapshot for the default one), served by a plain static
 * server and booted in headless Chromium; and {@code large-disk}, a v86 site of a disk past 4 GiB.
 */
class DefaultSiteBrowserIT {
    private static final Path PROJECTS = Path.of(System.getProperty("webvm.it.projects", "target/it")).toAbsolutePath();
    private static final Path TARGET = Path.of("target").toAbsolutePath();
    private static final Path INPUTS = Path.of(System.getProperty("webvm.it.inputs", "target/it-inputs")).toAbsolutePath();

    private static Path site(String project) {
        Path site = PROJECTS.resolve(project).resolve("target/webvm-site");
        assertThat(site.resolve("webvm.json"))
                .as("the site of the invoker IT %s (mvn verify in it-tests builds it before this test)", project)
                .exists();
        return site;
    }

    @Test
    void theDefaultSiteResumesFromItsSnapshotAndRunsTheImageBuiltFromTheDockerfile() throws Exception {
        try (StaticServer server = new StaticServer(site("default-site"));
             Browser browser = Browser.open(TARGET.resolve("e2e/default-site"))) {
            browser.get(server.url());
            browser.waitForPrompt();
            assertThat(browser.js("return crossOriginIsolated")).isEqualTo(true);
            Map<?, ?> snapshot = (Map<?, ?>) browser.js("return window.webvm.snapshot");
            assertThat(snapshot.get("state")).as("the page's snapshot report; console:\n" + browser.consoleLog())
                    .isEqualTo("restored");

            String out = browser.typeAndCollect("cat /etc/webvm-e2e; id; pwd; uname -m");
            assertThat(out).contains("made by RUN at build time")
                    .contains("uid=1000(webvm) gid=1000(webvm)")
                    .containsPattern("(?m)^/home/webvm$")
                    .contains("i686");

            String file = browser.typeAndCollect("echo written-by-$((6*7)) > note.txt; sync; cat note.txt; ls -l note.txt");
            assertThat(file).contains("written-by-42").contains("webvm webvm");
        }
    }

    @Test
    void aRevisionZeroDiskBootsInV86() throws Exception {
        try (StaticServer server = new StaticServer(site("rev0-site"));
             Browser browser = Browser.open(TARGET.resolve("e2e/rev0-site"))) {
            browser.get(server.url());
            browser.waitForPrompt();
            String out = browser.typeAndCollect("cat /etc/webvm-e2e; echo rev0-$((6*7)) > f; sync; cat f");
            assertThat(out).contains("made by RUN at build time").contains("rev0-42");
        }
    }

    @Test
    void v86ReadsTheLastBlocksOfADiskPastFourGibibytes() throws Exception {
        Path site = site("large-disk");
        JsonNode manifest = new ObjectMapper().readTree(site.resolve("disk/manifest.json").toFile());
        long lastChunkStart = manifest.get("size").asLong() - manifest.get("chunkSize").asLong();
        assertThat(lastChunkStart).isGreaterThan(4L << 30);
        String lastChunk = manifest.get("chunks").get(manifest.get("chunks").size() - 1).asText();
        String expected = Files.readString(INPUTS.resolve("large-disk.payload.sha256")).strip();
        try (StaticServer server = new StaticServer(site);
             Browser browser = Browser.open(TARGET.resolve("e2e/large-disk"))) {
            browser.get(server.url());
            browser.waitForPrompt();
            // prepare-inputs.sh put /payload in the disk's last 12 blocks, which only this chunk holds
            assertThat(server.requests).noneMatch(path -> path.contains(lastChunk));

            String out = browser.typeAndCollect("sha256sum /payload; sha256sum -c /payload.sha256");
            assertThat(out).as("the guest's view of /payload").contains(expected).contains("/payload: OK");
            assertThat(server.requests).anyMatch(path -> path.contains(lastChunk));
        }
    }
}

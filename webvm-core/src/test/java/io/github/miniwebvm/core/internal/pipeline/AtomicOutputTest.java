package io.github.miniwebvm.core.internal.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicOutputTest {
    @TempDir Path dir;

    private List<String> names() throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void commitReplacesThePreviousSiteAndLeavesNoTempFolders() throws Exception {
        Path site = dir.resolve("site");
        Files.createDirectories(site);
        Files.writeString(site.resolve("old.txt"), "old");
        OwnedFolders.writeMarker(site, OwnedFolders.SITE_MARKER);
        try (AtomicOutput out = AtomicOutput.open(site)) {
            Files.writeString(out.staging().resolve("new.txt"), "new");
            assertThat(site.resolve("old.txt")).exists();
            out.commit();
        }
        assertThat(site.resolve("new.txt")).hasContent("new");
        assertThat(site.resolve("old.txt")).doesNotExist();
        assertThat(names()).containsExactly("site");
    }

    @Test
    void failureLeavesThePreviousSiteIntact() throws Exception {
        Path site = dir.resolve("site");
        Files.createDirectories(site);
        Files.writeString(site.resolve("index.html"), "v1");
        OwnedFolders.writeMarker(site, OwnedFolders.SITE_MARKER);
        try (AtomicOutput out = AtomicOutput.open(site)) {
            Files.writeString(out.staging().resolve("index.html"), "half");
            // no commit: the build failed
        }
        assertThat(site.resolve("index.html")).hasContent("v1");
        assertThat(names()).containsExactly("site");
    }

    @Test
    void leftoversOfAKilledBuildAreCleanedAndAnInterruptedSwapIsRecovered() throws Exception {
        Files.createDirectories(dir.resolve(".site.tmp-999/disk"));
        Path old = Files.createDirectories(dir.resolve(".site.old-998"));
        Files.writeString(old.resolve("index.html"), "v1");
        OwnedFolders.writeMarker(old, OwnedFolders.SITE_MARKER);
        // killed between the two renames: the site is only in .site.old-*
        try (AtomicOutput out = AtomicOutput.open(dir.resolve("site"))) {
            assertThat(dir.resolve("site/index.html")).hasContent("v1");
            assertThat(dir.resolve(".site.tmp-999")).doesNotExist();
        }
        assertThat(names()).containsExactly("site");
    }
}

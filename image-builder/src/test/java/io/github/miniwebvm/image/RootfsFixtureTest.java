package io.github.miniwebvm.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The debootstrapped Debian i386 fixture as a plain rootfs tar: our flattening equals the tar as
 * Commons Compress reads it (every path, type, mode, owner, mtime, link, device and content).
 */
class RootfsFixtureTest {
    @Test
    void debianFixtureTarFlattensToWhatTheTarHolds() throws IOException {
        Path repo = Path.of(System.getProperty("webvm.repoRoot", "..")).toAbsolutePath().normalize();
        Path script = repo.resolve("scripts/fixture-base.sh");
        assumeTrue(Files.isRegularFile(script), "no scripts/fixture-base.sh under " + repo);
        Podman.Result r = Podman.run(List.of("bash", script.toString()), 900, false);
        assumeTrue(r.exit() == 0, "fixture-base.sh failed (debootstrap missing?): " + r.out());
        Path tar = Path.of(r.out().trim().lines().reduce((a, b) -> b).orElseThrow());

        long start = System.nanoTime();
        try (LoadedImage image = ImageLoader.builder().workDirectory(Path.of("target/rootfs-work")).webvmFixups(false)
                .build().load(tar)) {
            long millis = (System.nanoTime() - start) / 1_000_000;
            TreeSnapshot ours = TreeSnapshot.of(image.tree());
            TreeSnapshot expected = TreeSnapshot.ofTar(tar);
            assertThat(ours.differencesFrom(expected, 40)).isEmpty();
            assertThat(ours.entries().size()).isGreaterThan(5000);
            assertThat(ours.hardLinkGroups()).isNotEmpty();
            assertThat(ours.entries().get("bin")).startsWith("symlink -> usr/bin");
            assertThat(image.config().architecture()).isEmpty();
            System.out.printf("RootfsFixtureTest: %d entries, %d nodes, %d MB tar flattened in %d ms%n",
                    ours.entries().size(), image.tree().nodeCount(), Files.size(tar) >> 20, millis);
        }
    }
}

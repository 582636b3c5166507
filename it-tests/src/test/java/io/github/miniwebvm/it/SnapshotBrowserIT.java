package io.github.miniwebvm.it;

import static io.github.miniwebvm.it.SiteBrowserIT.run;
import static io.github.miniwebvm.testsupport.Browser.deleteTree;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.miniwebvm.bootkit.BootFiles;
import io.github.miniwebvm.snapshot.Snapshotter;
import io.github.miniwebvm.testsupport.Browser;
import io.github.miniwebvm.testsupport.MissingOracle;
import io.github.miniwebvm.testsupport.StaticServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Year;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Instant prompt: a site built with a build-time snapshot restores it in headless Chromium (same
 * harness as {@link SiteBrowserIT}), and a snapshot made from another disk is rejected by the page,
 * which then boots. The two sites share a fresh boot state cache, so site A's snapshot boots the
 * whole way and saves the boot before the disk, and site B's continues from it: site B answers the
 * same as its own cold boot. Prints {@code [bench]} lines that bench/snapshot-bench.sh collects.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SnapshotBrowserIT {
  private static final Path TARGET = Path.of("target").toAbsolutePath();

  private static Path work;
  private static Path siteA;
  private static Path siteB;
  private static Snapshotter.Snapshot snapshotA;
  private static Snapshotter.Snapshot snapshotB;
  private static Path bootStates;
  /** What site B's shell answered when restored from its snapshot, which came from the cached boot state. */
  private static String restoredAnswers;
  /** Commands whose answers show the guest's shell, user, mounts, modules and launcher files. */
  private static final String GUEST_FACTS = "id; pwd; echo \"$SHELL|$TERM|$PATH|$HOME|$LANG\"; cat /etc/webvm-variant;"
      + " ls -A /dev/.webvm; cut -d' ' -f1-3 /proc/mounts; cut -d' ' -f1 /proc/modules | sort | tr '\\n' ' '; echo;"
      + " umask; ulimit -n";

  @BeforeAll
  static void buildSites() throws Exception {
    SiteBrowserIT.requireBrowserAndMke2fs();
    MissingOracle.require(nodeRuns(), "needs node (18 or later)");
    Path repo = Path.of(System.getProperty("webvm.repoRoot", "..")).toAbsolutePath().normalize();
    work = Files.createDirectories(TARGET.resolve("snapshot-e2e"));
    Path fixture = Path.of(run(work, "bash", repo.resolve("scripts/fixture-base.sh").toString(), "dir").strip());

    bootStates = work.resolve("boot-states");
    deleteTree(bootStates);
    siteA = work.resolve("site-a");
    siteB = work.resolve("site-b");
    snapshotA = buildSite(fixture, siteA, "a").orElseThrow(() -> new AssertionError("no snapshot for site A"));
    snapshotB = buildSite(fixture, siteB, "b").orElseThrow(() -> new AssertionError("no snapshot for site B"));
  }

  /** The fixture plus a user and one file whose content is {@code variant}, booted to a snapshot. */
  private static Optional<Snapshotter.Snapshot> buildSite(Path fixture, Path site, String variant) throws Exception {
    Path rootfs = work.resolve("rootfs-" + variant);
    Path image = work.resolve("rootfs.ext2");
    deleteTree(site);
    SiteBrowserIT.copyWithUser(fixture, rootfs, work);
    Files.writeString(rootfs.resolve("etc/webvm-variant"), variant + "\n");
    // fixed UUID and hash seed: the two images differ in the one file only
    run(work, "mke2fs", "-q", "-F", "-t", "ext2", "-b", "4096", "-U", "6b1c3a52-3c1e-4d2a-9a55-0f1b2c3d4e5f",
        "-E", "hash_seed=0b4c1e52-1111-4222-8333-944455556666", "-d", rootfs.toString(), image.toString(), "256M");
    deleteTree(rootfs);
    BootFiles boot = SiteBrowserIT.assembleLoginShellSite(image, site, "Snapshot " + variant);
    Files.delete(image);
    List<String> warnings = new ArrayList<>();
    Optional<Snapshotter.Snapshot> s = SiteBrowserIT.takeSnapshot(site, Snapshotter.builder()
        .timeout(Duration.ofMinutes(15))
        .info(l -> System.out.println("[snapshot " + variant + "] " + l))
        .warn(l -> {
          warnings.add(l);
          System.out.println("[snapshot " + variant + "] WARNING " + l);
        })
        .bootStateCache(bootStates)
        .build(), boot.initrdCommonBytes());
    assertThat(warnings).isEmpty();
    return s;
  }

  private static boolean nodeRuns() throws InterruptedException {
    try {
      return new ProcessBuilder("node", "--version").start().waitFor() == 0;
    } catch (IOException e) {
      return false; // not on the PATH
    }
  }

  @Test
  @Order(1)
  void siteReferencesItsSnapshotWithAKeyThatNamesTheDisk() throws Exception {
    JsonNode config = new ObjectMapper().readTree(siteA.resolve("webvm.json").toFile());
    JsonNode entry = config.path("snapshot");
    assertThat(entry.path("file").asText()).isEqualTo(snapshotA.file()).matches("boot/state-[0-9a-f]{16}\\.bin\\.zst");
    assertThat(entry.path("key").path("imageSha256").asText()).isEqualTo(config.path("disk").path("imageSha256").asText());
    assertThat(entry.path("key").path("memoryMiB").asInt()).isEqualTo(256);
    assertThat(siteA.resolve(snapshotA.file())).exists();
    // the file is plain zstd with a skippable header frame: the zstd tool reads it back to v86's raw state
    String size = run(work, "bash", "-c", "zstd -dc " + siteA.resolve(snapshotA.file()) + " | wc -c").strip();
    assertThat(Long.parseLong(size)).isEqualTo(snapshotA.rawStateBytes());
    System.out.printf("[bench] snapshot-state-bytes %d (raw %d, disk write cache %d, boot %.1f s)%n",
        snapshotA.fileBytes(), snapshotA.rawStateBytes(), snapshotA.diskWriteCacheBytes(), snapshotA.bootSeconds());
  }

  @Test
  @Order(2)
  void pageRestoresTheSnapshotAndTheShellWorks() throws Exception {
    try (StaticServer server = new StaticServer(siteA);
        Browser browser = SiteBrowserIT.openBrowser("snapshot-a")) {
      long t0 = System.nanoTime();
      browser.get(server.url());
      browser.waitForPrompt();
      long millis = (System.nanoTime() - t0) / 1_000_000;
      long bytes = server.bytesSent.get();
      Map<?, ?> snap = (Map<?, ?>) browser.js("return window.webvm.snapshot");
      System.out.printf("[bench] snapshot-prompt-ms %d bytes %d snapshot %s%n", millis, bytes, snap);
      assertThat(snap.get("state")).as("page snapshot report; console:\n" + browser.consoleLog()).isEqualTo("restored");
      assertThat(server.requests).noneMatch(r -> r.startsWith("/boot/vmlinuz") || r.startsWith("/boot/initrd"));

      String out = browser.typeAndCollect("uname -m; date +%Y; cat /etc/webvm-variant; stty size");
      assertThat(out).contains("i686").contains(String.valueOf(Year.now().getValue())).contains("a\n");
      assertThat(out.strip()).endsWith(browser.js("return webvm.terminal.rows") + " " + browser.js("return webvm.terminal.cols"));
      // the state is minutes old (site B was snapshotted since): the page set the guest clock
      long guest = Long.parseLong(browser.typeAndCollect("date +%s").strip());
      assertThat(Math.abs(guest - System.currentTimeMillis() / 1000)).isLessThan(60);
      String file = browser.typeAndCollect("echo restored-$((6*7)) > note.txt; sync; cat note.txt");
      assertThat(file).contains("restored-42");
    }
  }

  @Test
  @Order(3)
  void siteBContinuedFromTheBootStateThatSiteASaved() throws Exception {
    assertThat(snapshotA.bootStateFromCache()).as("site A: the cache was empty").isFalse();
    assertThat(snapshotB.bootStateFromCache()).as("site B: site A saved the boot before the disk").isTrue();
    try (var states = Files.list(bootStates)) {
      assertThat(states.map(p -> p.getFileName().toString()).toList()).singleElement().asString()
          .matches("[0-9a-f]{64}\\.bin");
    }
    try (StaticServer server = new StaticServer(siteB);
        Browser browser = SiteBrowserIT.openBrowser("snapshot-b-restored")) {
      browser.get(server.url());
      browser.waitForPrompt();
      assertThat(((Map<?, ?>) browser.js("return window.webvm.snapshot")).get("state")).isEqualTo("restored");
      restoredAnswers = browser.typeAndCollect(GUEST_FACTS);
      assertThat(restoredAnswers).contains("uid=1000(webvm)").contains("/home/webvm\n").contains("b\n")
          .contains("launcher");
      System.out.println("[snapshot b] restored answers:\n" + restoredAnswers);
    }
  }

  @Test
  @Order(4)
  void stateOfAnotherDiskIsRejectedAndThePageBoots() throws Exception {
    assertThat(snapshotB.keyHash()).isNotEqualTo(snapshotA.keyHash());
    // the old site's state under the new site's name
    Files.copy(siteA.resolve(snapshotA.file()), siteB.resolve(snapshotB.file()), StandardCopyOption.REPLACE_EXISTING);
    try (StaticServer server = new StaticServer(siteB);
        Browser browser = SiteBrowserIT.openBrowser("snapshot-b")) {
      long t0 = System.nanoTime();
      browser.get(server.url());
      browser.waitForPrompt();
      long millis = (System.nanoTime() - t0) / 1_000_000;
      Map<?, ?> snap = (Map<?, ?>) browser.js("return window.webvm.snapshot");
      System.out.printf("[bench] cold-prompt-ms %d bytes %d snapshot %s%n", millis, server.bytesSent.get(), snap);
      assertThat(snap.get("state")).isEqualTo("rejected");
      assertThat((String) snap.get("reason")).contains("another build");
      assertThat(browser.consoleLog()).contains("snapshot not used");
      String out = browser.typeAndCollect("uname -m; cat /etc/webvm-variant");
      assertThat(out).contains("i686").contains("b\n");
      // a full boot of the same site (the initrd's two parts unpacked by the kernel) answers as
      // the snapshot that continued from the cached boot state
      assertThat(browser.typeAndCollect(GUEST_FACTS)).isEqualTo(restoredAnswers);
    }
  }
}

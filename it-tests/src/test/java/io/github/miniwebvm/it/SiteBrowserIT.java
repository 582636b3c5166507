package io.github.miniwebvm.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.miniwebvm.bootkit.BootFiles;
import io.github.miniwebvm.bootkit.BootKit;
import io.github.miniwebvm.bootkit.GuestCommand;
import io.github.miniwebvm.chunker.Chunker;
import io.github.miniwebvm.chunker.DiskLayout;
import io.github.miniwebvm.io.Sha256;
import io.github.miniwebvm.runtime.SiteConfig;
import io.github.miniwebvm.runtime.WebvmJson;
import io.github.miniwebvm.site.SiteAssembler;
import io.github.miniwebvm.snapshot.Snapshotter;
import io.github.miniwebvm.testsupport.Browser;
import io.github.miniwebvm.testsupport.MissingOracle;
import io.github.miniwebvm.testsupport.StaticServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.support.ui.WebDriverWait;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPOutputStream;

/**
 * Boots a site built from the Debian i386 minbase fixture in headless Chromium, served by a plain
 * static server without COOP/COEP headers (like GitHub Pages): the service worker must make the
 * page cross-origin isolated and serve the disk from the packed store.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SiteBrowserIT {
  private static final Path TARGET = Path.of("target").toAbsolutePath();

  private static Path site;
  private static StaticServer server;
  private static Browser browser;
  private static final List<String> chunksReadAtBoot = new ArrayList<>();

  @BeforeAll
  static void buildSite() throws Exception {
    requireBrowserAndMke2fs();
    Path repo = Path.of(System.getProperty("webvm.repoRoot", "..")).toAbsolutePath().normalize();
    Path work = Files.createDirectories(TARGET.resolve("e2e"));
    site = work.resolve("site");
    Browser.deleteTree(site);
    Files.createDirectories(site.resolve("boot"));

    // disk: the fixture rootfs plus a user, as ext2 made by mke2fs
    Path rootfs = work.resolve("rootfs");
    Path image = work.resolve("rootfs.ext2");
    if (!Files.exists(image)) {
      Path fixture = Path.of(run(work, "bash", repo.resolve("scripts/fixture-base.sh").toString(), "dir").strip());
      copyWithUser(fixture, rootfs, work);
      run(work, "mke2fs", "-q", "-F", "-t", "ext2", "-b", "4096", "-d", rootfs.toString(), image + ".part", "256M");
      Files.move(Path.of(image + ".part"), image, StandardCopyOption.REPLACE_EXISTING);
      Browser.deleteTree(rootfs);
    }
    assembleLoginShellSite(image, site, "Debian minbase");
    server = new StaticServer(site);
  }

  /**
   * A v86 site in {@code site} for {@code image}: packed chunks, the real boot kit (Debian kernel
   * + busybox initramfs) running a login shell as webvm in its home, 256 MiB guest. Returns what
   * the boot kit wrote.
   */
  static BootFiles assembleLoginShellSite(Path image, Path site, String title) throws Exception {
    Chunker.builder().layout(DiskLayout.PACKED).log(l -> System.out.println("[chunker] " + l)).build()
        .write(image, site.resolve("disk"));
    GuestCommand command = new GuestCommand(List.of("/bin/bash", "-l"),
        List.of("PATH=" + GuestCommand.DEFAULT_PATH), "/home/webvm", 1000, 1000);
    BootFiles boot = BootKit.builder().log(l -> System.out.println("[bootkit] " + l)).build()
        .assemble(command, site.resolve("boot"));
    SiteConfig config = new SiteConfig(
        SiteConfig.Engine.V86,
        SiteConfig.Disk.fromManifest(site, "disk/manifest.json", image.getFileName().toString()),
        SiteConfig.Boot.inBootDirectory(boot.cmdline()),
        new SiteConfig.Command("/bin/bash", List.of("-l"), command.env(), command.cwd(), command.uid(), command.gid()),
        256, title);
    SiteAssembler.builder().config(config).build().assemble(site);
    return boot;
  }

  /**
   * Copies the fixture rootfs to {@code rootfs} (replacing it) and adds the user webvm (1000:1000)
   * with its home; bracketed paste off, so typed commands echo plainly.
   */
  static void copyWithUser(Path fixture, Path rootfs, Path work) throws Exception {
    Browser.deleteTree(rootfs);
    run(work, "cp", "-a", fixture.toString(), rootfs.toString());
    Files.writeString(rootfs.resolve("etc/passwd"), "webvm:x:1000:1000:WebVM user:/home/webvm:/bin/bash\n",
        StandardOpenOption.APPEND);
    Files.writeString(rootfs.resolve("etc/group"), "webvm:x:1000:\n", StandardOpenOption.APPEND);
    Files.writeString(rootfs.resolve("etc/inputrc"), "set enable-bracketed-paste off\n",
        StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    Files.createDirectories(rootfs.resolve("home/webvm"));
    run(work, "chown", "1000:1000", rootfs.resolve("home/webvm").toString());
  }

  @AfterAll
  static void stop() {
    if (browser != null) browser.close();
    if (server != null) server.close();
  }

  @Test
  @Order(1)
  void firstVisitBootsThroughTheServiceWorkerAndRunsCommands() throws Exception {
    browser = openBrowser("profile-main");
    long t0 = System.nanoTime();
    browser.get(server.url());
    browser.waitForPrompt();
    long bootMillis = (System.nanoTime() - t0) / 1_000_000;
    long bytesBeforePrompt = server.bytesSent.get();
    long diskRequestsBeforePrompt = server.diskRequests();
    server.requests.stream().filter(r -> r.startsWith("/disk/chunks/")).distinct().forEach(chunksReadAtBoot::add);
    Map<?, ?> disk = (Map<?, ?>) browser.js("return window.webvm.diskBytes");
    System.out.printf("[e2e] first visit: prompt after %d ms; server sent %d bytes (%d disk requests); page disk counter %s%n",
        bootMillis, bytesBeforePrompt, diskRequestsBeforePrompt, disk);
    assertThat(browser.js("return crossOriginIsolated")).isEqualTo(true);
    assertThat(diskRequestsBeforePrompt).isPositive();

    String out = browser.typeAndCollect("uname -m; cat /etc/os-release; id; pwd");
    assertThat(out).contains("i686");
    assertThat(out).contains("PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"");
    assertThat(out).contains("uid=1000(webvm) gid=1000(webvm)");
    assertThat(out).containsPattern("(?m)^/home/webvm$");

    String file = browser.typeAndCollect("echo written-by-$((6*7)) > note.txt; sync; cat note.txt; ls -l note.txt");
    assertThat(file).contains("written-by-42");
    assertThat(file).contains("webvm webvm");

    // terminal size: from the kernel command line at boot, then `stty` after a window resize
    assertThat(browser.typeAndCollect("stty size").strip())
        .isEqualTo(browser.js("return webvm.terminal.rows") + " " + browser.js("return webvm.terminal.cols"));
    resizeWindow(800, 600);
    assertThat(browser.typeAndCollect("stty size").strip())
        .isEqualTo(browser.js("return webvm.terminal.rows") + " " + browser.js("return webvm.terminal.cols"));
    resizeWindow(1100, 750);
    browser.typeAndCollect("clear; uname -a; head -2 /etc/os-release; id; pwd; cat note.txt");

    checkWebvmDiskNames();

    Path shot = TARGET.resolve("e2e-booted.png");
    Files.write(shot, browser.driver().getScreenshotAs(OutputType.BYTES));
    System.out.println("[e2e] screenshot " + shot);
    assertThat(browser.driver().findElement(By.id("status-activity")).getText()).isEqualTo("running");
    assertThat(browser.driver().findElement(By.id("status-disk")).getText()).startsWith("disk ");
  }

  @Test
  @Order(2)
  void secondVisitReadsTheDiskFromCacheStorage() throws Exception {
    assumeTrue(browser != null, "first visit did not run");
    server.resetCounters();
    browser.get(server.url());
    browser.waitForPrompt();
    String out = browser.typeAndCollect("uname -m; cat /etc/os-release; id; pwd");
    assertThat(out).contains("i686").contains("Debian GNU/Linux 12").contains("uid=1000(webvm)");
    System.out.printf("[e2e] second visit: server sent %d bytes; requests %s%n", server.bytesSent.get(), server.requests);
    assertThat(server.requests).filteredOn(p -> p.startsWith("/disk/")).isEmpty();
    assertThat(browser.js("return crossOriginIsolated")).isEqualTo(true);
    Map<?, ?> disk = (Map<?, ?>) browser.js("return window.webvm.diskBytes");
    assertThat(((Number) disk.get("cache")).longValue()).isPositive();
  }

  @Test
  @Order(3)
  void corruptChunkIsReportedByNameAndNeverBooted() throws Exception {
    if (browser != null) {
      browser.close();
      browser = null;
    }
    // chunk 0 holds the ext2 superblock: the kernel must read it to mount the root
    String manifest = Files.readString(site.resolve("disk/manifest.json"));
    String sha = new com.fasterxml.jackson.databind.ObjectMapper().readTree(manifest).path("chunks").get(0).asText();
    Path chunk = site.resolve("disk/chunks").resolve(sha);
    Path saved = chunk.resolveSibling(sha + ".orig");
    Files.move(chunk, saved);
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(chunk))) {
      out.write(new byte[Chunker.DEFAULT_CHUNK_SIZE]); // valid gzip, wrong content
    }
    try {
      browser = openBrowser("profile-corrupt");
      browser.get(server.url());
      browser.waitForState("error");
      Map<?, ?> error = (Map<?, ?>) browser.js("return window.webvm.error");
      assertThat(error.get("kind")).isEqualTo("integrity");
      String shown = browser.driver().findElement(By.id("error")).getText();
      System.out.println("[e2e] corrupt chunk: page shows: " + shown.replace('\n', ' '));
      assertThat(shown).contains(sha).contains("integrity");
      // never booted, and never will: on the error the page stopped the emulator's CPU, before any prompt
      waitForEmulatorStopped();
      assertThat(browser.js("return window.webvm.state")).isEqualTo("error");
      assertThat((String) browser.js("return window.webvm.transcript")).doesNotContain("webvm@");
      Object cached = browser.driver().executeAsyncScript(
          "const done = arguments[arguments.length - 1];"
              + "(async () => { for (const k of await caches.keys()) {"
              + "  const c = await caches.open(k);"
              + "  for (const r of await c.keys()) if (r.url.endsWith(arguments[0])) return done(r.url); }"
              + " done(null); })();", sha);
      assertThat(cached).as("corrupt chunk must not be cached").isNull();
      Files.write(TARGET.resolve("e2e-integrity-error.png"), browser.driver().getScreenshotAs(OutputType.BYTES));
    } finally {
      Files.move(saved, chunk, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  @Test
  @Order(4)
  void openedFromFileSaysToServeIt() {
    assumeTrue(browser != null, "corrupt chunk test did not run");
    browser.get(site.resolve("index.html").toUri().toString());
    String shown = browser.driver().findElement(By.id("error")).getText();
    assertThat(shown).contains("file://").contains("mvn webvm:serve");
  }

  @Test
  @Order(5)
  void flakyChunkRequestsAreRetriedAndAMissingChunkIsReported() throws Exception {
    assumeTrue(chunksReadAtBoot.size() >= 2, "first visit did not run");
    if (browser != null) browser.close();
    String flaky = chunksReadAtBoot.get(0);
    String missing = chunksReadAtBoot.get(1);
    Path missingFile = site.resolve(missing.substring(1));
    Path saved = missingFile.resolveSibling(missingFile.getFileName() + ".away");
    Files.move(missingFile, saved);
    server.resetCounters();
    server.failNext.put(flaky, new java.util.concurrent.atomic.AtomicInteger(2));
    try {
      browser = openBrowser("profile-flaky");
      browser.get(server.url());
      browser.waitForState("error");
      Map<?, ?> error = (Map<?, ?>) browser.js("return window.webvm.error");
      String shown = browser.driver().findElement(By.id("error")).getText();
      System.out.println("[e2e] missing chunk: page shows: " + shown.replace('\n', ' '));
      assertThat(error.get("kind")).isEqualTo("network");
      assertThat(shown).contains(missing.substring("/disk/chunks/".length())).contains("404");
      assertThat(server.requests).filteredOn(flaky::equals).hasSize(3); // two 503s, then served
    } finally {
      server.failNext.clear();
      Files.move(saved, missingFile);
    }
  }

  /**
   * The service worker also answers WebVM's split names (IMAGE.c%06x.txt, IMAGE.meta) from the
   * packed store: compare them with the manifest (first chunk, a zero chunk, the last chunk).
   */
  private static void checkWebvmDiskNames() throws IOException, NoSuchAlgorithmException {
    var manifest = new com.fasterxml.jackson.databind.ObjectMapper().readTree(site.resolve("disk/manifest.json").toFile());
    int zero = -1;
    for (int i = 0; i < manifest.path("chunks").size() && zero < 0; i++) {
      if (manifest.path("chunks").get(i).isNull()) zero = i;
    }
    int last = manifest.path("chunks").size() - 1;
    @SuppressWarnings("unchecked")
    Map<String, Object> r = (Map<String, Object>) browser.driver().executeAsyncScript(
        "const done = arguments[arguments.length - 1];"
            + "const hex = b => Array.from(new Uint8Array(b), x => x.toString(16).padStart(2, '0')).join('');"
            + "const get = async n => { const r = await fetch('disk/rootfs.ext2.' + n); const b = await r.arrayBuffer();"
            + "  return {status: r.status, length: b.byteLength, sha: hex(await crypto.subtle.digest('SHA-256', b)),"
            + "          text: new TextDecoder().decode(b.slice(0, 40))}; };"
            + "const c = i => 'c' + i.toString(16).padStart(6, '0') + '.txt';"
            + "(async () => done({first: await get(c(0)), zero: await get(c(arguments[0])), last: await get(c(arguments[1])),"
            + "  meta: await get('meta'), past: await get(c(arguments[1] + 1))}))().catch(e => done({error: String(e)}));",
        zero, last);
    assertThat(r).doesNotContainKey("error");
    Map<?, ?> first = (Map<?, ?>) r.get("first");
    assertThat(first.get("sha")).isEqualTo(manifest.path("chunks").get(0).asText());
    Map<?, ?> zeroChunk = (Map<?, ?>) r.get("zero");
    assertThat(((Number) zeroChunk.get("length")).intValue()).isEqualTo(manifest.path("chunkSize").asInt());
    assertThat(zeroChunk.get("sha")).isEqualTo(Sha256.hex(new byte[manifest.path("chunkSize").asInt()]));
    Map<?, ?> lastChunk = (Map<?, ?>) r.get("last");
    if (!manifest.path("chunks").get(last).isNull()) {
      assertThat(lastChunk.get("sha")).isEqualTo(manifest.path("chunks").get(last).asText());
    }
    assertThat(((Map<?, ?>) r.get("meta")).get("text")).isEqualTo(manifest.path("size").asLong() + "\n");
    assertThat(((Number) ((Map<?, ?>) r.get("past")).get("status")).intValue()).isEqualTo(404);
  }

  // ---- helpers --------------------------------------------------------------------------------

  /**
   * The build-time snapshot of the site in {@code site}, as the pipeline takes it: the site's
   * {@code webvm.json} read back, given to the snapshotter, and written again with its entry.
   */
  static Optional<Snapshotter.Snapshot> takeSnapshot(Path site, Snapshotter snapshotter) throws IOException {
    return takeSnapshot(site, snapshotter, 0);
  }

  /** As {@link #takeSnapshot(Path, Snapshotter)}, from the boot state cache when the snapshotter has one. */
  static Optional<Snapshotter.Snapshot> takeSnapshot(Path site, Snapshotter snapshotter, long initrdCommonBytes)
      throws IOException {
    WebvmJson webvm = WebvmJson.read(site);
    Optional<Snapshotter.Snapshot> snapshot = snapshotter.take(site, webvm, initrdCommonBytes);
    if (snapshot.isPresent()) webvm.withSnapshot(snapshot.get().entry()).write(site);
    return snapshot;
  }

  /** A fresh headless Chromium whose profile is target/e2e/{@code profile}. */
  static Browser openBrowser(String profile) throws IOException {
    return Browser.open(TARGET.resolve("e2e").resolve(profile));
  }

  /** Skips (outside CI) or fails (in CI) when the tools the browser tests build their sites with are missing. */
  static void requireBrowserAndMke2fs() {
    MissingOracle.require(Browser.available(), "needs Debian chromium + chromium-driver (scripts/setup-host.sh)");
    MissingOracle.require(Files.isExecutable(Path.of("/usr/sbin/mke2fs")), "needs e2fsprogs (scripts/setup-host.sh)");
  }

  /**
   * Resizes the window, waits until the terminal follows, then until the page has told the guest
   * the new size and the shell is back at its prompt (see {@link #waitForGuestTerminalSize}).
   */
  private static void resizeWindow(int width, int height) {
    Object colsBefore = browser.js("return webvm.terminal.cols");
    browser.driver().manage().window().setSize(new org.openqa.selenium.Dimension(width, height));
    new WebDriverWait(browser.driver(), Duration.ofSeconds(30)).until(d -> !colsBefore.equals(browser.js("return webvm.terminal.cols")));
    waitForGuestTerminalSize();
  }

  /**
   * Waits until every v86 emulator in the page has stopped its CPU ({@code is_running()} false;
   * v86's stop() takes effect at the emulator's next tick).
   */
  private static void waitForEmulatorStopped() {
    List<Boolean> running = new ArrayList<>();
    try {
      new WebDriverWait(browser.driver(), Duration.ofSeconds(30), Duration.ofMillis(200)).until(d -> {
        running.clear();
        running.addAll(emulatorsRunning());
        return !running.isEmpty() && !running.contains(true);
      });
    } catch (org.openqa.selenium.TimeoutException e) {
      throw new AssertionError("the emulator did not stop after the error (is_running() of the page's V86 instances: "
          + running + "); serial output:\n" + browser.transcript(), e);
    }
  }

  /**
   * {@code is_running()} of the page's v86 emulator(s). The page keeps its emulator private and the
   * bundled v86 sets no global, so DevTools finds it in the closure of the engine's {@code stop()}
   * ({@code window.webvm.engine.stop}): the variable holding an object with V86's own field
   * {@code cpu_is_running}.
   */
  @SuppressWarnings("unchecked")
  private static List<Boolean> emulatorsRunning() {
    var driver = browser.driver();
    String group = "e2e-emulators";
    try {
      Map<String, Object> stop = driver.executeCdpCommand("Runtime.evaluate",
          Map.of("expression", "window.webvm.engine.stop", "objectGroup", group));
      String stopId = (String) ((Map<String, Object>) stop.get("result")).get("objectId");
      if (stop.containsKey("exceptionDetails") || stopId == null) {
        throw new AssertionError("the page has no window.webvm.engine.stop: " + stop);
      }
      String scopesId = null;
      for (Object p : (List<Object>) driver.executeCdpCommand("Runtime.getProperties",
          Map.of("objectId", stopId, "ownProperties", true)).getOrDefault("internalProperties", List.of())) {
        Map<String, Object> property = (Map<String, Object>) p;
        if ("[[Scopes]]".equals(property.get("name"))) {
          scopesId = (String) ((Map<String, Object>) property.get("value")).get("objectId");
        }
      }
      if (scopesId == null) throw new AssertionError("DevTools shows no [[Scopes]] of the engine's stop()");
      List<Boolean> running = new ArrayList<>();
      for (Object s : (List<Object>) driver.executeCdpCommand("Runtime.getProperties",
          Map.of("objectId", scopesId, "ownProperties", true)).get("result")) {
        Map<String, Object> scope = (Map<String, Object>) ((Map<String, Object>) s).get("value");
        if (scope == null || !String.valueOf(scope.get("description")).startsWith("Closure")) continue;
        for (Object v : (List<Object>) driver.executeCdpCommand("Runtime.getProperties",
            Map.of("objectId", scope.get("objectId"), "ownProperties", true)).get("result")) {
          Map<String, Object> value = (Map<String, Object>) ((Map<String, Object>) v).get("value");
          if (value == null || !"object".equals(value.get("type")) || value.get("objectId") == null) continue;
          Map<String, Object> r = driver.executeCdpCommand("Runtime.callFunctionOn", Map.of(
              "objectId", value.get("objectId"), "returnByValue", true,
              "functionDeclaration", "function () { return Object.prototype.hasOwnProperty.call(this, 'cpu_is_running')"
                  + " && typeof this.is_running === 'function' ? this.is_running() : null; }"));
          Object isRunning = ((Map<String, Object>) r.get("result")).get("value");
          if (isRunning instanceof Boolean b) running.add(b);
        }
      }
      return running;
    } finally {
      driver.executeCdpCommand("Runtime.releaseObjectGroup", Map.of("objectGroup", group));
    }
  }

  private static final Pattern STTY_ROWS_COLS = Pattern.compile("stty rows (\\d+) cols (\\d+)\n");

  /**
   * A serial line has no window size: after a resize the v86 engine types {@code stty rows R cols C}
   * at the shell prompt (engines/v86.js). Waits until the last such line in the transcript carries
   * the terminal's current size and the shell has printed its prompt after it, so that a command
   * typed now neither interleaves with the page's {@code stty} nor runs before it.
   */
  private static void waitForGuestTerminalSize() {
    try {
      new WebDriverWait(browser.driver(), Duration.ofSeconds(60), Duration.ofMillis(200)).until(d -> {
        String wanted = browser.js("return webvm.terminal.rows") + " " + browser.js("return webvm.terminal.cols");
        String t = browser.transcript();
        Matcher m = STTY_ROWS_COLS.matcher(t);
        String last = null;
        int lastEnd = -1;
        while (m.find()) {
          last = m.group(1) + " " + m.group(2);
          lastEnd = m.end();
        }
        return wanted.equals(last) && t.endsWith("$ ") && t.length() > lastEnd;
      });
    } catch (org.openqa.selenium.TimeoutException e) {
      throw new AssertionError("the page did not tell the guest the terminal size "
          + browser.js("return webvm.terminal.rows") + "x" + browser.js("return webvm.terminal.cols")
          + " within 60 s; serial output:\n" + browser.transcript(), e);
    }
  }

  static String run(Path dir, String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(15, TimeUnit.MINUTES) || p.exitValue() != 0) {
      throw new IOException(String.join(" ", command) + " failed (exit " + p.exitValue() + ")");
    }
    return out;
  }
}

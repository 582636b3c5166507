package io.github.miniwebvm.site;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import io.github.miniwebvm.bootkit.BootFiles;
import io.github.miniwebvm.bootkit.BootKit;
import io.github.miniwebvm.bootkit.GuestCommand;
import io.github.miniwebvm.chunker.Chunker;
import io.github.miniwebvm.chunker.DiskLayout;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Boots a site built from the Debian i386 minbase fixture in headless Chromium, served by a plain
 * static server without COOP/COEP headers (like GitHub Pages): the service worker must make the
 * page cross-origin isolated and serve the disk from the packed store.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SiteBrowserIT {
  private static final Duration BOOT_TIMEOUT = Duration.ofSeconds(300); // the shared 2-core box has taken 160 s
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  private static final Path TARGET = Path.of("target").toAbsolutePath();

  private static Path site;
  private static StaticServer server;
  static ChromeDriver browser;
  private static final List<String> chunksReadAtBoot = new ArrayList<>();

  @BeforeAll
  static void buildSite() throws Exception {
    assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
        "needs Debian chromium + chromium-driver (scripts/setup-host.sh)");
    assumeTrue(Files.isExecutable(Path.of("/usr/sbin/mke2fs")), "needs e2fsprogs (scripts/setup-host.sh)");
    Path repo = Path.of(System.getProperty("webvm.repoRoot", "..")).toAbsolutePath().normalize();
    Path work = Files.createDirectories(TARGET.resolve("e2e"));
    site = work.resolve("site");
    deleteTree(site);
    Files.createDirectories(site.resolve("boot"));

    // disk: the fixture rootfs plus a user, as ext2 made by mke2fs
    Path rootfs = work.resolve("rootfs");
    Path image = work.resolve("rootfs.ext2");
    if (!Files.exists(image)) {
      Path fixture = Path.of(run(work, "bash", repo.resolve("scripts/fixture-base.sh").toString(), "dir").strip());
      copyWithUser(fixture, rootfs, work);
      run(work, "mke2fs", "-q", "-F", "-t", "ext2", "-b", "4096", "-d", rootfs.toString(), image + ".part", "256M");
      Files.move(Path.of(image + ".part"), image, StandardCopyOption.REPLACE_EXISTING);
      deleteTree(rootfs);
    }
    assembleLoginShellSite(image, site, "Debian minbase");
    server = new StaticServer(site);
  }

  /**
   * A v86 site in {@code site} for {@code image}: packed chunks, the real boot kit (Debian kernel
   * + busybox initramfs) running a login shell as webvm in its home, 256 MiB guest.
   */
  static void assembleLoginShellSite(Path image, Path site, String title) throws Exception {
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
  }

  /**
   * Copies the fixture rootfs to {@code rootfs} (replacing it) and adds the user webvm (1000:1000)
   * with its home; bracketed paste off, so typed commands echo plainly.
   */
  static void copyWithUser(Path fixture, Path rootfs, Path work) throws Exception {
    deleteTree(rootfs);
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
    if (browser != null) browser.quit();
    if (server != null) server.close();
  }

  @Test
  @Order(1)
  void firstVisitBootsThroughTheServiceWorkerAndRunsCommands() throws Exception {
    browser = chromium("profile-main");
    long t0 = System.nanoTime();
    browser.get(server.url());
    waitForPrompt();
    long bootMillis = (System.nanoTime() - t0) / 1_000_000;
    long bytesBeforePrompt = server.bytesSent.get();
    long diskRequestsBeforePrompt = server.diskRequests();
    server.requests.stream().filter(r -> r.startsWith("/disk/chunks/")).distinct().forEach(chunksReadAtBoot::add);
    Map<?, ?> disk = (Map<?, ?>) js("return window.webvm.diskBytes");
    System.out.printf("[e2e] first visit: prompt after %d ms; server sent %d bytes (%d disk requests); page disk counter %s%n",
        bootMillis, bytesBeforePrompt, diskRequestsBeforePrompt, disk);
    assertThat(js("return crossOriginIsolated")).isEqualTo(true);
    assertThat(diskRequestsBeforePrompt).isPositive();

    String out = typeAndCollect("uname -m; cat /etc/os-release; id; pwd");
    assertThat(out).contains("i686");
    assertThat(out).contains("PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"");
    assertThat(out).contains("uid=1000(webvm) gid=1000(webvm)");
    assertThat(out).containsPattern("(?m)^/home/webvm$");

    String file = typeAndCollect("echo written-by-$((6*7)) > note.txt; sync; cat note.txt; ls -l note.txt");
    assertThat(file).contains("written-by-42");
    assertThat(file).contains("webvm webvm");

    // terminal size: from the kernel command line at boot, then `stty` after a window resize
    assertThat(typeAndCollect("stty size").strip()).isEqualTo(js("return webvm.terminal.rows") + " " + js("return webvm.terminal.cols"));
    Object colsBefore = js("return webvm.terminal.cols");
    browser.manage().window().setSize(new org.openqa.selenium.Dimension(800, 600));
    new WebDriverWait(browser, Duration.ofSeconds(30)).until(d -> !colsBefore.equals(js("return webvm.terminal.cols")));
    Thread.sleep(1500);
    assertThat(typeAndCollect("stty size").strip()).isEqualTo(js("return webvm.terminal.rows") + " " + js("return webvm.terminal.cols"));
    browser.manage().window().setSize(new org.openqa.selenium.Dimension(1100, 750));
    Thread.sleep(1500);
    typeAndCollect("clear; uname -a; head -2 /etc/os-release; id; pwd; cat note.txt");

    checkWebvmDiskNames();

    Path shot = TARGET.resolve("e2e-booted.png");
    Files.write(shot, browser.getScreenshotAs(OutputType.BYTES));
    System.out.println("[e2e] screenshot " + shot);
    assertThat(browser.findElement(By.id("status-activity")).getText()).isEqualTo("running");
    assertThat(browser.findElement(By.id("status-disk")).getText()).startsWith("disk ");
  }

  @Test
  @Order(2)
  void secondVisitReadsTheDiskFromCacheStorage() throws Exception {
    assumeTrue(browser != null, "first visit did not run");
    server.resetCounters();
    browser.get(server.url());
    waitForPrompt();
    String out = typeAndCollect("uname -m; cat /etc/os-release; id; pwd");
    assertThat(out).contains("i686").contains("Debian GNU/Linux 12").contains("uid=1000(webvm)");
    System.out.printf("[e2e] second visit: server sent %d bytes; requests %s%n", server.bytesSent.get(), server.requests);
    assertThat(server.requests).filteredOn(p -> p.startsWith("/disk/")).isEmpty();
    assertThat(js("return crossOriginIsolated")).isEqualTo(true);
    Map<?, ?> disk = (Map<?, ?>) js("return window.webvm.diskBytes");
    assertThat(((Number) disk.get("cache")).longValue()).isPositive();
  }

  @Test
  @Order(3)
  void corruptChunkIsReportedByNameAndNeverBooted() throws Exception {
    if (browser != null) {
      browser.quit();
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
      browser = chromium("profile-corrupt");
      browser.get(server.url());
      waitForState("error");
      Map<?, ?> error = (Map<?, ?>) js("return window.webvm.error");
      assertThat(error.get("kind")).isEqualTo("integrity");
      String shown = browser.findElement(By.id("error")).getText();
      System.out.println("[e2e] corrupt chunk: page shows: " + shown.replace('\n', ' '));
      assertThat(shown).contains(sha).contains("integrity");
      Thread.sleep(5000);
      assertThat(js("return window.webvm.state")).isEqualTo("error");
      assertThat((String) js("return window.webvm.transcript")).doesNotContain("webvm@");
      Object cached = ((JavascriptExecutor) browser).executeAsyncScript(
          "const done = arguments[arguments.length - 1];"
              + "(async () => { for (const k of await caches.keys()) {"
              + "  const c = await caches.open(k);"
              + "  for (const r of await c.keys()) if (r.url.endsWith(arguments[0])) return done(r.url); }"
              + " done(null); })();", sha);
      assertThat(cached).as("corrupt chunk must not be cached").isNull();
      Files.write(TARGET.resolve("e2e-integrity-error.png"), browser.getScreenshotAs(OutputType.BYTES));
    } finally {
      Files.move(saved, chunk, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  @Test
  @Order(4)
  void openedFromFileSaysToServeIt() {
    assumeTrue(browser != null, "corrupt chunk test did not run");
    browser.get(site.resolve("index.html").toUri().toString());
    String shown = browser.findElement(By.id("error")).getText();
    assertThat(shown).contains("file://").contains("mvn webvm:serve");
  }

  @Test
  @Order(5)
  void flakyChunkRequestsAreRetriedAndAMissingChunkIsReported() throws Exception {
    assumeTrue(chunksReadAtBoot.size() >= 2, "first visit did not run");
    if (browser != null) browser.quit();
    String flaky = chunksReadAtBoot.get(0);
    String missing = chunksReadAtBoot.get(1);
    Path missingFile = site.resolve(missing.substring(1));
    Path saved = missingFile.resolveSibling(missingFile.getFileName() + ".away");
    Files.move(missingFile, saved);
    server.resetCounters();
    server.failNext.put(flaky, new java.util.concurrent.atomic.AtomicInteger(2));
    try {
      browser = chromium("profile-flaky");
      browser.get(server.url());
      waitForState("error");
      Map<?, ?> error = (Map<?, ?>) js("return window.webvm.error");
      String shown = browser.findElement(By.id("error")).getText();
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
  private static void checkWebvmDiskNames() throws IOException {
    var manifest = new com.fasterxml.jackson.databind.ObjectMapper().readTree(site.resolve("disk/manifest.json").toFile());
    int zero = -1;
    for (int i = 0; i < manifest.path("chunks").size() && zero < 0; i++) {
      if (manifest.path("chunks").get(i).isNull()) zero = i;
    }
    int last = manifest.path("chunks").size() - 1;
    @SuppressWarnings("unchecked")
    Map<String, Object> r = (Map<String, Object>) ((JavascriptExecutor) browser).executeAsyncScript(
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
    assertThat(zeroChunk.get("sha")).isEqualTo(SiteAssembler.sha256(new byte[manifest.path("chunkSize").asInt()]));
    Map<?, ?> lastChunk = (Map<?, ?>) r.get("last");
    if (!manifest.path("chunks").get(last).isNull()) {
      assertThat(lastChunk.get("sha")).isEqualTo(manifest.path("chunks").get(last).asText());
    }
    assertThat(((Map<?, ?>) r.get("meta")).get("text")).isEqualTo(manifest.path("size").asLong() + "\n");
    assertThat(((Number) ((Map<?, ?>) r.get("past")).get("status")).intValue()).isEqualTo(404);
  }

  // ---- helpers --------------------------------------------------------------------------------

  static ChromeDriver chromium(String profile) throws IOException {
    Path dir = TARGET.resolve("e2e").resolve(profile);
    deleteTree(dir);
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage", "--window-size=1100,750", "--user-data-dir=" + dir);
    var logging = new org.openqa.selenium.logging.LoggingPreferences();
    logging.enable(org.openqa.selenium.logging.LogType.BROWSER, java.util.logging.Level.ALL);
    options.setCapability("goog:loggingPrefs", logging);
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(CHROMEDRIVER.toFile())
        .usingAnyFreePort()
        .build();
    ChromeDriver driver = new ChromeDriver(service, options);
    driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(60));
    return driver;
  }

  static String consoleLog() {
    StringBuilder sb = new StringBuilder();
    for (var entry : browser.manage().logs().get(org.openqa.selenium.logging.LogType.BROWSER)) {
      sb.append(entry.getLevel()).append(' ').append(entry.getMessage()).append('\n');
    }
    return sb.toString();
  }

  static Object js(String script) {
    return ((JavascriptExecutor) browser).executeScript(script);
  }

  /** Waits until the page is ready and the shell waits at its prompt. */
  static void waitForPrompt() {
    waitForState("ready");
    try {
      new WebDriverWait(browser, BOOT_TIMEOUT, Duration.ofMillis(300)).until(d -> transcript().endsWith("$ "));
    } catch (org.openqa.selenium.TimeoutException e) {
      throw new AssertionError("no shell prompt within " + BOOT_TIMEOUT + "; serial output:\n" + transcript(), e);
    }
  }

  /** Waits for window.webvm.state (the page reloads once after installing its worker). */
  static void waitForState(String wanted) {
    try {
      new WebDriverWait(browser, BOOT_TIMEOUT, Duration.ofMillis(500))
          .ignoring(WebDriverException.class)
          .until(d -> {
            Object s = js("return window.webvm && window.webvm.state");
            if ("error".equals(s) && !"error".equals(wanted)) {
              throw new AssertionError("page shows an error: " + js("return JSON.stringify(window.webvm.error)"));
            }
            return wanted.equals(s);
          });
    } catch (org.openqa.selenium.TimeoutException e) {
      Object transcript = js("return window.webvm && window.webvm.transcript");
      throw new AssertionError("page state did not become " + wanted + " within " + BOOT_TIMEOUT
          + "; state " + js("return window.webvm && window.webvm.state") + "; serial output:\n" + transcript
          + "\nbrowser console:\n" + consoleLog(), e);
    }
  }

  private static int commandCounter;

  /**
   * Types a command line into the terminal (keyboard input through xterm.js) and returns what it
   * printed. Markers are computed by the shell, so the echoed input line never matches them.
   */
  static String typeAndCollect(String commandLine) {
    int n = ++commandCounter;
    String begin = "BEGIN" + (999 + n), end = "END" + (999 + n);
    String line = "echo BEGIN$((999+" + n + ")); " + commandLine + "; echo END$((999+" + n + "))";
    browser.findElement(By.cssSelector(".xterm-helper-textarea")).sendKeys(line + "\n");
    try {
      new WebDriverWait(browser, Duration.ofSeconds(90), Duration.ofMillis(300)).until(d -> {
        String t = transcript();
        int b = t.lastIndexOf(begin + "\n");
        return b >= 0 && t.indexOf(end + "\n", b) > 0;
      });
    } catch (org.openqa.selenium.TimeoutException e) {
      throw new AssertionError("no output of '" + line + "' within 90 s; serial output:\n"
          + js("return window.webvm.transcript") + "\nbrowser console:\n" + consoleLog(), e);
    }
    String t = transcript();
    int b = t.lastIndexOf(begin + "\n");
    return t.substring(b + begin.length() + 1, t.indexOf(end + "\n", b));
  }

  /** The serial output so far, without carriage returns and terminal escape sequences. */
  static String transcript() {
    return ((String) js("return window.webvm.transcript")).replace("\r", "").replaceAll("\u001b\\[[0-9;?]*[a-zA-Z]", "");
  }

  static String run(Path dir, String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(15, TimeUnit.MINUTES) || p.exitValue() != 0) {
      throw new IOException(String.join(" ", command) + " failed (exit " + p.exitValue() + ")");
    }
    return out;
  }

  static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) return;
    List<Path> paths = new ArrayList<>();
    try (var s = Files.walk(dir)) {
      s.forEach(paths::add);
    }
    for (int i = paths.size() - 1; i >= 0; i--) Files.delete(paths.get(i));
  }
}

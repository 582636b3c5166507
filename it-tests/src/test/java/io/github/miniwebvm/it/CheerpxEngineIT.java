package io.github.miniwebvm.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.miniwebvm.chunker.Chunker;
import io.github.miniwebvm.chunker.DiskLayout;
import io.github.miniwebvm.io.Sha256;
import io.github.miniwebvm.runtime.SiteConfig;
import io.github.miniwebvm.site.SiteAssembler;
import io.github.miniwebvm.testsupport.Browser;
import io.github.miniwebvm.testsupport.StaticServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.support.ui.WebDriverWait;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The CheerpX engine adapter in headless Chromium, against a stub of CheerpX's ES module
 * ({@code src/test/resources/cheerpx-stub/cx.esm.js}) served cross-origin with CORS at
 * {@code cheerpxUrl}, like Leaning Technologies' CDN. The stub records every call; the test
 * compares them with the image config in webvm.json. The stub's API surface is CheerpX's public one:
 * <ul>
 *   <li>https://cheerpx.io/docs/reference — Linux.create, run, setCustomConsole, registerCallback, devices</li>
 *   <li>https://cheerpx.io/docs/guides/File-System-support — mounts (ext2, dir, devs, devpts, proc, sys)</li>
 *   <li>index.d.ts of npm @leaningtech/cheerpx 1.3.9 — https://www.npmjs.com/package/@leaningtech/cheerpx</li>
 *   <li>https://github.com/leaningtech/webvm/blob/main/src/lib/WebVM.svelte and src/lib/network.js —
 *       the page this engine mirrors (mounts, run loop, callbacks, networkInterface, networkLogin)</li>
 * </ul>
 * Also checks that the service worker answers WebVM's chunk names ({@code IMAGE.c%06x.txt},
 * {@code IMAGE.meta}) byte-identically to {@code split -a 6 -b 128k -x --additional-suffix=.txt}.
 * With {@code -Dwebvm.cheerpx.live=true} (where the CDN is reachable) a real CheerpX boots the
 * Debian fixture and runs {@code uname -a}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CheerpxEngineIT {
  private static final Path TARGET = Path.of("target").toAbsolutePath();
  /** A shell prompt at the end of the serial output ("$ ", or root's "# "), as engines/v86.js recognises one. */
  private static final Pattern PROMPT = Pattern.compile("[#$] $");
  private static final String CONTROL_URL = "https://headscale.example.test";
  private static final SiteConfig.Command COMMAND = new SiteConfig.Command("/bin/bash", List.of("-l"),
      List.of("HOME=/home/user", "TERM=xterm", "LANG=C.UTF-8"), "/home/user", 1000, 1000);

  private static Path work;
  private static Path site;
  private static Path image;
  private static String imageSha;
  private static StaticServer server;
  private static StaticServer cdn;
  private static Browser browser;

  @BeforeAll
  static void buildSite() throws Exception {
    SiteBrowserIT.requireBrowserAndMke2fs();
    work = Files.createDirectories(TARGET.resolve("cheerpx"));
    site = work.resolve("site");
    Browser.deleteTree(site);
    Files.createDirectories(site);

    // a small ext2 revision 0 image (what CheerpX reads) whose size is not a multiple of 128 KiB
    Path content = work.resolve("content");
    Browser.deleteTree(content);
    Files.createDirectories(content.resolve("home/user"));
    Files.writeString(content.resolve("home/user/hello.txt"), "hello from the disk\n");
    byte[] noise = new byte[1_500_000]; // non-zero data across many chunks, so the chunk comparison means something
    new java.util.Random(42).nextBytes(noise);
    Files.write(content.resolve("home/user/noise.bin"), noise);
    image = work.resolve("rootfs.ext2");
    Files.deleteIfExists(image);
    SiteBrowserIT.run(work, "mke2fs", "-q", "-F", "-t", "ext2", "-r", "0", "-b", "1024", "-d", content.toString(),
        image.toString(), "3000k");
    imageSha = Chunker.builder().layout(DiskLayout.PACKED).imageName("rootfs.ext2").build()
        .write(image, site.resolve("disk")).imageSha256();

    Path stubRoot = Files.createDirectories(work.resolve("cdn/cheerpx-stub"));
    try (var in = CheerpxEngineIT.class.getResourceAsStream("/cheerpx-stub/cx.esm.js")) {
      Files.write(stubRoot.resolve("cx.esm.js"), in.readAllBytes());
    }
    cdn = new StaticServer(work.resolve("cdn"), true);
    // a different origin than the site, as the real CDN is: "localhost" vs 127.0.0.1
    String cdnUrl = cdn.url().replace("127.0.0.1", "localhost") + "cheerpx-stub/";

    SiteConfig config = new SiteConfig(SiteConfig.Engine.CHEERPX,
        SiteConfig.Disk.fromManifest(site, "disk/manifest.json", "rootfs.ext2"), null, COMMAND, 256, "CheerpX contract",
        new SiteConfig.Cheerpx("1.3.9", cdnUrl, null, true, CONTROL_URL));
    SiteAssembler.builder().config(config).build().assemble(site);
    server = new StaticServer(site);
  }

  @AfterAll
  static void stop() {
    if (browser != null) browser.close();
    if (server != null) server.close();
    if (cdn != null) cdn.close();
  }

  @Test
  @Order(1)
  void engineCallsCheerpxAsTheImageConfigSays() throws Exception {
    JsonNode webvm = new ObjectMapper().readTree(site.resolve("webvm.json").toFile());
    assertThat(webvm.path("cheerpx").path("module").asText()).endsWith("/cheerpx-stub/cx.esm.js");
    assertThat(webvm.path("cheerpx").path("tailscale").path("controlUrl").asText()).isEqualTo(CONTROL_URL);

    browser = SiteBrowserIT.openBrowser("cheerpx-contract");
    browser.get(server.url());
    waitUntil("the page to become ready", "return window.webvm && window.webvm.state === 'ready'");
    assertThat(js("return crossOriginIsolated")).isEqualTo(true);
    assertThat(cdn.requests).contains("/cheerpx-stub/cx.esm.js");

    List<Map<String, Object>> calls = calls();
    List<String> names = calls.stream().map(c -> (String) c.get("name")).toList();
    System.out.println("[cheerpx] calls: " + names);
    assertThat(names).containsSubsequence("GitHubDevice.create", "IDBDevice.create", "OverlayDevice.create",
        "WebDevice.create", "DataDevice.create", "Linux.create", "Linux.registerCallback", "Linux.setCustomConsole",
        "Linux.run");

    // block device over the WebVM chunk names, answered by the service worker from the packed store
    assertThat(args(calls, "GitHubDevice.create").get(0)).isEqualTo(server.url() + "disk/rootfs.ext2");
    Map<?, ?> github = (Map<?, ?>) js("return cheerpxStub.github");
    assertThat(github.get("meta")).isEqualTo("200 " + Files.size(image) + "\n");
    assertThat(((Number) github.get("firstChunkLength")).intValue()).isEqualTo(131072);
    assertThat(((Number) github.get("firstChunkMagic")).intValue()).as("ext2 magic").isEqualTo(0xEF53);
    assertThat(server.requests).noneMatch(p -> p.contains(".c0000") || p.endsWith(".meta"));

    // persistence: IndexedDB keyed by the image hash, overlaid on the block device
    assertThat(args(calls, "IDBDevice.create").get(0)).isEqualTo("webvm-overlay:/:" + imageSha);
    List<?> overlay = args(calls, "OverlayDevice.create");
    assertThat(((Map<?, ?>) overlay.get(0)).get("kind")).isEqualTo("github");
    assertThat(((Map<?, ?>) overlay.get(1)).get("kind")).isEqualTo("idb");
    assertThat(args(calls, "WebDevice.create").get(0)).isEqualTo("");

    // mounts as on WebVM's page
    Map<?, ?> options = (Map<?, ?>) args(calls, "Linux.create").get(0);
    List<String> mounts = new ArrayList<>();
    for (Object m : (List<?>) options.get("mounts")) {
      Map<?, ?> mount = (Map<?, ?>) m;
      Map<?, ?> dev = (Map<?, ?>) mount.get("dev");
      mounts.add(mount.get("type") + " " + mount.get("path") + (dev == null ? "" : " " + dev.get("kind")));
    }
    assertThat(mounts).containsExactly("ext2 / overlay", "dir /web web", "dir /data data", "devs /dev",
        "devpts /dev/pts", "proc /proc", "sys /sys");
    Map<?, ?> net = (Map<?, ?>) options.get("networkInterface");
    assertThat(net.get("controlUrl")).isEqualTo(CONTROL_URL);
    assertThat(net.containsKey("authKey")).as("no auth key in the site").isFalse();
    assertThat(net.get("loginUrlCb")).isEqualTo("<function>");
    assertThat(net.get("stateUpdateCb")).isEqualTo("<function>");
    assertThat(net.get("netmapUpdateCb")).isEqualTo("<function>");

    // the image's command, args, env, cwd, uid/gid
    List<?> run = args(calls, "Linux.run");
    assertThat(run.get(0)).isEqualTo(COMMAND.cmd());
    assertThat(run.get(1)).isEqualTo(COMMAND.args());
    Map<?, ?> opts = (Map<?, ?>) run.get(2);
    assertThat(opts.get("env")).isEqualTo(COMMAND.env());
    assertThat(opts.get("cwd")).isEqualTo(COMMAND.cwd());
    assertThat(((Number) opts.get("uid")).intValue()).isEqualTo(1000);
    assertThat(((Number) opts.get("gid")).intValue()).isEqualTo(1000);

    // callbacks and console
    assertThat(calls.stream().filter(c -> c.get("name").equals("Linux.registerCallback")).map(c -> (Object) ((List<?>) c.get("args")).get(0)))
        .contains((Object) "cpuActivity", "diskActivity", "diskLatency");
    List<?> console = args(calls, "Linux.setCustomConsole");
    assertThat(((Number) console.get(1)).longValue()).isEqualTo(((Number) js("return webvm.terminal.cols")).longValue());
    assertThat(((Number) console.get(2)).longValue()).isEqualTo(((Number) js("return webvm.terminal.rows")).longValue());
    assertThat((String) js("return webvm.transcript")).contains("stub-cheerpx: running /bin/bash -l (run 1)");
  }

  @Test
  @Order(2)
  void keyboardResizeRunLoopActivityNetworkFilesAndReset() throws Exception {
    assumeTrue(browser != null, "the contract test did not open the page");
    browser.driver().findElement(By.cssSelector(".xterm-helper-textarea")).sendKeys("ls\n");
    waitUntil("keys to reach CheerpX", "return cheerpxStub.keys.length >= 3");
    assertThat(js("return String.fromCharCode(...cheerpxStub.keys)")).isEqualTo("ls\r");

    // the terminal follows the window: CheerpX gets the new size
    long cols = ((Number) js("return cheerpxStub.console.cols")).longValue();
    browser.driver().manage().window().setSize(new Dimension(700, 500));
    // the window resize may reach the terminal in steps; CheerpX must end up with the final size
    waitUntil("the console to get the terminal's new size", "return cheerpxStub.console.cols !== " + cols
        + " && cheerpxStub.console.cols === webvm.terminal.cols && cheerpxStub.console.rows === webvm.terminal.rows");

    // the command runs again when it exits, as on WebVM
    js("cheerpxStub.exit(0)");
    waitUntil("the command to run again", "return cheerpxStub.runs.length === 2");
    waitUntil("the second banner", "return webvm.transcript.includes('(run 2)')");

    // CPU/disk activity and disk latency feed the status line
    js("cheerpxStub.emit('cpuActivity', 'wait'); cheerpxStub.emit('diskActivity', 'wait');"
        + "cheerpxStub.emit('diskLatency', 30); cheerpxStub.emit('diskLatency', 50)");
    assertThat(text("status-cpu")).startsWith("cpu busy");
    assertThat(text("status-disk-activity")).isEqualTo("disk busy, 40 ms latency");
    js("cheerpxStub.emit('cpuActivity', 'ready'); cheerpxStub.emit('diskActivity', 'ready')");
    assertThat(text("status-cpu")).startsWith("cpu idle");

    // Tailscale: interactive login link, then state and IP in the status line
    assertThat(text("status-network")).isEqualTo("tailscale: off");
    browser.driver().findElement(By.id("tailscale-connect")).click();
    waitUntil("the login link", "return !!document.getElementById('tailscale-login')");
    assertThat(browser.driver().findElement(By.id("tailscale-login")).getAttribute("href")).isEqualTo("https://login.tailscale.example/a/stub");
    js("cheerpxStub.networkInterface.stateUpdateCb(6);"
        + "cheerpxStub.networkInterface.netmapUpdateCb({self: {addresses: ['100.64.0.7']}})");
    assertThat(text("status-network")).isEqualTo("tailscale: connected 100.64.0.7");

    // files from the browser into /data
    Path upload = work.resolve("upload.txt");
    Files.writeString(upload, "dropped into the VM\n");
    browser.driver().findElement(By.id("data-files")).sendKeys(upload.toString());
    waitUntil("the file in /data", "return cheerpxStub.files['/upload.txt'] !== undefined");
    assertThat(js("return cheerpxStub.files['/upload.txt']")).isEqualTo("dropped into the VM\n");

    // Reset clears the IndexedDB overlay, then reloads
    js("window.confirm = () => true;"
        + "const r = cheerpxStub.calls; window.addEventListener('beforeunload', () =>"
        + " sessionStorage.setItem('stub-calls-before-reload', JSON.stringify(r.map(c => c.name))))");
    browser.driver().findElement(By.id("reset")).click();
    waitUntil("the reload after reset", "return !!sessionStorage.getItem('stub-calls-before-reload')");
    String before = (String) js("return sessionStorage.getItem('stub-calls-before-reload')");
    assertThat(before).contains("\"IDBDevice.reset\"");
    waitUntil("the page to boot again", "return window.webvm && window.webvm.state === 'ready'");
  }

  @Test
  @Order(3)
  void serviceWorkerAnswersWebvmChunkNamesLikeSplit() throws Exception {
    assumeTrue(browser != null, "the contract test did not open the page");
    assertWebvmNamesMatchSplit(server);
  }

  /** Fetches every WebVM chunk name and the .meta through the page's service worker; compares with split. */
  private static void assertWebvmNamesMatchSplit(StaticServer origin) throws Exception {
    Path split = work.resolve("split");
    Browser.deleteTree(split);
    Files.createDirectories(split);
    SiteBrowserIT.run(split, "split", image.toString(), "rootfs.ext2.c", "-a", "6", "-b", "128k", "-x",
        "--additional-suffix=.txt");
    Map<String, String> expected = new TreeMap<>();
    try (Stream<Path> files = Files.list(split)) {
      for (Path f : files.toList()) expected.put(f.getFileName().toString(), Sha256.hex(Files.readAllBytes(f)));
    }
    assertThat(expected).hasSize((int) ((Files.size(image) + 131071) / 131072));
    origin.resetCounters();

    @SuppressWarnings("unchecked")
    Map<String, Object> got = (Map<String, Object>) browser.driver().executeAsyncScript(
        "const [names, done] = [arguments[0], arguments[arguments.length - 1]];"
            + "(async () => { const out = {};"
            + "  for (const n of names) { const r = await fetch('disk/' + n);"
            + "    const b = await r.arrayBuffer(); const d = await crypto.subtle.digest('SHA-256', b);"
            + "    out[n] = r.status + ' ' + Array.from(new Uint8Array(d), x => x.toString(16).padStart(2, '0')).join(''); }"
            + "  const meta = await fetch('disk/rootfs.ext2.meta'); out.meta = meta.status + ' ' + await meta.text();"
            + "  const past = await fetch('disk/rootfs.ext2.c' + names.length.toString(16).padStart(6, '0') + '.txt');"
            + "  out.past = past.status; done(out); })().catch(e => done({error: String(e)}));",
        new ArrayList<>(expected.keySet()));
    assertThat(got.get("error")).isNull();
    for (var e : expected.entrySet()) assertThat(got.get(e.getKey())).as(e.getKey()).isEqualTo("200 " + e.getValue());
    String stat = SiteBrowserIT.run(work, "stat", "-c%s", image.toString());
    assertThat(got.get("meta")).isEqualTo("200 " + stat);
    assertThat(((Number) got.get("past")).intValue()).isEqualTo(404);
    System.out.printf("[cheerpx] %d WebVM chunk names + meta answered by the service worker, identical to split;"
        + " the static server got %d requests, none for those names but the one past the end%n", expected.size(),
        origin.requests.size());
    assertThat(origin.requests).noneMatch(p -> p.matches(".*\\.c[0-9a-f]{6}\\.txt") && !p.endsWith(
        ".c" + String.format("%06x", expected.size()) + ".txt"));
  }


  @Test
  @Order(4)
  void overlaysOfOtherImagesAreDeleted() throws Exception {
    assumeTrue(browser != null, "the contract test did not open the page");
    browser.driver().executeAsyncScript("const done = arguments[arguments.length - 1];"
        + "const r = indexedDB.open('webvm-overlay:/:' + 'ef'.repeat(32)); r.onsuccess = () => { r.result.close(); done(); };");
    assertThat(overlayDatabases()).contains("webvm-overlay:/:" + "ef".repeat(32));
    js("window.beforeReload = true; location.reload()");
    waitUntil("the page to boot again", "return !window.beforeReload && window.webvm && window.webvm.state === 'ready'");
    assertThat(overlayDatabases()).doesNotContain("webvm-overlay:/:" + "ef".repeat(32));
  }

  @Test
  @Order(5)
  void externalCloudDiskAndAuthKeyFromTheAddress() throws Exception {
    assumeTrue(browser != null, "the contract test did not open the page");
    Path site2 = work.resolve("site-cloud");
    Browser.deleteTree(site2);
    Files.createDirectories(site2.resolve("disk"));
    // a packed store with 64 KiB chunks: WebVM's names still cut the image at 128 KiB
    Chunker.builder().layout(DiskLayout.PACKED).chunkSize(65536).imageName("rootfs.ext2").build()
        .write(image, site2.resolve("disk"));
    String disk = "wss://fail-wss.disks.example.test/debian.ext2";
    SiteConfig config = new SiteConfig(SiteConfig.Engine.CHEERPX,
        SiteConfig.Disk.fromManifest(site2, "disk/manifest.json", "rootfs.ext2"), null, COMMAND, 256, "CheerpX cloud",
        new SiteConfig.Cheerpx("1.3.9", cdn.url().replace("127.0.0.1", "localhost") + "cheerpx-stub/cx.esm.js", disk, true, null));
    SiteAssembler.builder().config(config).build().assemble(site2);
    try (StaticServer server2 = new StaticServer(site2)) {
      browser.get(server2.url() + "#authKey=tskey-auth-test&controlUrl=https://hs.example.test");
      waitUntil("the page to become ready", "return window.webvm && window.webvm.state === 'ready'");
      List<Map<String, Object>> calls = calls();
      List<String> names = calls.stream().map(c -> (String) c.get("name")).toList();
      System.out.println("[cheerpx] cloud disk calls: " + names);
      assertThat(names).doesNotContain("GitHubDevice.create");
      assertThat(calls.stream().filter(c -> c.get("name").equals("CloudDevice.create")).map(c -> (Object) ((List<?>) c.get("args")).get(0)))
          .containsExactly((Object) disk, "https://fail-wss.disks.example.test/debian.ext2");
      assertThat(args(calls, "IDBDevice.create").get(0)).isEqualTo("webvm-overlay:/:" + disk);
      Map<?, ?> net = (Map<?, ?>) ((Map<?, ?>) args(calls, "Linux.create").get(0)).get("networkInterface");
      assertThat(net.get("authKey")).isEqualTo("tskey-auth-test");
      assertThat(net.get("controlUrl")).isEqualTo("https://hs.example.test");
      waitUntil("the automatic Tailscale login", "return cheerpxStub.calls.some(c => c.name === 'Linux.networkLogin')");
      assertThat(browser.driver().findElements(By.id("tailscale-connect"))).isEmpty();
      assertThat(server2.requests).noneMatch(p -> p.startsWith("/disk/"));
      assertWebvmNamesMatchSplit(server2);
    }
  }

  /** Opt-in: needs Leaning Technologies' CDN (cxrtnc.leaningtech.com), which CI cannot reach. */
  @Test
  @Order(6)
  @EnabledIfSystemProperty(named = "webvm.cheerpx.live", matches = "true")
  void liveCheerpxBootsAndRunsUname() throws Exception {
    Path repo = Path.of(System.getProperty("webvm.repoRoot", "..")).toAbsolutePath().normalize();
    Path live = work.resolve("live");
    Browser.deleteTree(live);
    Files.createDirectories(live);
    Path fixture = Path.of(SiteBrowserIT.run(work, "bash", repo.resolve("scripts/fixture-base.sh").toString(), "dir").strip());
    Path liveImage = work.resolve("live.ext2");
    Files.deleteIfExists(liveImage);
    SiteBrowserIT.run(work, "mke2fs", "-q", "-F", "-t", "ext2", "-r", "0", "-b", "4096", "-d", fixture.toString(),
        liveImage.toString(), "600M");
    Chunker.builder().layout(DiskLayout.PACKED).imageName("rootfs.ext2").build().write(liveImage, live.resolve("disk"));
    SiteConfig config = new SiteConfig(SiteConfig.Engine.CHEERPX,
        SiteConfig.Disk.fromManifest(live, "disk/manifest.json", "rootfs.ext2"), null,
        new SiteConfig.Command("/bin/bash", List.of("--login"), List.of("HOME=/root", "TERM=xterm"), "/root", 0, 0),
        256, "CheerpX live", SiteConfig.Cheerpx.defaults());
    SiteAssembler.builder().config(config).build().assemble(live);
    try (StaticServer liveServer = new StaticServer(live)) {
      try (Browser b = SiteBrowserIT.openBrowser("cheerpx-live")) {
        b.get(liveServer.url());
        new WebDriverWait(b.driver(), Duration.ofMinutes(5), Duration.ofSeconds(1)).ignoring(WebDriverException.class)
            .until(d -> "ready".equals(b.js("return window.webvm && window.webvm.state")));
        // "ready" is CheerpX's first console output: type once the shell shows its prompt (root's "# ")
        new WebDriverWait(b.driver(), Duration.ofMinutes(2), Duration.ofSeconds(1)).ignoring(WebDriverException.class)
            .until(d -> PROMPT.matcher(b.transcript()).find());
        b.driver().findElement(By.cssSelector(".xterm-helper-textarea")).sendKeys("uname -a\n");
        new WebDriverWait(b.driver(), Duration.ofMinutes(2), Duration.ofSeconds(1)).until(d ->
            ((String) b.js("return window.webvm.transcript")).matches("(?s).*Linux .*i686.*"));
        System.out.println("[cheerpx] live transcript:\n" + b.js("return window.webvm.transcript"));
      }
    }
  }

  // ---- helpers --------------------------------------------------------------------------------

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> calls() {
    return (List<Map<String, Object>>) js("return cheerpxStub.calls");
  }

  private static List<?> args(List<Map<String, Object>> calls, String name) {
    return calls.stream().filter(c -> c.get("name").equals(name)).map(c -> (List<?>) c.get("args")).findFirst()
        .orElseThrow(() -> new AssertionError(name + " was never called; calls: " + calls));
  }

  @SuppressWarnings("unchecked")
  private static List<String> overlayDatabases() {
    return (List<String>) browser.driver().executeAsyncScript("const done = arguments[arguments.length - 1];"
        + "indexedDB.databases().then(l => done(l.map(d => d.name).filter(n => n.startsWith('webvm-overlay:'))))");
  }

  private static String text(String id) {
    // the text whether or not the one-line status bar has room to show it
    return ((String) js("return document.getElementById('" + id + "').textContent")).strip();
  }

  private static Object js(String script) {
    return browser.js(script);
  }

  private static void waitUntil(String what, String condition) {
    try {
      new WebDriverWait(browser.driver(), Duration.ofSeconds(30), Duration.ofMillis(200))
          .ignoring(WebDriverException.class)
          .until(d -> {
            Object state = js("return window.webvm && window.webvm.state");
            if ("error".equals(state)) throw new AssertionError("page shows an error: " + js("return JSON.stringify(window.webvm.error)"));
            return Boolean.TRUE.equals(js(condition));
          });
    } catch (org.openqa.selenium.TimeoutException e) {
      throw new AssertionError("timed out waiting for " + what + "; state " + js("return window.webvm && window.webvm.state")
          + "; activity " + js("return document.getElementById('status-activity').textContent")
          + "; stub calls " + js("return window.cheerpxStub && JSON.stringify(cheerpxStub.calls.map(c => c.name))")
          + "\nbrowser console:\n" + browser.consoleLog(), e);
    }
  }
}

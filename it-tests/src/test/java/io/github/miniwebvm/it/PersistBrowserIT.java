package io.github.miniwebvm.it;

import static io.github.miniwebvm.it.SiteBrowserIT.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.miniwebvm.runtime.WebvmJson;
import io.github.miniwebvm.site.SiteAssembler;
import io.github.miniwebvm.snapshot.Snapshotter;
import io.github.miniwebvm.testsupport.Browser;
import io.github.miniwebvm.testsupport.MissingOracle;
import io.github.miniwebvm.testsupport.StaticServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The v86 engine keeps the visitor's work (emulator-runtime persist/): a site with a build-time
 * snapshot, booted in headless Chromium, keeps a file written in the guest across a reload, a
 * browser restart on the same profile and a crash of the tab; files move in through /data and out
 * as downloads; "Download disk" gives an ext2 image that {@code e2fsck -fn} finds clean; Reset,
 * a full quota, a corrupt saved machine and missing IndexedDB each say what happened and leave a
 * working machine. Prints {@code [bench]} lines.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PersistBrowserIT {
  private static final Path TARGET = Path.of("target").toAbsolutePath();
  private static final Duration SAVE_TIMEOUT = Duration.ofSeconds(120);

  private static Path work;
  private static Path site;
  private static Path profile;
  private static Path downloads;
  private static StaticServer server;
  private static Browser browser;
  private static String bigSha;

  @BeforeAll
  static void buildSite() throws Exception {
    SiteBrowserIT.requireBrowserAndMke2fs();
    MissingOracle.require(Files.isExecutable(Path.of("/usr/sbin/e2fsck")), "needs e2fsprogs (scripts/setup-host.sh)");
    Path repo = Path.of(System.getProperty("webvm.repoRoot", "..")).toAbsolutePath().normalize();
    work = Files.createDirectories(TARGET.resolve("persist-e2e"));
    site = work.resolve("site");
    profile = work.resolve("profile");
    downloads = work.resolve("downloads");
    if (Boolean.getBoolean("webvm.persistIT.reuseSite") && Files.exists(site.resolve("webvm.json"))) {
      // developer loop: the disk, boot kit and snapshot as last built, the page and runtime anew
      WebvmJson old = WebvmJson.read(site);
      WebvmJson fresh = SiteAssembler.builder().config(old.config()).build().assemble(site).webvmJson();
      if (old.snapshot() != null) fresh.withSnapshot(old.snapshot()).write(site);
      server = new StaticServer(site);
      return;
    }
    Browser.deleteTree(site);
    Path fixture = Path.of(run(work, "bash", repo.resolve("scripts/fixture-base.sh").toString(), "dir").strip());
    Path rootfs = work.resolve("rootfs");
    Path image = work.resolve("rootfs.ext2");
    SiteBrowserIT.copyWithUser(fixture, rootfs, work);
    Files.writeString(rootfs.resolve("etc/webvm-variant"), "as-built\n");
    run(work, "mke2fs", "-q", "-F", "-t", "ext2", "-b", "4096", "-d", rootfs.toString(), image.toString(), "256M");
    Browser.deleteTree(rootfs);
    SiteBrowserIT.assembleLoginShellSite(image, site, "Persist");
    Files.delete(image);
    List<String> warnings = new ArrayList<>();
    SiteBrowserIT.takeSnapshot(site, Snapshotter.builder().timeout(Duration.ofMinutes(15))
        .info(l -> System.out.println("[snapshot] " + l))
        .warn(warnings::add)
        .build()).orElseThrow(() -> new AssertionError("no snapshot: " + warnings));
    server = new StaticServer(site);
  }

  @AfterAll
  static void stop() {
    if (browser != null) browser.close();
    if (server != null) server.close();
  }

  @Test
  @Order(1)
  void workWrittenInTheGuestIsSaved() throws Exception {
    browser = open(true);
    browser.get(server.url());
    browser.waitForPrompt();
    assertThat(((Map<?, ?>) browser.js("return window.webvm.snapshot")).get("state")).isEqualTo("restored");
    assertThat(persist().get("state")).isEqualTo("empty");
    assertThat(browser.typeAndCollect("cat /etc/webvm-variant")).contains("as-built");

    long before = ((Number) persist().get("bytesWritten")).longValue();
    String out = browser.typeAndCollect("echo kept-$((6*7)) > kept.txt; dd if=/dev/urandom of=big.bin bs=1M count=10 2>/dev/null;"
        + " sync; sha256sum big.bin");
    bigSha = out.strip().split("\\s+")[0];
    assertThat(bigSha).matches("[0-9a-f]{64}");
    waitUntilSaved();
    Map<?, ?> p = persist();
    long written = ((Number) p.get("bytesWritten")).longValue() - before;
    System.out.printf("[bench] persist-bytes-for-10MiB-file %d (%d saves so far, last %s)%n", written, p.get("saves"), p.get("lastSave"));
    assertThat(status()).contains("changes saved").contains("site storage");
  }

  @Test
  @Order(2)
  void aReloadResumesTheSavedMachine() {
    assumeTrue(bigSha != null, "nothing was saved");
    browser.get(server.url());
    browser.waitForPrompt();
    Map<?, ?> p = persist();
    System.out.printf("[bench] persist-second-visit-prompt-ms %s (restore %s ms, saved machine %s)%n",
        browser.js("return window.webvm.readyMs"), p.get("restoredMs"), p.get("restoredFrom"));
    assertThat(p.get("state")).as("persist report " + p).isEqualTo("restored");
    // the build snapshot was not used, and its files were not even fetched
    assertThat(((Map<?, ?>) browser.js("return window.webvm.snapshot"))).isNull();
    String out = browser.typeAndCollect("cat kept.txt; sha256sum big.bin");
    assertThat(out).contains("kept-42").contains(bigSha);

    // typed and left at once: saved when the page goes away
    browser.typeAndCollect("echo typed-$((6*7)) > typed.txt");
    browser.get(server.url());
    browser.waitForPrompt();
    Map<?, ?> from = (Map<?, ?>) persist().get("restoredFrom");
    System.out.printf("[bench] persist-pagehide-save %s%n", from);
    assertThat(from.get("reason")).isIn("pagehide", "hidden");
    assertThat(browser.typeAndCollect("cat typed.txt")).contains("typed-42");
  }

  @Test
  @Order(3)
  void aRestartedBrowserFindsTheWork() throws Exception {
    assumeTrue(browser != null && bigSha != null, "nothing was saved");
    browser.typeAndCollect("echo restart-$((6*7)) > restart.txt; sync");
    waitUntilSaved();
    browser.close();
    browser = open(false);
    browser.get(server.url());
    browser.waitForPrompt();
    assertThat(persist().get("state")).isEqualTo("restored");
    assertThat(browser.typeAndCollect("cat kept.txt restart.txt")).contains("kept-42").contains("restart-42");
  }

  @Test
  @Order(4)
  void filesGoInThroughDataAndComeOutAsDownloads() throws Exception {
    assumeTrue(browser != null, "no browser");
    Path upload = work.resolve("hello-in.txt");
    Files.writeString(upload, "from the host 42\n");
    browser.js("document.getElementById('data-files').hidden = false");
    browser.driver().findElement(By.id("data-files")).sendKeys(upload.toString());
    browser.js("document.getElementById('data-files').hidden = true");
    new WebDriverWait(browser.driver(), Duration.ofSeconds(60))
        .until(d -> browser.js("return window.webvm.files.lastUpload && window.webvm.files.lastUpload.name") != null);
    assertThat(browser.typeAndCollect("cat /data/hello-in.txt; mount | grep ' /data '"))
        .contains("from the host 42").contains("9p");
    browser.typeAndCollect("echo out-of-the-guest-$((6*7)) > /data/out.txt");
    var path = browser.driver().findElement(By.id("download-path"));
    path.clear();
    path.sendKeys("/data/out.txt");
    browser.driver().findElement(By.id("data-download")).click();
    Path got = waitForDownload("out.txt", -1);
    assertThat(Files.readString(got)).isEqualTo("out-of-the-guest-42\n");
    // /data is part of the saved machine
    waitUntilSaved();
    browser.get(server.url());
    browser.waitForPrompt();
    assertThat(browser.typeAndCollect("cat /data/hello-in.txt /data/out.txt")).contains("from the host 42").contains("out-of-the-guest-42");
  }

  @Test
  @Order(5)
  void downloadDiskGivesACleanExt2WithTheWork() throws Exception {
    assumeTrue(browser != null && bigSha != null, "nothing was saved");
    Path image = downloadDisk("after-work");
    assertThat(debugfsCat(image, "/home/webvm/kept.txt")).isEqualTo("kept-42\n");
    String sha = run(work, "bash", "-c", "/usr/sbin/debugfs -R 'dump /home/webvm/big.bin /dev/stdout' " + image
        + " 2>/dev/null | sha256sum").strip().split("\\s+")[0];
    assertThat(sha).isEqualTo(bigSha);
    Files.delete(image);
  }

  @Test
  @Order(6)
  void aCrashedTabResumesFromTheLastSaveWithACleanDisk() throws Exception {
    assumeTrue(browser != null && bigSha != null, "nothing was saved");
    browser.typeAndCollect("echo crash-$((6*7)) > crash.txt; sync");
    waitUntilSaved();
    // more work, then the renderer dies: no pagehide, no save
    browser.typeAndCollect("dd if=/dev/urandom of=after.bin bs=1M count=3 2>/dev/null; rm -f big.bin");
    try {
      browser.driver().executeCdpCommand("Page.crash", Map.of());
    } catch (RuntimeException expected) {
      // the tab is gone, and the command's answer with it
    }
    browser.close();
    browser = open(false);
    browser.get(server.url());
    browser.waitForPrompt();
    assertThat(persist().get("state")).isEqualTo("restored");
    assertThat(browser.typeAndCollect("cat crash.txt; sha256sum big.bin")).contains("crash-42").contains(bigSha);
    Path image = downloadDisk("after-crash");
    assertThat(debugfsCat(image, "/home/webvm/crash.txt")).isEqualTo("crash-42\n");
    Files.delete(image);
  }

  @Test
  @Order(7)
  @org.junit.jupiter.api.Disabled("headless Chromium 156 applies Storage.overrideQuotaForOrigin only now and then (in two"
      + " of about six runs, not at all in a new profile), so this cannot pass reliably; kept to run by hand")
  void aFullQuotaIsReportedAndTheMachineKeepsRunning() throws Exception {
    if (browser == null) {
      browser = open(true);
      browser.get(server.url());
      browser.waitForPrompt();
    }
    Map<?, ?> estimate = (Map<?, ?>) browser.driver().executeAsyncScript(
        "const done = arguments[arguments.length - 1]; navigator.storage.estimate().then(e => done({usage: e.usage, quota: e.quota}));");
    long usage = ((Number) estimate.get("usage")).longValue();
    String origin = server.url().replaceAll("/+$", "");
    long quota = usage + (1 << 20);
    // Chromium sometimes ignores the first override (seen about every other run): send it until
    // the page's own estimate shows it
    boolean applied = false;
    try {
      for (int attempt = 0; attempt < 5 && !applied; attempt++) {
        browser.driver().executeCdpCommand("Storage.overrideQuotaForOrigin", Map.of("origin", origin, "quotaSize", quota));
        try {
          new WebDriverWait(browser.driver(), Duration.ofSeconds(5), Duration.ofMillis(200)).until(d -> ((Number) ((Map<?, ?>)
              browser.driver().executeAsyncScript("const done = arguments[arguments.length - 1];"
                  + " navigator.storage.estimate().then(e => done({quota: e.quota})).catch(() => done({quota: -1}));"))
              .get("quota")).longValue() <= quota);
          applied = true;
        } catch (org.openqa.selenium.TimeoutException notYet) {
          // send it again
        }
      }
      // a harness limit, not the page's: then this run cannot check the quota path
      assumeTrue(applied, "Chromium did not apply Storage.overrideQuotaForOrigin for " + origin);
      browser.typeAndCollect("dd if=/dev/urandom of=quota.bin bs=1M count=2 2>/dev/null; sync");
      try {
        new WebDriverWait(browser.driver(), SAVE_TIMEOUT, Duration.ofMillis(300))
            .until(d -> status().contains("storage for this site is full"));
      } catch (org.openqa.selenium.TimeoutException e) {
        throw new AssertionError("no quota message; status: " + status() + "; persist " + persist() + "; usage before "
            + estimate + "; console:\n" + browser.consoleLog(), e);
      }
      System.out.println("[persist] quota: " + status() + " " + persist());
      assertThat(browser.typeAndCollect("echo still-$((6*7))")).contains("still-42");
    } finally {
      // always lifted, also when it applied too late for the check above
      browser.driver().executeCdpCommand("Storage.overrideQuotaForOrigin", Map.of("origin", origin));
    }
  }

  @Test
  @Order(8)
  void aCorruptSavedMachineIsDeletedAndTheImageAsBuiltBoots() throws Exception {
    assumeTrue(browser != null, "no browser");
    // leave the app (it saves), then damage the record from another page of the site; a record of
    // another image is added too, which the page must delete
    browser.get(server.url() + "favicon.svg");
    // the worker may still be writing the machine the app handed it (70 MB on a loaded box)
    browser.driver().manage().timeouts().scriptTimeout(Duration.ofMinutes(4));
    Object r = browser.driver().executeAsyncScript(
        "const done = arguments[arguments.length - 1];"
            // the machine the app handed the service worker on leaving is written first
            + "fetch('webvm-persist/settled').then(() => { const open = indexedDB.open('webvm-v86:/', 1);"
            + "open.onerror = () => done('open failed');"
            + "open.onsuccess = () => { const db = open.result; const tx = db.transaction('machines', 'readwrite');"
            + "  const os = tx.objectStore('machines'); const keys = os.getAllKeys();"
            + "  keys.onsuccess = () => { const key = keys.result[0]; const get = os.get(key);"
            + "    get.onsuccess = () => { const rec = get.result; const junk = new Uint8Array(rec.state.byteLength);"
            + "      crypto.getRandomValues(junk.subarray(0, 65536)); rec.state = junk.buffer; os.put(rec, key);"
            + "      os.put({format: 'webvm-machine/1', state: new ArrayBuffer(16)}, 'an-older-image'); }; };"
            + "  tx.oncomplete = () => done('ok'); tx.onerror = () => done('tx failed'); }; });");
    assertThat(r).isEqualTo("ok");
    browser.get(server.url());
    browser.waitForPrompt();
    Map<?, ?> p = persist();
    System.out.println("[persist] corrupt: " + status() + " " + p);
    assertThat(p.get("state")).isEqualTo("rejected");
    assertThat(status()).contains("could not be restored").contains("image as built");
    assertThat(((Map<?, ?>) browser.js("return window.webvm.snapshot")).get("state")).isEqualTo("restored");
    assertThat(browser.typeAndCollect("cat /etc/webvm-variant; ls kept.txt 2>&1")).contains("as-built").contains("No such file");
    assertThat(idbKeys()).doesNotContain("an-older-image");
  }

  @Test
  @Order(9)
  void resetReturnsToTheImageAsBuilt() throws Exception {
    assumeTrue(browser != null, "no browser");
    browser.typeAndCollect("echo before-reset > reset.txt; sync");
    waitUntilSaved();
    browser.driver().findElement(By.id("reset")).click();
    browser.driver().switchTo().alert().accept();
    new WebDriverWait(browser.driver(), Duration.ofSeconds(60), Duration.ofMillis(300))
        .ignoring(org.openqa.selenium.WebDriverException.class)
        .until(d -> "empty".equals(browser.js("return window.webvm.persist && window.webvm.persist.state")));
    browser.waitForPrompt();
    assertThat(browser.typeAndCollect("ls reset.txt 2>&1; cat /etc/webvm-variant")).contains("No such file").contains("as-built");
    assertThat(idbKeys()).isEmpty();
    Path image = downloadDisk("after-reset");
    Files.delete(image);
  }

  @Test
  @Order(10)
  void withoutIndexedDbThePageSaysSoAndBoots() throws Exception {
    if (browser != null) browser.close();
    browser = open(true);
    // what Firefox's private windows answered: IndexedDB exists, opening a database fails
    browser.driver().executeCdpCommand("Page.addScriptToEvaluateOnNewDocument", Map.of("source",
        "IDBFactory.prototype.open = function () { throw new DOMException("
            + "'A mutation operation was attempted on a database that did not allow mutations.', 'InvalidStateError'); };"));
    browser.get(server.url());
    browser.waitForPrompt();
    assertThat(persist().get("state")).isEqualTo("unavailable");
    assertThat(status()).contains("changes are not kept");
    assertThat(browser.typeAndCollect("cat /etc/webvm-variant")).contains("as-built");
  }

  // ---- helpers --------------------------------------------------------------------------------

  private static Browser open(boolean fresh) throws IOException {
    Browser b = fresh ? Browser.open(profile) : Browser.reopen(profile);
    Files.createDirectories(downloads);
    b.driver().executeCdpCommand("Browser.setDownloadBehavior", Map.of("behavior", "allow", "downloadPath", downloads.toString()));
    return b;
  }

  private static Map<?, ?> persist() {
    return (Map<?, ?>) browser.js("return window.webvm.persist");
  }

  private static String status() {
    // the text, whether or not the status line has room to show all of it
    return (String) browser.js("return document.getElementById('status-persist').textContent");
  }

  /** Waits until the page has saved everything the machine changed (no unsaved change, no error). */
  private static void waitUntilSaved() {
    long saves = ((Number) persist().get("saves")).longValue();
    try {
      new WebDriverWait(browser.driver(), SAVE_TIMEOUT, Duration.ofMillis(300)).until(d -> {
        Map<?, ?> p = persist();
        return ((Number) p.get("saves")).longValue() > saves && Boolean.FALSE.equals(p.get("dirty"));
      });
    } catch (org.openqa.selenium.TimeoutException e) {
      throw new AssertionError("the page did not save the machine: " + persist() + "; status " + status(), e);
    }
  }

  @SuppressWarnings("unchecked")
  private static List<String> idbKeys() {
    return (List<String>) browser.driver().executeAsyncScript(
        "const done = arguments[arguments.length - 1]; const open = indexedDB.open('webvm-v86:/', 1);"
            + "open.onsuccess = () => { const r = open.result.transaction('machines').objectStore('machines').getAllKeys();"
            + "  r.onsuccess = () => { open.result.close(); done(r.result); }; };");
  }

  /** Clicks Download disk, waits for the image and checks it with e2fsck -fn. */
  private static Path downloadDisk(String what) throws Exception {
    long size = ((Number) browser.js("return window.webvm.config.disk.size")).longValue();
    String name = (String) browser.js("return window.webvm.config.disk.name");
    Files.deleteIfExists(downloads.resolve(name));
    browser.driver().findElement(By.id("disk-download")).click();
    Path image = waitForDownload(name, size);
    Path kept = work.resolve(what + ".ext2");
    Files.move(image, kept, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    Process p = new ProcessBuilder("/usr/sbin/e2fsck", "-fn", kept.toString()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
    System.out.println("[persist] e2fsck -fn " + what + " (exit " + p.exitValue() + "):\n" + out);
    assertThat(p.exitValue()).as("e2fsck -fn of the downloaded disk (" + what + "):\n" + out).isZero();
    // the guest froze and thawed its root before the export: even the superblock's counts agree
    assertThat(out).as("e2fsck -fn of the downloaded disk (" + what + ")").doesNotContain("Fix? no");
    return kept;
  }

  private static Path waitForDownload(String name, long size) {
    Path file = downloads.resolve(name);
    try {
      new WebDriverWait(browser.driver(), Duration.ofSeconds(300), Duration.ofMillis(300)).until(d -> {
        try (Stream<Path> s = Files.list(downloads)) {
          boolean partial = s.anyMatch(f -> f.getFileName().toString().endsWith(".crdownload"));
          return !partial && Files.exists(file) && (size < 0 || Files.size(file) == size);
        } catch (IOException e) {
          return false;
        }
      });
    } catch (org.openqa.selenium.TimeoutException e) {
      throw new AssertionError("no complete download " + name + " in " + downloads + "; files "
          + browser.js("return JSON.stringify(window.webvm.files)") + "; activity "
          + browser.driver().findElement(By.id("status-activity")).getText(), e);
    }
    return file;
  }

  private static String debugfsCat(Path image, String path) throws Exception {
    return run(work, "/usr/sbin/debugfs", "-R", "cat " + path, image.toString());
  }
}

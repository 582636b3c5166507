package io.github.miniwebvm.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.miniwebvm.bootkit.BootFiles;
import io.github.miniwebvm.bootkit.BootKit;
import io.github.miniwebvm.bootkit.GuestCommand;
import io.github.miniwebvm.chunker.Chunker;
import io.github.miniwebvm.chunker.DiskLayout;
import io.github.miniwebvm.io.Sha256;
import io.github.miniwebvm.runtime.SiteConfig;
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
import org.openqa.selenium.support.ui.WebDriverWait;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The guest's network in headless Chromium, on 127.0.0.1 only: {@code network=fetch} (the guest's
 * {@code wget} becomes the page's fetch of a file on a second local server, read within CORS),
 * a real Wisp relay ({@code @mercuryworkshop/wisp-js} in node, dialling only 127.0.0.1) carrying a
 * guest TCP connection, and a relay that refuses: the page says so and the machine still boots.
 * Prints the guest's {@code wget} throughput of a 10 MiB file through fetch and through the relay.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NetworkBrowserIT {
  private static final Path TARGET = Path.of("target").toAbsolutePath();
  private static final Path WISP = Path.of("src/test/wisp").toAbsolutePath();
  /** the busybox the boot kit copies into the guest (the Debian minbase fixture has no wget) */
  private static final String BB = "/dev/.webvm/busybox";
  /** v86's router inside the emulated network; the test relay dials 127.0.0.1 for it */
  private static final String ROUTER = "192.168.86.1";
  private static final int BENCH_BYTES = 10 << 20;

  private static Path site;
  private static StaticServer server;   // the site
  private static StaticServer files;    // what the guest downloads, with CORS like a CDN
  private static Process relay;
  private static int relayPort;
  private static Browser browser;
  private static byte[] payload;

  @BeforeAll
  static void setUp() throws Exception {
    SiteBrowserIT.requireBrowserAndMke2fs();
    MissingOracle.require(nodeWorks(), "needs node and npm (scripts/setup-host.sh)");
    Path repo = Path.of(System.getProperty("webvm.repoRoot", "..")).toAbsolutePath().normalize();
    Path shared = Files.createDirectories(TARGET.resolve("e2e"));
    Path image = shared.resolve("rootfs.ext2");
    if (!Files.exists(image)) {   // the same disk SiteBrowserIT boots
      Path rootfs = shared.resolve("rootfs");
      Path fixture = Path.of(SiteBrowserIT.run(shared, "bash", repo.resolve("scripts/fixture-base.sh").toString(), "dir").strip());
      SiteBrowserIT.copyWithUser(fixture, rootfs, shared);
      SiteBrowserIT.run(shared, "mke2fs", "-q", "-F", "-t", "ext2", "-b", "4096", "-d", rootfs.toString(), image + ".part", "256M");
      Files.move(Path.of(image + ".part"), image, StandardCopyOption.REPLACE_EXISTING);
      Browser.deleteTree(rootfs);
    }
    Path work = Files.createDirectories(TARGET.resolve("e2e-net"));
    site = work.resolve("site");
    Browser.deleteTree(site);
    Files.createDirectories(site.resolve("boot"));
    Chunker.builder().layout(DiskLayout.PACKED).build().write(image, site.resolve("disk"));
    GuestCommand command = new GuestCommand(List.of("/bin/bash", "-l"),
        List.of("PATH=" + GuestCommand.DEFAULT_PATH), "/home/webvm", 1000, 1000);
    BootFiles boot = BootKit.builder().log(l -> System.out.println("[bootkit] " + l)).build()
        .assemble(command, site.resolve("boot"));
    assertThat(boot.modules()).doesNotContain("ne2k-pci");   // loaded by the launcher, not by /init
    SiteAssembler.builder().config(new SiteConfig(SiteConfig.Engine.V86,
        SiteConfig.Disk.fromManifest(site, "disk/manifest.json", image.getFileName().toString()),
        SiteConfig.Boot.inBootDirectory(boot.cmdline()),
        new SiteConfig.Command("/bin/bash", List.of("-l"), command.env(), command.cwd(), command.uid(), command.gid()),
        256, "network", null, "fetch")).build().assemble(site);
    server = new StaticServer(site);

    Path downloads = Files.createDirectories(work.resolve("files"));
    payload = new byte[BENCH_BYTES];
    new Random(42).nextBytes(payload);
    Files.write(downloads.resolve("payload.bin"), payload);
    Files.writeString(downloads.resolve("hello.txt"), "hello from the host, through the browser\n");
    files = new StaticServer(downloads, true);

    startRelay();
    browser = SiteBrowserIT.openBrowser("profile-net");
  }

  /** The Wisp relay (node, wisp-js from npm, installed here by {@code npm ci} from the lock file). */
  private static void startRelay() throws Exception {
    if (!Files.isDirectory(WISP.resolve("node_modules/@mercuryworkshop/wisp-js"))) {
      SiteBrowserIT.run(WISP, "npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund");
    }
    relay = new ProcessBuilder("node", "wisp-server.mjs").directory(WISP.toFile())
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    BufferedReader out = new BufferedReader(new InputStreamReader(relay.getInputStream(), StandardCharsets.UTF_8));
    String line = out.readLine();
    assertThat(line).as("the relay's first line").startsWith("wisp-relay listening ");
    relayPort = Integer.parseInt(line.substring("wisp-relay listening ".length()).strip());
    Thread t = new Thread(() -> out.lines().forEach(l -> System.out.println("[relay] " + l)), "relay-log");
    t.setDaemon(true);
    t.start();
  }

  @AfterAll
  static void tearDown() throws Exception {
    if (browser != null) browser.close();
    if (server != null) server.close();
    if (files != null) files.close();
    if (relay != null) {
      relay.getOutputStream().close();   // the relay exits when its stdin closes
      if (!relay.waitFor(10, TimeUnit.SECONDS)) relay.destroyForcibly();
    }
  }

  @Test
  @Order(1)
  void fetchNetworkDownloadsAFileFromAnotherLocalServerWithinCors() throws Exception {
    boot("fetch");
    assertThat(browser.transcript()).contains("webvm: network eth0 192.168.86.100, router 192.168.86.1");
    // busybox wget through v86's fetch adapter, addressed as an HTTP proxy so any host:port works
    String out = browser.typeAndCollect("http_proxy=http://" + ROUTER + "/ " + BB + " wget -q -O - " + files.url()
        + "hello.txt");
    assertThat(out).contains("hello from the host, through the browser");
    assertThat(files.requests).contains("/hello.txt");

    String bench = browser.typeAndCollect(timedWget("http_proxy=http://" + ROUTER + "/ ", files.url() + "payload.bin"));
    assertThat(bench).contains(Sha256.hex(payload));
    report("fetch", bench);
  }

  @Test
  @Order(2)
  void wispRelayCarriesAGuestTcpConnectionToALocalService() throws Exception {
    boot("wisp://127.0.0.1:" + relayPort + "/");
    waitForRelay("connected");
    assertThat(browser.transcript()).contains("webvm: network eth0 192.168.86.100");
    // a plain TCP connection from the guest: the relay dials 127.0.0.1 at the port the guest named
    int port = Integer.parseInt(files.url().replaceAll(".*:(\\d+)/$", "$1"));
    String out = browser.typeAndCollect(BB + " wget -q -O - http://" + ROUTER + ":" + port + "/hello.txt");
    assertThat(out).contains("hello from the host, through the browser");

    String bench = browser.typeAndCollect(timedWget("", "http://" + ROUTER + ":" + port + "/payload.bin"));
    assertThat(bench).contains(Sha256.hex(payload));
    report("wisp", bench);
  }

  @Test
  @Order(3)
  void aRefusingRelayIsReportedAndTheMachineStillBoots() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
      closed = s.getLocalPort();
    }
    boot("wisp://127.0.0.1:" + closed + "/");
    waitForRelay("refused");
    String status = (String) browser.js("return document.getElementById('status-network').textContent");
    assertThat(status).contains("wisp://127.0.0.1:" + closed + "/").contains("cannot be reached")
        .contains("runs without network");
    assertThat(browser.typeAndCollect("echo still-$((40+2))")).contains("still-42");
  }

  @Test
  @Order(4)
  void afterARestoredSnapshotTheGuestBringsItsCardUpOnThePagesRequest() throws Exception {
    // the build-time boot runs without network: no driver is loaded when the state is saved
    Snapshotter.Snapshot snapshot = SiteBrowserIT.takeSnapshot(site, Snapshotter.builder().timeout(Duration.ofMinutes(15))
        .info(l -> System.out.println("[snapshot] " + l)).warn(l -> System.out.println("[snapshot] WARNING " + l))
        .build()).orElseThrow(() -> new AssertionError("no snapshot"));
    assertThat(snapshot.file()).isNotBlank();
    boot("fetch");
    assertThat(browser.js("return window.webvm.snapshot.state")).isEqualTo("restored");
    new WebDriverWait(browser.driver(), Duration.ofSeconds(60), Duration.ofMillis(200)).until(d ->
        browser.js("return window.webvm.network && window.webvm.network.guest") != null);
    assertThat((String) browser.js("return window.webvm.network.guest"))
        .contains("webvm: network eth0 192.168.86.100, router 192.168.86.1");
    String out = browser.typeAndCollect("http_proxy=http://" + ROUTER + "/ " + BB + " wget -q -O - " + files.url()
        + "hello.txt");
    assertThat(out).contains("hello from the host, through the browser");
  }

  /** Points webvm.json at {@code network}, (re)loads the page and waits for the shell prompt. */
  private static void boot(String network) throws IOException {
    ObjectMapper json = new ObjectMapper();
    ObjectNode config = (ObjectNode) json.readTree(site.resolve("webvm.json").toFile());
    config.put("network", network);
    json.writerWithDefaultPrettyPrinter().writeValue(site.resolve("webvm.json").toFile(), config);
    browser.get(server.url() + "?network=" + network.hashCode());
    browser.waitForPrompt();
    assertThat(browser.js("return window.webvm.config.network")).isEqualTo(network);
  }

  private static void waitForRelay(String wanted) {
    new WebDriverWait(browser.driver(), Duration.ofSeconds(60), Duration.ofMillis(200)).until(d ->
        wanted.equals(browser.js("return window.webvm.network && window.webvm.network.relay")));
  }

  /** Downloads {@code url} in the guest, printing "ms=<guest milliseconds>" and the file's sha256. */
  private static String timedWget(String env, String url) {
    return "s=$(date +%s%N); " + env + BB + " wget -q -O /tmp/payload " + url
        + " && e=$(date +%s%N) && echo ms=$(( (e - s) / 1000000 )) && " + BB + " sha256sum /tmp/payload; rm -f /tmp/payload";
  }

  private static void report(String name, String output) {
    Matcher m = Pattern.compile("ms=(\\d+)").matcher(output);
    assertThat(m.find()).as("timing in " + output).isTrue();
    long ms = Math.max(1, Long.parseLong(m.group(1)));
    System.out.printf("[net-bench] %s: guest wget of %d bytes in %d ms = %.2f MiB/s%n", name, BENCH_BYTES, ms,
        BENCH_BYTES / 1048576.0 / (ms / 1000.0));
  }

  private static boolean nodeWorks() {
    try {
      return new ProcessBuilder("node", "--version").start().waitFor() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}

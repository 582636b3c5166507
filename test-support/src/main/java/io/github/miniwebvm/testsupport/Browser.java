package io.github.miniwebvm.testsupport;

import io.github.miniwebvm.io.Trees;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.logging.Level;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.TimeoutException;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's headless Chromium driven through its chromedriver (never a Selenium Manager download),
 * with what the end-to-end tests do on a WebVM page: wait for its state and the shell prompt, type
 * commands into the terminal and read what they printed from the page's serial transcript.
 */
public final class Browser implements AutoCloseable {
    /** The shared 2-core box has taken 160 s for a cold boot under load; a hang guard, not a speed check. */
    public static final Duration BOOT_TIMEOUT = Duration.ofSeconds(300);
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    private final ChromeDriver driver;
    /** Shared by all browsers of the JVM: a reopened page shows the old session's markers on its screen. */
    private static final java.util.concurrent.atomic.AtomicInteger COMMANDS = new java.util.concurrent.atomic.AtomicInteger();

    private Browser(ChromeDriver driver) {
        this.driver = driver;
    }

    /** True when Debian's chromium and chromium-driver are installed. */
    public static boolean available() {
        return Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
    }

    /** A fresh browser with its profile in {@code profileDir} (emptied first); missing Chromium is a skip, or a failure in CI. */
    public static Browser open(Path profileDir) throws IOException {
        deleteTree(profileDir);
        return reopen(profileDir);
    }

    /**
     * A browser on the existing profile in {@code profileDir} (what a closed and reopened browser
     * finds: its IndexedDB, Cache Storage and service workers).
     */
    public static Browser reopen(Path profileDir) throws IOException {
        MissingOracle.require(available(), "needs Debian chromium + chromium-driver (scripts/setup-host.sh)");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1100,750", "--user-data-dir=" + profileDir);
        LoggingPreferences logging = new LoggingPreferences();
        logging.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logging);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(60));
        return new Browser(driver);
    }

    public ChromeDriver driver() {
        return driver;
    }

    public void get(String url) {
        driver.get(url);
    }

    public Object js(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    /** What the page logged to the console so far. */
    public String consoleLog() {
        StringBuilder sb = new StringBuilder();
        for (var entry : driver.manage().logs().get(LogType.BROWSER)) {
            sb.append(entry.getLevel()).append(' ').append(entry.getMessage()).append('\n');
        }
        return sb.toString();
    }

    /** Waits until the page is ready and the shell waits at its prompt. */
    public void waitForPrompt() {
        waitForState("ready");
        try {
            new WebDriverWait(driver, BOOT_TIMEOUT, Duration.ofMillis(300)).until(d -> transcript().endsWith("$ "));
        } catch (TimeoutException e) {
            throw new AssertionError("no shell prompt within " + BOOT_TIMEOUT + "; serial output:\n" + transcript(), e);
        }
    }

    /** Waits for {@code window.webvm.state} (the page reloads once after installing its worker). */
    public void waitForState(String wanted) {
        try {
            new WebDriverWait(driver, BOOT_TIMEOUT, Duration.ofMillis(500))
                    .ignoring(WebDriverException.class)
                    .until(d -> {
                        Object s = js("return window.webvm && window.webvm.state");
                        if ("error".equals(s) && !"error".equals(wanted)) {
                            throw new AssertionError("page shows an error: " + js("return JSON.stringify(window.webvm.error)"));
                        }
                        return wanted.equals(s);
                    });
        } catch (TimeoutException e) {
            throw new AssertionError("page state did not become " + wanted + " within " + BOOT_TIMEOUT
                    + "; state " + js("return window.webvm && window.webvm.state") + "; serial output:\n"
                    + js("return window.webvm && window.webvm.transcript") + "\nbrowser console:\n" + consoleLog(), e);
        }
    }

    /**
     * Types a command line into the terminal (keyboard input through xterm.js) and returns what it
     * printed. Markers are computed by the shell, so the echoed input line never matches them.
     */
    public String typeAndCollect(String commandLine) {
        int n = COMMANDS.incrementAndGet();
        String begin = "BEGIN" + (999 + n);
        String end = "END" + (999 + n);
        String line = "echo BEGIN$((999+" + n + ")); " + commandLine + "; echo END$((999+" + n + "))";
        driver.findElement(By.cssSelector(".xterm-helper-textarea")).sendKeys(line + "\n");
        try {
            new WebDriverWait(driver, Duration.ofSeconds(90), Duration.ofMillis(300)).until(d -> {
                String t = transcript();
                int b = t.lastIndexOf(begin + "\n");
                return b >= 0 && t.indexOf(end + "\n", b) > 0;
            });
        } catch (TimeoutException e) {
            throw new AssertionError("no output of '" + line + "' within 90 s; serial output:\n"
                    + js("return window.webvm.transcript") + "\nbrowser console:\n" + consoleLog(), e);
        }
        String t = transcript();
        int b = t.lastIndexOf(begin + "\n");
        return t.substring(b + begin.length() + 1, t.indexOf(end + "\n", b));
    }

    /** The serial output so far, without carriage returns and terminal escape sequences. */
    public String transcript() {
        return ((String) js("return window.webvm.transcript")).replace("\r", "")
                .replaceAll("\u001b\\[[0-9;?]*[a-zA-Z]", "");
    }

    @Override
    public void close() {
        driver.quit();
    }

    /** Deletes {@code dir} and everything in it, if it exists (symbolic links are removed, not followed). */
    public static void deleteTree(Path dir) throws IOException {
        Trees.deleteRecursively(dir);
    }
}

package io.github.miniwebvm.testsupport;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Debian's {@code docker-registry} (distribution 2.x) on 127.0.0.1 with an ephemeral port and a
 * temporary config; its storage stays where the caller says (under {@code target/}), so pushed
 * images survive for the next test run. Plain HTTP: clients need their insecure/TLS-off switch.
 */
public final class LocalRegistry implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+)");
    private static LocalRegistry shared;

    private final Process process;
    private final int port;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private LocalRegistry(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** Starts a registry storing under {@code storage}; skips the test when docker-registry is missing. */
    public static LocalRegistry start(Path storage) throws IOException {
        assumeTrue(Tools.available("docker-registry"),
                "docker-registry is not installed (scripts/setup-host.sh installs it)");
        Files.createDirectories(storage);
        Path data = storage.resolve("data");
        Path config = storage.resolve("config.yml");
        Path log = storage.resolve("registry-" + ProcessHandle.current().pid() + "-" + System.nanoTime() + ".log");
        Files.writeString(config, String.join("\n",
                "version: 0.1",
                "log:",
                "  level: info",
                "storage:",
                "  filesystem:",
                "    rootdirectory: " + data.toAbsolutePath(),
                "  delete:",
                "    enabled: true",
                "http:",
                "  addr: 127.0.0.1:0",
                "  secret: webvm-tests-only",
                ""));
        Process p = new ProcessBuilder("docker-registry", "serve", config.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            Matcher m = LISTENING.matcher(Files.readString(log));
            if (m.find()) {
                LocalRegistry r = new LocalRegistry(p, Integer.parseInt(m.group(1)));
                r.awaitReady();
                return r;
            }
            if (!p.isAlive()) {
                throw new IOException("docker-registry exited with " + p.exitValue() + ":\n" + Files.readString(log));
            }
            sleep(100);
        }
        p.destroyForcibly();
        throw new IOException("docker-registry did not report its port within 30 s:\n" + Files.readString(log));
    }

    /** One registry per test JVM, storing under {@code target/test-registry}, stopped at JVM exit. */
    public static synchronized LocalRegistry shared() throws IOException {
        if (shared == null || !shared.process.isAlive()) {
            shared = start(Path.of("target", "test-registry").toAbsolutePath());
            LocalRegistry r = shared;
            Runtime.getRuntime().addShutdownHook(new Thread(r::close));
        }
        return shared;
    }

    /** {@code 127.0.0.1:port}. */
    public String address() {
        return "127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    /**
     * Copies {@code source} (a skopeo reference such as {@code containers-storage:name} or
     * {@code oci-archive:/path}) to {@code repository:tag} here, unless it is already there; returns
     * the pullable reference {@code 127.0.0.1:port/repository:tag}.
     */
    public String seed(String source, String repository, String tag) throws IOException {
        String ref = address() + "/" + repository + ":" + tag;
        if (!hasManifest(repository, tag)) {
            assumeTrue(Tools.available("skopeo"), "skopeo is not installed (scripts/setup-host.sh installs it)");
            Tools.run(List.of("skopeo", "copy", "--quiet", "--dest-tls-verify=false", source, "docker://" + ref), null);
        }
        return ref;
    }

    /** The test base image (see {@link TestBaseImage}) as {@code 127.0.0.1:port/webvm-test/bookworm-i386:fixture}. */
    public String seedTestBase() throws IOException {
        return seed("containers-storage:" + TestBaseImage.podmanImage(), "webvm-test/bookworm-i386", "fixture");
    }

    public boolean hasManifest(String repository, String tag) throws IOException {
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://" + address() + "/v2/" + repository
                        + "/manifests/" + tag))
                .method("HEAD", HttpRequest.BodyPublishers.noBody())
                .header("Accept", "application/vnd.docker.distribution.manifest.v2+json,"
                        + "application/vnd.oci.image.manifest.v1+json,application/vnd.oci.image.index.v1+json")
                .build();
        try {
            return http.send(req, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    private void awaitReady() throws IOException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        IOException last = null;
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create("http://" + address() + "/v2/"))
                        .build(), HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                last = e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
            sleep(100);
        }
        close();
        throw new IOException("docker-registry at " + address() + " does not answer /v2/", last);
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(java.time.Duration.ofSeconds(5).toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

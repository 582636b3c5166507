package io.github.miniwebvm.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SiteServerTest {
    @TempDir Path temp;
    private Path site;
    private final HttpClient http = HttpClient.newHttpClient();
    private final byte[] chunk = new byte[1000];

    @BeforeEach
    void site() throws Exception {
        site = Files.createDirectories(temp.resolve("site"));
        Files.writeString(site.resolve("index.html"), "<!doctype html><title>t</title>");
        Files.createDirectories(site.resolve("assets"));
        Files.write(site.resolve("assets/v86.wasm"), new byte[] {0, 'a', 's', 'm'});
        Files.createDirectories(site.resolve("disk/chunks"));
        for (int i = 0; i < chunk.length; i++) {
            chunk[i] = (byte) i;
        }
        Files.write(site.resolve("disk/chunks/abc"), chunk);
        Files.writeString(site.resolve("../secret.txt"), "outside");
    }

    private HttpResponse<byte[]> get(SiteServer s, String path, String range) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(s.uri().resolve(path));
        if (range != null) {
            b.header("Range", range);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    void servesIndexWithIsolationHeaders() throws Exception {
        try (SiteServer s = SiteServer.start(site, 0)) {
            assertThat(s.uri().getHost()).isEqualTo("127.0.0.1");
            HttpResponse<byte[]> r = get(s, "/", null);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(new String(r.body(), StandardCharsets.UTF_8)).contains("<title>t</title>");
            assertThat(r.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
            assertThat(r.headers().firstValue("Cross-Origin-Opener-Policy")).hasValue("same-origin");
            assertThat(r.headers().firstValue("Cross-Origin-Embedder-Policy")).hasValue("require-corp");
            assertThat(r.headers().firstValue("Cross-Origin-Resource-Policy")).hasValue("cross-origin");
        }
    }

    @Test
    void wasmHasItsMimeType() throws Exception {
        try (SiteServer s = SiteServer.start(site, 0)) {
            HttpResponse<byte[]> r = get(s, "/assets/v86.wasm", null);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Type")).hasValue("application/wasm");
        }
    }

    @Test
    void rangeRequestsReturnPartialContent() throws Exception {
        try (SiteServer s = SiteServer.start(site, 0)) {
            HttpResponse<byte[]> r = get(s, "/disk/chunks/abc", "bytes=100-199");
            assertThat(r.statusCode()).isEqualTo(206);
            assertThat(r.headers().firstValue("Content-Range")).hasValue("bytes 100-199/1000");
            assertThat(r.body()).hasSize(100).startsWith((byte) 100);

            HttpResponse<byte[]> suffix = get(s, "/disk/chunks/abc", "bytes=-10");
            assertThat(suffix.statusCode()).isEqualTo(206);
            assertThat(suffix.body()).hasSize(10);

            HttpResponse<byte[]> bad = get(s, "/disk/chunks/abc", "bytes=5000-");
            assertThat(bad.statusCode()).isEqualTo(416);
            assertThat(bad.headers().firstValue("Content-Range")).hasValue("bytes */1000");
        }
    }

    @Test
    void neverServesOutsideTheSite() throws Exception {
        try (SiteServer s = SiteServer.start(site, 0)) {
            HttpRequest req = HttpRequest.newBuilder(URI.create(s.uri() + "..%2Fsecret.txt")).build();
            assertThat(http.send(req, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(404);
            assertThat(get(s, "/missing.js", null).statusCode()).isEqualTo(404);
        }
    }

    @Test
    void neverFollowsASymbolicLinkOutOfTheSite() throws Exception {
        Files.createSymbolicLink(site.resolve("leak.txt"), site.resolve("../secret.txt"));
        Files.createSymbolicLink(site.resolve("up"), temp);
        Files.createSymbolicLink(site.resolve("inside.html"), site.resolve("index.html"));
        try (SiteServer s = SiteServer.start(site, 0)) {
            assertThat(get(s, "/leak.txt", null).statusCode()).isEqualTo(404);
            assertThat(get(s, "/up/secret.txt", null).statusCode()).isEqualTo(404);
            assertThat(get(s, "/inside.html", null).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void answersOnlyRequestsThatNameTheLoopback() throws Exception {
        try (SiteServer s = SiteServer.start(site, 0)) {
            for (String host : new String[] {"evil.example", "evil.example:" + s.port(), "127.0.0.1.evil.example"}) {
                assertThat(rawStatus(s, host)).as("Host: " + host).isEqualTo(421);
            }
            for (String host : new String[] {"127.0.0.1:" + s.port(), "localhost:" + s.port(), "LOCALHOST", "[::1]:" + s.port()}) {
                assertThat(rawStatus(s, host)).as("Host: " + host).isEqualTo(200);
            }
        }
    }

    @Test
    void rangesBeyondAnyNumberAreAnsweredNotDropped() throws Exception {
        try (SiteServer s = SiteServer.start(site, 0)) {
            HttpResponse<byte[]> open = get(s, "/disk/chunks/abc", "bytes=10-99999999999999999999999");
            assertThat(open.statusCode()).isEqualTo(206);
            assertThat(open.headers().firstValue("Content-Range")).hasValue("bytes 10-999/1000");
            assertThat(get(s, "/disk/chunks/abc", "bytes=99999999999999999999999-").statusCode()).isEqualTo(416);
            HttpResponse<byte[]> suffix = get(s, "/disk/chunks/abc", "bytes=-99999999999999999999999");
            assertThat(suffix.statusCode()).isEqualTo(206);
            assertThat(suffix.body()).hasSize(1000);
        }
    }

    /** The status of a GET / with the given Host header, over a plain socket (HttpClient sets Host itself). */
    private static int rawStatus(SiteServer s, String host) throws Exception {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", s.port())) {
            socket.getOutputStream().write(("GET / HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            String status = new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(),
                    StandardCharsets.US_ASCII)).readLine();
            return Integer.parseInt(status.split(" ")[1]);
        }
    }
}

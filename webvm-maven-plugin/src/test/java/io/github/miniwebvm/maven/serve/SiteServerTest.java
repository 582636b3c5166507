package io.github.miniwebvm.maven.serve;

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
}

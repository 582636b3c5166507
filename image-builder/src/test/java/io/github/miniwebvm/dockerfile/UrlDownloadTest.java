package io.github.miniwebvm.dockerfile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UrlDownloadTest {
    @TempDir
    Path dir;

    private HttpServer server;
    private final CountDownLatch release = new CountDownLatch(1);

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/stalls", ex -> {
            ex.sendResponseHeaders(200, 1000);
            OutputStream out = ex.getResponseBody();
            out.write("first bytes".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            try {
                release.await(5, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            ex.close();
        });
        server.createContext("/endless", ex -> {
            ex.sendResponseHeaders(200, 0);
            try (OutputStream out = ex.getResponseBody()) {
                byte[] block = new byte[4096];
                for (int i = 0; i < 64; i++) {
                    out.write(block);
                }
            } catch (java.io.IOException e) {
                // the client hung up, as it should
            }
        });
        server.createContext("/file", ex -> {
            byte[] body = "hello".getBytes(StandardCharsets.US_ASCII);
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
    }

    @AfterEach
    void stop() {
        release.countDown();
        server.stop(0);
    }

    private String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    @Test
    void aServerThatStopsSendingIsGivenUpAndLeavesNoPartialFile() {
        assertThatThrownBy(() -> UrlDownload.fetch(url("/stalls"), dir, 1 << 20, Duration.ofMillis(300)))
                .isInstanceOf(ImageBuildException.class)
                .hasMessageContaining("ADD " + url("/stalls"))
                .hasMessageContaining("the server sent nothing for 300 ms");
        assertThat(dir).isEmptyDirectory();
    }

    @Test
    void aBodyBeyondTheLimitIsRefusedWithTheParameterToRaise() {
        assertThatThrownBy(() -> UrlDownload.fetch(url("/endless"), dir, 10_000, Duration.ofSeconds(30)))
                .isInstanceOf(ImageBuildException.class)
                .hasMessageContaining("larger than the limit")
                .hasMessageContaining("maxAddSize");
        assertThat(dir).isEmptyDirectory();
    }

    @Test
    void aWholeBodyIsKept() throws Exception {
        Path file = UrlDownload.fetch(url("/file"), dir, 1 << 20, Duration.ofSeconds(30));
        assertThat(Files.readString(file)).isEqualTo("hello");
    }
}

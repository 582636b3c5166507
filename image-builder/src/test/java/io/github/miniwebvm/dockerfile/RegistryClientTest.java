package io.github.miniwebvm.dockerfile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.miniwebvm.io.Sha256;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A hostile registry on 127.0.0.1: answers that are too large, or larger than declared, are refused. */
class RegistryClientTest {
    @TempDir
    Path cache;
    private ServerSocket server;
    private Thread serving;
    private final Map<String, byte[]> answers = new ConcurrentHashMap<>();

    /**
     * A plain-HTTP registry that answers a TLS handshake as real registries do (with an HTTP 400),
     * so that the client's HTTPS probe fails at once and it falls back to plain HTTP.
     */
    @BeforeEach
    void start() throws Exception {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        serving = new Thread(() -> {
            while (!server.isClosed()) {
                try (Socket s = server.accept()) {
                    answer(s);
                } catch (IOException closed) {
                    // the test is over, or the client went away
                }
            }
        });
        serving.setDaemon(true);
        serving.start();
    }

    private void answer(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        OutputStream out = s.getOutputStream();
        int first = in.read();
        if (first == 0x16) {                                  // a TLS ClientHello
            out.write("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            return;
        }
        BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII));
        String requestLine = (char) first + r.readLine();
        while (!r.readLine().isEmpty()) {
            // headers
        }
        String path = requestLine.split(" ")[1];
        byte[] body = answers.get(path);
        String status = body != null ? "200 OK" : path.equals("/v2/") ? "200 OK" : "404 Not Found";
        byte[] b = body != null ? body : new byte[0];
        out.write(("HTTP/1.1 " + status + "\r\nContent-Length: " + b.length + "\r\nConnection: close\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.write(b);
    }

    @AfterEach
    void stop() throws IOException {
        server.close();
    }

    private RegistryClient.Reference ref() {
        return RegistryClient.Reference.parse("127.0.0.1:" + server.getLocalPort() + "/evil/image:1");
    }

    @Test
    void plainHttpIsOnlyForRegistriesOnThisMachine() {
        assertThat(RegistryClient.Reference.parse("localhost:5000/a/b").onLoopback()).isTrue();
        assertThat(RegistryClient.Reference.parse("127.0.0.1:5000/a/b").onLoopback()).isTrue();
        assertThat(RegistryClient.Reference.parse("127.1.2.3/a/b").onLoopback()).isTrue();
        assertThat(RegistryClient.Reference.parse("[::1]:5000/a/b").onLoopback()).isTrue();
        assertThat(RegistryClient.Reference.parse("registry.example:5000/a/b").onLoopback()).isFalse();
        assertThat(RegistryClient.Reference.parse("localhost.example/a/b").onLoopback()).isFalse();
        assertThat(RegistryClient.Reference.parse("debian:12").onLoopback()).isFalse();
    }

    @Test
    void aManifestOfMoreThanFourMebibytesIsRefused() {
        answers.put("/v2/evil/image/manifests/1", new byte[RegistryClient.MAX_DOCUMENT_BYTES + 1]);
        assertThatThrownBy(() -> new RegistryClient(cache, true, l -> { }).pull(ref(), "linux/386"))
                .isInstanceOf(ImageBuildException.class).hasMessageContaining("more than 4194304 bytes");
    }

    @Test
    void aBlobLargerThanItsManifestSaysIsRefusedAndNothingIsKept() throws Exception {
        byte[] config = "{\"architecture\":\"386\",\"os\":\"linux\",\"rootfs\":{\"diff_ids\":[]}}"
                .getBytes(StandardCharsets.UTF_8);
        String digest = Sha256.ociDigest(config);
        answers.put("/v2/evil/image/manifests/1", ("{\"schemaVersion\":2,\"mediaType\":"
                + "\"application/vnd.oci.image.manifest.v1+json\",\"config\":{\"digest\":\"" + digest
                + "\",\"size\":10},\"layers\":[]}").getBytes(StandardCharsets.UTF_8));
        answers.put("/v2/evil/image/blobs/" + digest, config);
        assertThatThrownBy(() -> new RegistryClient(cache, true, l -> { }).pull(ref(), "linux/386"))
                .isInstanceOf(ImageBuildException.class).hasMessageContaining("larger than the 10 bytes");
        try (Stream<Path> files = Files.walk(cache)) {
            assertThat(files.filter(Files::isRegularFile)).as("files left in the blob cache").isEmpty();
        }
    }
}

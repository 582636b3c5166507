package io.github.miniwebvm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.miniwebvm.testsupport.MissingOracle;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runnable jar as a user runs it, in a project folder with a Dockerfile: {@code package}
 * builds with the native builder ({@code FROM scratch} and {@code ADD} of a rootfs tar, as the
 * plugin's interrupted-builds IT does), then {@code serve} answers with the emulator's headers.
 */
class WebVmCliJarIT {
    private static final Path CACHE = Path.of(System.getProperty("user.home"), ".cache", "webvm-maven");

    @TempDir
    Path project;

    private Process start(String... args) throws Exception {
        Path jar = Path.of(System.getProperty("webvm.cli.jar"));
        assertThat(jar).isRegularFile();
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", jar.toString()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).directory(project.toFile()).redirectErrorStream(true).start();
    }

    @Test
    void packageThenServeFromTheJar() throws Exception {
        MissingOracle.require(Files.isDirectory(CACHE.resolve("debian")), "the boot kit cache in " + CACHE);
        TinyRootfs.write(project.resolve("tiny-rootfs.tar"));
        Files.writeString(project.resolve("Dockerfile"), "FROM scratch\nADD tiny-rootfs.tar /\nCMD [\"/bin/sh\"]\n");

        Process pack = start("package", "--builder", "native", "--image-size", "4M", "--no-snapshot", "--offline");
        String output = new String(pack.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(pack.waitFor()).as(output).isZero();
        assertThat(output).contains("build: native").contains("site ready in " + project.resolve("target/webvm-site"));
        Path site = project.resolve("target/webvm-site");
        assertThat(site.resolve("index.html")).isRegularFile();
        assertThat(Files.readString(site.resolve("webvm.json"))).contains("/bin/sh");

        Process serve = start("serve", "--port", "0");
        try {
            BufferedReader lines = new BufferedReader(new InputStreamReader(serve.getInputStream(), StandardCharsets.UTF_8));
            Pattern url = Pattern.compile("Serving .* at (http://127\\.0\\.0\\.1:\\d+/)");
            String line;
            Matcher m = null;
            while ((line = lines.readLine()) != null && (m = url.matcher(line)).find() == false) {
                m = null;
            }
            assertThat(m).as("serve printed its URL").isNotNull();
            HttpResponse<String> index = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(m.group(1))).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(index.statusCode()).isEqualTo(200);
            assertThat(index.headers().firstValue("Cross-Origin-Embedder-Policy")).hasValue("require-corp");
            assertThat(index.body()).isEqualTo(Files.readString(site.resolve("index.html")));
        } finally {
            serve.destroy();
            serve.waitFor();
        }
    }
}

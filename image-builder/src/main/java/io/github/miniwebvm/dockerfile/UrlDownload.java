package io.github.miniwebvm.dockerfile;

import io.github.miniwebvm.io.AtomicFiles;
import io.github.miniwebvm.io.Sha256;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.OptionalLong;

/**
 * The file behind an {@code ADD <url>}: fetched into a directory of the native builder's cache,
 * never more than a limit of bytes, through a temporary file that a failed download leaves no
 * trace of.
 */
final class UrlDownload {
    private UrlDownload() {
    }

    /** How long a download may go without a byte before it is given up. */
    static final Duration IDLE_TIMEOUT = Duration.ofSeconds(60);

    /** Downloads {@code url} into {@code dir}; its mtime is the server's Last-Modified when given. */
    static Path fetch(String url, Path dir, long maxBytes) throws IOException {
        return fetch(url, dir, maxBytes, IDLE_TIMEOUT);
    }

    static Path fetch(String url, Path dir, long maxBytes, Duration idle) throws IOException {
        Files.createDirectories(dir);
        Path file = dir.resolve(Sha256.hexOfOciDigest(Sha256.ociDigest(url)));
        Path part = Files.createTempFile(dir, "download-", ".part");
        HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
                .connectTimeout(Duration.ofSeconds(20)).build();
        try {
            HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(idle).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream body = new IdleTimeoutStream(r.body(), idle, "ADD " + url)) {
                if (r.statusCode() != 200) {
                    throw new ImageBuildException("ADD " + url + ": HTTP " + r.statusCode());
                }
                OptionalLong declared = r.headers().firstValueAsLong("Content-Length");
                if (declared.isPresent() && declared.getAsLong() > maxBytes) {
                    throw tooLarge(url, maxBytes, "it is " + declared.getAsLong() + " bytes");
                }
                try (OutputStream out = Files.newOutputStream(part)) {
                    copyAtMost(body, out, maxBytes, url);
                }
            }
            r.headers().firstValue("Last-Modified").ifPresent(lm -> {
                try {
                    Files.setLastModifiedTime(part, FileTime.from(
                            ZonedDateTime.parse(lm, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant()));
                } catch (IOException | RuntimeException e) {
                    // keep the download time
                }
            });
            AtomicFiles.replace(part, file);
            return file;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ImageBuildException("ADD " + url + ": interrupted", e);
        } catch (ImageBuildException e) {
            throw e;
        } catch (IOException | IllegalArgumentException e) {
            throw new ImageBuildException("ADD " + url + " failed: " + e.getMessage(), e);
        } finally {
            Files.deleteIfExists(part);
        }
    }

    private static void copyAtMost(InputStream in, OutputStream out, long maxBytes, String url) throws IOException {
        byte[] buf = new byte[1 << 16];
        long total = 0;
        int n;
        while ((n = in.read(buf)) > 0) {
            total += n;
            if (total > maxBytes) {
                throw tooLarge(url, maxBytes, "the server sent more");
            }
            out.write(buf, 0, n);
        }
    }

    private static ImageBuildException tooLarge(String url, long maxBytes, String how) {
        return new ImageBuildException("ADD " + url + ": refused, larger than the limit of " + Sizes.describe(maxBytes)
                + " (" + how + "); put the file into the build context, or raise the limit with "
                + "the maxAddSize parameter");
    }
}

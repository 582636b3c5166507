package io.github.miniwebvm.core;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A local preview server for a built site: static files with the cross-origin isolation headers
 * (COOP/COEP/CORP) that the emulators need, single-range requests and the MIME types browsers
 * insist on (notably {@code application/wasm}). Loopback only, and only to requests that name
 * it ({@code Host: 127.0.0.1}, {@code localhost} or {@code [::1]}), so that a web page cannot
 * reach it through a DNS name rebound to 127.0.0.1; never a file outside the site, symbolic links
 * included.
 */
public final class SiteServer implements AutoCloseable {
    private static final Pattern RANGE = Pattern.compile("bytes=(\\d*)-(\\d*)");
    private static final Pattern LOOPBACK_HOST = Pattern.compile("(127\\.0\\.0\\.1|localhost|\\[::1\\])(:\\d+)?",
            Pattern.CASE_INSENSITIVE);
    private static final Map<String, String> MIME = Map.ofEntries(
            Map.entry("html", "text/html; charset=utf-8"),
            Map.entry("js", "text/javascript; charset=utf-8"),
            Map.entry("mjs", "text/javascript; charset=utf-8"),
            Map.entry("css", "text/css; charset=utf-8"),
            Map.entry("json", "application/json"),
            Map.entry("wasm", "application/wasm"),
            Map.entry("txt", "text/plain; charset=utf-8"),
            Map.entry("meta", "text/plain; charset=utf-8"),
            Map.entry("svg", "image/svg+xml"),
            Map.entry("png", "image/png"),
            Map.entry("ico", "image/x-icon"),
            Map.entry("zst", "application/zstd"),
            Map.entry("gz", "application/gzip"));

    private final Path root;
    private final HttpServer server;
    private final ExecutorService executor;

    private SiteServer(Path root, HttpServer server, ExecutorService executor) {
        this.root = root;
        this.server = server;
        this.executor = executor;
    }

    /** Starts serving {@code root} on 127.0.0.1:{@code port} (0 picks a free port). */
    public static SiteServer start(Path root, int port) throws IOException {
        Path absolute = root.toAbsolutePath().normalize();
        if (!Files.isDirectory(absolute)) {
            throw new IOException("no site to serve at " + absolute + "; build the site first (webvm:package, or the CLI's package)");
        }
        absolute = absolute.toRealPath();
        HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64);
        ExecutorService executor = Executors.newFixedThreadPool(8, r -> {
            Thread t = new Thread(r, "webvm-serve");
            t.setDaemon(true);
            return t;
        });
        SiteServer s = new SiteServer(absolute, http, executor);
        http.createContext("/", s::handle);
        http.setExecutor(executor);
        http.start();
        return s;
    }

    public URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
    }

    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            var h = ex.getResponseHeaders();
            h.set("Cross-Origin-Opener-Policy", "same-origin");
            h.set("Cross-Origin-Embedder-Policy", "require-corp");
            h.set("Cross-Origin-Resource-Policy", "cross-origin");
            h.set("Accept-Ranges", "bytes");
            String host = ex.getRequestHeaders().getFirst("Host");
            if (host == null || !LOOPBACK_HOST.matcher(host.trim()).matches()) {
                sendText(ex, 421, "this preview server answers only to 127.0.0.1, localhost and [::1]\n");
                return;
            }
            String method = ex.getRequestMethod();
            if (!method.equals("GET") && !method.equals("HEAD")) {
                h.set("Allow", "GET, HEAD");
                ex.sendResponseHeaders(405, -1);
                return;
            }
            Path file = resolve(ex.getRequestURI().getPath());
            if (file == null) {
                sendText(ex, 404, "not found\n");
                return;
            }
            if (Files.isDirectory(file)) {
                file = file.resolve("index.html");
                if (!Files.isRegularFile(file)) {
                    sendText(ex, 404, "not found\n");
                    return;
                }
            }
            h.set("Content-Type", mimeType(file));
            h.set("Cache-Control", "no-cache");
            long size = Files.size(file);
            long start = 0;
            long end = size - 1;
            int status = 200;
            String range = ex.getRequestHeaders().getFirst("Range");
            if (range != null) {
                Matcher m = RANGE.matcher(range.trim());
                if (!m.matches() || (m.group(1).isEmpty() && m.group(2).isEmpty())) {
                    h.set("Content-Range", "bytes */" + size);
                    ex.sendResponseHeaders(416, -1);
                    return;
                }
                if (m.group(1).isEmpty()) {               // suffix range: the last N bytes
                    start = Math.max(0, size - position(m.group(2)));
                } else {
                    start = position(m.group(1));
                    if (!m.group(2).isEmpty()) {
                        end = Math.min(end, position(m.group(2)));
                    }
                }
                if (start >= size || start > end) {
                    h.set("Content-Range", "bytes */" + size);
                    ex.sendResponseHeaders(416, -1);
                    return;
                }
                status = 206;
                h.set("Content-Range", "bytes " + start + "-" + end + "/" + size);
            }
            long length = end - start + 1;
            if (method.equals("HEAD")) {
                h.set("Content-Length", Long.toString(length));
                ex.sendResponseHeaders(status, -1);
                return;
            }
            ex.sendResponseHeaders(status, length == 0 ? -1 : length);
            if (length > 0) {
                try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
                     OutputStream out = ex.getResponseBody()) {
                    ch.position(start);
                    InputStream in = Channels.newInputStream(ch);
                    byte[] buf = new byte[64 * 1024];
                    long left = length;
                    while (left > 0) {
                        int n = in.read(buf, 0, (int) Math.min(buf.length, left));
                        if (n < 0) {
                            break;
                        }
                        out.write(buf, 0, n);
                        left -= n;
                    }
                }
            }
        } catch (IOException e) {
            // the browser went away mid-transfer: nothing to answer
        }
    }

    /** The file for a URL path, or null when it is missing or would leave the site root. */
    private Path resolve(String urlPath) {
        if (urlPath == null || urlPath.indexOf('\0') >= 0) {
            return null;
        }
        Path p = root;
        for (String seg : urlPath.split("/")) {
            if (seg.isEmpty() || seg.equals(".")) {
                continue;
            }
            if (seg.equals("..")) {
                return null;
            }
            p = p.resolve(seg);
        }
        p = p.normalize();
        if (!p.startsWith(root) || !Files.exists(p)) {
            return null;
        }
        try {
            Path real = p.toRealPath();   // a symbolic link in the site may point anywhere
            return real.startsWith(root) ? real : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** A byte position of a Range header; past Long.MAX_VALUE is as good as past the end of any file. */
    private static long position(String digits) {
        return digits.length() > 18 ? Long.MAX_VALUE : Long.parseLong(digits);
    }

    static String mimeType(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        int dot = name.lastIndexOf('.');
        String ext = dot < 0 ? "" : name.substring(dot + 1);
        return MIME.getOrDefault(ext, "application/octet-stream");
    }

    private static void sendText(HttpExchange ex, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
    }
}

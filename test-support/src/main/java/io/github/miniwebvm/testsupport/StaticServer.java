package io.github.miniwebvm.testsupport;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A plain static file server like GitHub Pages: content types only, no COOP/COEP headers.
 * Counts the bytes it sends and records the paths requested.
 */
public final class StaticServer implements AutoCloseable {
  private static final Map<String, String> TYPES = Map.of(
      "html", "text/html; charset=utf-8", "js", "text/javascript", "css", "text/css",
      "json", "application/json", "wasm", "application/wasm", "svg", "image/svg+xml",
      "txt", "text/plain");

  private final HttpServer server;
  private final Path root;
  public final AtomicLong bytesSent = new AtomicLong();
  public final List<String> requests = new CopyOnWriteArrayList<>();
  /** path → how many more requests for it are answered 503 (a flaky host) */
  public final Map<String, AtomicInteger> failNext = new ConcurrentHashMap<>();

  private final boolean cors;

  public StaticServer(Path root) throws IOException {
    this(root, false);
  }

  /** With {@code cors}, answers like a CDN: {@code Access-Control-Allow-Origin: *} on every file. */
  public StaticServer(Path root, boolean cors) throws IOException {
    this.cors = cors;
    this.root = root.toAbsolutePath().normalize();
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(Executors.newFixedThreadPool(8));
    server.createContext("/", this::handle);
    server.start();
  }

  public String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/";
  }

  public void resetCounters() {
    bytesSent.set(0);
    requests.clear();
  }

  public long diskRequests() {
    return requests.stream().filter(p -> p.startsWith("/disk/")).count();
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      String path = ex.getRequestURI().getPath();
      requests.add(path);
      AtomicInteger failures = failNext.get(path);
      if (failures != null && failures.getAndDecrement() > 0) {
        ex.sendResponseHeaders(503, -1);
        return;
      }
      Path file = root.resolve(path.substring(1) + (path.endsWith("/") ? "index.html" : "")).normalize();
      if (!file.startsWith(root) || !Files.isRegularFile(file)) {
        ex.sendResponseHeaders(404, -1);
        return;
      }
      String name = file.getFileName().toString();
      String ext = name.contains(".") ? name.substring(name.lastIndexOf('.') + 1) : "";
      ex.getResponseHeaders().set("Content-Type", TYPES.getOrDefault(ext, "application/octet-stream"));
      if (cors) ex.getResponseHeaders().set("Access-Control-Allow-Origin", "*");
      byte[] body = Files.readAllBytes(file);
      boolean head = ex.getRequestMethod().equals("HEAD");
      ex.sendResponseHeaders(200, head ? -1 : body.length);
      if (!head) {
        try (OutputStream out = ex.getResponseBody()) {
          out.write(body);
        }
        bytesSent.addAndGet(body.length);
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
    ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
  }
}

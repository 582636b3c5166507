package io.github.miniwebvm.site;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.miniwebvm.io.Sha256;
import io.github.miniwebvm.io.Trees;
import io.github.miniwebvm.runtime.SiteConfig;
import io.github.miniwebvm.runtime.WebvmJson;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * Writes the page, service worker, configuration and runtime assets of a site into a directory
 * that already holds (or will hold) the chunker's {@code disk/} and the boot kit's {@code boot/}.
 *
 * <pre>{@code
 * AssembledSite site = SiteAssembler.builder().config(siteConfig).build().assemble(siteDir);
 * }</pre>
 *
 * Writes {@code index.html}, {@code sw.js}, {@code webvm.json} ({@link WebvmJson}), {@code favicon.svg},
 * {@code .nojekyll}, {@code _headers} and {@code assets/} (content-hashed names, so hosts may cache
 * them forever); {@code assets/} is emptied first. Only the chosen engine's files are copied. For
 * the CheerpX engine, last, an {@code index.list} in every directory ({@link #writeIndexLists}).
 */
public final class SiteAssembler {

  static final String RUNTIME = "META-INF/webvm/runtime/";
  private static final String TEMPLATE = "io/github/miniwebvm/site/";

  private final SiteConfig config;

  private SiteAssembler(SiteConfig config) {
    this.config = config;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Builds a {@link SiteAssembler}. */
  public static final class Builder {
    private SiteConfig config;

    private Builder() {}

    public Builder config(SiteConfig config) {
      this.config = Objects.requireNonNull(config, "config");
      return this;
    }

    public SiteAssembler build() {
      if (config == null) throw new IllegalStateException("SiteAssembler needs a SiteConfig");
      return new SiteAssembler(config);
    }
  }

  /**
   * Assembles the site into {@code siteDir} (created if missing).
   *
   * @return the site-relative paths written, in order, and the {@code webvm.json} written
   * @throws IOException if the disk manifest or boot files the config names are missing from
   *     {@code siteDir}, or on write errors
   */
  public AssembledSite assemble(Path siteDir) throws IOException {
    checkInputs(siteDir);
    JsonNode runtime = readJson(RUNTIME + "runtime.json");
    JsonNode engine = runtime.path("engines").path(config.engine().id());
    if (engine.isMissingNode()) {
      throw new IOException("engine " + config.engine().id() + " is not in this build of emulator-runtime"
          + " (it has " + runtime.path("engines").properties().stream().map(e -> e.getKey()).toList() + ")");
    }
    Files.createDirectories(siteDir);
    Path assets = siteDir.resolve("assets");
    Trees.deleteRecursively(assets);
    Files.createDirectories(assets);
    List<String> written = new ArrayList<>();

    String script = copyHashed(RUNTIME + runtime.path("page").path("script").asText(), assets, written);
    List<String> styles = new ArrayList<>();
    for (JsonNode s : runtime.path("page").path("styles")) styles.add(copyHashed(RUNTIME + s.asText(), assets, written));
    styles.add(copyHashed(TEMPLATE + "webvm.css", assets, written));
    copy(RUNTIME + runtime.path("page").path("notices").asText(), assets.resolve("THIRD-PARTY.txt"), siteDir, written);

    Map<String, String> assetNames = new LinkedHashMap<>();
    assetNames.put("engine", copyHashed(RUNTIME + engine.path("module").asText(), assets, written));
    engine.path("files").properties().forEach(f -> {
      try {
        assetNames.put(f.getKey(), copyHashed(RUNTIME + f.getValue().asText(), assets, written));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });

    copy(RUNTIME + runtime.path("page").path("serviceWorker").asText(), siteDir.resolve("sw.js"), siteDir, written);
    String html = resourceText(TEMPLATE + "index.html")
        .replace("{{title}}", escapeHtml(config.title()))
        .replace("{{styles}}", String.join("\n  ", styles.stream()
            .map(s -> "<link rel=\"stylesheet\" href=\"" + s + "\">").toList()))
        .replace("{{script}}", script);
    write(siteDir.resolve("index.html"), html, siteDir, written);
    WebvmJson webvmJson = new WebvmJson(config, assetNames, null);
    webvmJson.write(siteDir);
    written.add(WebvmJson.FILE_NAME);
    copy(TEMPLATE + "favicon.svg", siteDir.resolve("favicon.svg"), siteDir, written);
    write(siteDir.resolve(".nojekyll"), "", siteDir, written);
    write(siteDir.resolve("_headers"), HEADERS, siteDir, written);
    if (config.engine() == SiteConfig.Engine.CHEERPX) writeIndexLists(siteDir, written);
    return new AssembledSite(webvmJson, written);
  }

  /**
   * CheerpX mounts the site at {@code /web} (its WebDevice reads files over HTTP) and lists a
   * directory by reading the {@code index.list} in it: one name per line, as WebVM's deploy
   * workflow writes them with {@code ls}. Every directory of the site gets one, names in byte
   * order ({@code LC_ALL=C ls}), hidden files and {@code index.list} itself left out.
   */
  static void writeIndexLists(Path siteDir, List<String> written) throws IOException {
    List<Path> dirs;
    try (Stream<Path> paths = Files.walk(siteDir)) {
      dirs = paths.filter(Files::isDirectory)
          .filter(d -> siteDir.relativize(d).toString().isEmpty() || !isHidden(siteDir.relativize(d)))
          .sorted().toList();
    }
    for (Path dir : dirs) {
      StringBuilder list = new StringBuilder();
      try (Stream<Path> entries = Files.list(dir)) {
        entries.map(p -> p.getFileName().toString())
            .filter(n -> !n.startsWith(".") && !n.equals("index.list"))
            .sorted()
            .forEach(n -> list.append(n).append('\n'));
      }
      write(dir.resolve("index.list"), list.toString(), siteDir, written);
    }
  }

  private static boolean isHidden(Path relative) {
    for (Path part : relative) {
      if (part.toString().startsWith(".")) return true;
    }
    return false;
  }

  // Netlify and Cloudflare Pages read this file; elsewhere the service worker adds the headers.
  private static final String HEADERS = """
      /*
        Cross-Origin-Opener-Policy: same-origin
        Cross-Origin-Embedder-Policy: require-corp
        Cross-Origin-Resource-Policy: cross-origin
      /assets/*
        Cache-Control: public, max-age=31536000, immutable
      /sw.js
        Cache-Control: no-cache
      /webvm.json
        Cache-Control: no-cache
      """;

  private void checkInputs(Path siteDir) throws IOException {
    List<String> missing = new ArrayList<>();
    if (!Files.isRegularFile(siteDir.resolve(config.disk().manifest()))) missing.add(config.disk().manifest() + " (chunker)");
    SiteConfig.Boot b = config.boot();
    if (b != null) {
      for (String f : List.of(b.bios(), b.kernel(), b.initrd())) {
        if (!Files.isRegularFile(siteDir.resolve(f))) missing.add(f + " (boot kit)");
      }
    }
    if (!missing.isEmpty()) {
      throw new IOException("cannot assemble the site in " + siteDir + ": missing " + String.join(", ", missing)
          + "; run the chunker and the boot kit into the same directory first");
    }
  }

  private static String copyHashed(String resource, Path assets, List<String> written) throws IOException {
    byte[] bytes = resourceBytes(resource);
    String file = resource.substring(resource.lastIndexOf('/') + 1);
    int dot = file.indexOf('.');
    String hashed = file.substring(0, dot) + "." + Sha256.hex(bytes).substring(0, 12) + file.substring(dot);
    Files.write(assets.resolve(hashed), bytes);
    written.add("assets/" + hashed);
    return "assets/" + hashed;
  }

  private static void copy(String resource, Path target, Path siteDir, List<String> written) throws IOException {
    Files.write(target, resourceBytes(resource));
    written.add(siteDir.relativize(target).toString());
  }

  private static void write(Path target, String text, Path siteDir, List<String> written) throws IOException {
    Files.writeString(target, text, StandardCharsets.UTF_8);
    written.add(siteDir.relativize(target).toString());
  }

  private static byte[] resourceBytes(String name) throws IOException {
    try (InputStream in = SiteAssembler.class.getClassLoader().getResourceAsStream(name)) {
      if (in == null) {
        throw new IOException("resource " + name + " is missing from the classpath (emulator-runtime/site-template jar built incompletely?)");
      }
      return in.readAllBytes();
    }
  }

  private static String resourceText(String name) throws IOException {
    return new String(resourceBytes(name), StandardCharsets.UTF_8);
  }

  private static JsonNode readJson(String name) throws IOException {
    return json().readTree(resourceBytes(name));
  }

  private static ObjectMapper json() {
    return new ObjectMapper();
  }

  private static String escapeHtml(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}

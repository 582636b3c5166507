package io.github.miniwebvm.runtime;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.miniwebvm.io.Sha256;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A site's {@code webvm.json} (format {@value #FORMAT}, {@code site-template/FORMAT.md}): the one
 * place that writes it and reads it back. The page, the service worker and the build-time
 * snapshot boot read what {@link #toJson()} gives.
 *
 * @param config what the site boots
 * @param assets the content-hashed, site-relative names of the engine's files, {@code engine}
 *     first (the engine module), then the engine's own files such as {@code wasm}
 * @param snapshot the build-time snapshot (v86); {@code null} when the site cold-boots
 */
public record WebvmJson(SiteConfig config, Map<String, String> assets, SnapshotEntry snapshot) {

  /** The value of the {@code format} field. */
  public static final String FORMAT = "webvm-site/1";

  /** The file's name in the site. */
  public static final String FILE_NAME = "webvm.json";

  public WebvmJson {
    Objects.requireNonNull(config, "config");
    if (!assets.containsKey("engine")) {
      throw new IllegalArgumentException("assets must name the engine module, has " + assets.keySet());
    }
    assets = Collections.unmodifiableMap(new LinkedHashMap<>(assets));
    if (snapshot != null && config.engine() != SiteConfig.Engine.V86) {
      throw new IllegalArgumentException("engine " + config.engine().id() + " has no snapshots (v86 only)");
    }
  }

  /** This site with the snapshot {@code entry}. */
  public WebvmJson withSnapshot(SnapshotEntry entry) {
    return new WebvmJson(config, assets, Objects.requireNonNull(entry, "entry"));
  }

  /** Writes {@code siteDir/webvm.json}, replacing the previous one at once (temporary file, then a rename). */
  public void write(Path siteDir) throws IOException {
    Path target = siteDir.resolve(FILE_NAME);
    Path tmp = siteDir.resolve(FILE_NAME + ".tmp");
    Files.writeString(tmp, json().writeValueAsString(toJson()) + "\n", StandardCharsets.UTF_8);
    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /** The file's JSON, fields in the order of {@code site-template/FORMAT.md}. */
  public ObjectNode toJson() {
    ObjectNode root = json().createObjectNode();
    root.put("format", FORMAT);
    root.put("title", config.title());
    root.put("engine", config.engine().id());
    SiteConfig.Disk d = config.disk();
    ObjectNode disk = root.putObject("disk");
    disk.put("manifest", d.manifest());
    disk.put("name", d.imageName());
    disk.put("size", d.size());
    disk.put("chunkSize", d.chunkSize());
    disk.put("imageSha256", d.imageSha256());
    SiteConfig.Command c = config.command();
    root.put("cmd", c.cmd());
    c.args().forEach(root.putArray("args")::add);
    c.env().forEach(root.putArray("env")::add);
    root.put("cwd", c.cwd());
    root.put("uid", c.uid());
    root.put("gid", c.gid());
    root.put("memoryMiB", config.memoryMiB());
    if (!config.network().equals(SiteConfig.NETWORK_NONE)) root.put("network", config.network());
    if (config.boot() != null) {
      ObjectNode boot = root.putObject("boot");
      boot.put("bios", config.boot().bios());
      boot.put("kernel", config.boot().kernel());
      boot.put("initrd", config.boot().initrd());
      boot.put("cmdline", config.boot().cmdline());
    }
    if (config.cheerpx() != null) {
      SiteConfig.Cheerpx x = config.cheerpx();
      ObjectNode cx = root.putObject("cheerpx");
      cx.put("version", x.version());
      cx.put("module", x.moduleUrl());
      ObjectNode cxDisk = cx.putObject("disk");
      cxDisk.put("type", x.diskType());
      cxDisk.put("url", x.diskUrl() != null ? x.diskUrl() : "disk/" + d.imageName());
      if (x.tailscale()) {
        ObjectNode ts = cx.putObject("tailscale");
        if (x.tailscaleControlUrl() != null) ts.put("controlUrl", x.tailscaleControlUrl());
      }
    }
    ObjectNode assetNames = root.putObject("assets");
    assets.forEach(assetNames::put);
    if (snapshot != null) root.set("snapshot", snapshot.toJson());
    return root;
  }

  /**
   * Reads {@code siteDir/webvm.json}; every value passes the same checks as when the site was
   * built.
   *
   * @throws IOException when the file is missing, is not a {@value #FORMAT} file or holds a value
   *     the checks refuse; the message names the file and the field
   */
  public static WebvmJson read(Path siteDir) throws IOException {
    Path file = siteDir.resolve(FILE_NAME);
    JsonNode root;
    try {
      root = json().readTree(Files.readAllBytes(file));
    } catch (NoSuchFileException e) {
      throw new IOException(file + " is missing; assemble the site first", e);
    } catch (JsonProcessingException e) {
      throw new IOException(file + " is not JSON (" + e.getOriginalMessage() + "); rebuild the site", e);
    }
    try {
      return fromJson(root);
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new IOException(file + ": " + e.getMessage() + "; rebuild the site", e);
    }
  }

  static WebvmJson fromJson(JsonNode root) {
    if (root == null || !root.isObject()) throw new IllegalArgumentException("not a JSON object");
    if (!FORMAT.equals(root.path("format").asText(null))) {
      throw new IllegalArgumentException("format is " + root.path("format") + ", expected " + FORMAT);
    }
    SiteConfig.Engine engine = SiteConfig.Engine.fromId(text(root, "engine"));
    JsonNode d = object(root, "disk");
    SiteConfig.Disk disk = new SiteConfig.Disk(text(d, "manifest"), text(d, "name"), number(d, "size").longValue(),
        whole(d, "chunkSize"), text(d, "imageSha256"));
    SiteConfig.Command command = new SiteConfig.Command(text(root, "cmd"), texts(root, "args"), texts(root, "env"),
        root.path("cwd").asText(null), number(root, "uid").longValue(), number(root, "gid").longValue());
    SiteConfig.Boot boot = null;
    if (root.has("boot")) {
      JsonNode b = object(root, "boot");
      boot = new SiteConfig.Boot(text(b, "bios"), text(b, "kernel"), text(b, "initrd"), text(b, "cmdline"));
    }
    SiteConfig.Cheerpx cheerpx = null;
    if (root.has("cheerpx")) {
      JsonNode x = object(root, "cheerpx");
      String version = text(x, "version");
      String module = text(x, "module");
      String defaultModule = SiteConfig.Cheerpx.CDN + version + "/cx.esm.js";
      JsonNode xDisk = object(x, "disk");
      String diskUrl = "github".equals(text(xDisk, "type")) ? null : text(xDisk, "url");
      JsonNode tailscale = x.path("tailscale");
      cheerpx = new SiteConfig.Cheerpx(version, module.equals(defaultModule) ? null : module, diskUrl,
          !tailscale.isMissingNode(), tailscale.path("controlUrl").asText(null));
    }
    SiteConfig config = new SiteConfig(engine, disk, boot, command, whole(root, "memoryMiB"),
        root.path("title").asText(null), cheerpx, root.path("network").asText(null));
    Map<String, String> assets = new LinkedHashMap<>();
    object(root, "assets").properties().forEach(e -> assets.put(e.getKey(), e.getValue().asText()));
    SnapshotEntry snapshot = root.has("snapshot") ? SnapshotEntry.fromJson(object(root, "snapshot")) : null;
    return new WebvmJson(config, assets, snapshot);
  }

  /**
   * The {@code snapshot} field: the state file the page restores instead of booting.
   *
   * @param file site-relative, {@code boot/state-<first 16 hex of keyHash>.bin.zst}
   * @param keyHash hex sha256 of the key's JSON ({@link SnapshotKey#hash()})
   * @param key what the state is valid for
   * @param bytes the file's size
   */
  public record SnapshotEntry(String file, String keyHash, SnapshotKey key, long bytes) {
    public SnapshotEntry {
      Objects.requireNonNull(file, "file");
      Objects.requireNonNull(key, "key");
      if (!key.hash().equals(keyHash)) {
        throw new IllegalArgumentException("snapshot keyHash " + keyHash + " is not the hash of its key");
      }
    }

    ObjectNode toJson() {
      ObjectNode entry = json().createObjectNode();
      entry.put("file", file);
      entry.put("keyHash", keyHash);
      entry.set("key", key.toJson());
      entry.put("bytes", bytes);
      return entry;
    }

    static SnapshotEntry fromJson(JsonNode s) {
      return new SnapshotEntry(text(s, "file"), text(s, "keyHash"), SnapshotKey.fromJson(object(s, "key")),
          number(s, "bytes").longValue());
    }
  }

  /**
   * What a build-time state is valid for: the page restores it only when its own site gives the
   * same values.
   *
   * @param imageSha256 the disk
   * @param bios hex sha256 of the BIOS file
   * @param kernel hex sha256 of the kernel file
   * @param initrd hex sha256 of the initrd file
   * @param v86 the version of the bundled v86
   * @param memoryMiB guest memory
   * @param cmdline the full kernel command line of the snapshot boot
   */
  public record SnapshotKey(String imageSha256, String bios, String kernel, String initrd, String v86, int memoryMiB,
      String cmdline) {
    public SnapshotKey {
      Objects.requireNonNull(imageSha256, "imageSha256");
      Objects.requireNonNull(bios, "bios");
      Objects.requireNonNull(kernel, "kernel");
      Objects.requireNonNull(initrd, "initrd");
      Objects.requireNonNull(v86, "v86");
      Objects.requireNonNull(cmdline, "cmdline");
    }

    /** The key as JSON, fields in the order its hash is taken over. */
    public ObjectNode toJson() {
      ObjectNode key = json().createObjectNode();
      key.put("imageSha256", imageSha256);
      key.put("bios", bios);
      key.put("kernel", kernel);
      key.put("initrd", initrd);
      key.put("v86", v86);
      key.put("memoryMiB", memoryMiB);
      key.put("cmdline", cmdline);
      return key;
    }

    /** Hex sha256 of {@link #toJson()} written compactly. */
    public String hash() {
      try {
        return Sha256.hex(new ObjectMapper().writeValueAsBytes(toJson()));
      } catch (JsonProcessingException e) {
        throw new IllegalStateException(e);
      }
    }

    static SnapshotKey fromJson(JsonNode k) {
      return new SnapshotKey(text(k, "imageSha256"), text(k, "bios"), text(k, "kernel"), text(k, "initrd"),
          text(k, "v86"), whole(k, "memoryMiB"), text(k, "cmdline"));
    }
  }

  private static ObjectMapper json() {
    return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  }

  private static String text(JsonNode node, String field) {
    JsonNode v = node.get(field);
    if (v == null || !v.isTextual()) throw new IllegalArgumentException("field " + field + " is missing or not a string");
    return v.asText();
  }

  private static Number number(JsonNode node, String field) {
    JsonNode v = node.get(field);
    if (v == null || !v.isIntegralNumber() || !v.canConvertToLong()) {
      throw new IllegalArgumentException("field " + field + " is missing or not a whole number");
    }
    return v.numberValue();
  }

  private static int whole(JsonNode node, String field) {
    JsonNode v = node.get(field);
    if (v == null || !v.isIntegralNumber() || !v.canConvertToInt()) {
      throw new IllegalArgumentException("field " + field + " is missing or not a whole number below 2^31");
    }
    return v.intValue();
  }

  private static JsonNode object(JsonNode node, String field) {
    JsonNode v = node.get(field);
    if (v == null || !v.isObject()) throw new IllegalArgumentException("field " + field + " is missing or not an object");
    return v;
  }

  private static List<String> texts(JsonNode node, String field) {
    JsonNode v = node.get(field);
    if (v == null || !v.isArray()) throw new IllegalArgumentException("field " + field + " is missing or not an array");
    List<String> out = new ArrayList<>();
    for (JsonNode e : v) {
      if (!e.isTextual()) throw new IllegalArgumentException("field " + field + " holds a value that is not a string");
      out.add(e.asText());
    }
    return out;
  }
}

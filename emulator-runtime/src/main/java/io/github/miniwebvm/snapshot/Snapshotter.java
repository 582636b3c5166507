package io.github.miniwebvm.snapshot;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.luben.zstd.ZstdCompressCtx;
import io.github.miniwebvm.io.Sha256;
import io.github.miniwebvm.io.Trees;
import io.github.miniwebvm.runtime.SiteConfig;
import io.github.miniwebvm.runtime.WebvmJson;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Boots an assembled v86 site headlessly in Node, saves the state once the image's command is
 * ready and writes {@code boot/state-<hash>.bin.zst}. It is given the site's {@link WebvmJson} and
 * returns the {@link WebvmJson.SnapshotEntry} for it; the caller writes {@code webvm.json} with
 * it ({@link WebvmJson#withSnapshot}). See the package documentation for the file format and the
 * key.
 */
public final class Snapshotter {
  static final String RUNTIME = "META-INF/webvm/runtime/";
  static final String FORMAT = "webvm-snapshot/1";
  /** Added to the site's kernel command line for the snapshot boot (the page never cold-boots with it). */
  static final String EXTRA_CMDLINE = "webvm.rows=24 webvm.cols=80 webvm.control=ttyS1 init_on_free=1";
  static final int SKIPPABLE_FRAME_MAGIC = 0x184D2A50;
  /** Added to the command line of a boot that stops before the disk (the initramfs's {@code init.sh}). */
  static final String PAUSE_CMDLINE = "webvm.pause=disk";
  static final String BOOT_STATE_FORMAT = "webvm-boot-state/1";
  /** How many boot states the cache keeps: the most recently used. */
  static final int BOOT_STATES_KEPT = 4;
  private static final Pattern BOOT_STATE_NAME = Pattern.compile("[0-9a-f]{64}\\.bin");
  /** snapshot.mjs's exit status when the cached boot state does not restore. */
  private static final int CACHED_STATE_UNUSABLE = 4;

  private final String node;
  private final Duration timeout;
  private final String readyPattern;
  private final int level;
  private final Consumer<String> info;
  private final Consumer<String> warn;
  private final Path bootStateCache;

  private Snapshotter(Builder b) {
    this.node = b.node;
    this.timeout = b.timeout;
    this.readyPattern = b.readyPattern;
    this.level = b.level;
    this.info = b.info;
    this.warn = b.warn;
    this.bootStateCache = b.bootStateCache;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Takes the snapshot of the site in {@code site}, which {@code webvm} describes (its
   * {@code boot/} and {@code disk/} must be there), booting the whole way. On any failure it logs a
   * warning naming the reason and returns empty: the site stays a cold-boot site. It never throws
   * for the snapshot itself.
   */
  public Optional<Snapshot> take(Path site, WebvmJson webvm) {
    return take(site, webvm, 0);
  }

  /**
   * As {@link #take(Path, WebvmJson)}, for a site whose initrd starts with {@code initrdCommonBytes}
   * of common part (the boot kit's {@code BootFiles.initrdCommonBytes}): with a
   * {@linkplain Builder#bootStateCache boot state cache}, the boot up to the disk is restored from
   * the cache, or done from the common part alone and saved there, and the rest of the initrd is
   * sent to the waiting guest (see the package documentation).
   */
  public Optional<Snapshot> take(Path site, WebvmJson webvm, long initrdCommonBytes) {
    Path work = null;
    try {
      work = Files.createTempDirectory("webvm-snapshot");
      return Optional.of(run(site, webvm, initrdCommonBytes, work));
    } catch (SnapshotFailure e) {
      warn.accept("snapshot: " + e.getMessage() + "; the site cold-boots (about 15 s to a prompt instead of"
          + " about 1 s). Set snapshot=false to skip this step.");
      return Optional.empty();
    } catch (IOException | RuntimeException e) {
      warn.accept("snapshot: failed (" + e + "); the site cold-boots. Set snapshot=false to skip this step.");
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      warn.accept("snapshot: interrupted; the site cold-boots");
      return Optional.empty();
    } finally {
      if (work != null) {
        try {
          Trees.deleteRecursively(work);
        } catch (IOException e) {
          // a temp directory left behind is harmless
        }
      }
    }
  }

  private Snapshot run(Path site, WebvmJson webvm, long initrdCommonBytes, Path work)
      throws IOException, InterruptedException, SnapshotFailure {
    SiteConfig config = webvm.config();
    if (config.engine() != SiteConfig.Engine.V86) {
      throw new SnapshotFailure("engine " + config.engine().id() + " has no snapshots (v86 only)");
    }
    SiteConfig.Boot boot = config.boot();
    ObjectMapper json = new ObjectMapper();
    JsonNode runtime = json.readTree(resource("runtime.json"));
    JsonNode engine = runtime.path("engines").path("v86");
    if (engine.path("snapshot").isMissingNode()) {
      throw new SnapshotFailure("this emulator-runtime has no snapshot script");
    }
    Path script = extract(engine.path("snapshot").asText(), work.resolve("snapshot.mjs"));
    Path wasm = extract(engine.path("files").path("wasm").asText(), work.resolve("v86.wasm"));
    Path initrd = site.resolve(boot.initrd());
    boolean pause = bootStateCache != null && initrdCommonBytes > 0 && initrdCommonBytes < Files.size(initrd);
    String cmdline = boot.cmdline() + " " + EXTRA_CMDLINE + (pause ? " " + PAUSE_CMDLINE : "");

    WebvmJson.SnapshotKey key = new WebvmJson.SnapshotKey(config.disk().imageSha256(),
        Sha256.hex(site.resolve(boot.bios())), Sha256.hex(site.resolve(boot.kernel())), Sha256.hex(initrd),
        engine.path("version").asText(), config.memoryMiB(), cmdline);
    String keyHash = key.hash();

    Path rawState = work.resolve("state.bin");
    Path resultFile = work.resolve("result.json");
    // the site's webvm.json as the page reads it: snapshot.mjs builds the same machine from it
    ObjectNode request = json.createObjectNode();
    request.put("site", site.toAbsolutePath().toString());
    request.set("config", webvm.toJson());
    request.put("wasm", wasm.toString());
    request.put("cmdline", cmdline);
    if (readyPattern != null) request.put("readyPattern", readyPattern);
    request.put("timeoutSeconds", timeout.toSeconds());
    request.put("out", rawState.toString());
    request.put("result", resultFile.toString());
    Path cached = null;
    boolean fromCache = false;
    Path savedBootState = work.resolve("boot-state.bin");
    if (pause) {
      Path common = work.resolve("initrd-common.img");
      Path imagePart = work.resolve("initrd-image-part.cpio");
      byte[] initrdBytes = Files.readAllBytes(initrd);
      Files.write(common, Arrays.copyOfRange(initrdBytes, 0, (int) initrdCommonBytes));
      Files.write(imagePart, Arrays.copyOfRange(initrdBytes, (int) initrdCommonBytes, initrdBytes.length));
      cached = bootStateCache.resolve(bootStateKey(script, wasm, key, common) + ".bin");
      fromCache = Files.isRegularFile(cached);
      ObjectNode preDisk = request.putObject("preDisk");
      preDisk.put("initrd", common.toString());
      preDisk.put("imagePart", imagePart.toString());
      preDisk.put("saveTo", savedBootState.toString());
      if (fromCache) preDisk.put("state", cached.toString());
    }
    Path requestFile = work.resolve("request.json");
    json.writeValue(requestFile.toFile(), request);

    if (fromCache) {
      try {
        Files.setLastModifiedTime(cached, FileTime.from(Instant.now()));
      } catch (IOException e) {
        // a read-only cache still serves; it only forgets which state was used last
      }
    }
    try {
      runNode(script, requestFile, work);
    } catch (CachedStateUnusable e) {
      warn.accept("snapshot: the cached boot state " + cached + " does not restore (" + e.getMessage()
          + "); deleted, booting from the start");
      Files.deleteIfExists(cached);
      ((ObjectNode) request.get("preDisk")).remove("state");
      json.writeValue(requestFile.toFile(), request);
      fromCache = false;
      runNode(script, requestFile, work);
    } finally {
      if (cached != null && Files.isRegularFile(savedBootState)) {
        keepBootState(savedBootState, cached);
      }
    }
    JsonNode result = json.readTree(resultFile.toFile());
    if (!result.path("v86Version").asText().equals(key.v86())) {
      throw new SnapshotFailure("the snapshot script's v86 " + result.path("v86Version").asText()
          + " differs from the page's " + key.v86());
    }

    byte[] raw = Files.readAllBytes(rawState);
    long start = System.nanoTime();
    byte[] compressed;
    try (ZstdCompressCtx zstd = new ZstdCompressCtx()) {
      zstd.setLevel(level);
      zstd.setWorkers(Math.min(4, Runtime.getRuntime().availableProcessors()));
      compressed = zstd.compress(raw);
    }
    ObjectNode header = json.createObjectNode();
    header.put("format", FORMAT);
    header.put("keyHash", keyHash);
    header.set("key", key.toJson());
    header.put("screen", result.path("screen").asText());
    byte[] headerBytes = json.writeValueAsBytes(header);
    ByteBuffer frame = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN)
        .putInt(SKIPPABLE_FRAME_MAGIC).putInt(headerBytes.length);
    String file = "boot/state-" + keyHash.substring(0, 16) + ".bin.zst";
    Path target = site.resolve(file);
    Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
    try (var out = Files.newOutputStream(tmp)) {
      out.write(frame.array());
      out.write(headerBytes);
      out.write(compressed);
    }
    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    long fileBytes = Files.size(target);

    Snapshot s = new Snapshot(new WebvmJson.SnapshotEntry(file, keyHash, key, fileBytes), raw.length,
        result.path("diskWriteCacheBytes").asLong(), result.path("chunksRead").asInt(),
        result.path("seconds").asDouble(), (System.nanoTime() - start) / 1e9, fromCache);
    info.accept(String.format(java.util.Locale.ROOT,
        "snapshot: %s, %,d bytes (state %,d bytes raw, zstd -%d in %.1f s; disk write cache %,d bytes); booted in %.1f s%s",
        file, fileBytes, raw.length, level, s.compressSeconds(), s.diskWriteCacheBytes(), s.bootSeconds(),
        fromCache ? " from the cached boot state" : ""));
    return s;
  }

  /**
   * The cache key of the boot before the disk: everything that boot depends on (the snapshot
   * script with its v86 and machine, BIOS, kernel, the initrd's common part, memory, command line).
   */
  private static String bootStateKey(Path script, Path wasm, WebvmJson.SnapshotKey snapshotKey, Path commonInitrd)
      throws IOException {
    String key = String.join("\n", BOOT_STATE_FORMAT, Sha256.hex(script), Sha256.hex(wasm), snapshotKey.bios(),
        snapshotKey.kernel(), Sha256.hex(commonInitrd), Integer.toString(snapshotKey.memoryMiB()), snapshotKey.cmdline());
    return Sha256.hex(key.getBytes(StandardCharsets.UTF_8));
  }

  /** Moves a state saved at the pause into the cache; a cache that cannot take it only costs the next build time. */
  void keepBootState(Path saved, Path cached) {
    Path tmp = null;
    try {
      Files.createDirectories(bootStateCache);
      tmp = Files.createTempFile(bootStateCache, "boot-state-", ".tmp");
      Files.move(saved, tmp, StandardCopyOption.REPLACE_EXISTING);
      Files.move(tmp, cached, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      info.accept("snapshot: saved the boot before the disk to " + cached);
      pruneBootStates(bootStateCache, BOOT_STATES_KEPT);
    } catch (IOException e) {
      warn.accept("snapshot: could not keep the boot before the disk in " + bootStateCache + " (" + e
          + "); the next build boots the whole way again. Check that the cache directory is writable.");
      try {
        if (tmp != null) Files.deleteIfExists(tmp);
      } catch (IOException ignored) {
        // left behind in the cache folder; harmless
      }
    }
  }

  /**
   * Deletes all but the {@code keep} most recently used boot states in {@code cache} (used: saved
   * or restored); touches nothing there but files named like a state.
   */
  static void pruneBootStates(Path cache, int keep) throws IOException {
    List<Path> states;
    try (var files = Files.list(cache)) {
      states = new ArrayList<>(files
          .filter(p -> BOOT_STATE_NAME.matcher(p.getFileName().toString()).matches())
          .filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))
          .toList());
    }
    Map<Path, FileTime> used = new HashMap<>();
    for (Path p : states) used.put(p, Files.getLastModifiedTime(p));
    states.sort(Comparator.comparing((Path p) -> used.get(p)).reversed());
    for (Path old : states.subList(Math.min(keep, states.size()), states.size())) {
      Files.deleteIfExists(old);
    }
  }

  private void runNode(Path script, Path request, Path work) throws IOException, InterruptedException, SnapshotFailure {
    List<String> command = List.of(node, script.toString(), request.toString());
    Process p;
    try {
      p = new ProcessBuilder(command).directory(work.toFile()).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new SnapshotFailure("could not run '" + node + "' (" + e.getMessage() + "); install Node.js 18 or later"
          + " and put node on PATH, or set snapshotNode to its path");
    }
    List<String> tail = new ArrayList<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader r = p.inputReader(StandardCharsets.UTF_8)) {
        for (String line; (line = r.readLine()) != null; ) {
          synchronized (tail) {
            tail.add(line);
            if (tail.size() > 40) tail.remove(0);
          }
          if (line.startsWith("snapshot: ")) info.accept(line);
        }
      } catch (IOException e) {
        // the process ended
      }
    }, "webvm-snapshot-output");
    reader.setDaemon(true);
    reader.start();
    // the script has its own timeout; this one catches a node that hangs before it starts
    if (!p.waitFor(timeout.toSeconds() + 60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new SnapshotFailure("node did not finish within " + timeout.toSeconds() + " s");
    }
    reader.join(5000);
    int rc = p.exitValue();
    if (rc != 0) {
      String last;
      synchronized (tail) {
        last = String.join("\n  ", tail);
      }
      String guestFailed = null;
      synchronized (tail) {
        for (String l : tail) {
          if (l.startsWith("snapshot: GUEST-FAILED ")) guestFailed = l.substring("snapshot: GUEST-FAILED ".length());
        }
      }
      if (rc == CACHED_STATE_UNUSABLE) {
        synchronized (tail) {
          throw new CachedStateUnusable(tail.isEmpty() ? "no output" : tail.get(tail.size() - 1));
        }
      }
      if (rc == 3 && guestFailed != null) {
        throw new SnapshotFailure("the guest cannot get ready: " + guestFailed + "; its last output:\n  " + last);
      }
      String why = rc == 1 ? "the guest was not ready within " + timeout.toSeconds() + " s (raise snapshotTimeout,"
          + " or set snapshotReady to a regex that the command prints when ready)"
          : "node exited with status " + rc + (last.contains("SyntaxError") || last.contains("ERR_")
              ? " (Node.js 18 or later is needed)" : "");
      throw new SnapshotFailure(why + "; its last output:\n  " + last);
    }
  }

  private static Path extract(String name, Path target) throws IOException, SnapshotFailure {
    try (InputStream in = Snapshotter.class.getClassLoader().getResourceAsStream(RUNTIME + name)) {
      if (in == null) throw new SnapshotFailure(RUNTIME + name + " is missing from the emulator-runtime jar");
      Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
    }
    return target;
  }

  private static InputStream resource(String name) throws SnapshotFailure {
    InputStream in = Snapshotter.class.getClassLoader().getResourceAsStream(RUNTIME + name);
    if (in == null) throw new SnapshotFailure(RUNTIME + name + " is missing from the emulator-runtime jar");
    return in;
  }

  /**
   * What was written: the {@code snapshot} entry for {@code webvm.json}, and what the boot and the
   * compression did.
   */
  public record Snapshot(WebvmJson.SnapshotEntry entry, long rawStateBytes, long diskWriteCacheBytes,
      int chunksRead, double bootSeconds, double compressSeconds, boolean bootStateFromCache) {
    /** The state file, site-relative. */
    public String file() {
      return entry.file();
    }

    public String keyHash() {
      return entry.keyHash();
    }

    /** The state file's size. */
    public long fileBytes() {
      return entry.bytes();
    }
  }

  static class SnapshotFailure extends Exception {
    SnapshotFailure(String message) {
      super(message);
    }
  }

  private static final class CachedStateUnusable extends SnapshotFailure {
    CachedStateUnusable(String message) {
      super(message);
    }
  }

  public static final class Builder {
    private String node = "node";
    private Duration timeout = Duration.ofMinutes(10);
    private String readyPattern;
    private int level = 19;
    private Consumer<String> info = s -> {};
    private Consumer<String> warn = s -> {};
    private Path bootStateCache;

    /** The node executable (default {@code node} from PATH). */
    public Builder node(String v) { node = Objects.requireNonNull(v); return this; }
    /** How long the boot may take until the command is ready (default 10 minutes). */
    public Builder timeout(Duration v) { timeout = Objects.requireNonNull(v); return this; }
    /**
     * A JavaScript regex matched against the console output after {@code webvm:ready}; null (default):
     * ready when the command has printed something and then been quiet for 1.5 s.
     */
    public Builder readyPattern(String v) { readyPattern = v == null || v.isBlank() ? null : v; return this; }
    /** zstd level (default 19). */
    public Builder level(int v) { level = v; return this; }
    public Builder info(Consumer<String> v) { info = Objects.requireNonNull(v); return this; }
    public Builder warn(Consumer<String> v) { warn = Objects.requireNonNull(v); return this; }
    /**
     * Where machine states saved before the disk are kept, one per boot kit, memory and command
     * line (about 35 MB each); null (default): every snapshot boots from the start.
     */
    public Builder bootStateCache(Path v) { bootStateCache = v; return this; }

    public Snapshotter build() {
      return new Snapshotter(this);
    }
  }
}

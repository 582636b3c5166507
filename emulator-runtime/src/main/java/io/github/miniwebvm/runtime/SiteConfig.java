package io.github.miniwebvm.runtime;

import io.github.miniwebvm.chunker.DiskManifest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * What a site boots: the engine, the disk (described by the chunker's manifest), the boot files
 * (v86), the command the image runs and the guest memory. {@link WebvmJson} writes it to
 * {@code webvm.json} and reads it back. Every limit of these values is checked here, once: guest
 * memory ({@link #MIN_MEMORY_MIB}–{@link #MAX_MEMORY_MIB} MiB) and v86's disk size
 * ({@link #V86_MAX_DISK_BYTES}).
 *
 * @param engine which emulator runs the image
 * @param disk the packed disk store the chunker wrote into the site
 * @param boot the v86 boot kit files in the site; {@code null} for CheerpX
 * @param command what the image runs (from its config: ENTRYPOINT+CMD, ENV, WORKDIR, USER)
 * @param memoryMiB guest memory in MiB, see {@link #checkMemoryMiB(int)}
 * @param title page title
 * @param cheerpx CheerpX settings (engine cheerpx; {@link Cheerpx#defaults()} when {@code null}),
 *     {@code null} for v86
 * @param network the guest's network (engine v86): {@code none}, {@code fetch} or a relay URL, see
 *     {@link #checkNetwork(String)}; {@code null} for none
 */
public record SiteConfig(Engine engine, Disk disk, Boot boot, Command command, int memoryMiB, String title,
    Cheerpx cheerpx, String network) {

  /** A site with CheerpX's defaults (engine cheerpx) or for v86. */
  public SiteConfig(Engine engine, Disk disk, Boot boot, Command command, int memoryMiB, String title) {
    this(engine, disk, boot, command, memoryMiB, title, null, null);
  }

  /** A site without network. */
  public SiteConfig(Engine engine, Disk disk, Boot boot, Command command, int memoryMiB, String title,
      Cheerpx cheerpx) {
    this(engine, disk, boot, command, memoryMiB, title, cheerpx, null);
  }

  /** The network a site has unless asked otherwise. */
  public static final String NETWORK_NONE = "none";

  /**
   * The largest disk v86 addresses: 2^32 sectors of 512 bytes (2 TiB). Its IDE controller builds an
   * LBA48 sector number from the low 32 bits only (src/ide.js {@code get_lba48}).
   */
  public static final long V86_MAX_DISK_BYTES = 1L << 41;

  /** Why a disk larger than {@link #V86_MAX_DISK_BYTES} cannot run on v86, for error messages. */
  public static final String V86_DISK_LIMIT = "engine v86 addresses at most 2 TiB (2^32 sectors of 512 bytes: its IDE"
      + " controller reads only the low 32 bits of an LBA48 sector number)";

  /** The least guest memory, in MiB, the boot kit's kernel and a shell run in. */
  public static final int MIN_MEMORY_MIB = 64;

  /** The most guest memory, in MiB: v86 allocates it as one wasm memory. */
  public static final int MAX_MEMORY_MIB = 2048;

  public SiteConfig {
    Objects.requireNonNull(engine, "engine");
    Objects.requireNonNull(disk, "disk");
    Objects.requireNonNull(command, "command");
    checkMemoryMiB(memoryMiB);
    if (title == null || title.isBlank()) title = "WebVM";
    if (engine == Engine.CHEERPX && cheerpx == null) cheerpx = Cheerpx.defaults();
    if (engine != Engine.CHEERPX) cheerpx = null;
    network = checkNetwork(network);
    if (engine == Engine.CHEERPX && !network.equals(NETWORK_NONE)) {
      throw new IllegalArgumentException("network '" + network + "' needs engine v86; engine cheerpx networks through"
          + " Tailscale (tailscale=true)");
    }
    if (engine == Engine.V86) {
      if (boot == null) {
        throw new IllegalArgumentException("engine v86 needs boot files (bios, kernel, initrd, cmdline) from the boot kit");
      }
      checkV86DiskBytes(disk.size());
    }
  }

  /** Guest memory must be whole MiB from {@link #MIN_MEMORY_MIB} to {@link #MAX_MEMORY_MIB}. */
  public static void checkMemoryMiB(int memoryMiB) {
    if (memoryMiB < MIN_MEMORY_MIB || memoryMiB > MAX_MEMORY_MIB) {
      throw new IllegalArgumentException("memory must be between " + MIN_MEMORY_MIB + " and " + MAX_MEMORY_MIB
          + " MiB, not " + memoryMiB);
    }
  }

  /**
   * Engine v86 needs a disk of at most {@link #V86_MAX_DISK_BYTES}; the pipeline calls this as soon as
   * the image is written, before chunking it.
   */
  public static void checkV86DiskBytes(long bytes) {
    if (bytes > V86_MAX_DISK_BYTES) {
      throw new IllegalArgumentException("the disk image is " + bytes + " bytes (" + (bytes >> 20)
          + " MiB) but " + V86_DISK_LIMIT + "; make the image smaller (imageSize/headroom) or use engine cheerpx");
    }
  }

  /**
   * The {@code network} value normalised, or an error naming the parameter and what it accepts:
   * {@code none} (or empty), {@code fetch}, or a relay URL {@code wisp://}, {@code wisps://}
   * (a Wisp server), {@code ws://}, {@code wss://} (a relay of Ethernet frames) with a host.
   */
  public static String checkNetwork(String network) {
    if (network == null || network.isBlank()) return NETWORK_NONE;
    String n = network.strip();
    if (n.equalsIgnoreCase(NETWORK_NONE)) return NETWORK_NONE;
    if (n.equalsIgnoreCase("fetch")) return "fetch";
    String accepted = "; network accepts none (the default), fetch (HTTP through the browser's fetch, within CORS),"
        + " or a relay URL: wisp://host[:port]/path or wisps://… (a Wisp server), ws://… or wss://… (an Ethernet relay"
        + " such as websockproxy)";
    java.net.URI uri;
    try {
      uri = new java.net.URI(n);
    } catch (java.net.URISyntaxException e) {
      throw new IllegalArgumentException("network '" + network + "' is not a URL (" + e.getReason() + ")" + accepted);
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
    if (!List.of("wisp", "wisps", "ws", "wss").contains(scheme)) {
      throw new IllegalArgumentException("network '" + network + "' is not none, fetch or a relay URL" + accepted);
    }
    if (uri.getHost() == null || uri.getHost().isEmpty()) {
      throw new IllegalArgumentException("network '" + network + "' has no host" + accepted);
    }
    if (uri.getRawFragment() != null || n.chars().anyMatch(c -> c <= ' ' || c == '"' || c == '\\')) {
      throw new IllegalArgumentException("network '" + network + "' has characters a relay URL cannot hold" + accepted);
    }
    return scheme + n.substring(scheme.length());
  }

  /** The emulator; {@link #id()} is the name used in webvm.json and by the {@code engine} parameter. */
  public enum Engine {
    V86("v86"),
    CHEERPX("cheerpx");

    private final String id;

    Engine(String id) {
      this.id = id;
    }

    public String id() {
      return id;
    }

    public static Engine fromId(String id) {
      for (Engine e : values()) {
        if (e.id.equals(id)) return e;
      }
      throw new IllegalArgumentException("unknown engine '" + id + "'; use v86 or cheerpx");
    }
  }

  /**
   * The packed disk store ({@code format webvm-disk/1}).
   *
   * @param manifest site-relative path of the manifest, e.g. {@code disk/manifest.json}
   * @param imageName the disk's file name as engines request it, e.g. {@code rootfs.ext2}: v86 parts
   *     are {@code disk/rootfs-<start>-<end>.ext2}, WebVM chunks {@code disk/rootfs.ext2.c000000.txt}
   * @param size image size in bytes
   * @param chunkSize chunk size in bytes
   * @param imageSha256 sha256 of the whole image (hex); names the browser's chunk cache
   */
  public record Disk(String manifest, String imageName, long size, int chunkSize, String imageSha256) {
    public Disk {
      Objects.requireNonNull(manifest, "manifest");
      Objects.requireNonNull(imageName, "imageName");
      Objects.requireNonNull(imageSha256, "imageSha256");
      if (!imageName.matches("[A-Za-z0-9._-]+")) {
        throw new IllegalArgumentException("disk image name '" + imageName + "' must be a plain file name ([A-Za-z0-9._-])");
      }
      if (size <= 0 || chunkSize <= 0 || chunkSize % 512 != 0) {
        throw new IllegalArgumentException("bad disk geometry: size " + size + ", chunk size " + chunkSize);
      }
    }

    /**
     * Size, chunk size and image sha256 from the manifest at {@code siteDir/manifest}, read by the
     * chunker's own reader ({@link DiskManifest#read}).
     */
    public static Disk fromManifest(Path siteDir, String manifest, String imageName) throws IOException {
      Path file = siteDir.resolve(manifest);
      if (!Files.isRegularFile(file)) {
        throw new IOException("disk manifest " + file + " not found; the chunker writes it (diskLayout packed)");
      }
      DiskManifest m = DiskManifest.read(file);
      return new Disk(manifest, imageName, m.size(), m.chunkSize(), m.imageSha256());
    }
  }

  /**
   * v86 boot kit files, site-relative (e.g. {@code boot/bios.bin}), and the kernel command line.
   */
  public record Boot(String bios, String kernel, String initrd, String cmdline) {
    public Boot {
      Objects.requireNonNull(bios, "bios");
      Objects.requireNonNull(kernel, "kernel");
      Objects.requireNonNull(initrd, "initrd");
      Objects.requireNonNull(cmdline, "cmdline");
    }

    /**
     * The boot kit's files in {@code boot/} ({@code bios.bin}, {@code vmlinuz}, {@code initrd.img});
     * the page appends {@code webvm.rows=R webvm.cols=C} to {@code cmdline}.
     */
    public static Boot inBootDirectory(String cmdline) {
      return new Boot("boot/bios.bin", "boot/vmlinuz", "boot/initrd.img", cmdline);
    }
  }

  /**
   * The process the page starts, as WebVM derives it from the image config.
   *
   * @param cmd executable path
   * @param args arguments (without argv[0])
   * @param env {@code NAME=value} entries
   * @param cwd working directory
   */
  public record Command(String cmd, List<String> args, List<String> env, String cwd, long uid, long gid) {
    public Command {
      Objects.requireNonNull(cmd, "cmd");
      args = List.copyOf(args);
      env = List.copyOf(env);
      if (cwd == null || cwd.isEmpty()) cwd = "/";
    }
  }

  /**
   * How the page loads and runs CheerpX (engine cheerpx).
   *
   * @param version CheerpX version on Leaning Technologies' CDN, e.g. {@value #DEFAULT_VERSION}
   * @param url where {@code cx.esm.js} is loaded from instead of the CDN: a directory URL (ending
   *     in {@code /}) or the module itself (ending in {@code .js}); {@code null} for the CDN
   * @param diskUrl an external disk instead of the site's own: {@code wss://} (a WebVM cloud disk)
   *     or {@code http(s)://} (one ext2 file served with HTTP Range support); {@code null} for the
   *     site's disk, read through the WebVM chunk names the service worker answers
   * @param tailscale whether the page offers networking through Tailscale
   * @param tailscaleControlUrl a Tailscale control server (e.g. Headscale); {@code null} for Tailscale's
   */
  public record Cheerpx(String version, String url, String diskUrl, boolean tailscale, String tailscaleControlUrl) {
    public static final String DEFAULT_VERSION = "1.3.9";
    public static final String CDN = "https://cxrtnc.leaningtech.com/";

    public Cheerpx {
      if (version == null || version.isBlank()) version = DEFAULT_VERSION;
      if (!version.matches("[0-9A-Za-z][0-9A-Za-z._-]*")) {
        throw new IllegalArgumentException("cheerpxVersion '" + version + "' is not a version (e.g. " + DEFAULT_VERSION + ")");
      }
      url = blankToNull(url);
      diskUrl = blankToNull(diskUrl);
      tailscaleControlUrl = blankToNull(tailscaleControlUrl);
      requireScheme("cheerpxUrl", url, "https://", "http://");
      requireScheme("cheerpxDiskUrl", diskUrl, "wss://", "ws://", "https://", "http://");
      requireScheme("tailscaleControlUrl", tailscaleControlUrl, "https://", "http://");
    }

    public static Cheerpx defaults() {
      return new Cheerpx(DEFAULT_VERSION, null, null, false, null);
    }

    /** The URL of CheerpX's ES module the page imports. */
    public String moduleUrl() {
      if (url == null) return CDN + version + "/cx.esm.js";
      if (url.endsWith(".js")) return url;
      return url.endsWith("/") ? url + "cx.esm.js" : url + "/cx.esm.js";
    }

    /** The CheerpX block device for {@link #diskUrl()}: {@code cloud} or {@code bytes}; {@code github} for the site's disk. */
    public String diskType() {
      if (diskUrl == null) return "github";
      return diskUrl.startsWith("ws") ? "cloud" : "bytes";
    }

    private static String blankToNull(String s) {
      return s == null || s.isBlank() ? null : s.strip();
    }

    private static void requireScheme(String name, String value, String... schemes) {
      if (value == null) return;
      for (String scheme : schemes) {
        if (value.regionMatches(true, 0, scheme, 0, scheme.length())) return;
      }
      throw new IllegalArgumentException(name + " '" + value + "' must start with " + String.join(" or ", schemes));
    }
  }
}

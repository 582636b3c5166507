package io.github.miniwebvm.bootkit;

import io.github.miniwebvm.fs.FileTree;
import io.github.miniwebvm.fs.Node;
import io.github.miniwebvm.fs.NodeType;
import io.github.miniwebvm.io.AtomicFiles;
import io.github.miniwebvm.io.Sha256;
import io.github.miniwebvm.io.Trees;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * The v86 boot kit: SeaBIOS, a Debian i386 kernel and an initramfs that mounts the ext2 root disk
 * and runs a {@link GuestCommand} on the serial console.
 *
 * <p>The kernel with its modules, {@code busybox-static} and {@code seabios} come from a Debian
 * mirror's {@code Packages} index (read by this code, no apt needed), each {@code .deb} checked
 * against the SHA256 in the index, the index against the {@code Release} file, all cached. The
 * {@code InRelease} signature is not verified: HTTPS (the default mirror) is what authenticates
 * the {@code Release} file, and a plain-HTTP mirror elsewhere than this machine gets a warning.
 * Offline, only the cache is used. The kernel and
 * modules may instead come from the image ({@link Builder#kernelFrom(FileTree)}) or from given
 * paths ({@link Builder#kernel(Path, Path)}); busybox and BIOS may be given too.
 *
 * <pre>{@code
 * BootFiles boot = BootKit.builder().log(getLog()::info).build()
 *         .assemble(GuestCommand.of("/bin/bash", "-l"), site.resolve("boot"));
 * }</pre>
 */
public final class BootKit {
    public static final URI DEFAULT_MIRROR = URI.create("https://deb.debian.org/debian");
    public static final String DEFAULT_SUITE = "bookworm";
    public static final String DEFAULT_KERNEL_PACKAGE = "linux-image-686";
    public static final String DEFAULT_CMDLINE = "console=ttyS0 root=/dev/sda rw quiet";
    private static final String ARCH = "i386";
    /** Bump when what is extracted from a .deb changes (v2: file modes kept). */
    private static final String EXTRACTED_FORMAT = "v2";
    private static final Pattern VERSIONED_KERNEL = Pattern.compile("linux-image-\\d+\\.\\d+.*");

    private final Builder config;
    private BootKitFiles resolved;

    private BootKit(Builder config) {
        this.config = config;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The default cache: {@code $WEBVM_CACHE/debian}, else {@code ~/.cache/webvm-maven/debian}. */
    public static Path defaultCacheDirectory() {
        String env = System.getenv("WEBVM_CACHE");
        Path base = env != null && !env.isEmpty() ? Path.of(env)
                : Path.of(System.getProperty("user.home"), ".cache", "webvm-maven");
        return base.resolve("debian");
    }

    /** Finds (downloading into the cache if needed) the kernel, modules, busybox and BIOS. */
    public BootKitFiles resolve() throws IOException {
        if (resolved == null) {
            resolved = doResolve();
        }
        return resolved;
    }

    private BootKitFiles doResolve() throws IOException {
        DebianMirror mirror = null;
        List<BootKitFiles.SourcePackage> packages = new ArrayList<>();
        if (config.kernel == null || config.busybox == null || config.bios == null) {
            mirror = new DebianMirror(config.mirror, config.suite, ARCH, config.cache, config.offline, config.log,
                    name -> name.startsWith("linux-image-") || name.equals(config.kernelPackage)
                            || name.equals("busybox-static") || name.equals("seabios"));
        }
        Path kernel;
        String version;
        Path modulesDir = null;
        KernelModules modules;
        if (config.kernelImage != null) {
            ImageKernel k = imageKernel(config.kernelImage);
            kernel = k.kernel;
            version = k.version;
            modules = KernelModules.fromTree(config.kernelImage, k.modulesPath);
        } else if (config.kernel != null) {
            kernel = config.kernel;
            modulesDir = config.modulesDirectory;
            version = modulesDir.getFileName().toString();
            modules = KernelModules.fromDirectory(modulesDir);
        } else {
            PackageIndex.Entry deb = kernelPackage(mirror, config.kernelPackage, 0);
            Path dir = extract(mirror, deb, p -> p.startsWith("boot/vmlinuz-") || p.startsWith("lib/modules/")
                    || p.startsWith("usr/lib/modules/"), packages);
            Path boot = dir.resolve("boot");
            try (var list = Files.list(boot)) {
                kernel = list.filter(p -> p.getFileName().toString().startsWith("vmlinuz-")).findFirst()
                        .orElseThrow(() -> new BootKitException(deb.name() + " has no /boot/vmlinuz-*"));
            }
            version = kernel.getFileName().toString().substring("vmlinuz-".length());
            modulesDir = dir.resolve("lib/modules").resolve(version);
            if (!Files.isDirectory(modulesDir)) {
                modulesDir = dir.resolve("usr/lib/modules").resolve(version);
            }
            modules = KernelModules.fromDirectory(modulesDir);
        }
        Path busybox = config.busybox;
        if (busybox == null) {
            PackageIndex.Entry deb = required(mirror, "busybox-static");
            Path dir = extract(mirror, deb, p -> p.equals("bin/busybox") || p.equals("usr/bin/busybox"), packages);
            busybox = Files.isRegularFile(dir.resolve("bin/busybox")) ? dir.resolve("bin/busybox")
                    : dir.resolve("usr/bin/busybox");
        }
        Path bios = config.bios;
        if (bios == null) {
            PackageIndex.Entry deb = required(mirror, "seabios");
            bios = extract(mirror, deb, p -> p.equals("usr/share/seabios/bios.bin"), packages)
                    .resolve("usr/share/seabios/bios.bin");
        }
        for (Path p : List.of(kernel, busybox, bios)) {
            if (!Files.isRegularFile(p)) {
                throw new BootKitException("boot kit file missing: " + p);
            }
        }
        BootKitFiles files = new BootKitFiles(kernel, version, modulesDir, modules, busybox, bios, packages);
        config.log.accept("boot kit: kernel " + version + " (" + modules.size() + " modules), busybox, SeaBIOS ready");
        return files;
    }

    /**
     * Writes {@code bios.bin}, {@code vmlinuz} and {@code initrd.img} (running {@code command})
     * into {@code bootDirectory} and describes them.
     */
    public BootFiles assemble(GuestCommand command, Path bootDirectory) throws IOException {
        BootKitFiles kit = resolve();
        Initramfs.Builder ib = Initramfs.builder().busybox(kit.busybox()).command(command)
                .compression(config.compression).log(config.log);
        Initramfs initramfs = ib.kernelModules(kit.kernelModules()).build();
        Files.createDirectories(bootDirectory);
        copy(kit.bios(), bootDirectory.resolve(BootFiles.BIOS));
        copy(kit.kernel(), bootDirectory.resolve(BootFiles.KERNEL));
        long initrdCommonBytes = initramfs.write(bootDirectory.resolve(BootFiles.INITRD));
        List<BootFiles.BootFile> out = new ArrayList<>();
        for (String name : List.of(BootFiles.BIOS, BootFiles.KERNEL, BootFiles.INITRD)) {
            Path p = bootDirectory.resolve(name);
            out.add(new BootFiles.BootFile(name, Files.size(p), Sha256.hex(p)));
        }
        config.log.accept("boot kit: wrote " + out.stream().map(f -> f.name() + " (" + f.size() + " bytes)").toList()
                + " to " + bootDirectory);
        return new BootFiles(out, config.cmdline, kit.kernelVersion(), initramfs.moduleNames(), kit.packages(),
                initrdCommonBytes);
    }

    private static void copy(Path from, Path to) throws IOException {
        AtomicFiles.write(to, tmp -> Files.copy(from, tmp, StandardCopyOption.REPLACE_EXISTING));
    }

    private PackageIndex.Entry kernelPackage(DebianMirror mirror, String name, int depth) throws IOException {
        PackageIndex.Entry e = mirror.newest(name).orElseThrow(() -> new BootKitException("no package " + name
                + " in " + config.suite + "/main/" + ARCH + " of " + config.mirror));
        if (VERSIONED_KERNEL.matcher(name).matches()) {
            return e;
        }
        for (String dep : PackageIndex.dependencyNames(e.depends())) {
            if (dep.startsWith("linux-image-") && depth < 3) {
                config.log.accept("boot kit: " + name + " " + e.version() + " depends on " + dep);
                return kernelPackage(mirror, dep, depth + 1);
            }
        }
        throw new BootKitException(name + " is neither a linux-image-<version> package nor a metapackage "
                + "depending on one (Depends: " + e.depends() + ")");
    }

    private PackageIndex.Entry required(DebianMirror mirror, String name) throws IOException {
        return mirror.newest(name).orElseThrow(() -> new BootKitException("no package " + name
                + " in " + config.suite + "/main/" + ARCH + " of " + config.mirror));
    }

    /**
     * The .deb's wanted files, extracted once into {@code extracted/v2/<deb>-<sha256 prefix>/}. Such a
     * directory is complete when it exists (it is renamed into place) and is never changed or
     * deleted afterwards, so builds sharing the cache (even of other versions) cannot disturb it.
     */
    private Path extract(DebianMirror mirror, PackageIndex.Entry entry, Predicate<String> wanted,
                         List<BootKitFiles.SourcePackage> packages) throws IOException {
        Path deb = mirror.deb(entry);
        packages.add(new BootKitFiles.SourcePackage(entry.name(), entry.version(), entry.sha256()));
        String base = deb.getFileName().toString().replaceFirst("\\.deb$", "") + "-" + entry.sha256().substring(0, 16);
        Path parent = config.cache.resolve("extracted").resolve(EXTRACTED_FORMAT);
        Path dir = parent.resolve(base);
        if (Files.isDirectory(dir)) {
            return dir;
        }
        Files.createDirectories(parent);
        Path tmp = Files.createTempDirectory(parent, "." + base + ".");
        try {
            config.log.accept("boot kit: extracting " + deb.getFileName());
            List<String> files = DebArchive.extract(deb, wanted, tmp);
            if (files.isEmpty()) {
                throw new BootKitException(deb + " contains none of the files the boot kit needs");
            }
            try {
                Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                if (!Files.isDirectory(dir)) {    // else another build extracted it first
                    throw e;
                }
            }
        } finally {
            Trees.deleteRecursively(tmp);
        }
        return dir;
    }

    private record ImageKernel(Path kernel, String version, String modulesPath) {
    }

    /** The newest {@code /boot/vmlinuz-<version>} of the image that has a modules directory. */
    private ImageKernel imageKernel(FileTree image) throws IOException {
        Node boot = image.lookup("/boot").filter(Node::isDirectory)
                .orElseThrow(() -> new BootKitException("the image has no /boot directory with a kernel"));
        List<String> versions = new ArrayList<>();
        for (Map.Entry<String, Node> e : boot.children().entrySet()) {
            if (e.getKey().startsWith("vmlinuz-") && e.getValue().type() == NodeType.FILE) {
                versions.add(e.getKey().substring("vmlinuz-".length()));
            }
        }
        versions.sort(DebianVersion.ORDER.reversed());
        for (String v : versions) {
            Optional<String> modules = modulesPath(image, v);
            if (modules.isPresent()) {
                Node kernel = boot.children().get("vmlinuz-" + v);
                Path out = config.cache.resolve("from-image").resolve("vmlinuz-" + v);
                AtomicFiles.write(out, tmp -> {
                    try (InputStream in = kernel.content().open()) {
                        Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                    }
                });
                config.log.accept("boot kit: kernel " + v + " from the image");
                return new ImageKernel(out, v, modules.get());
            }
        }
        throw new BootKitException("the image has no /boot/vmlinuz-<version> with a matching /lib/modules/<version>"
                + " (found kernels: " + versions + "); install linux-image-686 in the image or use the Debian kit");
    }

    private static Optional<String> modulesPath(FileTree image, String version) {
        for (String prefix : List.of("/usr/lib/modules/", "/lib/modules/")) {
            if (image.lookup(prefix + version).filter(Node::isDirectory).isPresent()) {
                return Optional.of(prefix + version);
            }
        }
        return Optional.empty();
    }

    public static final class Builder {
        private URI mirror = DEFAULT_MIRROR;
        private String suite = DEFAULT_SUITE;
        private String kernelPackage = DEFAULT_KERNEL_PACKAGE;
        private Path cache = defaultCacheDirectory();
        private boolean offline;
        private Consumer<String> log = s -> { };
        private Path kernel;
        private Path modulesDirectory;
        private FileTree kernelImage;
        private Path busybox;
        private Path bios;
        private Initramfs.Compression compression = Initramfs.Compression.GZIP;
        private String cmdline = DEFAULT_CMDLINE;

        private Builder() {
        }

        /** Debian mirror root (default {@code https://deb.debian.org/debian}). */
        public Builder mirror(URI mirror) {
            this.mirror = Objects.requireNonNull(mirror);
            return this;
        }

        /** Debian suite (default {@code bookworm}). */
        public Builder suite(String suite) {
            this.suite = Objects.requireNonNull(suite);
            return this;
        }

        /** Kernel package, a {@code linux-image-<version>} or a metapackage (default {@code linux-image-686}). */
        public Builder kernelPackage(String kernelPackage) {
            this.kernelPackage = Objects.requireNonNull(kernelPackage);
            return this;
        }

        /** Where indexes, .deb files and extracted files are kept (default {@link #defaultCacheDirectory()}). */
        public Builder cacheDirectory(Path cache) {
            this.cache = Objects.requireNonNull(cache);
            return this;
        }

        /** Use only the cache; fail naming what is missing (Maven offline mode). */
        public Builder offline(boolean offline) {
            this.offline = offline;
            return this;
        }

        public Builder log(Consumer<String> log) {
            this.log = Objects.requireNonNull(log);
            return this;
        }

        /** A kernel image and its modules directory ({@code .../lib/modules/<version>}) instead of Debian's. */
        public Builder kernel(Path vmlinuz, Path modulesDirectory) {
            this.kernel = Objects.requireNonNull(vmlinuz);
            this.modulesDirectory = Objects.requireNonNull(modulesDirectory);
            this.kernelImage = null;
            return this;
        }

        /** Takes the newest {@code /boot/vmlinuz-*} and its {@code /lib/modules/<version>} from the image. */
        public Builder kernelFrom(FileTree image) {
            this.kernelImage = Objects.requireNonNull(image);
            this.kernel = null;
            return this;
        }

        /** A static i386 busybox instead of Debian's {@code busybox-static}. */
        public Builder busybox(Path busybox) {
            this.busybox = busybox;
            return this;
        }

        /** A SeaBIOS {@code bios.bin} instead of Debian's {@code seabios}. */
        public Builder bios(Path bios) {
            this.bios = bios;
            return this;
        }

        public Builder compression(Initramfs.Compression compression) {
            this.compression = Objects.requireNonNull(compression);
            return this;
        }

        /** The kernel command line reported in {@link BootFiles} (default {@link #DEFAULT_CMDLINE}). */
        public Builder cmdline(String cmdline) {
            this.cmdline = Objects.requireNonNull(cmdline);
            return this;
        }

        public BootKit build() {
            return new BootKit(this);
        }
    }
}

package io.github.miniwebvm.bootkit;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The parts of a boot kit on disk, as {@link BootKit#resolve()} found them: the kernel, its
 * modules, a static busybox and SeaBIOS, with the Debian packages they came from.
 */
public final class BootKitFiles {

    /** A Debian package a part came from, as the mirror's index describes it. */
    public record SourcePackage(String name, String version, String sha256) {
    }

    private final Path kernel;
    private final String kernelVersion;
    private final Path modulesDirectory;
    private final Path busybox;
    private final Path bios;
    private final List<SourcePackage> packages;
    private final KernelModules modules;

    BootKitFiles(Path kernel, String kernelVersion, Path modulesDirectory, KernelModules modules, Path busybox,
                 Path bios, List<SourcePackage> packages) {
        this.kernel = Objects.requireNonNull(kernel);
        this.kernelVersion = Objects.requireNonNull(kernelVersion);
        this.modulesDirectory = modulesDirectory;
        this.modules = modules;
        this.busybox = Objects.requireNonNull(busybox);
        this.bios = Objects.requireNonNull(bios);
        this.packages = List.copyOf(packages);
    }

    /** The kernel image (bzImage), e.g. {@code vmlinuz-6.1.0-50-686}. */
    public Path kernel() {
        return kernel;
    }

    /** The kernel release, e.g. {@code 6.1.0-50-686}. */
    public String kernelVersion() {
        return kernelVersion;
    }

    /** {@code lib/modules/<version>} on disk; empty when the modules are read from the image. */
    public Optional<Path> modulesDirectory() {
        return Optional.ofNullable(modulesDirectory);
    }

    /** A static i386 busybox. */
    public Path busybox() {
        return busybox;
    }

    /** SeaBIOS {@code bios.bin}. */
    public Path bios() {
        return bios;
    }

    /** The Debian packages downloaded (or taken from the cache) for this kit, with their SHA256. */
    public List<SourcePackage> packages() {
        return packages;
    }

    KernelModules kernelModules() {
        return modules;
    }

    @Override
    public String toString() {
        return "BootKitFiles[kernel=" + kernel + " (" + kernelVersion + "), modules="
                + (modulesDirectory == null ? "from the image" : modulesDirectory) + ", busybox=" + busybox
                + ", bios=" + bios + ", packages=" + packages + "]";
    }
}

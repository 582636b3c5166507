package io.github.miniwebvm.bootkit;

import java.util.List;

/**
 * What {@link BootKit#assemble} wrote into the boot directory, for v86's {@code bios},
 * {@code bzimage} and {@code initrd} options, and the kernel command line to pass with them.
 *
 * @param files         {@code bios.bin}, {@code vmlinuz}, {@code initrd.img}, in that order
 * @param cmdline       e.g. {@code console=ttyS0 root=/dev/sda rw quiet}; the page may append
 *                      {@code webvm.rows=R webvm.cols=C} to set the terminal size
 * @param kernelVersion e.g. {@code 6.1.0-50-686}
 * @param modules       the modules the initramfs loads, in order
 * @param packages      the Debian packages the kit came from
 * @param initrdCommonBytes the length of the initrd's common part, the same for every command
 *                      ({@link Initramfs}); the rest is the image's part
 */
public record BootFiles(List<BootFile> files, String cmdline, String kernelVersion, List<String> modules,
                        List<BootKitFiles.SourcePackage> packages, long initrdCommonBytes) {

    public static final String BIOS = "bios.bin";
    public static final String KERNEL = "vmlinuz";
    public static final String INITRD = "initrd.img";

    /** One written file: its name in the boot directory, size in bytes and SHA256 (hex). */
    public record BootFile(String name, long size, String sha256) {
    }

    public BootFiles {
        files = List.copyOf(files);
        modules = List.copyOf(modules);
        packages = List.copyOf(packages);
    }

    /** The file called {@code name}. */
    public BootFile file(String name) {
        return files.stream().filter(f -> f.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no boot file " + name));
    }
}

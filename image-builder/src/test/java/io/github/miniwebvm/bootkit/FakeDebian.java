package io.github.miniwebvm.bootkit;

import io.github.miniwebvm.io.Sha256;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A tiny Debian "mirror" with a kernel (fake modules with real .modinfo), busybox-static and seabios. */
final class FakeDebian {
    static final String VERSION = "6.1.0-9-686";
    static final String MODULES = "lib/modules/" + VERSION + "/";
    /** Module → dependencies, as the fake kernel's .modinfo says; crc64 is built in. */
    static final Map<String, List<String>> DEPENDS = new LinkedHashMap<>();

    static {
        DEPENDS.put("kernel/drivers/scsi/scsi_common.ko", List.of());
        DEPENDS.put("kernel/drivers/scsi/scsi_mod.ko", List.of("scsi_common"));
        DEPENDS.put("kernel/drivers/ata/libata.ko", List.of("scsi_mod"));
        DEPENDS.put("kernel/drivers/ata/ata_helper.ko", List.of());
        DEPENDS.put("kernel/drivers/ata/ata_piix.ko", List.of("libata", "ata_helper"));
        DEPENDS.put("kernel/crypto/crct10dif_common.ko", List.of());
        DEPENDS.put("kernel/crypto/crct10dif_generic.ko", List.of("crct10dif_common"));
        DEPENDS.put("kernel/lib/crc-t10dif.ko", List.of("crct10dif_common"));
        DEPENDS.put("kernel/crypto/crc64_rocksoft_generic.ko", List.of("crc64"));
        DEPENDS.put("kernel/lib/crc64-rocksoft.ko", List.of("crc64"));
        DEPENDS.put("kernel/block/t10-pi.ko", List.of("crc64_rocksoft", "crc_t10dif"));
        DEPENDS.put("kernel/drivers/scsi/sd_mod.ko", List.of("scsi_mod", "t10-pi"));
        DEPENDS.put("kernel/lib/crc16.ko", List.of());
        DEPENDS.put("kernel/fs/mbcache.ko", List.of());
        DEPENDS.put("kernel/fs/jbd2/jbd2.ko.xz", List.of());
        DEPENDS.put("kernel/crypto/crc32c_generic.ko", List.of());
        DEPENDS.put("kernel/lib/libcrc32c.ko", List.of());
        DEPENDS.put("kernel/fs/ext4/ext4.ko", List.of("mbcache", "jbd2", "crc16"));
        DEPENDS.put("kernel/drivers/net/unused.ko", List.of());
    }

    static final List<String> EXPECTED_ORDER = List.of("scsi_common", "scsi_mod", "libata", "ata_helper", "ata_piix",
            "crct10dif_common", "crct10dif_generic", "crc-t10dif", "crc64_rocksoft_generic", "crc64-rocksoft",
            "t10-pi", "sd_mod", "crc16", "mbcache", "jbd2", "crc32c_generic", "libcrc32c", "ext4");

    static final byte[] BUSYBOX = "not really busybox\n".getBytes(StandardCharsets.US_ASCII);
    static final byte[] BIOS = new byte[4096];
    static final byte[] KERNEL = "not really a bzImage\n".getBytes(StandardCharsets.US_ASCII);

    final Map<String, byte[]> debs = new LinkedHashMap<>();   // pool path → bytes
    final String packages;

    FakeDebian() throws IOException {
        this(DEPENDS);
    }

    FakeDebian(Map<String, List<String>> depends) throws IOException {
        Map<String, byte[]> kernel = new LinkedHashMap<>(kernelTree(depends));
        kernel.put("boot/vmlinuz-" + VERSION, KERNEL);
        StringBuilder idx = new StringBuilder();
        add(idx, "linux-image-686", "6.1.100-1", "linux-image-6.1.0-9-686 (= 6.1.100-1)",
                "pool/main/l/linux-signed-i386/linux-image-686_6.1.100-1_i386.deb",
                TestFixtures.deb(Map.of("usr/share/doc/linux-image-686/README", new byte[1])));
        add(idx, "linux-image-6.1.0-9-686", "6.1.100-1", "kmod, linux-base (>= 4.3~)",
                "pool/main/l/linux-signed-i386/linux-image-6.1.0-9-686_6.1.100-1_i386.deb", TestFixtures.deb(kernel));
        add(idx, "custom-kernel", "1.0", "linux-image-6.1.0-9-686", "pool/main/c/custom/custom-kernel_1.0_i386.deb",
                TestFixtures.deb(Map.of("usr/share/doc/custom-kernel/README", new byte[1])));
        add(idx, "busybox-static", "1:1.35.0-4", "", "pool/main/b/busybox/busybox-static_1.35.0-4_i386.deb",
                TestFixtures.deb(Map.of("bin/busybox", BUSYBOX, "usr/share/doc/busybox-static/copyright", new byte[3])));
        add(idx, "seabios", "1.16.2-1", "", "pool/main/s/seabios/seabios_1.16.2-1_all.deb",
                TestFixtures.deb(Map.of("usr/share/seabios/bios.bin", BIOS, "usr/share/seabios/vgabios.bin", new byte[9])));
        packages = idx.toString();
    }

    /** The files of {@code lib/modules/<version>}: ELF modules (jbd2 xz-compressed) and modules.builtin. */
    static Map<String, byte[]> kernelTree(Map<String, List<String>> depends) throws IOException {
        Map<String, byte[]> files = new LinkedHashMap<>();
        for (Map.Entry<String, List<String>> e : depends.entrySet()) {
            String file = e.getKey().substring(e.getKey().lastIndexOf('/') + 1);
            String name = KernelModules.moduleName(file);
            byte[] elf = TestFixtures.elfModule(name.replace('-', '_'), e.getValue().toArray(String[]::new));
            files.put(MODULES + e.getKey(), file.endsWith(".xz") ? TestFixtures.xz(elf) : elf);
        }
        files.put(MODULES + "modules.builtin", "kernel/lib/crc64.ko\nkernel/drivers/tty/serial/8250.ko\n"
                .getBytes(StandardCharsets.US_ASCII));
        return files;
    }

    private void add(StringBuilder idx, String name, String version, String depends, String filename, byte[] deb) {
        debs.put(filename, deb);
        idx.append("Package: ").append(name).append('\n')
                .append("Version: ").append(version).append('\n')
                .append("Architecture: i386\n");
        if (!depends.isEmpty()) {
            idx.append("Depends: ").append(depends).append('\n');
        }
        idx.append("Description: test package\n continuation line\n .\n more\n")
                .append("Filename: ").append(filename).append('\n')
                .append("Size: ").append(deb.length).append('\n')
                .append("SHA256: ").append(Sha256.hex(deb)).append("\n\n");
    }

    /** Serves the suite "bookworm" with Release and Packages.xz under {@code /debian}. */
    void serve(TestFixtures.Mirror mirror) throws IOException {
        byte[] xz = TestFixtures.xz(packages.getBytes(StandardCharsets.UTF_8));
        String release = "Origin: Debian\nSuite: stable\nCodename: bookworm\nMD5Sum:\n 0123 " + xz.length
                + " main/binary-i386/Packages.xz\nSHA256:\n " + Sha256.hex(new byte[0]) + " 0 main/binary-amd64/Packages.xz\n "
                + Sha256.hex(xz) + " " + xz.length + " main/binary-i386/Packages.xz\n";
        mirror.files.put("/debian/dists/bookworm/Release", release.getBytes(StandardCharsets.UTF_8));
        mirror.files.put("/debian/dists/bookworm/main/binary-i386/Packages.xz", xz);
        for (Map.Entry<String, byte[]> d : debs.entrySet()) {
            mirror.files.put("/debian/" + d.getKey(), d.getValue());
        }
    }
}

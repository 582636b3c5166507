package io.github.miniwebvm.bootkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.miniwebvm.fs.Content;
import io.github.miniwebvm.fs.FileTree;
import io.github.miniwebvm.fs.Node;
import io.github.miniwebvm.io.Sha256;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.cpio.CpioArchiveEntry;
import org.apache.commons.compress.archivers.cpio.CpioArchiveInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The boot kit against a small Debian mirror served on 127.0.0.1. */
class BootKitTest {
    private static final String KERNEL_DEB = "/debian/pool/main/l/linux-signed-i386/linux-image-6.1.0-9-686_6.1.100-1_i386.deb";
    private static final String BUSYBOX_DEB = "/debian/pool/main/b/busybox/busybox-static_1.35.0-4_i386.deb";
    private static final String SEABIOS_DEB = "/debian/pool/main/s/seabios/seabios_1.16.2-1_all.deb";
    private static final String PACKAGES = "/debian/dists/bookworm/main/binary-i386/Packages.xz";

    @TempDir
    Path tmp;
    private TestFixtures.Mirror mirror;
    private FakeDebian debian;
    private final List<String> log = new ArrayList<>();

    @BeforeEach
    void serve() throws Exception {
        mirror = new TestFixtures.Mirror();
        debian = new FakeDebian();
        debian.serve(mirror);
    }

    @AfterEach
    void stop() {
        mirror.close();
    }

    private BootKit.Builder kit() {
        return BootKit.builder().mirror(mirror.uri()).suite("bookworm").cacheDirectory(tmp.resolve("cache"))
                .log(log::add);
    }

    @Test
    void resolvesTheKernelThroughTheMetapackageAndAssemblesTheBootDirectory() throws Exception {
        BootKit bootKit = kit().build();
        BootKitFiles files = bootKit.resolve();
        assertThat(files.kernelVersion()).isEqualTo(FakeDebian.VERSION);
        assertThat(Files.readAllBytes(files.kernel())).isEqualTo(FakeDebian.KERNEL);
        assertThat(Files.readAllBytes(files.busybox())).isEqualTo(FakeDebian.BUSYBOX);
        assertThat(Files.isExecutable(files.busybox())).as("mode 0755 kept").isTrue();
        assertThat(Files.getPosixFilePermissions(files.bios())).extracting(Object::toString)
                .containsExactlyInAnyOrder("OWNER_READ", "OWNER_WRITE", "GROUP_READ", "OTHERS_READ");
        assertThat(Files.readAllBytes(files.bios())).isEqualTo(FakeDebian.BIOS);
        assertThat(files.modulesDirectory().orElseThrow()).endsWith(Path.of("lib/modules", FakeDebian.VERSION));
        assertThat(files.packages()).extracting(BootKitFiles.SourcePackage::name)
                .containsExactly("linux-image-6.1.0-9-686", "busybox-static", "seabios");
        assertThat(files.packages().get(0).sha256()).isEqualTo(Sha256.hex(mirror.files.get(KERNEL_DEB)));
        assertThat(log).anyMatch(l -> l.contains("linux-image-686 6.1.100-1 depends on linux-image-6.1.0-9-686"));
        assertThat(log).as("a mirror on 127.0.0.1 is not warned about").noneMatch(l -> l.contains("plain HTTP"));

        Path boot = tmp.resolve("boot");
        BootFiles out = bootKit.assemble(GuestCommand.of("/bin/sh"), boot);
        assertThat(out.files()).extracting(BootFiles.BootFile::name).containsExactly("bios.bin", "vmlinuz", "initrd.img");
        for (BootFiles.BootFile f : out.files()) {
            assertThat(Files.size(boot.resolve(f.name()))).isEqualTo(f.size());
            assertThat(Sha256.hex(boot.resolve(f.name()))).isEqualTo(f.sha256());
        }
        assertThat(out.cmdline()).isEqualTo("console=ttyS0 root=/dev/sda rw quiet");
        assertThat(out.kernelVersion()).isEqualTo(FakeDebian.VERSION);
        assertThat(out.modules()).containsExactlyElementsOf(FakeDebian.EXPECTED_ORDER);
        assertThat(cpioNames(boot.resolve("initrd.img"))).contains("lib/modules/jbd2.ko", "lib/modules/ata_helper.ko")
                .doesNotContain("lib/modules/unused.ko", "lib/modules/crc64.ko");

        // A second kit uses the cache: no .deb and no Packages index downloaded again.
        kit().build().resolve();
        assertThat(mirror.hits(KERNEL_DEB)).isEqualTo(1);
        assertThat(mirror.hits(BUSYBOX_DEB)).isEqualTo(1);
        assertThat(mirror.hits(PACKAGES)).isEqualTo(1);
    }

    @Test
    void plainHttpMirrorsElsewhereThanThisMachineAreFlagged() {
        assertThat(BootKit.DEFAULT_MIRROR.getScheme()).isEqualTo("https");
        assertThat(DebianMirror.isPlainHttpElsewhere(URI.create("https://deb.debian.org/debian"))).isFalse();
        assertThat(DebianMirror.isPlainHttpElsewhere(URI.create("http://deb.debian.org/debian"))).isTrue();
        assertThat(DebianMirror.isPlainHttpElsewhere(URI.create("HTTP://mirror.example.org/"))).isTrue();
        for (String local : new String[] {"http://127.0.0.1:8080/debian", "http://localhost/debian",
                "http://[::1]:3142/debian", "http://apt.localhost/"}) {
            assertThat(DebianMirror.isPlainHttpElsewhere(URI.create(local))).as(local).isFalse();
        }
    }

    @Test
    void aPackageMissingFromTheCachedIndexSubsetIsLookedUpInTheWholeIndex() throws Exception {
        kit().build().resolve();
        assertThat(log).anyMatch(l -> l.contains("packages in bookworm/main/i386"));
        log.clear();
        BootKitFiles files = kit().kernelPackage("custom-kernel").build().resolve();
        assertThat(files.kernelVersion()).isEqualTo(FakeDebian.VERSION);
        assertThat(log).anyMatch(l -> l.contains("custom-kernel 1.0 depends on linux-image-6.1.0-9-686"))
                .anyMatch(l -> l.contains("packages in bookworm/main/i386"));   // the whole index parsed again
        log.clear();
        kit().build().resolve();
        assertThat(log).noneMatch(l -> l.contains("packages in bookworm/main/i386"));   // the subset sufficed
        assertThat(mirror.hits(PACKAGES)).isEqualTo(1);
    }

    @Test
    void aCorruptedCachedDebIsDetectedAndDownloadedAgain() throws Exception {
        Path deb = kit().build().resolve().busybox();
        Path cached = tmp.resolve("cache/pool/busybox-static_1.35.0-4_i386.deb");
        byte[] bytes = Files.readAllBytes(cached);
        bytes[bytes.length / 2] ^= 1;
        Files.write(cached, bytes);

        BootKitFiles again = kit().build().resolve();
        assertThat(mirror.hits(BUSYBOX_DEB)).isEqualTo(2);
        assertThat(Files.readAllBytes(cached)).isEqualTo(mirror.files.get(BUSYBOX_DEB));
        assertThat(Files.readAllBytes(again.busybox())).isEqualTo(FakeDebian.BUSYBOX);
        assertThat(log).anyMatch(l -> l.contains("busybox-static_1.35.0-4_i386.deb is corrupt"));
        assertThat(deb).isEqualTo(again.busybox());
    }

    @Test
    void offlineACorruptedCachedDebIsAnError() throws Exception {
        kit().build().resolve();
        Path cached = tmp.resolve("cache/pool/seabios_1.16.2-1_all.deb");
        Files.write(cached, new byte[] {1, 2, 3});
        assertThatThrownBy(() -> kit().offline(true).build().resolve())
                .isInstanceOf(BootKitException.class)
                .hasMessageContaining("offline")
                .hasMessageContaining(cached.toString())
                .hasMessageContaining("corrupt");
    }

    @Test
    void aMirrorServingOtherBytesThanItsIndexIsAnError() throws Exception {
        byte[] right = mirror.files.get(SEABIOS_DEB);
        byte[] wrong = right.clone();
        wrong[wrong.length - 1] ^= 0x55;
        mirror.files.put(SEABIOS_DEB, wrong);
        assertThatThrownBy(() -> kit().build().resolve())
                .isInstanceOf(BootKitException.class)
                .hasMessageContaining("seabios_1.16.2-1_all.deb has sha256 " + Sha256.hex(wrong))
                .hasMessageContaining("the index says " + Sha256.hex(right));
        assertThat(tmp.resolve("cache/pool/seabios_1.16.2-1_all.deb")).doesNotExist();
    }

    @Test
    void aPackagesIndexNotMatchingReleaseIsAnError() throws Exception {
        mirror.files.put(PACKAGES, TestFixtures.xz("Package: x\n".getBytes()));
        assertThatThrownBy(() -> kit().build().resolve())
                .isInstanceOf(BootKitException.class)
                .hasMessageContaining("Packages.xz has sha256");
    }

    @Test
    void offlineWithAnEmptyCacheNamesTheMissingIndex() {
        assertThatThrownBy(() -> kit().offline(true).build().resolve())
                .isInstanceOf(BootKitException.class)
                .hasMessageContaining("offline: the Debian index of bookworm/i386")
                .hasMessageContaining("not in the cache")
                .hasMessageContaining("run once online");
        assertThat(mirror.hits).isEmpty();
    }

    @Test
    void offlineWithAMissingDebNamesThePackage() throws Exception {
        Files.write(tmp.resolve("bios.bin"), new byte[1]);
        kit().bios(tmp.resolve("bios.bin")).build().resolve();   // fills the cache, but not with seabios
        assertThatThrownBy(() -> kit().offline(true).build().resolve())
                .isInstanceOf(BootKitException.class)
                .hasMessageContaining("offline: seabios 1.16.2-1 is not in the cache");
    }

    @Test
    void offlineWithAFilledCacheNeedsNoNetwork() throws Exception {
        BootKitFiles online = kit().build().resolve();
        mirror.close();
        BootKitFiles offline = kit().offline(true).build().resolve();
        assertThat(offline.kernel()).isEqualTo(online.kernel());
        assertThat(offline.packages()).isEqualTo(online.packages());
    }

    @Test
    void aKernelWithoutTheDiskDriverIsAnErrorNamingIt() throws Exception {
        Map<String, List<String>> depends = new LinkedHashMap<>(FakeDebian.DEPENDS);
        depends.remove("kernel/drivers/ata/ata_piix.ko");
        new FakeDebian(depends).serve(mirror);
        BootKit bootKit = kit().build();
        assertThatThrownBy(() -> bootKit.assemble(GuestCommand.of("/bin/sh"), tmp.resolve("boot")))
                .isInstanceOf(BootKitException.class)
                .hasMessageContaining("kernel module ata_piix is neither in")
                .hasMessageContaining("nor built into the kernel");
    }

    @Test
    void takesKernelAndModulesFromGivenPathsWithoutAMirror() throws Exception {
        Path root = tmp.resolve("k");
        for (Map.Entry<String, byte[]> f : FakeDebian.kernelTree(FakeDebian.DEPENDS).entrySet()) {
            Files.createDirectories(root.resolve(f.getKey()).getParent());
            Files.write(root.resolve(f.getKey()), f.getValue());
        }
        Path vmlinuz = Files.write(tmp.resolve("vmlinuz-x"), FakeDebian.KERNEL);
        Path busybox = Files.write(tmp.resolve("busybox"), FakeDebian.BUSYBOX);
        Path bios = Files.write(tmp.resolve("bios.bin"), FakeDebian.BIOS);
        BootFiles out = BootKit.builder().mirror(URI.create("http://127.0.0.1:9/nowhere")).cacheDirectory(tmp.resolve("c"))
                .kernel(vmlinuz, root.resolve(FakeDebian.MODULES)).busybox(busybox).bios(bios).build()
                .assemble(GuestCommand.of("/bin/sh"), tmp.resolve("boot"));
        assertThat(out.kernelVersion()).isEqualTo(FakeDebian.VERSION);
        assertThat(out.modules()).containsExactlyElementsOf(FakeDebian.EXPECTED_ORDER);
        assertThat(out.packages()).isEmpty();
        assertThat(Files.readAllBytes(tmp.resolve("boot/vmlinuz"))).isEqualTo(FakeDebian.KERNEL);
    }

    @Test
    void takesKernelAndModulesFromTheImage() throws Exception {
        FileTree image = new FileTree();
        Node dir = Node.directory(0755);
        image.mkdirs("/boot", dir);
        image.put("/boot/vmlinuz-5.10.0-1-686", Node.file(0644, Content.ofBytes(new byte[] {1})));   // no modules
        image.put("/boot/vmlinuz-" + FakeDebian.VERSION, Node.file(0644, Content.ofBytes(FakeDebian.KERNEL)));
        image.put("/lib", Node.symlink("usr/lib"));
        for (Map.Entry<String, byte[]> f : FakeDebian.kernelTree(FakeDebian.DEPENDS).entrySet()) {
            String path = "/usr/" + f.getKey();
            image.mkdirs(path.substring(0, path.lastIndexOf('/')), dir);
            image.put(path, Node.file(0644, Content.ofBytes(f.getValue())));
        }
        Path busybox = Files.write(tmp.resolve("busybox"), FakeDebian.BUSYBOX);
        Path bios = Files.write(tmp.resolve("bios.bin"), FakeDebian.BIOS);
        BootKit bootKit = BootKit.builder().cacheDirectory(tmp.resolve("c")).kernelFrom(image).busybox(busybox).bios(bios)
                .build();
        BootKitFiles files = bootKit.resolve();
        assertThat(files.kernelVersion()).isEqualTo(FakeDebian.VERSION);
        assertThat(files.modulesDirectory()).isEmpty();
        assertThat(Files.readAllBytes(files.kernel())).isEqualTo(FakeDebian.KERNEL);
        BootFiles out = bootKit.assemble(GuestCommand.of("/bin/sh"), tmp.resolve("boot"));
        assertThat(out.modules()).containsExactlyElementsOf(FakeDebian.EXPECTED_ORDER);
    }

    static List<String> cpioNames(Path initrd) throws Exception {
        List<String> names = new ArrayList<>();
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(Files.readAllBytes(initrd)));
             CpioArchiveInputStream cpio = new CpioArchiveInputStream(in)) {
            CpioArchiveEntry e;
            while ((e = cpio.getNextEntry()) != null) {
                names.add(e.getName());
            }
        }
        return names;
    }
}

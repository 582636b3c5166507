package io.github.miniwebvm.bootkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PackageIndexTest {

    private static PackageIndex sample() throws Exception {
        try (var in = PackageIndexTest.class.getResourceAsStream("Packages.sample")) {
            return PackageIndex.parse(new InputStreamReader(in, StandardCharsets.UTF_8));
        }
    }

    @Test
    void parsesStanzasOfTheRealBookwormIndex() throws Exception {
        PackageIndex index = sample();
        assertThat(index.packageCount()).isEqualTo(5);
        PackageIndex.Entry busybox = index.newest("busybox-static").orElseThrow();
        assertThat(busybox.version()).isEqualTo("1:1.35.0-4+deb12u1+b1");
        assertThat(busybox.filename()).isEqualTo("pool/main/b/busybox/busybox-static_1.35.0-4+deb12u1+b1_i386.deb");
        assertThat(busybox.size()).isEqualTo(958344);
        assertThat(busybox.sha256()).isEqualTo("725ef9e6fbac4ab79b353165b05005e8c140d6e42177ebbc202ff1e13ded8b7c");
        assertThat(index.newest("no-such-package")).isEmpty();
    }

    @Test
    void picksTheNewestVersionAndItsKernelDependency() throws Exception {
        PackageIndex.Entry meta = sample().newest("linux-image-686").orElseThrow();
        assertThat(meta.version()).isEqualTo("6.1.176-1");
        assertThat(PackageIndex.dependencyNames(meta.depends())).containsExactly("linux-image-6.1.0-50-686");
        PackageIndex.Entry kernel = sample().newest("linux-image-6.1.0-50-686").orElseThrow();
        assertThat(PackageIndex.dependencyNames(kernel.depends()))
                .containsExactly("kmod", "linux-base", "initramfs-tools");
    }

    @Test
    void dependencyNamesDropVersionsArchitecturesAndAlternatives() {
        assertThat(PackageIndex.dependencyNames("a (>= 1), b:any | c, d [i386], e"))
                .containsExactly("a", "b", "d", "e");
        assertThat(PackageIndex.dependencyNames("")).isEmpty();
    }

    @Test
    void ordersVersionsAsDpkg() {
        String[] ascending = {"1.0~rc1", "1.0", "1.0-1", "1.0-1+b1", "1.0a", "1.1", "1.10", "2~", "2",
            "6.1.76-1", "6.1.170-3", "6.1.176-1", "1:0.1"};
        for (int i = 0; i + 1 < ascending.length; i++) {
            assertThat(DebianVersion.compare(ascending[i], ascending[i + 1]))
                    .as(ascending[i] + " < " + ascending[i + 1]).isNegative();
            assertThat(DebianVersion.compare(ascending[i + 1], ascending[i])).isPositive();
        }
        assertThat(DebianVersion.compare("1.35.0-4+deb12u1", "1.35.0-4+deb12u1")).isZero();
        assertThat(DebianVersion.compare("1.01", "1.1")).isZero();
    }
}

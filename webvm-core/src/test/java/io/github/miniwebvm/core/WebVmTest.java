package io.github.miniwebvm.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.miniwebvm.testsupport.MissingOracle;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The public API end to end: a rootfs tar becomes a site; errors name the setting. */
class WebVmTest {
    private static final Path CACHE = Path.of(System.getProperty("user.home"), ".cache", "webvm-maven");

    @TempDir
    Path tmp;

    private Path rootfs() throws Exception {
        Path tar = tmp.resolve("rootfs.tar");
        try (OutputStream out = Files.newOutputStream(tar); TarArchiveOutputStream t = new TarArchiveOutputStream(out)) {
            for (String[] f : new String[][] {{"etc/passwd", "root:x:0:0:root:/root:/bin/sh\n"}, {"bin/sh", "#!fake\n"}}) {
                byte[] data = f[1].getBytes(StandardCharsets.UTF_8);
                TarArchiveEntry e = new TarArchiveEntry(f[0]);
                e.setSize(data.length);
                t.putArchiveEntry(e);
                t.write(data);
                t.closeArchiveEntry();
            }
        }
        return tar;
    }

    @Test
    void anImageBecomesASiteAndAnUnchangedOneIsLeftAlone() throws Exception {
        MissingOracle.require(Files.isDirectory(CACHE.resolve("debian")), "the boot kit cache in " + CACHE);
        List<String> lines = new ArrayList<>();
        WebVm vm = WebVm.from(Source.image(rootfs()))
                .disk(DiskOptions.builder().size(DataSize.parse("4M")).build())
                .v86(V86Options.builder().memory(DataSize.ofMebibytes(128)).network("wisp://127.0.0.1:5001/")
                        .snapshot(false).build())
                .container(ContainerOverrides.builder().entrypoint(List.of("/bin/sh", "-l")).build())
                .offline(true)
                .cacheDirectory(CACHE)
                .logTo(lines::add, lines::add);
        BuiltSite first = vm.buildSite(tmp.resolve("site"));
        assertThat(first.rebuilt()).isTrue();
        assertThat(first.directory()).isEqualTo(tmp.resolve("site"));
        assertThat(first.imageDigest()).startsWith("sha256:");
        assertThat(first.diskSha256()).isEqualTo(io.github.miniwebvm.io.Sha256.hex(tmp.resolve("site-work/rootfs.ext2")));
        long[] files = {0, 0};
        try (var walk = Files.walk(tmp.resolve("site"))) {
            walk.filter(Files::isRegularFile).forEach(f -> {
                files[0]++;
                files[1] += f.toFile().length();
            });
        }
        assertThat(first.siteFiles()).isEqualTo(files[0]);
        assertThat(first.siteBytes()).isEqualTo(files[1]);
        String config = Files.readString(tmp.resolve("site/webvm.json"));
        assertThat(config).contains("\"memoryMiB\" : 128").contains("\"-l\"")
                .contains("\"network\" : \"wisp://127.0.0.1:5001/\"");
        assertThat(tmp.resolve("site-work/rootfs.ext2")).hasSize(4 << 20);
        assertThat(lines).anyMatch(l -> l.startsWith("webvm: site ready in " + tmp.resolve("site")));

        BuiltSite second = vm.buildSite(tmp.resolve("site"));
        assertThat(second.rebuilt()).isFalse();
        assertThat(second.diskSha256()).isEqualTo(first.diskSha256());
        assertThat(second.siteBytes()).isEqualTo(first.siteBytes());
    }

    @Test
    void settingsThatDoNotFitTogetherAreUserErrorsThatNameTheSetting() throws Exception {
        WebVm vm = WebVm.from(Source.image(rootfs())).cheerpx(CheerpxOptions.builder().tailscale(true).build());
        assertThatThrownBy(() -> vm.buildSite(tmp.resolve("site")))
                .isInstanceOf(WebVmException.class)
                .hasMessageContaining("tailscale")
                .hasMessageContaining("need engine cheerpx")
                .satisfies(e -> assertThat(((WebVmException) e).isUserError()).isTrue());
        WebVm cheerpxNetwork = WebVm.from(Source.image(rootfs())).engine(Engine.CHEERPX)
                .v86(V86Options.builder().network("fetch").build());
        assertThatThrownBy(() -> cheerpxNetwork.buildSite(tmp.resolve("site"))).hasMessageContaining("needs engine v86");
        assertThat(tmp.resolve("site")).doesNotExist();
    }
}

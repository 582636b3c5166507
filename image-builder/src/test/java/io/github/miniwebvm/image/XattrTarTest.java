package io.github.miniwebvm.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.miniwebvm.fs.Node;
import io.github.miniwebvm.io.Trees;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Extended attributes as GNU tar writes them ({@code --xattrs}: raw {@code SCHILY.xattr.*} PAX
 * records): a file capability set with setcap and a user attribute set with setfattr come out of
 * the flattened tree byte for byte as getfattr reads them on the host.
 */
class XattrTarTest {
    @Test
    void capabilitiesAndUserXattrsFromGnuTar() throws IOException {
        Path dir = Path.of("target/xattr-fixture").toAbsolutePath();
        Trees.deleteRecursively(dir);
        Path root = Files.createDirectories(dir.resolve("root/usr/bin"));
        Path ping = Files.writeString(root.resolve("ping"), "not really ping");
        boolean tools = Podman.run(List.of("setcap", "cap_net_raw+ep", ping.toString()), 60, false).exit() == 0
                && Podman.run(List.of("setfattr", "-n", "user.origin", "-v", "webvm-test", ping.toString()), 60, false)
                        .exit() == 0;
        assumeTrue(tools, "setcap/setfattr unavailable or the filesystem under target/ has no xattr support"
                + " (scripts/setup-host.sh installs attr and libcap2-bin)");
        byte[] capability = getfattr(ping, "security.capability");
        Path tar = dir.resolve("rootfs.tar");
        Podman.run("tar", "--xattrs", "--xattrs-include=*", "--numeric-owner", "-C", dir.resolve("root").toString(),
                "-cf", tar.toString(), ".");
        try (LoadedImage image = ImageLoader.builder().workDirectory(dir.resolve("work")).build().load(tar)) {
            Node node = image.tree().lookup("usr/bin/ping").orElseThrow();
            assertThat(node.xattrs().get("security.capability")).isEqualTo(capability);
            assertThat(node.xattrs().get("user.origin")).isEqualTo("webvm-test".getBytes());
            assertThat(capability[0] & 0xff).isIn(1, 2, 3);   // a vfs_cap_data revision byte, not text
        } finally {
            Trees.deleteRecursively(dir);
        }
    }

    private static byte[] getfattr(Path file, String name) throws IOException {
        String out = Podman.run("getfattr", "--absolute-names", "-e", "hex", "-n", name, file.toString()).out();
        String line = out.lines().filter(l -> l.startsWith(name + "=0x")).findFirst()
                .orElseThrow(() -> new AssertionError("getfattr printed no " + name + ": " + out));
        return HexFormat.of().parseHex(line.substring(name.length() + 3).trim());
    }
}

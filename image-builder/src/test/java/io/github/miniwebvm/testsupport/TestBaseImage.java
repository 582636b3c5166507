package io.github.miniwebvm.testsupport;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * The test base image: the debootstrapped Debian bookworm i386 minbase fixture
 * ({@code scripts/fixture-base.sh}) imported into podman as linux/386, imported once and cached in
 * podman's storage; also exported once as an OCI archive under the fixture cache.
 */
public final class TestBaseImage {
    /** The podman image name of the fixture. */
    public static final String PODMAN_NAME = "localhost/webvm-test/bookworm-i386:fixture";

    private TestBaseImage() {
    }

    public static Path repoRoot() {
        String root = System.getProperty("webvm.repoRoot");
        assumeTrue(root != null, "system property webvm.repoRoot not set (run through Maven surefire)");
        return Path.of(root).toAbsolutePath().normalize();
    }

    public static Path cacheDir() {
        String env = System.getenv("WEBVM_CACHE");
        return env != null ? Path.of(env) : Path.of(System.getProperty("user.home"), ".cache", "webvm-maven");
    }

    /** The fixture rootfs tar (numeric owners), built once by the script. */
    public static Path rootfsTar() throws IOException {
        return Path.of(Tools.run(List.of("bash", repoRoot().resolve("scripts/fixture-base.sh").toString(), "tar"),
                null).trim());
    }

    /** Ensures the fixture is in podman's storage and returns its name; skips when podman is missing. */
    public static synchronized String podmanImage() throws IOException {
        assumeTrue(Tools.available("podman"), "podman is not installed (scripts/setup-host.sh installs it)");
        if (Tools.exitCode(List.of("podman", "image", "exists", PODMAN_NAME)) == 0) {
            return PODMAN_NAME;
        }
        try (FileLock lock = lock("podman-import")) {
            if (Tools.exitCode(List.of("podman", "image", "exists", PODMAN_NAME)) != 0) {
                Tools.run(List.of("podman", "import", "--os", "linux", "--arch", "386",
                        rootfsTar().toString(), PODMAN_NAME), null);
            }
        }
        return PODMAN_NAME;
    }

    /** The fixture as an {@code oci-archive} tar (one layer), exported once with skopeo. */
    public static synchronized Path ociArchive() throws IOException {
        Path out = cacheDir().resolve("fixtures/bookworm-i386-minbase.oci.tar");
        if (Files.isRegularFile(out)) {
            return out;
        }
        String image = podmanImage();
        assumeTrue(Tools.available("skopeo"), "skopeo is not installed (scripts/setup-host.sh installs it)");
        try (FileLock lock = lock("oci-export")) {
            if (!Files.isRegularFile(out)) {
                Path part = out.resolveSibling(out.getFileName() + ".part");
                Files.deleteIfExists(part);
                Tools.run(List.of("skopeo", "copy", "containers-storage:" + image, "oci-archive:" + part), null);
                Files.move(part, out);
            }
        }
        return out;
    }

    private static FileLock lock(String name) throws IOException {
        Path f = cacheDir().resolve("fixtures/" + name + ".lock");
        Files.createDirectories(f.getParent());
        FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock l = ch.lock();
        return l;
    }

    static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}

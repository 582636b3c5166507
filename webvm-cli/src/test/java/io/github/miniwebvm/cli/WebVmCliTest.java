package io.github.miniwebvm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.miniwebvm.testsupport.MissingOracle;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI in-process: options reach the core, and errors come back as exit statuses with messages. */
class WebVmCliTest {
    private static final Path CACHE = Path.of(System.getProperty("user.home"), ".cache", "webvm-maven");

    @TempDir
    Path tmp;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        return WebVmCli.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    }

    @Test
    void packageBuildsASiteFromAnImage() throws Exception {
        MissingOracle.require(Files.isDirectory(CACHE.resolve("debian")), "the boot kit cache in " + CACHE
                + " (filled by image-builder's boot kit tests or any online build)");
        Path image = TinyRootfs.write(tmp.resolve("rootfs.tar"));
        Path site = tmp.resolve("site");
        int status = run("package", "--image", image.toString(), "--image-size", "4M", "--no-snapshot", "--offline",
                "--output", site.toString(), "--work-dir", tmp.resolve("work").toString(),
                "--cache-dir", CACHE.toString(), "--memory", "128");
        assertThat(status).as(err.toString()).isZero();
        assertThat(site.resolve("index.html")).isRegularFile();
        assertThat(site.resolve("disk/manifest.json")).isRegularFile();
        assertThat(Files.readString(site.resolve("webvm.json"))).contains("\"memoryMiB\" : 128");
        assertThat(out.toString()).contains("site ready in " + site);
    }

    @Test
    void aBadValueIsAUserErrorThatNamesTheOption() {
        int status = run("package", "--engine", "qemu", "--output", tmp.resolve("site").toString());
        assertThat(status).isEqualTo(WebVmCli.USER_ERROR);
        assertThat(err.toString()).startsWith("webvm: ").contains("engine").contains("qemu");
        assertThat(tmp.resolve("site")).doesNotExist();
    }

    @Test
    void anUnknownOptionIsAUsageErrorThatSuggestsTheRightOne() {
        int status = run("package", "--engin", "v86");
        assertThat(status).isEqualTo(2);
        assertThat(err.toString()).contains("Unknown options: '--engin'").contains("Possible solutions: --engine");
    }

    @Test
    void helpListsBothCommands() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString()).contains("package").contains("serve");
    }
}

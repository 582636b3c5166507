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
    void aValueOfTheWrongKindIsAUsageErrorThatSaysWhatTheOptionAccepts() {
        int status = run("package", "--engine", "qemu", "--output", tmp.resolve("site").toString());
        assertThat(status).isEqualTo(2);
        assertThat(err.toString()).contains("--engine").contains("unknown engine 'qemu'; use one of v86, cheerpx");
        assertThat(run("package", "--image-size", "big")).isEqualTo(2);
        assertThat(err.toString()).contains("--image-size").contains("'big' is not a size");
        assertThat(tmp.resolve("site")).doesNotExist();
    }

    @Test
    void aSettingOutOfRangeIsAUserErrorThatNamesIt() {
        int status = run("package", "--memory", "8", "--output", tmp.resolve("site").toString());
        assertThat(status).isEqualTo(WebVmCli.USER_ERROR);
        assertThat(err.toString()).startsWith("webvm: ").contains("memory must be between 64 and 2048 MiB, not 8");
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

    /** The README says every parameter of webvm:package is a CLI option of the same name in kebab case. */
    @Test
    void everyPackageParameterIsAnOption() throws Exception {
        Path goals = Path.of("..", "docs", "goals.md");
        String doc = Files.readString(goals);
        String table = doc.substring(doc.indexOf("## webvm:package"), doc.indexOf("## webvm:serve"));
        java.util.Map<String, String> renamed = java.util.Map.of(
                "buildArgs", "--build-arg", "buildArgsList", "--build-arg", "outputDirectory", "--output",
                "workDirectory", "--work-dir", "cacheDirectory", "--cache-dir",
                "container", "--cmd");
        java.util.Set<String> options = new picocli.CommandLine(new WebVmCli()).getSubcommands().get("package")
                .getCommandSpec().optionsMap().keySet();
        java.util.List<String> parameters = new java.util.ArrayList<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^\\| `(\\w+)` \\|").matcher(table);
        while (m.find()) {
            parameters.add(m.group(1));
        }
        assertThat(parameters).hasSizeGreaterThan(35);
        parameters.remove("skip");   // a build tool's switch; without Maven, one does not run the command
        for (String p : parameters) {
            String option = renamed.getOrDefault(p, "--" + p.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(java.util.Locale.ROOT));
            assertThat(options).as("the option for parameter " + p).contains(option);
        }
    }
}

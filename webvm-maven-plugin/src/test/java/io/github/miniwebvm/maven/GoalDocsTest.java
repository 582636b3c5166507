package io.github.miniwebvm.maven;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * docs/goals.md, the goal reference the README links, is the plugin descriptor as built: every
 * goal, every parameter a user can set, its user property and its default. When a parameter
 * changes, regenerate it with
 * {@code mvn -o test -pl webvm-maven-plugin -Dtest=GoalDocsTest -Dwebvm.updateGoalDocs=true}.
 * (The HTML version is the plugin's Maven site: scripts/plugin-site.sh.)
 */
class GoalDocsTest {
    private static final Path DESCRIPTOR = Path.of("target/classes/META-INF/maven/plugin.xml");
    private static final Path DOC = Path.of(System.getProperty("webvm.repoRoot", "..")).resolve("docs/goals.md");

    private static String text(Element e, String child) {
        for (Node n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element c && c.getTagName().equals(child)) {
                return c.getTextContent().trim();
            }
        }
        return "";
    }

    private static List<Element> children(Element e, String name) {
        List<Element> list = new ArrayList<>();
        NodeList l = e.getElementsByTagName(name);
        for (int i = 0; i < l.getLength(); i++) {
            list.add((Element) l.item(i));
        }
        return list;
    }

    private static String cell(String s) {
        return s.replaceAll("\\s+", " ").replace("&", "&amp;").replace("<", "&lt;").replace("|", "\\|").trim();
    }

    private static String type(String javaType) {
        return javaType.substring(javaType.lastIndexOf('.') + 1);
    }

    static String render(Path descriptor) throws Exception {
        Element plugin = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(descriptor.toFile())
                .getDocumentElement();
        String prefix = text(plugin, "goalPrefix");
        StringBuilder md = new StringBuilder();
        md.append("# ").append(text(plugin, "artifactId")).append(" goals\n\n")
                .append("Generated from the plugin descriptor by `GoalDocsTest` (which fails when this file is out of date).\n")
                .append("Requires Maven ").append(text(plugin, "requiredMavenVersion"))
                .append(" and Java ").append(text(plugin, "requiredJavaVersion")).append(".\n")
                .append("Coordinates: `").append(text(plugin, "groupId")).append(':').append(text(plugin, "artifactId"))
                .append("`; prefix `").append(prefix).append("`.\n");
        List<Element> mojos = children(plugin, "mojo");
        mojos.sort(Comparator.comparing(m -> text(m, "goal")));
        for (Element mojo : mojos) {
            md.append("\n## ").append(prefix).append(':').append(text(mojo, "goal")).append("\n\n")
                    .append(cell(text(mojo, "description"))).append("\n\n");
            String phase = text(mojo, "phase");
            md.append("Needs a project: ").append(text(mojo, "requiresProject").equals("false") ? "no" : "yes");
            if (!phase.isEmpty()) {
                md.append("; binds by default to the `").append(phase).append("` phase");
            }
            md.append(".\n\n");
            Map<String, Element> config = new HashMap<>();
            Element configuration = (Element) mojo.getElementsByTagName("configuration").item(0);
            if (configuration != null) {
                for (Node n = configuration.getFirstChild(); n != null; n = n.getNextSibling()) {
                    if (n instanceof Element c) {
                        config.put(c.getTagName(), c);
                    }
                }
            }
            md.append("| parameter | type | user property | default | description |\n| --- | --- | --- | --- | --- |\n");
            List<Element> parameters = children(mojo, "parameter");
            parameters.sort(Comparator.comparing(p -> text(p, "name")));
            for (Element p : parameters) {
                if (!text(p, "editable").equals("true")) {
                    continue; // read-only: injected by Maven
                }
                String name = text(p, "name");
                Element c = config.get(name);
                String expression = c != null ? c.getTextContent().trim() : "";
                String property = expression.matches("\\$\\{[^}]+}") ? "`" + expression.substring(2, expression.length() - 1) + "`" : "–";
                String def = c != null && c.hasAttribute("default-value") ? "`" + c.getAttribute("default-value") + "`" : "–";
                md.append("| `").append(name).append("` | ").append(cell(type(text(p, "type")))).append(" | ")
                        .append(property).append(" | ").append(cell(def)).append(" | ")
                        .append(cell(text(p, "description"))).append(" |\n");
            }
        }
        return md.toString();
    }

    @Test
    void goalsMdIsTheDescriptorAsBuilt() throws Exception {
        assertThat(DESCRIPTOR).as("built by the plugin's own build before the tests").isRegularFile();
        String expected = render(DESCRIPTOR);
        if (Boolean.getBoolean("webvm.updateGoalDocs")) {
            Files.writeString(DOC, expected, StandardCharsets.UTF_8);
        }
        assertThat(DOC).as("docs/goals.md; regenerate it with -Dwebvm.updateGoalDocs=true").isRegularFile();
        assertThat(Files.readString(DOC)).as("docs/goals.md is out of date; regenerate it with"
                + " mvn test -pl webvm-maven-plugin -Dtest=GoalDocsTest -Dwebvm.updateGoalDocs=true").isEqualTo(expected);
        // what the README promises of it
        assertThat(expected).contains("## webvm:package", "## webvm:serve", "## webvm:help",
                "| `cacheDirectory` | File | `webvm.cacheDirectory` | `${user.home}/.cache/webvm-maven` |",
                "| `port` | int | `webvm.port` | `8080` |");
    }
}

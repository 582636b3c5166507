package io.github.miniwebvm.dockerfile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.miniwebvm.fs.FileTree;
import io.github.miniwebvm.fs.Node;
import io.github.miniwebvm.fs.NodeType;
import io.github.miniwebvm.io.Sha256;
import io.github.miniwebvm.testsupport.Tools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Test helper for differential builds: an image's config and layer listing (metadata only) and
 * the comparison of two flattened trees.
 */
final class ImageTrees {
    private ImageTrees() {
    }

    /**
     * Reads the image; of a docker-archive only the metadata and the layers after the first are
     * unpacked (a shared base layer is an empty file).
     */
    static ImageState read(BuiltImage img, Path scratch, String baseDiffId) throws IOException {
        if (img.format() == BuiltImage.Format.OCI_LAYOUT) {
            return ImageLayouts.readOciLayout(img.path(), null, "linux/386");
        }
        Path dir = Files.createDirectories(scratch.resolve("archive"));
        String archive = img.path().toString();
        JsonNode manifest = ImageState.JSON.readTree(Tools.runBytes(List.of("tar", "-xOf", archive, "manifest.json"),
                null));
        List<String> members = new ArrayList<>(List.of("manifest.json", manifest.get(0).get("Config").asText()));
        JsonNode layers = manifest.get(0).get("Layers");
        JsonNode config = ImageState.JSON.readTree(Tools.runBytes(List.of("tar", "-xOf", archive,
                manifest.get(0).get("Config").asText()), null));
        boolean sharedBase = config.path("rootfs").path("diff_ids").path(0).asText().equals(baseDiffId);
        for (int i = sharedBase ? 1 : 0; i < layers.size(); i++) {
            members.add(layers.get(i).asText());
        }
        List<String> cmd = new ArrayList<>(List.of("tar", "-xf", archive, "-C", dir.toString()));
        cmd.addAll(members);
        Tools.run(cmd, null);
        if (sharedBase) {
            // the reader wants every layer file there; the shared base layer is never read here
            Path base = dir.resolve(layers.get(0).asText());
            Files.createDirectories(base.getParent());
            if (!Files.exists(base)) {
                Files.createFile(base);
            }
        }
        return ImageLayouts.readDockerArchiveDir(dir, "linux/386");
    }

    /** The entries listed by the layers after the first (the paths a build touched). */
    static TreeSet<String> touched(ImageState state, String baseDiffId) throws IOException {
        TreeSet<String> out = new TreeSet<>();
        int first = !state.layers.isEmpty() && state.layers.get(0).diffId().equals(baseDiffId) ? 1 : 0;
        for (Layer l : state.layers.subList(first, state.layers.size())) {
            for (String e : Tools.run(List.of("tar", "-tf", l.blob().toString()), null).split("\n")) {
                String p = e.startsWith("./") ? e.substring(2) : e;
                if (p.endsWith("/")) {
                    p = p.substring(0, p.length() - 1);
                }
                int slash = p.lastIndexOf('/');
                String name = p.substring(slash + 1);
                if (name.startsWith(".wh.")) {
                    p = (slash < 0 ? "" : p.substring(0, slash + 1)) + name.substring(4);
                }
                if (!p.isEmpty()) {
                    out.add(p);
                }
            }
        }
        return out;
    }

    /** The deterministic parts of the image config, with empty values dropped. */
    static Map<String, String> configSummary(ImageState state) {
        Map<String, String> out = new TreeMap<>();
        out.put("architecture", state.config.path("architecture").asText());
        out.put("os", state.config.path("os").asText());
        JsonNode c = state.config.path("config");
        for (String f : List.of("Env", "Cmd", "Entrypoint", "WorkingDir", "User", "Labels", "ExposedPorts", "Volumes",
                "StopSignal", "Shell")) {
            JsonNode v = c.get(f);
            if (v == null || v.isNull() || v.isContainerNode() && v.isEmpty() || v.isTextual() && v.asText().isEmpty()) {
                continue;
            }
            if (v.isObject()) {
                ObjectNode labels = ImageState.JSON.createObjectNode();
                new TreeMap<String, JsonNode>(ImageState.JSON.convertValue(v,
                        new com.fasterxml.jackson.core.type.TypeReference<Map<String, JsonNode>>() { }))
                        .forEach(labels::set);
                // buildah stamps its own version into every image it builds
                labels.remove("io.buildah.version");
                if (labels.isEmpty()) {
                    continue;
                }
                v = labels;
            }
            out.put(f, v.toString());
        }
        return out;
    }

    /**
     * Differences between two flattened trees (as the flattener gives them). Contents are hashed
     * for the {@code touched} paths only: everything else comes from the same base layer.
     */
    static List<String> treeDifferences(FileTree a, FileTree b, TreeSet<String> touched,
                                        java.util.Set<Long> sourceMtimes, List<String> ignored,
                                        List<String> contentIgnored) throws IOException {
        Map<String, Node> x = nodes(a);
        Map<String, Node> y = nodes(b);
        List<String> diffs = new ArrayList<>();
        TreeSet<String> all = new TreeSet<>(x.keySet());
        all.addAll(y.keySet());
        for (String p : all) {
            if (ignored.stream().anyMatch(i -> p.equals(i) || p.startsWith(i + "/"))) {
                continue;
            }
            Node n = x.get(p);
            Node m = y.get(p);
            if (n == null || m == null) {
                diffs.add(p + ": only in " + (n == null ? "podman" : "native"));
                continue;
            }
            String dn = describe(n);
            String dm = describe(m);
            if (!dn.equals(dm)) {
                diffs.add(p + ": native " + dn + " vs podman " + dm);
                continue;
            }
            // mtimes produced while building (RUN, created directories) are nondeterministic: compare only
            // mtimes that come from the base image or the build context (one of sourceMtimes),
            // allowing 1 s because buildah rounds sub-second mtimes where we truncate them
            long mx = n.mtime();
            long my = m.mtime();
            boolean fromSources = sourceMtimes.contains(mx) || sourceMtimes.contains(my)
                    || sourceMtimes.contains(mx - 1) || sourceMtimes.contains(my - 1);
            if (fromSources && Math.abs(mx - my) > 1 && !n.isDirectory()) {
                diffs.add(p + ": mtime native " + mx + " vs podman " + my);
            }
            if (n.type() == NodeType.FILE && touched.contains(p) && !contentIgnored.contains(p)
                    && !hash(n).equals(hash(m))) {
                diffs.add(p + ": content differs");
            }
        }
        // hard links among the touched paths
        Map<Node, TreeSet<String>> gx = new java.util.IdentityHashMap<>();
        Map<Node, TreeSet<String>> gy = new java.util.IdentityHashMap<>();
        for (String p : touched) {
            if (x.containsKey(p) && !x.get(p).isDirectory()) {
                gx.computeIfAbsent(x.get(p), k -> new TreeSet<>()).add(p);
            }
            if (y.containsKey(p) && !y.get(p).isDirectory()) {
                gy.computeIfAbsent(y.get(p), k -> new TreeSet<>()).add(p);
            }
        }
        java.util.Set<TreeSet<String>> linksX = new java.util.HashSet<>(gx.values());
        java.util.Set<TreeSet<String>> linksY = new java.util.HashSet<>(gy.values());
        linksX.removeIf(g -> g.size() < 2);
        linksY.removeIf(g -> g.size() < 2);
        if (!linksX.equals(linksY)) {
            diffs.add("hard links: native " + linksX + " vs podman " + linksY);
        }
        return diffs;
    }

    private static Map<String, Node> nodes(FileTree t) {
        Map<String, Node> out = new TreeMap<>();
        t.walk((path, node) -> {
            if (!path.equals("/")) {
                out.put(path.substring(1), node);
            }
        });
        return out;
    }

    private static String describe(Node n) {
        String common = String.format("%04o %d:%d", n.permissions(), n.uid(), n.gid());
        return switch (n.type()) {
            case DIRECTORY -> "dir " + common;
            case FILE -> "file " + common + " size " + n.content().size();
            case SYMLINK -> "symlink -> " + n.linkTarget() + " " + n.uid() + ":" + n.gid();
            case CHAR_DEVICE, BLOCK_DEVICE -> n.type() + " " + common + " " + n.major() + "," + n.minor();
            default -> n.type() + " " + common;
        };
    }

    private static String hash(Node n) throws IOException {
        try (java.io.InputStream in = n.content().open()) {
            return Sha256.hex(in);
        }
    }

}

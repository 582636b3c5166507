package io.github.miniwebvm.build;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
 * Test helper: a built image (docker-archive or OCI layout) materialised on disk, layer by layer,
 * on top of a shared copy of its first (base) layer. To be replaced by the flattener's FileTree
 * once io.github.miniwebvm.image is on main.
 */
final class ImageTrees {
    private ImageTrees() {
    }

    /** Reads the image; of a docker-archive only the metadata and the layers after the first are unpacked. */
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
        return ImageLayouts.readDockerArchiveDir(dir, "linux/386");
    }

    /**
     * Materialises {@code state} at {@code merged}: an overlay mount whose lower directory is
     * {@code baseDir} (the image's first layer, shared) with the other layers applied on top.
     * The caller unmounts with {@link #unmount}.
     */
    static Path materialise(ImageState state, Path baseDir, String baseDiffId, Path scratch) throws IOException {
        if (state.layers.isEmpty() || !state.layers.get(0).diffId().equals(baseDiffId)) {
            throw new IllegalStateException("the image does not start with the base layer " + baseDiffId + ": "
                    + state.layers.stream().map(Layer::diffId).toList());
        }
        Path upper = Files.createDirectories(scratch.resolve("upper"));
        Path workDir = Files.createDirectories(scratch.resolve("work"));
        Path merged = Files.createDirectories(scratch.resolve("merged"));
        Tools.run(List.of("mount", "-t", "overlay", "overlay", "-o", "lowerdir=" + baseDir + ",upperdir=" + upper
                + ",workdir=" + workDir, merged.toString()), null);
        Rootfs root = new Rootfs(merged);
        for (Layer l : state.layers.subList(1, state.layers.size())) {
            root.apply(l, line -> { });
        }
        return merged;
    }

    static void unmount(Path merged) throws IOException {
        Tools.run(List.of("umount", merged.toString()), null);
    }

    /** The entries listed by the layers after the first (the paths a build touched). */
    static TreeSet<String> touched(ImageState state) throws IOException {
        TreeSet<String> out = new TreeSet<>();
        for (Layer l : state.layers.subList(1, state.layers.size())) {
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

    static List<String> differences(Map<String, Rootfs.Entry> a, Map<String, Rootfs.Entry> b, Path rootA, Path rootB,
                                    TreeSet<String> touched, java.util.Set<Long> sourceMtimes, List<String> ignored,
                                    List<String> contentIgnored)
            throws IOException {
        List<String> diffs = new ArrayList<>();
        TreeSet<String> all = new TreeSet<>(a.keySet());
        all.addAll(b.keySet());
        for (String p : all) {
            if (ignored.stream().anyMatch(i -> p.equals(i) || p.startsWith(i + "/"))) {
                continue;
            }
            Rootfs.Entry x = a.get(p);
            Rootfs.Entry y = b.get(p);
            if (x == null || y == null) {
                diffs.add(p + ": only in " + (x == null ? "podman" : "native"));
                continue;
            }
            if (x.type() != y.type() || x.mode() != y.mode() || x.uid() != y.uid() || x.gid() != y.gid()
                    || x.rdev() != y.rdev() || x.type() == 'l' && !x.link().equals(y.link())
                    || x.type() == 'f' && x.size() != y.size()) {
                diffs.add(p + ": native " + describe(x) + " vs podman " + describe(y));
                continue;
            }
            // mtimes produced while building (RUN, created directories) are nondeterministic: compare only
            // mtimes that come from the base image or the build context (one of sourceMtimes),
            // allowing 1 s because buildah rounds sub-second mtimes where we truncate them
            long mx = x.mtimeNanos() / 1_000_000_000L;
            long my = y.mtimeNanos() / 1_000_000_000L;
            boolean fromSources = sourceMtimes.contains(mx) || sourceMtimes.contains(my)
                    || sourceMtimes.contains(mx - 1) || sourceMtimes.contains(my - 1);
            if (fromSources && Math.abs(mx - my) > 1 && x.type() != 'd') {
                diffs.add(p + ": mtime native " + mx + " vs podman " + my);
            }
            if (contentIgnored.contains(p)) {
                continue;
            }
            if (x.type() == 'f' && touched.contains(p) && !Digests.of(rootA.resolve(p)).equals(Digests.of(rootB.resolve(p)))) {
                diffs.add(p + ": content differs");
            }
        }
        return diffs;
    }

    private static String describe(Rootfs.Entry e) {
        return e.type() + " " + Integer.toOctalString(e.mode()) + " " + e.uid() + ":" + e.gid()
                + (e.type() == 'f' ? " size " + e.size() : "") + (e.link() != null ? " -> " + e.link() : "");
    }
}

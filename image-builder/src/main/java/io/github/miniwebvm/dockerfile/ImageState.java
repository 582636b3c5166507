package io.github.miniwebvm.dockerfile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.miniwebvm.io.Sha256;
import java.util.ArrayList;
import java.util.List;

/**
 * An image while it is built: its layers and its OCI config (architecture, os, config, rootfs,
 * history), and the cache chain key that identifies this exact state.
 */
final class ImageState {
    static final ObjectMapper JSON = new ObjectMapper();

    final List<Layer> layers;
    final ObjectNode config;
    String chainKey;

    ImageState(List<Layer> layers, ObjectNode config, String chainKey) {
        this.layers = new ArrayList<>(layers);
        this.config = config;
        this.chainKey = chainKey;
    }

    static ImageState scratch(String platform) {
        ObjectNode config = JSON.createObjectNode();
        String[] p = platform.split("/");
        config.put("architecture", p.length > 1 ? p[1] : "386");
        config.put("os", p[0]);
        if (p.length > 2) {
            config.put("variant", p[2]);
        }
        config.putObject("config");
        ObjectNode rootfs = config.putObject("rootfs");
        rootfs.put("type", "layers");
        rootfs.putArray("diff_ids");
        config.putArray("history");
        return new ImageState(List.of(), config, Sha256.ociDigest("scratch " + platform));
    }

    ImageState copy() {
        return new ImageState(layers, config.deepCopy(), chainKey);
    }

    /** The {@code config} object of the image config (Env, Cmd, ...), created when missing. */
    ObjectNode runConfig() {
        JsonNode c = config.get("config");
        if (c == null || !c.isObject()) {
            return config.putObject("config");
        }
        return (ObjectNode) c;
    }

    void addLayer(Layer layer) {
        layers.add(layer);
        ObjectNode rootfs = config.with("rootfs");
        rootfs.put("type", "layers");
        ArrayNode ids = rootfs.withArray("diff_ids");
        ids.add(layer.diffId());
    }

    void addHistory(String createdBy, boolean emptyLayer, String created) {
        ObjectNode h = config.withArray("history").addObject();
        h.put("created", created);
        h.put("created_by", createdBy);
        if (emptyLayer) {
            h.put("empty_layer", true);
        }
    }

    /** Env as an ordered list of KEY=VALUE. */
    List<String> env() {
        List<String> out = new ArrayList<>();
        JsonNode env = runConfig().get("Env");
        if (env != null) {
            env.forEach(e -> out.add(e.asText()));
        }
        return out;
    }

    String envValue(String name) {
        for (String e : env()) {
            int eq = e.indexOf('=');
            if (eq > 0 && e.substring(0, eq).equals(name)) {
                return e.substring(eq + 1);
            }
        }
        return null;
    }

    void setEnv(String name, String value) {
        List<String> env = env();
        boolean replaced = false;
        for (int i = 0; i < env.size(); i++) {
            if (env.get(i).startsWith(name + "=")) {
                env.set(i, name + "=" + value);
                replaced = true;
            }
        }
        if (!replaced) {
            env.add(name + "=" + value);
        }
        ArrayNode arr = runConfig().putArray("Env");
        env.forEach(arr::add);
    }

    String text(String field) {
        JsonNode n = runConfig().get(field);
        return n == null || n.isNull() ? "" : n.asText();
    }
}

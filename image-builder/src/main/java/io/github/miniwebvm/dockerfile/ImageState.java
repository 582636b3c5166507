package io.github.miniwebvm.dockerfile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.miniwebvm.image.ImageConfig;
import io.github.miniwebvm.io.Sha256;
import java.util.ArrayList;
import java.util.List;

/**
 * An image while it is built: its layers and its OCI config (architecture, os, config, rootfs,
 * history), and the cache chain key that identifies this exact state.
 *
 * <p>The config stays the JSON document the base image had, edited in place, because the image
 * written at the end must keep every field, including those no model here knows (labels of other
 * tools, healthchecks, vendor extensions). What the run-configuration fields mean (Env, Cmd,
 * Entrypoint, WorkingDir, User) is read through {@link ImageConfig}, the one model of them, which
 * is also what the image loader gives the VM; this class only writes the values back.
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

    /**
     * The run configuration of the document as {@link ImageConfig}, the one model of what its
     * fields mean; a view of the document as it is now, not a copy to edit.
     */
    ImageConfig runConfiguration() {
        return ImageConfig.fromImageConfigJson(config);
    }

    /** Env as an ordered list of KEY=VALUE. */
    List<String> env() {
        return runConfiguration().env();
    }

    String envValue(String name) {
        return runConfiguration().envValue(name).orElse(null);
    }

    void setEnv(String name, String value) {
        List<String> env = runConfiguration().withEnv(name, value).env();
        ArrayNode arr = runConfig().putArray("Env");
        env.forEach(arr::add);
    }

    /** {@code Config.User}; empty when not set. */
    String user() {
        return runConfiguration().user();
    }

    /** {@code Config.WorkingDir}; empty when not set. */
    String workingDir() {
        return runConfiguration().workingDir();
    }
}

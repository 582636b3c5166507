package io.github.miniwebvm.dockerfile;

import io.github.miniwebvm.fs.PathNames;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.miniwebvm.dockerfile.syntax.DockerIgnore;
import io.github.miniwebvm.dockerfile.syntax.Dockerfile;
import io.github.miniwebvm.dockerfile.syntax.DockerfileException;
import io.github.miniwebvm.dockerfile.syntax.Heredoc;
import io.github.miniwebvm.dockerfile.syntax.Instruction;
import io.github.miniwebvm.dockerfile.syntax.Stage;
import io.github.miniwebvm.io.AtomicFiles;
import io.github.miniwebvm.io.Sha256;
import io.github.miniwebvm.io.Trees;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The native backend: executes a Dockerfile without a daemon. Filesystem steps (RUN, COPY, ADD,
 * WORKDIR) run against a root materialised on disk and become layers (the difference before/after);
 * they are cached by (parent chain key, instruction, input digest). Config steps edit the image
 * config. The result is an OCI image layout.
 */
final class NativeBuilder {
    private static final Pattern HEREDOC_ONLY = Pattern.compile("<<-?([\"']?)([A-Za-z_][A-Za-z0-9_]*)\\1");
    private static final Set<String> RUN_FLAGS = Set.of();
    private static final Set<String> COPY_FLAGS = Set.of("from", "chown", "chmod", "link");
    private static final Set<String> ADD_FLAGS = Set.of("chown", "chmod", "link");
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");
    private static final String VARIABLES = "the ARG, ENV and LABEL values of this stage";

    private final BuildRequest req;
    private final BaseImages images;
    private final Path cache;
    /** Image and history timestamps: SOURCE_DATE_EPOCH when set (reproducible builds), else now. */
    private final String created = createdTimestamp();
    private Dockerfile dockerfile;
    private DockerIgnore ignore;
    private Path work;
    private final Map<Integer, StageRun> done = new HashMap<>();
    private int runSteps;

    private static String createdTimestamp() {
        String epoch = System.getenv("SOURCE_DATE_EPOCH");
        Instant t = epoch != null && epoch.strip().matches("\\d+") ? Instant.ofEpochSecond(Long.parseLong(epoch.strip()))
                : Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        return t.toString();
    }

    NativeBuilder(BuildRequest req) {
        this.req = req;
        this.images = new BaseImages(req);
        this.cache = req.cacheDirectory().resolve("native");
    }

    /** RUN steps actually executed (not served from the cache) by the last {@link #build}. */
    int executedRunSteps() {
        return runSteps;
    }

    /**
     * Why the native builder cannot build this Dockerfile here (unsupported instruction or option,
     * a base image it cannot read, RUN without the privileges), or an empty list.
     */
    static List<String> obstacles(Dockerfile df, List<Stage> stages) {
        List<String> out = new ArrayList<>();
        boolean hasRun = false;
        for (Stage s : stages) {
            if (s.baseStage() < 0) {
                String why = BaseImages.unsupportedReason(s.base());
                if (why != null) {
                    out.add(why);
                }
            }
            for (Instruction in : s.instructions()) {
                String problem = unsupported(in);
                if (problem != null) {
                    out.add(df.source() + ":" + in.line() + ": " + problem);
                }
                hasRun |= in.keyword().equals("RUN");
            }
        }
        if (hasRun) {
            for (String m : NativeCapabilities.missingForRun()) {
                out.add("RUN needs " + m);
            }
        }
        return out;
    }

    private static String unsupported(Instruction in) {
        switch (in.keyword()) {
            case "HEALTHCHECK":
            case "ONBUILD":
                return in.keyword() + " is not supported by the native builder";
            case "RUN":
                for (String f : in.flags().keySet()) {
                    if (!RUN_FLAGS.contains(f)) {
                        return "RUN --" + f + " is not supported by the native builder";
                    }
                }
                return null;
            case "COPY":
            case "ADD":
                for (String f : in.flags().keySet()) {
                    if (!(in.keyword().equals("COPY") ? COPY_FLAGS : ADD_FLAGS).contains(f)) {
                        return in.keyword() + " --" + f + " is not supported by the native builder";
                    }
                }
                return null;
            default:
                return null;
        }
    }

    BuiltImage build(Path workDir, String reason) throws IOException {
        this.work = workDir.toAbsolutePath();
        Files.createDirectories(work);
        dockerfile = Dockerfile.read(req.dockerfile());
        ignore = DockerIgnore.forBuild(req.context(), req.dockerfile());
        List<Stage> stages = dockerfile.stagesFor(req.target(), req.buildArgs(), req.platform());
        List<String> obstacles = obstacles(dockerfile, stages);
        if (!obstacles.isEmpty()) {
            throw new ImageBuildException("the native builder cannot build " + req.dockerfile() + ":\n  - "
                    + String.join("\n  - ", obstacles) + "\nUse builder=engine (docker or podman) instead.");
        }
        Map<String, String> global = dockerfile.globalArgs(req.buildArgs(), req.platform());
        runSteps = 0;
        try {
            StageRun last = null;
            for (Stage s : stages) {
                last = runStage(s, stages, global);
                done.put(s.index(), last);
            }
            return OciLayoutWriter.write(last.state, work.resolve("image"), created, reason);
        } finally {
            for (StageRun r : done.values()) {
                r.dispose();
            }
        }
    }

    /** One stage being built: its image state and, when needed, its root on disk. */
    private final class StageRun {
        final Stage stage;
        final ImageState state;
        final Map<String, String> args = new LinkedHashMap<>();
        boolean cmdSet;
        /** What this stage's ARG, ENV and LABEL values count towards {@link Dockerfile#MAX_VARIABLE_CHARS}. */
        long variableChars;
        Rootfs rootfs;
        int applied;

        StageRun(Stage stage, ImageState state) {
            this.stage = stage;
            this.state = state;
        }

        Function<String, String> lookup() {
            return name -> {
                String e = state.envValue(name);
                return e != null ? e : args.get(name);
            };
        }

        Map<String, String> scope() {
            Map<String, String> m = new HashMap<>(args);
            for (String e : state.env()) {
                int eq = e.indexOf('=');
                if (eq > 0) {
                    m.put(e.substring(0, eq), e.substring(eq + 1));
                }
            }
            return m;
        }

        Rootfs rootfs() throws IOException {
            if (rootfs == null) {
                // only root may enter: the root holds the image's setuid files and device nodes
                Path folder = work.resolve("stage-" + stage.index());
                Trees.deleteRecursively(folder);
                Files.createDirectory(folder, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
                rootfs = new Rootfs(Files.createDirectory(folder.resolve("rootfs")));
                applied = 0;
            }
            if (applied < state.layers.size()) {
                req.log().accept("[webvm] materialising " + (state.layers.size() - applied) + " layer(s) of stage "
                        + stage.displayName());
                for (int i = applied; i < state.layers.size(); i++) {
                    rootfs.apply(state.layers.get(i), req.log());
                }
                applied = state.layers.size();
            }
            return rootfs;
        }

        void dispose() throws IOException {
            if (rootfs != null) {
                Trees.deleteRecursively(rootfs.dir.getParent());
                rootfs = null;
            }
        }
    }

    private StageRun runStage(Stage s, List<Stage> stages, Map<String, String> global) throws IOException {
        ImageState base;
        if (s.baseStage() >= 0) {
            base = done.get(s.baseStage()).state.copy();
        } else {
            base = images.resolve(s.base());
        }
        req.log().accept("[webvm] stage " + s.displayName() + ": FROM " + s.base());
        StageRun run = new StageRun(s, base);
        if (base.envValue("PATH") == null) {
            base.setEnv("PATH", SandboxRun.DEFAULT_PATH);  // as BuildKit and buildah do
        }
        JsonNode history = base.config.get("history");
        if (history == null || !history.isArray()) {
            base.config.putArray("history");
        }
        for (Instruction in : s.instructions()) {
            req.log().accept("[webvm] " + dockerfile.source() + ":" + in.line() + " " + firstLine(in));
            String at = dockerfile.source() + ":" + in.line() + ": ";
            try {
                step(run, in, global, stages);
            } catch (ImageBuildException e) {
                if (e.getMessage() != null && e.getMessage().startsWith(at)) {
                    throw e;
                }
                throw new ImageBuildException(at + e.getMessage(), e);   // the instruction it came from
            }
        }
        return run;
    }

    private static String firstLine(Instruction in) {
        String t = in.toString();
        int nl = t.indexOf('\n');
        return nl < 0 ? t : t.substring(0, nl) + " ...";
    }

    private void step(StageRun run, Instruction in, Map<String, String> global, List<Stage> stages)
            throws IOException {
        ImageState st = run.state;
        ObjectNode cfg = st.runConfig();
        switch (in.keyword()) {
            case "ARG" -> {
                for (Map.Entry<String, String> kv : dockerfile.keyValues(in, run.scope(), false, true)) {
                    String k = kv.getKey();
                    String v = req.buildArgs().containsKey(k) ? req.buildArgs().get(k)
                            : kv.getValue() != null ? kv.getValue() : global.get(k);
                    run.args.put(k, v);
                    run.variableChars += Dockerfile.variableChars(k, v);
                }
                dockerfile.checkVariableChars(in, run.variableChars, VARIABLES);
                configStep(run, in, "ARG " + in.args() + " " + run.args);
            }
            case "ENV" -> {
                for (Map.Entry<String, String> kv : dockerfile.keyValues(in, run.scope(), true, false)) {
                    st.setEnv(kv.getKey(), kv.getValue());
                    run.variableChars += Dockerfile.variableChars(kv.getKey(), kv.getValue());
                }
                dockerfile.checkVariableChars(in, run.variableChars, VARIABLES);
                configStep(run, in, "ENV " + st.env());
            }
            case "LABEL" -> {
                ObjectNode labels = cfg.has("Labels") && cfg.get("Labels").isObject()
                        ? (ObjectNode) cfg.get("Labels") : cfg.putObject("Labels");
                for (Map.Entry<String, String> kv : dockerfile.keyValues(in, run.scope(), true, false)) {
                    labels.put(kv.getKey(), kv.getValue());
                    run.variableChars += Dockerfile.variableChars(kv.getKey(), kv.getValue());
                }
                dockerfile.checkVariableChars(in, run.variableChars, VARIABLES);
                configStep(run, in, "LABEL " + labels);
            }
            case "USER" -> {
                cfg.put("User", dockerfile.expand(in, in.args(), run.scope()));
                configStep(run, in, "USER " + cfg.get("User").asText());
            }
            case "CMD", "ENTRYPOINT" -> {
                ArrayNode arr = cfg.putArray(in.keyword().equals("CMD") ? "Cmd" : "Entrypoint");
                commandLine(run, in).forEach(arr::add);
                if (in.keyword().equals("CMD")) {
                    run.cmdSet = true;
                } else if (!run.cmdSet) {
                    cfg.putNull("Cmd");
                }
                configStep(run, in, in.keyword() + " " + arr);
            }
            case "SHELL" -> {
                if (!in.isJsonForm() || in.json().isEmpty()) {
                    throw new DockerfileException(dockerfile.source(), in.line(),
                            "SHELL requires the JSON form, e.g. SHELL [\"/bin/bash\", \"-c\"]");
                }
                ArrayNode arr = cfg.putArray("Shell");
                in.json().forEach(arr::add);
                configStep(run, in, "SHELL " + arr);
            }
            case "EXPOSE" -> {
                ObjectNode ports = cfg.has("ExposedPorts") && cfg.get("ExposedPorts").isObject()
                        ? (ObjectNode) cfg.get("ExposedPorts") : cfg.putObject("ExposedPorts");
                for (String p : dockerfile.expandWords(in, in.args(), run.scope())) {
                    String port = p.contains("/") ? p.toLowerCase() : p + "/tcp";
                    if (!port.matches("\\d+(-\\d+)?/(tcp|udp|sctp)")) {
                        throw new DockerfileException(dockerfile.source(), in.line(), "invalid port '" + p + "'");
                    }
                    ports.putObject(port);
                }
                configStep(run, in, "EXPOSE " + ports);
            }
            case "VOLUME" -> {
                ObjectNode vols = cfg.has("Volumes") && cfg.get("Volumes").isObject()
                        ? (ObjectNode) cfg.get("Volumes") : cfg.putObject("Volumes");
                List<String> paths = in.isJsonForm() ? in.json() : dockerfile.expandWords(in, in.args(), run.scope());
                paths.forEach(vols::putObject);
                configStep(run, in, "VOLUME " + vols);
            }
            case "STOPSIGNAL" -> {
                cfg.put("StopSignal", dockerfile.expand(in, in.args(), run.scope()));
                configStep(run, in, "STOPSIGNAL " + cfg.get("StopSignal").asText());
            }
            case "MAINTAINER" -> {
                st.config.put("author", dockerfile.expand(in, in.args(), run.scope()));
                configStep(run, in, "MAINTAINER " + st.config.get("author").asText());
            }
            case "WORKDIR" -> {
                String dir = dockerfile.expand(in, in.args(), run.scope());
                if (!dir.startsWith("/")) {
                    String cur = st.workingDir();
                    dir = (cur.isEmpty() ? "/" : cur) + (cur.endsWith("/") ? "" : "/") + dir;
                }
                dir = normalise(dir);
                cfg.put("WorkingDir", dir);
                String target = dir;
                layerStep(run, in, "WORKDIR " + dir, "", () -> run.rootfs().mkdirs(target));
            }
            case "RUN" -> runStep(run, in);
            case "COPY", "ADD" -> Copy.step(this, run.state, in, run.scope(), stages, new Copy.Env() {
                @Override
                public Rootfs rootfs() throws IOException {
                    return run.rootfs();
                }

                @Override
                public void layer(String description, String inputs, NativeBuilder.Action action) throws IOException {
                    layerStep(run, in, description, inputs, action);
                }
            });
            default -> throw new DockerfileException(dockerfile.source(), in.line(),
                    in.keyword() + " is not supported by the native builder; use builder=engine");
        }
    }

    Dockerfile dockerfile() {
        return dockerfile;
    }

    DockerIgnore ignore() {
        return ignore;
    }

    BuildRequest request() {
        return req;
    }

    /** The image state (and root on disk) of an earlier stage or of an image, for COPY --from. */
    Rootfs sourceRootfs(String from, List<Stage> stages, int before) throws IOException {
        int idx = Dockerfile.stageIndex(stages, from, before);
        if (idx >= 0 && done.containsKey(idx)) {
            return done.get(idx).rootfs();
        }
        ImageState img = images.resolve(from);
        StageRun tmp = new StageRun(new Stage(1000 + done.size(), null, from, -1, null, 0, List.of()), img);
        done.put(tmp.stage.index(), tmp);
        return tmp.rootfs();
    }

    String sourceChainKey(String from, List<Stage> stages, int before) throws IOException {
        int idx = Dockerfile.stageIndex(stages, from, before);
        if (idx >= 0 && done.containsKey(idx)) {
            return done.get(idx).state.chainKey;
        }
        return images.resolve(from).chainKey;
    }

    private void runStep(StageRun run, Instruction in) throws IOException {
        ImageState st = run.state;
        List<String> argv;
        if (in.isJsonForm()) {
            argv = in.json();
        } else {
            List<String> shell = new ArrayList<>();
            JsonNode sh = st.runConfig().get("Shell");
            if (sh != null && sh.isArray() && sh.size() > 0) {
                sh.forEach(e -> shell.add(e.asText()));
            } else {
                shell.addAll(List.of("/bin/sh", "-c"));
            }
            String script = in.args();
            if (in.heredocs().size() == 1 && HEREDOC_ONLY.matcher(script.strip()).matches()) {
                script = in.heredocs().get(0).content();
                if (script.startsWith("#!")) {
                    throw new DockerfileException(dockerfile.source(), in.line(),
                            "a RUN heredoc with a #! interpreter is not supported by the native builder; "
                                    + "use builder=engine or run the interpreter explicitly (RUN python3 <<EOF)");
                }
            } else {
                StringBuilder sb = new StringBuilder(script);
                for (Heredoc h : in.heredocs()) {
                    sb.append('\n').append(h.content()).append(h.name());
                }
                script = sb.toString();
            }
            argv = new ArrayList<>(shell);
            argv.add(script);
        }
        Map<String, String> env = new LinkedHashMap<>();
        run.args.forEach((k, v) -> {
            if (v != null) {
                env.put(k, v);
            }
        });
        for (String e : st.env()) {
            int eq = e.indexOf('=');
            if (eq > 0) {
                env.put(e.substring(0, eq), e.substring(eq + 1));
            }
        }
        env.putIfAbsent("PATH", SandboxRun.DEFAULT_PATH);
        String user = st.user();
        String workdir = st.workingDir().isEmpty() ? "/" : st.workingDir();
        String description = "RUN " + argv + " env=" + env + " user=" + user + " workdir=" + workdir;
        List<String> finalArgv = argv;
        layerStep(run, in, description, "", () -> {
            Rootfs root = run.rootfs();
            long[] ids = Users.resolve(root, user.isEmpty() ? "0" : user, true);
            if (!env.containsKey("HOME")) {
                env.put("HOME", Users.home(root, ids[0]));
            }
            root.mkdirs(workdir);
            runSteps++;
            int status = SandboxRun.run(root.dir, finalArgv, env, workdir, ids[0], ids[1], req.run(), req.log());
            if (status != 0) {
                throw new ImageBuildException(dockerfile.source() + ":" + in.line() + ": RUN failed with exit status "
                        + status + ": " + firstLine(in));
            }
        });
    }

    private void configStep(StageRun run, Instruction in, String description) {
        ImageState st = run.state;
        st.chainKey = Sha256.ociDigest(st.chainKey + "\n" + description);
        st.addHistory(firstLine(in), true, created);
    }

    /** A filesystem change. */
    interface Action {
        void run() throws IOException;
    }

    /** Runs {@code action} against the root on disk unless the cache has its layer; records the layer. */
    private void layerStep(StageRun run, Instruction in, String description, String inputs, Action action)
            throws IOException {
        ImageState st = run.state;
        String key = Sha256.ociDigest(st.chainKey + "\n" + description + "\n" + inputs);
        Path entry = cache.resolve("steps/" + Sha256.hexOfOciDigest(key) + ".json");
        Layer layer = null;
        boolean hit = false;
        if (Files.isRegularFile(entry)) {
            JsonNode e = ImageState.JSON.readTree(entry.toFile());
            if (e.path("layer").isNull()) {
                hit = true;
            } else {
                Path blob = cache.resolve("blobs/" + Sha256.hexOfOciDigest(e.path("layer").path("digest").asText()));
                if (Files.isRegularFile(blob)) {
                    JsonNode l = e.path("layer");
                    layer = new Layer(blob, l.path("digest").asText(), l.path("size").asLong(),
                            l.path("mediaType").asText(), l.path("diffId").asText());
                    hit = true;
                }
            }
        }
        if (hit) {
            req.log().accept("[webvm]   cached");
        } else {
            Rootfs root = run.rootfs();
            Map<String, Rootfs.Entry> before = root.snapshot();
            action.run();
            Files.createDirectories(cache.resolve("blobs"));
            Path tmp = Files.createTempFile(cache.resolve("blobs"), "layer-", ".tar");
            Layer made = root.diff(before, tmp);
            if (made != null) {
                Path blob = cache.resolve("blobs/" + Sha256.hexOfOciDigest(made.digest()));
                AtomicFiles.replace(tmp, blob);
                layer = new Layer(blob, made.digest(), made.size(), made.mediaType(), made.diffId());
            } else {
                Files.delete(tmp);
            }
            ObjectNode e = ImageState.JSON.createObjectNode();
            if (layer == null) {
                e.putNull("layer");
            } else {
                ObjectNode l = e.putObject("layer");
                l.put("digest", layer.digest());
                l.put("size", layer.size());
                l.put("mediaType", layer.mediaType());
                l.put("diffId", layer.diffId());
            }
            e.put("step", description);
            AtomicFiles.write(entry, e.toString().getBytes(StandardCharsets.UTF_8));
        }
        if (layer != null) {
            st.addLayer(layer);
            if (!hit) {
                run.applied = st.layers.size();
            }
        }
        st.chainKey = key;
        st.addHistory(firstLine(in), layer == null, created);
    }

    static String normalise(String path) {
        return "/" + String.join("/", PathNames.clean(path));
    }

    private List<String> commandLine(StageRun run, Instruction in) {
        if (in.isJsonForm()) {
            return in.json();
        }
        List<String> out = new ArrayList<>();
        JsonNode sh = run.state.runConfig().get("Shell");
        if (sh != null && sh.isArray() && sh.size() > 0) {
            sh.forEach(e -> out.add(e.asText()));
        } else {
            out.addAll(List.of("/bin/sh", "-c"));
        }
        out.add(in.args());
        return out;
    }

    static boolean exists(Path p) {
        return Files.exists(p, LinkOption.NOFOLLOW_LINKS);
    }
}

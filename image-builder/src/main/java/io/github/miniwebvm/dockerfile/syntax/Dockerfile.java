package io.github.miniwebvm.dockerfile.syntax;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * A parsed Dockerfile: parser directives, instructions, and their grouping into stages.
 *
 * <pre>{@code
 * Dockerfile df = Dockerfile.read(Path.of("Dockerfile"));
 * List<Stage> stages = df.stagesFor("final", Map.of("VERSION", "2"));
 * }</pre>
 */
public final class Dockerfile {
    /** Platform ARGs that are predefined in the global scope, as BuildKit does. */
    private static final List<String> PLATFORM_ARGS = List.of("TARGETPLATFORM", "TARGETOS", "TARGETARCH",
            "TARGETVARIANT", "BUILDPLATFORM", "BUILDOS", "BUILDARCH", "BUILDVARIANT");

    /**
     * The most characters the ARG, ENV and LABEL values of one stage (or the ARGs before the first
     * FROM) may add up to, 16 Mi: one instruction expands to at most {@link Words#MAX_EXPANDED_CHARS},
     * and thousands of them would still fill the memory.
     */
    public static final long MAX_VARIABLE_CHARS = 16L << 20;

    private final String source;
    private final char escape;
    private final Map<String, String> directives;
    private final List<Instruction> instructions;

    Dockerfile(String source, char escape, Map<String, String> directives, List<Instruction> instructions) {
        this.source = source;
        this.escape = escape;
        this.directives = Collections.unmodifiableMap(directives);
        this.instructions = instructions;
    }

    /** Parses {@code text}; {@code source} names the file in error messages. */
    public static Dockerfile parse(String text, String source) throws DockerfileException {
        return DockerfileParser.parse(source, text);
    }

    public static Dockerfile read(Path file) throws IOException {
        return parse(Files.readString(file, StandardCharsets.UTF_8), file.getFileName().toString());
    }

    public String source() {
        return source;
    }

    /** The escape character: {@code \} or, with {@code # escape=`}, a backtick. */
    public char escape() {
        return escape;
    }

    /** Parser directives given at the top ({@code escape}, {@code syntax}, ...), names in lower case. */
    public Map<String, String> directives() {
        return directives;
    }

    public List<Instruction> instructions() {
        return instructions;
    }

    /**
     * The global scope: ARGs declared before the first FROM with their defaults, overridden by
     * {@code buildArgs}, plus the predefined platform ARGs for {@code platform} ({@code os/arch[/variant]}).
     */
    public Map<String, String> globalArgs(Map<String, String> buildArgs, String platform) throws DockerfileException {
        Map<String, String> scope = new LinkedHashMap<>(platformArgs(platform));
        long chars = 0;
        for (Instruction in : instructions) {
            if (in.keyword().equals("FROM")) {
                break;
            }
            if (!in.keyword().equals("ARG")) {
                throw new DockerfileException(source, in.line(), in.keyword()
                        + " before the first FROM: only ARG may come before FROM");
            }
            for (Map.Entry<String, String> kv : keyValues(in, scope, false, true)) {
                String value = buildArgs.containsKey(kv.getKey()) ? buildArgs.get(kv.getKey()) : kv.getValue();
                scope.put(kv.getKey(), value);
                chars += variableChars(kv.getKey(), value);
            }
            checkVariableChars(in, chars, "the ARGs before the first FROM");
        }
        return scope;
    }

    /** What one ARG, ENV or LABEL value counts towards {@link #MAX_VARIABLE_CHARS}. */
    public static long variableChars(String key, String value) {
        return key.length() + (value == null ? 0 : value.length());
    }

    /** Refuses {@code in} when {@code chars} passed {@link #MAX_VARIABLE_CHARS}; {@code what} names whose values. */
    public void checkVariableChars(Instruction in, long chars, String what) throws DockerfileException {
        if (chars > MAX_VARIABLE_CHARS) {
            throw new DockerfileException(source, in.line(), in.keyword() + ": " + what + " add up to more than "
                    + MAX_VARIABLE_CHARS + " characters (16 MiB); a Dockerfile that needs that much should keep"
                    + " the data in a file");
        }
    }

    /** Predefined ARG values for {@code os/arch[/variant]}. */
    public static Map<String, String> platformArgs(String platform) {
        String[] p = platform.split("/");
        String os = p[0];
        String arch = p.length > 1 ? p[1] : "";
        String variant = p.length > 2 ? p[2] : "";
        Map<String, String> m = new LinkedHashMap<>();
        m.put("TARGETPLATFORM", platform);
        m.put("TARGETOS", os);
        m.put("TARGETARCH", arch);
        m.put("TARGETVARIANT", variant);
        m.put("BUILDPLATFORM", platform);
        m.put("BUILDOS", os);
        m.put("BUILDARCH", arch);
        m.put("BUILDVARIANT", variant);
        return m;
    }

    static boolean isPlatformArg(String name) {
        return PLATFORM_ARGS.contains(name);
    }

    /** All stages, FROM lines expanded with the global ARGs. */
    public List<Stage> stages(Map<String, String> buildArgs, String platform) throws DockerfileException {
        Map<String, String> global = globalArgs(buildArgs, platform);
        List<Stage> stages = new ArrayList<>();
        Map<String, Integer> byName = new HashMap<>();
        Instruction from = null;
        List<Instruction> body = new ArrayList<>();
        for (Instruction in : instructions) {
            if (in.keyword().equals("FROM")) {
                if (from != null) {
                    stages.add(stage(stages.size(), from, body, global, byName));
                }
                from = in;
                body = new ArrayList<>();
            } else if (from != null) {
                body.add(in);
            }
        }
        if (from == null) {
            throw new DockerfileException(source, instructions.isEmpty() ? 1 : instructions.get(0).line(),
                    "no FROM instruction: a Dockerfile must have at least one stage");
        }
        stages.add(stage(stages.size(), from, body, global, byName));
        return Collections.unmodifiableList(stages);
    }

    /**
     * The stages needed for {@code target} (a stage name, or null for the last stage), in
     * Dockerfile order; the target is the last element. Stages that the target does not depend on
     * (through FROM or COPY --from) are left out.
     */
    public List<Stage> stagesFor(String target, Map<String, String> buildArgs, String platform)
            throws DockerfileException {
        List<Stage> all = stages(buildArgs, platform);
        int targetIndex = all.size() - 1;
        if (target != null) {
            targetIndex = -1;
            for (Stage s : all) {
                if (target.toLowerCase(Locale.ROOT).equals(s.name())) {
                    targetIndex = s.index();
                }
            }
            if (targetIndex < 0) {
                TreeSet<String> names = new TreeSet<>();
                all.forEach(s -> {
                    if (s.name() != null) {
                        names.add(s.name());
                    }
                });
                throw new DockerfileException(source, all.get(all.size() - 1).line(),
                        "target stage '" + target + "' not found; stages with names: " + names);
            }
        }
        boolean[] needed = new boolean[all.size()];
        markNeeded(all, targetIndex, needed, globalArgs(buildArgs, platform));
        List<Stage> out = new ArrayList<>();
        for (int i = 0; i <= targetIndex; i++) {
            if (needed[i]) {
                out.add(all.get(i));
            }
        }
        return out;
    }

    private void markNeeded(List<Stage> all, int index, boolean[] needed, Map<String, String> global)
            throws DockerfileException {
        if (needed[index]) {
            return;
        }
        needed[index] = true;
        Stage s = all.get(index);
        if (s.baseStage() >= 0) {
            markNeeded(all, s.baseStage(), needed, global);
        }
        for (Instruction in : s.instructions()) {
            if (in.keyword().equals("COPY") && in.flag("from").isPresent()) {
                int dep = stageIndex(all, expand(in, in.flag("from").get(), global), index);
                if (dep >= 0) {
                    markNeeded(all, dep, needed, global);
                }
            }
        }
    }

    /** The index of the earlier stage called {@code ref} (a name or a number), or -1 for an image reference. */
    public static int stageIndex(List<Stage> stages, String ref, int before) {
        String lower = ref.toLowerCase(Locale.ROOT);
        for (Stage s : stages) {
            if (s.index() < before && (lower.equals(s.name()) || lower.equals(String.valueOf(s.index())))) {
                return s.index();
            }
        }
        return -1;
    }

    private Stage stage(int index, Instruction from, List<Instruction> body, Map<String, String> global,
                        Map<String, Integer> byName) throws DockerfileException {
        List<String> words = Words.rawWords(from.args(), escape);
        String name = null;
        if (words.size() == 3 && words.get(1).equalsIgnoreCase("AS")) {
            name = words.get(2).toLowerCase(Locale.ROOT);
            if (!name.matches("[a-z][a-z0-9._-]*")) {
                throw new DockerfileException(source, from.line(), "invalid stage name '" + words.get(2)
                        + "': use letters, digits, '.', '_' and '-', starting with a letter");
            }
            if (byName.containsKey(name)) {
                throw new DockerfileException(source, from.line(), "duplicate stage name '" + name
                        + "' (first at stage " + byName.get(name) + ")");
            }
            byName.put(name, index);
        } else if (words.size() != 1) {
            throw new DockerfileException(source, from.line(), "FROM takes an image and optionally 'AS name': FROM "
                    + from.args());
        }
        String base = expand(from, words.get(0), global);
        if (base.isEmpty()) {
            throw new DockerfileException(source, from.line(), "FROM image is empty after expanding '"
                    + words.get(0) + "' (is the ARG declared before FROM and given a value?)");
        }
        String platform = null;
        if (from.flag("platform").isPresent()) {
            platform = expand(from, from.flag("platform").get(), global);
        }
        int baseStage = -1;
        Integer named = byName.get(base.toLowerCase(Locale.ROOT));
        if (named != null && named < index) {
            baseStage = named;
        }
        return new Stage(index, name, base, baseStage, platform, from.line(), Collections.unmodifiableList(body));
    }

    /** Expands {@code text} of {@code in} with {@code scope}; a malformed substitution names the line. */
    public String expand(Instruction in, String text, Map<String, String> scope) throws DockerfileException {
        return expansion(in, scope).expand(text);
    }

    /** Like {@link #expand} but split into words. */
    public List<String> expandWords(Instruction in, String text, Map<String, String> scope)
            throws DockerfileException {
        return expansion(in, scope).expandWords(text);
    }

    /** The key=value pairs of an ENV, LABEL or ARG instruction, values expanded with {@code scope}. */
    public List<Map.Entry<String, String>> keyValues(Instruction in, Map<String, String> scope, boolean allowLegacy,
                                                     boolean valueOptional) throws DockerfileException {
        Words.Budget budget = new Words.Budget();
        return named(in, () -> Words.keyValues(in.args(), escape, scope::get, allowLegacy, valueOptional, budget));
    }

    /**
     * Expansions of several texts of one instruction (COPY's words, flags and heredocs) that
     * together may produce at most {@link Words#MAX_EXPANDED_CHARS} of variable values.
     */
    public Expansion expansion(Instruction in, Map<String, String> scope) {
        return new Expansion(in, scope);
    }

    /** See {@link #expansion}. */
    public final class Expansion {
        private final Instruction in;
        private final Map<String, String> scope;
        private final Words.Budget budget = new Words.Budget();

        private Expansion(Instruction in, Map<String, String> scope) {
            this.in = in;
            this.scope = scope;
        }

        public String expand(String text) throws DockerfileException {
            return named(in, () -> Words.expand(text, escape, scope::get, budget));
        }

        public List<String> expandWords(String text) throws DockerfileException {
            return named(in, () -> Words.expandWords(text, escape, scope::get, budget));
        }
    }

    /** Runs {@code call}; what it finds wrong becomes an error naming the file and line of {@code in}. */
    private <T> T named(Instruction in, Supplier<T> call) throws DockerfileException {
        try {
            return call.get();
        } catch (IllegalArgumentException e) {
            throw new DockerfileException(source, in.line(), in.keyword() + ": " + e.getMessage());
        }
    }
}

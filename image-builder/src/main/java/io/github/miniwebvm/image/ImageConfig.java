package io.github.miniwebvm.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.miniwebvm.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The parts of an image configuration the VM needs (immutable): how to start the process and in
 * which environment, plus the command line derived from it the way WebVM derives it.
 *
 * <p>WebVM's deploy workflow reads {@code Config.Entrypoint} and {@code Config.Cmd} with
 * {@code jq}: when both are set, CMD is the entrypoint and ARGS is Cmd; when only Cmd is set,
 * CMD is {@code Cmd[:1]} and ARGS {@code Cmd[1:]}; otherwise CMD is {@code Entrypoint[:1]} and
 * ARGS {@code Entrypoint[1:]}. ENV is {@code Config.Env} and CWD is {@code Config.WorkingDir}.
 * {@link #webvmCommand()} and {@link #webvmArgs()} give that result as a program path and its
 * arguments. The one case where WebVM's page cannot run what it derived, an entrypoint of several
 * words next to a Cmd, is resolved as Docker runs it: the extra entrypoint words come first in
 * the arguments.
 */
public final class ImageConfig {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final String architecture;
    private final String os;
    private final List<String> entrypoint;   // null = not set
    private final List<String> cmd;          // null = not set
    private final List<String> env;
    private final String workingDir;
    private final String user;

    private ImageConfig(String architecture, String os, List<String> entrypoint, List<String> cmd,
            List<String> env, String workingDir, String user) {
        this.architecture = architecture == null ? "" : architecture;
        this.os = os == null ? "" : os;
        this.entrypoint = entrypoint == null ? null : List.copyOf(entrypoint);
        this.cmd = cmd == null ? null : List.copyOf(cmd);
        this.env = env == null ? List.of() : List.copyOf(env);
        this.workingDir = workingDir == null ? "" : workingDir;
        this.user = user == null ? "" : user;
    }

    /**
     * A configuration from its parts; {@code null} entrypoint or cmd means "not set" (which is
     * not the same as an empty list), {@code null} strings mean empty.
     */
    public static ImageConfig of(String architecture, String os, List<String> entrypoint, List<String> cmd,
            List<String> env, String workingDir, String user) {
        return new ImageConfig(architecture, os, entrypoint, cmd, env, workingDir, user);
    }

    /** No platform and no process: what a plain rootfs tar yields. */
    static ImageConfig empty() {
        return new ImageConfig("", "", null, null, List.of(), "", "");
    }

    /**
     * Reads an OCI/Docker image configuration document ({@code architecture}, {@code os},
     * {@code config}): the one reading of its run-configuration fields, for the image loader and
     * the native builder alike.
     */
    public static ImageConfig fromImageConfigJson(JsonNode root) {
        JsonNode c = root.path("config");
        return new ImageConfig(text(root.get("architecture")), text(root.get("os")),
                list(c.get("Entrypoint")), list(c.get("Cmd")), list(c.get("Env")),
                text(c.get("WorkingDir")), text(c.get("User")));
    }

    /** CPU architecture in OCI terms ({@code 386}, {@code amd64}); empty when unknown (a plain rootfs tar). */
    public String architecture() { return architecture; }
    public String os() { return os; }
    /** {@code Config.Entrypoint}; empty when not set. */
    public Optional<List<String>> entrypoint() { return Optional.ofNullable(entrypoint); }
    /** {@code Config.Cmd}; empty when not set. */
    public Optional<List<String>> cmd() { return Optional.ofNullable(cmd); }
    /** {@code Config.Env} as {@code NAME=value} strings, in image order. */
    public List<String> env() { return env; }
    /** The value of the variable {@code name} in {@link #env()} (its first entry), or empty when it is not set. */
    public Optional<String> envValue(String name) {
        for (String e : env) {
            int eq = e.indexOf('=');
            if (eq > 0 && e.substring(0, eq).equals(name)) {
                return Optional.of(e.substring(eq + 1));
            }
        }
        return Optional.empty();
    }

    /**
     * This configuration with the variable {@code name} set to {@code value}, as the Dockerfile's
     * ENV sets it: every entry of that name replaced in place, or one appended when there is none.
     */
    public ImageConfig withEnv(String name, String value) {
        List<String> out = new ArrayList<>(env);
        boolean replaced = false;
        for (int i = 0; i < out.size(); i++) {
            if (out.get(i).startsWith(name + "=")) {
                out.set(i, name + "=" + value);
                replaced = true;
            }
        }
        if (!replaced) {
            out.add(name + "=" + value);
        }
        return new ImageConfig(architecture, os, entrypoint, cmd, out, workingDir, user);
    }

    /** {@code Config.WorkingDir}; empty when not set. */
    public String workingDir() { return workingDir; }
    /** {@code Config.User} ({@code name}, {@code uid}, {@code uid:gid}, ...); empty when not set. */
    public String user() { return user; }

    /** The full argument vector Docker would start: entrypoint followed by cmd. */
    public List<String> argv() {
        List<String> all = new ArrayList<>();
        if (entrypoint != null) {
            all.addAll(entrypoint);
        }
        if (cmd != null) {
            all.addAll(cmd);
        }
        return List.copyOf(all);
    }

    /** The program WebVM runs (its CMD); empty when the image sets neither Entrypoint nor Cmd. */
    public Optional<String> webvmCommand() {
        List<String> argv = argv();
        return argv.isEmpty() ? Optional.empty() : Optional.of(argv.get(0));
    }

    /** The arguments WebVM passes to {@link #webvmCommand()} (its ARGS). */
    public List<String> webvmArgs() {
        List<String> argv = argv();
        return argv.isEmpty() ? List.of() : argv.subList(1, argv.size());
    }

    /** The directory WebVM starts the command in: {@link #workingDir()}, or {@code /} when unset. */
    public String webvmCwd() {
        return workingDir.isEmpty() ? "/" : workingDir;
    }

    /** Numeric user and group the command runs as. */
    public record UserIds(long uid, long gid) { }

    /**
     * {@link #user()} as numbers, looked up in the tree's {@code /etc/passwd} and
     * {@code /etc/group} the way container runtimes do: empty means root; a name must exist in
     * passwd; a numeric uid that passwd lacks runs with gid 0; {@code user:group} takes the group
     * from the second part.
     *
     * @throws ImageFormatException when a named user or group does not exist in the image, when a
     *     number is out of range, or when the passwd or group entry used is malformed
     */
    public UserIds resolveUser(io.github.miniwebvm.fs.FileTree tree) throws IOException {
        if (user.isEmpty()) {
            return new UserIds(0, 0);
        }
        int colon = user.indexOf(':');
        String userPart = colon < 0 ? user : user.substring(0, colon);
        String groupPart = colon < 0 ? null : user.substring(colon + 1);
        long uid;
        long gid = 0;
        Optional<String[]> entry = find(AccountFile.passwd(tree), userPart);
        if (entry.isPresent()) {
            uid = AccountFile.id(entry.get(), 2);
            gid = AccountFile.id(entry.get(), 3);
        } else if (userPart.matches("\\d+")) {
            uid = numericId(userPart, "uid");
        } else {
            throw new ImageFormatException("user '" + userPart + "' (from USER " + user + ") is not in the image's"
                    + " /etc/passwd; use a numeric uid or create the user in the Dockerfile");
        }
        if (groupPart != null) {
            Optional<String[]> group = find(AccountFile.group(tree), groupPart);
            if (group.isPresent()) {
                gid = AccountFile.id(group.get(), 2);
            } else if (groupPart.matches("\\d+")) {
                gid = numericId(groupPart, "gid");
            } else {
                throw new ImageFormatException("group '" + groupPart + "' (from USER " + user + ") is not in the"
                        + " image's /etc/group");
            }
        }
        return new UserIds(uid, gid);
    }

    private static Optional<String[]> find(Optional<AccountFile> file, String key) throws ImageFormatException {
        return file.isPresent() ? file.get().find(key) : Optional.empty();
    }

    private long numericId(String s, String what) throws ImageFormatException {
        long id = AccountFile.parseId(s);
        if (id < 0) {
            throw new ImageFormatException("the " + what + " " + s + " (from USER " + user + ") is out of range: ids"
                    + " are whole numbers from 0 to " + AccountFile.MAX_ID);
        }
        return id;
    }

    /** This configuration with the overrides of a {@code <container>} block applied. */
    public ImageConfig withOverrides(Overrides o) {
        List<String> newEntrypoint = entrypoint;
        List<String> newCmd = cmd;
        if (o.entrypoint != null) {
            // as `docker run --entrypoint`: a new entrypoint drops the image's Cmd
            newEntrypoint = o.entrypoint;
            newCmd = o.args;
        } else if (o.args != null) {
            newCmd = o.args;
        }
        Map<String, String> merged = new LinkedHashMap<>();
        for (String e : env) {
            int eq = e.indexOf('=');
            merged.put(eq < 0 ? e : e.substring(0, eq), e);
        }
        o.env.forEach((k, v) -> merged.put(k, k + "=" + v));
        return new ImageConfig(architecture, os, newEntrypoint, newCmd, new ArrayList<>(merged.values()),
                o.workingDir != null ? o.workingDir : workingDir, o.user != null ? o.user : user);
    }

    /** Overrides for {@link #withOverrides}; what is not set keeps the image's value. */
    public static final class Overrides {
        private List<String> entrypoint;
        private List<String> args;
        private final Map<String, String> env = new LinkedHashMap<>();
        private String workingDir;
        private String user;

        /** Replaces the entrypoint; the image's Cmd is dropped unless {@link #args} is also given. */
        public Overrides entrypoint(List<String> entrypoint) {
            this.entrypoint = List.copyOf(entrypoint);
            return this;
        }

        /** Replaces Cmd (the arguments after the entrypoint). */
        public Overrides args(List<String> args) {
            this.args = List.copyOf(args);
            return this;
        }

        /** Sets one environment variable, replacing the image's value of the same name. */
        public Overrides env(String name, String value) {
            if (name.isEmpty() || name.indexOf('=') >= 0) {
                throw new IllegalArgumentException("invalid environment variable name: '" + name + "'");
            }
            env.put(name, Objects.requireNonNull(value));
            return this;
        }

        public Overrides workingDir(String workingDir) {
            this.workingDir = Objects.requireNonNull(workingDir);
            return this;
        }

        public Overrides user(String user) {
            this.user = Objects.requireNonNull(user);
            return this;
        }
    }

    /**
     * Writes {@code image.json}: the image's fields plus, under {@code "webvm"}, the derived
     * {@code cmd} (string or null), {@code args}, {@code env} and {@code cwd}. Written to a
     * temporary file and moved into place.
     */
    public void writeJson(Path file) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.put("architecture", architecture);
        root.put("os", os);
        putList(root, "entrypoint", entrypoint);
        putList(root, "cmd", cmd);
        putList(root, "env", env);
        root.put("workingDir", workingDir);
        root.put("user", user);
        ObjectNode webvm = root.putObject("webvm");
        webvm.put("cmd", webvmCommand().orElse(null));
        putList(webvm, "args", webvmArgs());
        putList(webvm, "env", env);
        webvm.put("cwd", webvmCwd());
        AtomicFiles.write(file, tmp -> JSON.writeValue(tmp.toFile(), root));
    }

    /** Reads a file written by {@link #writeJson}; the derived {@code webvm} part is recomputed, not read. */
    public static ImageConfig readJson(Path file) throws IOException {
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new ImageFormatException("cannot read image configuration " + file + ": " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new ImageFormatException("image configuration " + file + " is not a JSON object");
        }
        return new ImageConfig(text(root.get("architecture")), text(root.get("os")), list(root.get("entrypoint")),
                list(root.get("cmd")), list(root.get("env")), text(root.get("workingDir")), text(root.get("user")));
    }

    private static void putList(ObjectNode node, String name, List<String> values) {
        if (values == null) {
            node.putNull(name);
            return;
        }
        ArrayNode a = node.putArray(name);
        values.forEach(a::add);
    }

    private static String text(JsonNode n) {
        return n == null || n.isNull() ? "" : n.asText();
    }

    private static List<String> list(JsonNode n) {
        if (n == null || n.isNull()) {
            return null;
        }
        List<String> out = new ArrayList<>();
        if (n.isArray()) {
            n.forEach(e -> out.add(e.asText()));
        } else {
            out.add(n.asText());
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ImageConfig c && architecture.equals(c.architecture) && os.equals(c.os)
                && Objects.equals(entrypoint, c.entrypoint) && Objects.equals(cmd, c.cmd) && env.equals(c.env)
                && workingDir.equals(c.workingDir) && user.equals(c.user);
    }

    @Override
    public int hashCode() {
        return Objects.hash(architecture, os, entrypoint, cmd, env, workingDir, user);
    }

    @Override
    public String toString() {
        return "ImageConfig[" + os + "/" + architecture + ", entrypoint=" + entrypoint + ", cmd=" + cmd + ", env=" + env
                + ", workingDir=" + workingDir + ", user=" + user + "]";
    }
}

package io.github.miniwebvm.maven.pipeline;

import io.github.miniwebvm.fs.FileTree;
import io.github.miniwebvm.fs.Node;
import io.github.miniwebvm.fs.NodeType;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Resolves an image's {@code USER} ({@code name}, {@code uid}, {@code name:group},
 * {@code uid:gid}) to numeric ids with the image's own {@code /etc/passwd} and
 * {@code /etc/group}, as a container runtime does.
 */
final class UserResolver {
    record Ids(long uid, long gid, String home) {}

    private final FileTree tree;

    UserResolver(FileTree tree) {
        this.tree = tree;
    }

    Ids resolve(String user) throws PipelineException, IOException {
        if (user == null || user.isBlank()) {
            return new Ids(0, 0, "/root");
        }
        String[] parts = user.split(":", 2);
        String name = parts[0];
        long uid;
        long gid;
        String home = "/";
        Optional<String[]> pw = find("/etc/passwd", name);
        if (isNumber(name)) {
            uid = Long.parseLong(name);
            Optional<String[]> byUid = findByUid(uid);
            gid = byUid.map(f -> Long.parseLong(f[3])).orElse(uid == 0 ? 0L : uid);
            home = byUid.map(f -> f[5]).orElse(uid == 0 ? "/root" : "/");
        } else if (pw.isPresent()) {
            uid = Long.parseLong(pw.get()[2]);
            gid = Long.parseLong(pw.get()[3]);
            home = pw.get()[5];
        } else {
            throw PipelineException.user("user '" + name + "' is not in the image's /etc/passwd; "
                    + "create it in the Dockerfile (useradd) or give a numeric uid:gid");
        }
        if (parts.length == 2) {
            String group = parts[1];
            if (isNumber(group)) {
                gid = Long.parseLong(group);
            } else {
                gid = find("/etc/group", group).map(f -> Long.parseLong(f[2])).orElseThrow(() ->
                        PipelineException.user("group '" + group + "' is not in the image's /etc/group"));
            }
        }
        return new Ids(uid, gid, home);
    }

    private Optional<String[]> findByUid(long uid) throws IOException {
        for (String line : lines("/etc/passwd")) {
            String[] f = line.split(":", -1);
            if (f.length >= 7 && isNumber(f[2]) && Long.parseLong(f[2]) == uid) {
                return Optional.of(f);
            }
        }
        return Optional.empty();
    }

    private Optional<String[]> find(String file, String name) throws IOException {
        for (String line : lines(file)) {
            String[] f = line.split(":", -1);
            if (f.length >= 3 && f[0].equals(name)) {
                return Optional.of(f);
            }
        }
        return Optional.empty();
    }

    private String[] lines(String path) throws IOException {
        Optional<Node> node = tree.lookup(path);
        if (node.isEmpty() || node.get().type() != NodeType.FILE) {
            return new String[0];
        }
        try (InputStream in = node.get().content().open()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n");
        }
    }

    private static boolean isNumber(String s) {
        return !s.isEmpty() && s.chars().allMatch(Character::isDigit);
    }
}

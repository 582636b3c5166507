package io.github.miniwebvm.build;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Resolves {@code user[:group]} (names or numbers) with the image's /etc/passwd and /etc/group. */
final class Users {
    private Users() {
    }

    /**
     * {uid, gid}. For a user without a group: with {@code primaryGroup} the user's passwd group
     * (as RUN does), else the same number as the uid (as {@code COPY --chown} does).
     */
    static long[] resolve(Rootfs root, String spec, boolean primaryGroup) throws IOException {
        String user = spec;
        String group = null;
        int colon = spec.indexOf(':');
        if (colon >= 0) {
            user = spec.substring(0, colon);
            group = spec.substring(colon + 1);
        }
        long uid;
        Long passwdGid = null;
        String[] pw = find(root, "/etc/passwd", user, user.matches("\\d+") ? 2 : 0);
        if (user.matches("\\d+")) {
            uid = Long.parseLong(user);
        } else if (pw != null) {
            uid = Long.parseLong(pw[2]);
        } else {
            throw new ImageBuildException("unknown user '" + user + "': not in the image's /etc/passwd");
        }
        if (pw != null && pw.length > 3) {
            passwdGid = Long.parseLong(pw[3]);
        }
        long gid;
        if (group == null || group.isEmpty()) {
            gid = primaryGroup ? (passwdGid != null ? passwdGid : 0) : uid;
        } else if (group.matches("\\d+")) {
            gid = Long.parseLong(group);
        } else {
            String[] gr = find(root, "/etc/group", group, 0);
            if (gr == null) {
                throw new ImageBuildException("unknown group '" + group + "': not in the image's /etc/group");
            }
            gid = Long.parseLong(gr[2]);
        }
        return new long[] {uid, gid};
    }

    static String home(Rootfs root, long uid) throws IOException {
        String[] pw = find(root, "/etc/passwd", Long.toString(uid), 2);
        return pw != null && pw.length > 5 && !pw[5].isEmpty() ? pw[5] : "/";
    }

    private static String[] find(Rootfs root, String file, String value, int field) throws IOException {
        Path p = root.resolve(file, true);
        if (!Files.isRegularFile(p)) {
            return null;
        }
        List<String> lines = Files.readAllLines(p);
        for (String line : lines) {
            String[] f = line.split(":", -1);
            if (f.length > Math.max(field, 2) && f[field].equals(value)) {
                return f;
            }
        }
        return null;
    }
}

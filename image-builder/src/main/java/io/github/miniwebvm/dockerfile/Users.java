package io.github.miniwebvm.dockerfile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Resolves {@code user[:group]} (names or numbers) with the image's /etc/passwd and /etc/group.
 * Both files come from the image, so a malformed entry is an error naming the file and line.
 */
final class Users {
    /** Larger account files are not read (a hostile image could make one of any size). */
    static final long MAX_ACCOUNT_FILE_BYTES = 16L << 20;
    private static final long MAX_ID = 4_294_967_294L;   // 2^32 - 2: (uid_t) -1 means "no change"

    private Users() {
    }

    /** A line of an account file, with where it came from. */
    private record Entry(String file, int line, String text, String[] fields) {
        long id(int field, String what) throws ImageBuildException {
            return Users.id(fields[field], "line " + line + " of the image's " + file + " ('" + shorten(text)
                    + "') has '" + shorten(fields[field]) + "' as its " + what);
        }
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
        boolean numericUser = user.matches("\\d+");
        Entry pw = find(root, "/etc/passwd", user, numericUser ? 2 : 0);
        long uid;
        if (numericUser) {
            uid = id(user, "USER " + spec + ": '" + shorten(user) + "' is not a user id (0 to " + MAX_ID + ")");
        } else if (pw != null) {
            uid = pw.id(2, "uid");
        } else {
            throw new ImageBuildException("unknown user '" + shorten(user) + "': not in the image's /etc/passwd");
        }
        Long passwdGid = pw != null && pw.fields().length > 3 ? pw.id(3, "gid") : null;
        long gid;
        if (group == null || group.isEmpty()) {
            gid = primaryGroup ? (passwdGid != null ? passwdGid : 0) : uid;
        } else if (group.matches("\\d+")) {
            gid = id(group, "USER " + spec + ": '" + shorten(group) + "' is not a group id (0 to " + MAX_ID + ")");
        } else {
            Entry gr = find(root, "/etc/group", group, 0);
            if (gr == null) {
                throw new ImageBuildException("unknown group '" + shorten(group) + "': not in the image's /etc/group");
            }
            gid = gr.id(2, "gid");
        }
        return new long[] {uid, gid};
    }

    static String home(Rootfs root, long uid) throws IOException {
        Entry pw = find(root, "/etc/passwd", Long.toString(uid), 2);
        return pw != null && pw.fields().length > 5 && !pw.fields()[5].isEmpty() ? pw.fields()[5] : "/";
    }

    private static Entry find(Rootfs root, String file, String value, int field) throws IOException {
        Path p = root.resolve(file, true);
        if (!Files.isRegularFile(p)) {
            return null;
        }
        if (Files.size(p) > MAX_ACCOUNT_FILE_BYTES) {
            throw new ImageBuildException("the image's " + file + " is " + Files.size(p) + " bytes, more than the "
                    + MAX_ACCOUNT_FILE_BYTES + " any account file needs; it is not read");
        }
        List<String> lines = Files.readAllLines(p);
        for (int i = 0; i < lines.size(); i++) {
            String[] f = lines.get(i).split(":", -1);
            if (f.length > Math.max(field, 2) && f[field].equals(value)) {
                return new Entry(file, i + 1, lines.get(i), f);
            }
        }
        return null;
    }

    private static long id(String digits, String message) throws ImageBuildException {
        if (!digits.matches("\\d{1,10}") || Long.parseLong(digits) > MAX_ID) {
            throw new ImageBuildException(message);
        }
        return Long.parseLong(digits);
    }

    private static String shorten(String s) {
        return s.length() <= 80 ? s : s.substring(0, 80) + "…";
    }
}

package io.github.miniwebvm.image;

import io.github.miniwebvm.fs.FileTree;
import io.github.miniwebvm.fs.Node;
import io.github.miniwebvm.fs.NodeType;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * An image's {@code /etc/passwd} or {@code /etc/group}: colon-separated lines whose first field is
 * a name and whose third an id. Lines that are blank, comments or malformed are skipped unless
 * they are the entry asked for; that one must be well formed, or the lookup fails naming the file
 * and the line, rather than guess an id.
 */
final class AccountFile {
    /** Far beyond any real account file; the file is read whole, and a sparse one can claim terabytes. */
    static final long MAX_BYTES = 16L << 20;
    /** The largest id: 2^32 - 1 is (uid_t) -1, which means "no change" to the kernel. */
    static final long MAX_ID = 0xFFFF_FFFEL;

    private final String path;
    private final String[] lines;
    private final List<String> ids;      // the names of the id fields, from the third on

    private AccountFile(String path, String text, List<String> ids) {
        this.path = path;
        this.lines = text.split("\n", -1);
        this.ids = ids;
    }

    /** {@code /etc/passwd} of {@code tree}; an entry needs name, password, uid and gid. */
    static Optional<AccountFile> passwd(FileTree tree) throws IOException {
        return read(tree, "/etc/passwd", List.of("uid", "gid"));
    }

    /** {@code /etc/group} of {@code tree}; an entry needs name, password and gid. */
    static Optional<AccountFile> group(FileTree tree) throws IOException {
        return read(tree, "/etc/group", List.of("gid"));
    }

    private static Optional<AccountFile> read(FileTree tree, String path, List<String> ids) throws IOException {
        Optional<Node> node = tree.lookup(path);
        if (node.isEmpty() || node.get().type() != NodeType.FILE) {
            return Optional.empty();
        }
        long size = node.get().content().size();
        if (size > MAX_BYTES) {
            throw new ImageFormatException("the image's " + path + " is " + size + " bytes, more than the "
                    + MAX_BYTES + " an account file may have; it is not a real " + path);
        }
        try (InputStream in = node.get().content().open()) {
            return Optional.of(new AccountFile(path, new String(in.readNBytes((int) size), StandardCharsets.UTF_8),
                    ids));
        }
    }

    /**
     * The fields of the entry named {@code key} or, when {@code key} is a number and no entry has
     * that name, of the first entry with that id; empty when there is none.
     *
     * @throws ImageFormatException when that entry has too few fields or an id that is not a number
     */
    Optional<String[]> find(String key) throws ImageFormatException {
        int byId = -1;
        for (int i = 0; i < lines.length; i++) {
            String[] f = split(lines[i]);
            if (f.length > 0 && f[0].equals(key)) {
                return Optional.of(checked(f, i));
            }
            if (byId < 0 && f.length > 2 && f[2].equals(key)) {
                byId = i;
            }
        }
        return byId >= 0 && isNumber(key) ? Optional.of(checked(split(lines[byId]), byId)) : Optional.empty();
    }

    private static String[] split(String line) {
        String l = line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
        return l.isBlank() || l.startsWith("#") ? new String[0] : l.split(":", -1);
    }

    private String[] checked(String[] f, int index) throws ImageFormatException {
        if (f.length < 2 + ids.size()) {
            throw lineError(index, "has " + f.length + " fields; an entry needs at least " + (2 + ids.size())
                    + " (name, password, " + String.join(", ", ids) + ")");
        }
        for (int i = 0; i < ids.size(); i++) {
            if (parseId(f[2 + i]) < 0) {
                throw lineError(index, "has '" + LayerApplier.shown(f[2 + i]) + "' as its " + ids.get(i) + "; ids are"
                        + " whole numbers from 0 to " + MAX_ID);
            }
        }
        return f;
    }

    /** Field {@code index} of an entry {@link #find} returned, as an id. */
    static long id(String[] entry, int index) {
        return parseId(entry[index]);
    }

    /** {@code s} as an id, or -1 when it is not a whole number from 0 to {@link #MAX_ID}. */
    static long parseId(String s) {
        if (!isNumber(s) || s.length() > 10) {
            return -1;
        }
        long v = Long.parseLong(s);
        return v <= MAX_ID ? v : -1;
    }

    private static boolean isNumber(String s) {
        return !s.isEmpty() && s.chars().allMatch(c -> c >= '0' && c <= '9');
    }

    private ImageFormatException lineError(int index, String problem) {
        return new ImageFormatException("line " + (index + 1) + " of the image's " + path + " ('"
                + LayerApplier.shown(lines[index]) + "') " + problem + "; fix that line in the image");
    }
}

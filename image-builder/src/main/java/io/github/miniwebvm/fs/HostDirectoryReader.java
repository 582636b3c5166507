package io.github.miniwebvm.fs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a directory of the host into a {@link FileTree}: types, permission bits, uid/gid, times,
 * device numbers, hard links (same inode = same {@link Node}) and {@code user.*} extended
 * attributes (the only namespace Java can read). Symlinks are stored, never followed; file
 * contents stay on disk ({@link Content#ofFile}). Needs a POSIX host (the {@code unix:} attribute
 * view of Linux and macOS JDKs).
 */
public final class HostDirectoryReader {
    private static final int S_IFMT = 0170000;
    // named one by one: "unix:*" also resolves owner and group names, an NSS lookup per file
    private static final String ATTRIBUTES =
            "unix:mode,nlink,dev,ino,rdev,size,uid,gid,lastModifiedTime,lastAccessTime,ctime";

    private HostDirectoryReader() {
    }

    public static FileTree read(Path directory) throws IOException {
        Map<String, Object> rootAttrs = Files.readAttributes(directory, ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
        if (((Integer) rootAttrs.get("mode") & S_IFMT) != 0040000) {
            throw new IOException("not a directory: " + directory);
        }
        Node root = Node.directory(0);
        applyMetadata(root, rootAttrs, directory);
        FileTree tree = new FileTree(root);
        Map<List<Object>, Node> byInode = new HashMap<>();
        readChildren(directory, "", tree, byInode);
        return tree;
    }

    private static void readChildren(Path dir, String prefix, FileTree tree, Map<List<Object>, Node> byInode)
            throws IOException {
        List<Path> children = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            stream.forEach(children::add);
        }
        for (Path path : children) {
            String rel = prefix + path.getFileName().toString();
            Map<String, Object> a = Files.readAttributes(path, ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
            int mode = (Integer) a.get("mode");
            int nlink = (Integer) a.get("nlink");
            int fmt = mode & S_IFMT;
            List<Object> key = List.of(a.get("dev"), a.get("ino"));
            if (fmt != 0040000 && nlink > 1) {
                Node existing = byInode.get(key);
                if (existing != null) {
                    tree.put(rel, existing);
                    continue;
                }
            }
            int perms = mode & 07777;
            long rdev = (Long) a.get("rdev");
            int major = (int) (((rdev >>> 8) & 0xFFF) | ((rdev >>> 32) & ~0xFFFL));
            int minor = (int) ((rdev & 0xFF) | ((rdev >>> 12) & ~0xFFL));
            Node node = switch (fmt) {
                case 0040000 -> Node.directory(perms);
                case 0100000 -> Node.file(perms, Content.ofFile(path, (Long) a.get("size")));
                case 0120000 -> Node.symlink(Files.readSymbolicLink(path).toString());
                case 0020000 -> Node.device(NodeType.CHAR_DEVICE, perms, major, minor);
                case 0060000 -> Node.device(NodeType.BLOCK_DEVICE, perms, major, minor);
                case 0010000 -> Node.fifo(perms);
                case 0140000 -> Node.socket(perms);
                default -> throw new IOException("unknown file type " + Integer.toOctalString(fmt) + ": " + path);
            };
            applyMetadata(node, a, path);
            if (fmt != 0040000 && nlink > 1) {
                byInode.put(key, node);
            }
            tree.put(rel, node);
            if (fmt == 0040000) {
                readChildren(path, rel + "/", tree, byInode);
            }
        }
    }

    private static void applyMetadata(Node node, Map<String, Object> a, Path path) throws IOException {
        node.setPermissions((Integer) a.get("mode") & 07777);
        node.setOwner(Integer.toUnsignedLong((Integer) a.get("uid")), Integer.toUnsignedLong((Integer) a.get("gid")));
        node.setTimes(seconds(a.get("lastModifiedTime")), seconds(a.get("lastAccessTime")), seconds(a.get("ctime")));
        if (node.type() != NodeType.FILE && !node.isDirectory()) {
            return;    // reading attributes opens the file: a fifo would block, a device could react
        }
        UserDefinedFileAttributeView view = Files.getFileAttributeView(path, UserDefinedFileAttributeView.class,
                LinkOption.NOFOLLOW_LINKS);
        if (view != null) {
            List<String> names;
            try {
                names = view.list();
            } catch (IOException | UnsupportedOperationException e) {
                return;
            }
            for (String name : names) {
                ByteBuffer buf = ByteBuffer.allocate(view.size(name));
                view.read(name, buf);
                node.setXattr("user." + name, buf.array());
            }
        }
    }

    private static long seconds(Object fileTime) {
        return Math.floorDiv(((FileTime) fileTime).toMillis(), 1000);
    }
}

package io.github.miniwebvm.fs;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

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
        new Walk(directory, root).run();
        return new FileTree(root);
    }

    /**
     * Reads directories on a few threads at once: the work is mostly system calls (a stat and an
     * xattr listing per entry) that the kernel runs in parallel. Each directory's children are
     * filled in by the one thread that reads it, and children are sorted by name, so the tree does
     * not depend on the timing; a hard link's node is the same whichever of its paths came first.
     */
    private static final class Walk {
        private record Dir(Path path, Node node) { }

        private final Deque<Dir> pending = new ArrayDeque<>();
        private final Map<List<Object>, Node> byInode = new ConcurrentHashMap<>();
        private int busy;
        private Exception failure;

        Walk(Path directory, Node root) {
            pending.push(new Dir(directory, root));
        }

        void run() throws IOException {
            Thread[] helpers = new Thread[Math.min(3, Runtime.getRuntime().availableProcessors() - 1)];
            for (int i = 0; i < helpers.length; i++) {
                helpers[i] = new Thread("host-directory-reader-" + (i + 1)) {
                    @Override
                    public void run() {
                        work();
                    }
                };
                helpers[i].setDaemon(true);
                helpers[i].start();
            }
            work();
            for (Thread helper : helpers) {
                try {
                    helper.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    fail(new InterruptedIOException("interrupted while reading " + pending.peek()));
                }
            }
            if (failure instanceof IOException e) {
                throw e;
            } else if (failure != null) {
                throw (RuntimeException) failure;
            }
        }

        private void work() {
            try {
                for (Dir dir = next(); dir != null; dir = next()) {
                    readChildren(dir);
                    done();
                }
            } catch (IOException | RuntimeException e) {
                fail(e);
            } catch (InterruptedException e) {
                fail(new InterruptedIOException("interrupted while reading a directory"));
            }
        }

        private synchronized Dir next() throws InterruptedException {
            while (pending.isEmpty() && busy > 0 && failure == null) {
                wait();
            }
            if (failure != null || pending.isEmpty()) {
                return null;
            }
            busy++;
            return pending.pop();
        }

        /** Offers a directory to read, at once: the other threads need not wait for its parent to be done. */
        private synchronized void found(Dir directory) {
            pending.push(directory);
            notify();
        }

        private synchronized void done() {
            busy--;
            notifyAll();
        }

        private synchronized void fail(Exception e) {
            if (failure == null) {
                failure = e;
            }
            notifyAll();
        }

        private void readChildren(Dir dir) throws IOException {
            // java.io lists a directory in one native call; a DirectoryStream makes one (and takes a lock) per entry
            String[] names = dir.path().toFile().list();
            if (names == null) {
                throw new IOException("cannot list the directory " + dir.path() + " (unreadable, or gone while being read)");
            }
            for (String name : names) {
                readEntry(dir, name);
            }
        }

        /** One entry of {@code dir}: a method of its own so that the JIT compiles it early (see ImageWriter.scan). */
        private void readEntry(Dir dir, String name) throws IOException {
            Path path = dir.path().resolve(name);
            Map<String, Object> a = Files.readAttributes(path, ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
            int mode = (Integer) a.get("mode");
            int fmt = mode & S_IFMT;
            boolean hardLinked = fmt != 0040000 && (Integer) a.get("nlink") > 1;
            List<Object> key = hardLinked ? List.of(a.get("dev"), a.get("ino")) : null;
            Node node = hardLinked ? byInode.get(key) : null;
            if (node == null) {
                node = newNode(path, fmt, mode & 07777, a);
                applyMetadata(node, a, path);
                if (fmt == 0100000 && (Long) a.get("size") >= HostFileExtents.PROBE_MIN_SIZE) {
                    // where its holes are, asked now while other threads walk on (the first ask loads JNA)
                    node.content().dataExtents();
                }
                if (hardLinked) {
                    Node first = byInode.putIfAbsent(key, node);
                    node = first != null ? first : node;
                }
            }
            dir.node().mutableChildren().put(name, node);
            if (fmt == 0040000) {
                found(new Dir(path, node));
            }
        }

        private static Node newNode(Path path, int fmt, int perms, Map<String, Object> a) throws IOException {
            long rdev = (Long) a.get("rdev");
            int major = (int) (((rdev >>> 8) & 0xFFF) | ((rdev >>> 32) & ~0xFFFL));
            int minor = (int) ((rdev & 0xFF) | ((rdev >>> 12) & ~0xFFL));
            return switch (fmt) {
                case 0040000 -> Node.directory(perms);
                case 0100000 -> Node.file(perms, Content.ofFile(path, (Long) a.get("size")));
                case 0120000 -> Node.symlink(Files.readSymbolicLink(path).toString());
                case 0020000 -> Node.device(NodeType.CHAR_DEVICE, perms, major, minor);
                case 0060000 -> Node.device(NodeType.BLOCK_DEVICE, perms, major, minor);
                case 0010000 -> Node.fifo(perms);
                case 0140000 -> Node.socket(perms);
                default -> throw new IOException("unknown file type " + Integer.toOctalString(fmt) + ": " + path);
            };
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

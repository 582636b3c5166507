package io.github.miniwebvm.dockerfile;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Platform;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.concurrent.TimeUnit;

/**
 * The file calls extraction needs that Java lacks (mknod, lsetxattr, symlink with the target's
 * exact bytes) or only offers by opening the file, which blocks on a fifo and may act on a device
 * (Java sets times and modes through a file descriptor). Called through JNA; 64-bit Linux only.
 * None of them follows a symlink in the last component except {@link #chmod}, which callers use
 * only on what they have just created.
 */
final class PosixCalls {
    private static final int AT_FDCWD = -100;
    private static final int AT_SYMLINK_NOFOLLOW = 0x100;
    private static final long UTIME_OMIT = (1L << 30) - 2;
    /** File names in the encoding Java itself uses for them. */
    private static final Charset PATH_CHARSET = Charset.forName(System.getProperty("sun.jnu.encoding", "UTF-8"));

    private PosixCalls() {
    }

    interface LibC extends Library {
        int mknod(byte[] path, int mode, long dev) throws LastErrorException;

        int symlink(byte[] target, byte[] path) throws LastErrorException;

        int lchown(byte[] path, int uid, int gid) throws LastErrorException;

        int chmod(byte[] path, int mode) throws LastErrorException;

        int utimensat(int dirfd, byte[] path, long[] times, int flags) throws LastErrorException;

        int lsetxattr(byte[] path, byte[] name, byte[] value, NativeLong size, int flags) throws LastErrorException;
    }

    private static final class Holder {
        static final LibC LIBC;
        static final String UNAVAILABLE;

        static {
            LibC lib = null;
            String why = null;
            if (!Platform.isLinux() || !Platform.is64Bit()) {
                why = "the native builder runs on 64-bit Linux only";
            } else {
                try {
                    lib = Native.load(Platform.C_LIBRARY_NAME, LibC.class);
                } catch (Throwable e) {
                    why = "JNA cannot load the C library: " + e.getMessage();
                }
            }
            LIBC = lib;
            UNAVAILABLE = why;
        }
    }

    private static LibC libc() throws ImageBuildException {
        if (Holder.LIBC == null) {
            throw new ImageBuildException("cannot extract files natively: " + Holder.UNAVAILABLE);
        }
        return Holder.LIBC;
    }

    /** Creates a device node or fifo; {@code mode} holds the file type bits and the permissions. */
    static void mknod(Path path, int mode, int major, int minor) throws IOException {
        long dev = ((major & 0xfffL) << 8) | ((major & 0xfffff000L) << 32) | (minor & 0xffL) | ((minor & 0xffffff00L) << 12);
        try {
            libc().mknod(c(path), mode, dev);
        } catch (LastErrorException e) {
            throw failed("mknod", path, e);
        }
    }

    static void symlink(String target, Path path) throws IOException {
        try {
            libc().symlink(c(target), c(path));
        } catch (LastErrorException e) {
            throw failed("symlink", path, e);
        }
    }

    static void lchown(Path path, long uid, long gid) throws IOException {
        try {
            libc().lchown(c(path), (int) uid, (int) gid);
        } catch (LastErrorException e) {
            throw failed("lchown", path, e);
        }
    }

    static void chmod(Path path, int mode) throws IOException {
        try {
            libc().chmod(c(path), mode);
        } catch (LastErrorException e) {
            throw failed("chmod", path, e);
        }
    }

    /** Sets the modification time of {@code path} itself (a symlink is not followed); the access time is left. */
    static void setModifiedTime(Path path, FileTime mtime) throws IOException {
        long nanos = mtime.to(TimeUnit.NANOSECONDS);
        long[] times = {0, UTIME_OMIT, Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L)};
        try {
            libc().utimensat(AT_FDCWD, c(path), times, AT_SYMLINK_NOFOLLOW);
        } catch (LastErrorException e) {
            throw failed("utimensat", path, e);
        }
    }

    static void lsetxattr(Path path, String name, byte[] value) throws IOException {
        try {
            libc().lsetxattr(c(path), c(name), value, new NativeLong(value.length), 0);
        } catch (LastErrorException e) {
            throw failed("lsetxattr " + name, path, e);
        }
    }

    private static byte[] c(Path path) {
        return c(path.toString());
    }

    private static byte[] c(String s) {
        byte[] b = s.getBytes(PATH_CHARSET);
        byte[] z = new byte[b.length + 1];
        System.arraycopy(b, 0, z, 0, b.length);
        return z;
    }

    private static IOException failed(String call, Path path, LastErrorException e) {
        return new IOException(call + " " + path + ": " + e.getMessage());
    }
}

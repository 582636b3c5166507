package io.github.miniwebvm.bootkit;

import io.github.miniwebvm.fs.Content;
import io.github.miniwebvm.fs.FileTree;
import io.github.miniwebvm.io.AtomicFiles;
import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.apache.commons.compress.archivers.cpio.CpioArchiveEntry;
import org.apache.commons.compress.archivers.cpio.CpioArchiveOutputStream;
import org.apache.commons.compress.archivers.cpio.CpioConstants;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipParameters;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.XZ;
import org.tukaani.xz.XZOutputStream;

/**
 * The initramfs the kernel starts: a static busybox, the kernel modules for v86's IDE disk and
 * ext2, {@code /init} (mounts the root disk and switches to it) and the launcher that runs the
 * {@link GuestCommand} on the serial console.
 *
 * <p>Two newc cpio archives one after the other, which the kernel unpacks in turn: the <em>common
 * part</em> (compressed, everything but the command, the same for every image of a boot kit),
 * zero-padded to a multiple of 4 bytes, then the <em>image's part</em> ({@code webvm/command},
 * uncompressed). A machine state saved while {@code /init} waits before the disk
 * ({@code webvm.pause=disk}) was booted from the common part alone and serves every image: the
 * build sends it the image's part instead (see {@code init.sh}).
 *
 * <p>Deterministic: entries sorted by path, owner 0:0, one fixed mtime, fixed inode numbers and
 * compressor settings, so the same inputs give the same bytes.
 */
public final class Initramfs {

    /** How the cpio archive is compressed; the Debian kernel reads all three. */
    public enum Compression { GZIP, XZ, NONE }

    private final Content busybox;
    private final List<KernelModules.Module> modules;
    private final List<KernelModules.Module> networkModules;
    private final GuestCommand command;
    private final Compression compression;
    private final long mtime;

    private Initramfs(Builder b, List<KernelModules.Module> modules, List<KernelModules.Module> networkModules) {
        this.busybox = b.busybox;
        this.modules = modules;
        this.networkModules = networkModules;
        this.command = b.command;
        this.compression = b.compression;
        this.mtime = b.mtime;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The network card's modules in load order (loaded by the launcher when the page has a network). */
    public List<String> networkModuleNames() {
        return networkModules.stream().map(KernelModules.Module::name).toList();
    }

    /** The module names in load order (file names without {@code .ko}). */
    public List<String> moduleNames() {
        return modules.stream().map(KernelModules.Module::name).toList();
    }

    /**
     * Writes the initramfs to {@code out} (replaced atomically) and returns the length of its common
     * part: bytes {@code [0, commonBytes)} are the same for every command, the rest is the image's
     * part.
     */
    public long write(Path out) throws IOException {
        long[] common = new long[1];
        AtomicFiles.write(out, tmp -> {
            try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
                common[0] = write(os);
            }
        });
        return common[0];
    }

    /** Writes the initramfs to {@code out}, which it does not close; returns the common part's length. */
    public long write(OutputStream out) throws IOException {
        CountingOutputStream counted = new CountingOutputStream(out);
        TreeMap<String, Item> common = commonEntries();
        writeArchive(common, 1, compress(shielded(counted)));
        while (counted.count % 4 != 0) {
            counted.write(0);
        }
        long commonBytes = counted.count;
        writeArchive(commandEntries(), 1 + common.size(), shielded(counted));
        return commonBytes;
    }

    /** Writes one cpio archive of {@code entries} to {@code out} and closes {@code out}. */
    private void writeArchive(TreeMap<String, Item> entries, long firstInode, OutputStream out) throws IOException {
        try (CpioArchiveOutputStream cpio = new CpioArchiveOutputStream(out, CpioConstants.FORMAT_NEW,
                CpioConstants.BLOCK_SIZE, "US-ASCII")) {
            long inode = firstInode;
            for (var e : entries.entrySet()) {
                e.getValue().write(cpio, e.getKey(), inode++, mtime);
            }
            cpio.finish();
        }
    }

    /** {@code out}, flushed but never closed when its archive is. */
    private static OutputStream shielded(OutputStream out) {
        return new FilterOutputStream(out) {
            @Override public void write(byte[] b, int off, int len) throws IOException { out.write(b, off, len); }
            @Override public void close() throws IOException { flush(); }
        };
    }

    private static final class CountingOutputStream extends FilterOutputStream {
        long count;

        CountingOutputStream(OutputStream out) {
            super(out);
        }

        @Override public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }
    }

    private OutputStream compress(OutputStream out) throws IOException {
        switch (compression) {
            case GZIP: {
                GzipParameters p = new GzipParameters();
                p.setCompressionLevel(9);
                p.setModificationTime(0);
                p.setOperatingSystem(3);
                return new GzipCompressorOutputStream(out, p);
            }
            case XZ: {
                LZMA2Options o = new LZMA2Options(6);
                o.setDictSize(1 << 20);
                return new XZOutputStream(out, o, XZ.CHECK_CRC32);
            }
            default:
                return out;
        }
    }

    /** The image's part: its command. */
    TreeMap<String, Item> commandEntries() {
        TreeMap<String, Item> m = new TreeMap<>();
        m.put("webvm/command", Item.file(0644, Content.ofBytes(command.toShell().getBytes(StandardCharsets.UTF_8))));
        return m;
    }

    /** The common part: archive paths (no leading slash) to entries, sorted so that parents come first. */
    TreeMap<String, Item> commonEntries() {
        TreeMap<String, Item> m = new TreeMap<>();
        for (String d : List.of("bin", "dev", "lib", "lib/modules", "newroot", "proc", "sys", "webvm")) {
            m.put(d, Item.dir(0755));
        }
        m.put("bin/busybox", Item.file(0755, busybox));
        m.put("bin/sh", Item.symlink("busybox"));
        m.put("dev/console", Item.charDevice(0600, 5, 1));
        m.put("init", Item.file(0755, Content.ofBytes(script("init.sh"))));
        StringBuilder list = new StringBuilder();
        for (KernelModules.Module mod : modules) {
            m.put("lib/modules/" + mod.fileName(), Item.file(0644, Content.ofBytes(mod.bytes())));
            list.append(mod.name()).append('\n');
        }
        m.put("webvm/modules", Item.file(0644, Content.ofBytes(list.toString().getBytes(StandardCharsets.UTF_8))));
        // the network card's driver: not loaded by /init, but by the launcher when the page has a network
        StringBuilder net = new StringBuilder();
        for (KernelModules.Module mod : networkModules) {
            m.put("webvm/net/" + mod.fileName(), Item.file(0644, Content.ofBytes(mod.bytes())));
            net.append(mod.name()).append('\n');
        }
        if (!networkModules.isEmpty()) m.put("webvm/net", Item.dir(0755));
        m.put("webvm/net-modules", Item.file(0644, Content.ofBytes(net.toString().getBytes(StandardCharsets.UTF_8))));
        m.put("webvm/launcher", Item.file(0755, Content.ofBytes(script("launcher.sh"))));
        return m;
    }

    static byte[] script(String name) {
        try (InputStream in = Initramfs.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("resource missing from the jar: " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One archive member. */
    record Item(int type, int permissions, Content content, int rdevMajor, int rdevMinor) {
        static Item dir(int perm) {
            return new Item(CpioConstants.C_ISDIR, perm, Content.EMPTY, 0, 0);
        }

        static Item file(int perm, Content c) {
            return new Item(CpioConstants.C_ISREG, perm, c, 0, 0);
        }

        static Item symlink(String target) {
            return new Item(CpioConstants.C_ISLNK, 0777, Content.ofBytes(target.getBytes(StandardCharsets.UTF_8)), 0, 0);
        }

        static Item charDevice(int perm, int major, int minor) {
            return new Item(CpioConstants.C_ISCHR, perm, Content.EMPTY, major, minor);
        }

        void write(CpioArchiveOutputStream cpio, String name, long inode, long mtime) throws IOException {
            CpioArchiveEntry e = new CpioArchiveEntry(CpioConstants.FORMAT_NEW, name, content.size());
            e.setMode(type | permissions);
            e.setInode(inode);
            e.setUID(0);
            e.setGID(0);
            e.setTime(mtime);
            e.setNumberOfLinks(type == CpioConstants.C_ISDIR ? 2 : 1);
            e.setRemoteDeviceMaj(rdevMajor);
            e.setRemoteDeviceMin(rdevMinor);
            cpio.putArchiveEntry(e);
            try (InputStream in = content.open()) {
                in.transferTo(cpio);
            }
            cpio.closeArchiveEntry();
        }
    }

    public static final class Builder {
        private Content busybox;
        private KernelModules kernelModules;
        private List<String> moduleNames = KernelModules.DEFAULT;
        private GuestCommand command;
        private Compression compression = Compression.GZIP;
        private long mtime;
        private Consumer<String> log = s -> { };

        private Builder() {
        }

        /** A static i386 busybox (Debian's {@code busybox-static} {@code /bin/busybox}). */
        public Builder busybox(Path busybox) throws IOException {
            this.busybox = Content.ofFile(busybox);
            return this;
        }

        /** The kernel's modules directory, e.g. {@code .../lib/modules/6.1.0-50-686}. */
        public Builder modules(Path modulesDirectory) throws IOException {
            this.kernelModules = KernelModules.fromDirectory(modulesDirectory);
            return this;
        }

        /** The kernel's modules directory inside an image, e.g. {@code /usr/lib/modules/6.1.0-50-686}. */
        public Builder modules(FileTree image, String modulesPath) throws IOException {
            this.kernelModules = KernelModules.fromTree(image, modulesPath);
            return this;
        }

        Builder kernelModules(KernelModules modules) {
            this.kernelModules = modules;
            return this;
        }

        /** Which modules to load, in order (their dependencies are added); default: disk, ext2 and 9p (/data). */
        public Builder moduleNames(List<String> names) {
            this.moduleNames = List.copyOf(names);
            return this;
        }

        public Builder command(GuestCommand command) {
            this.command = command;
            return this;
        }

        public Builder compression(Compression compression) {
            this.compression = Objects.requireNonNull(compression);
            return this;
        }

        /** The mtime of every entry, in seconds since the epoch (default 0). */
        public Builder mtime(long epochSeconds) {
            this.mtime = epochSeconds;
            return this;
        }

        public Builder log(Consumer<String> log) {
            this.log = Objects.requireNonNull(log);
            return this;
        }

        /** Reads the modules (and their dependencies); fails if a required one is missing. */
        public Initramfs build() throws IOException {
            Objects.requireNonNull(busybox, "busybox");
            Objects.requireNonNull(command, "command");
            List<KernelModules.Module> mods = kernelModules == null ? new ArrayList<>()
                    : kernelModules.select(moduleNames, KernelModules.REQUIRED, log);
            if (kernelModules == null) {
                log.accept("boot kit: initramfs without kernel modules (the kernel must have its disk and ext2 "
                        + "drivers built in)");
            }
            List<KernelModules.Module> net = kernelModules == null ? List.of()
                    : kernelModules.select(KernelModules.NETWORK, java.util.Set.of(), log);
            return new Initramfs(this, mods, net);
        }
    }
}

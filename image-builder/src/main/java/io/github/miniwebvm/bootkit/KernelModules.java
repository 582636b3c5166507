package io.github.miniwebvm.bootkit;

import com.github.luben.zstd.ZstdInputStream;
import io.github.miniwebvm.fs.Content;
import io.github.miniwebvm.fs.FileTree;
import io.github.miniwebvm.fs.Node;
import io.github.miniwebvm.fs.NodeType;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.tukaani.xz.XZInputStream;

/**
 * The modules of one kernel ({@code /lib/modules/<version>}), from a directory or from an image's
 * {@link FileTree}: finds them by name, reads their dependencies from the ELF {@code .modinfo}
 * section and orders a selection so that every module comes after the ones it depends on.
 */
final class KernelModules {
    /** What v86's PIIX IDE disk and an ext2 root need with a Debian kernel, in load order. */
    static final List<String> DISK_AND_EXT2 = List.of("scsi_common", "scsi_mod", "libata", "ata_piix",
            "crct10dif_common", "crct10dif_generic", "crc-t10dif", "crc64", "crc64_rocksoft_generic",
            "crc64-rocksoft", "t10-pi", "sd_mod", "crc16", "mbcache", "jbd2", "crc32c_generic", "libcrc32c", "ext4");
    /**
     * v86's default network card (an NE2000 on PCI), loaded by the launcher only when the page
     * has a network, so that a build-time snapshot never holds a driver bound to another MAC.
     */
    static final List<String> NETWORK = List.of("8390", "ne2k-pci");
    /** /data: v86's virtio 9p filesystem (optional: without them the guest has no /data). */
    static final List<String> DATA_9P = List.of("virtio_pci", "9pnet_virtio", "9p");
    /** What the initramfs loads by default: the root disk, then /data. */
    static final List<String> DEFAULT = java.util.stream.Stream.concat(DISK_AND_EXT2.stream(), DATA_9P.stream()).toList();
    /** Without these (as modules or built in) the root disk cannot be mounted. */
    static final Set<String> REQUIRED = Set.of("ata_piix", "sd_mod", "ext4");

    /** A module to load: its file name in the initramfs and its (decompressed) bytes. */
    record Module(String name, byte[] bytes) {
        String fileName() {
            return name + ".ko";
        }
    }

    private final String description;
    private final Map<String, Content> files;   // normalised name → file
    private final Map<String, String> fileNames; // normalised name → file name without .ko
    private final Set<String> builtin;

    private KernelModules(String description, Map<String, Content> files, Map<String, String> fileNames,
                          Set<String> builtin) {
        this.description = description;
        this.files = files;
        this.fileNames = fileNames;
        this.builtin = builtin;
    }

    /** The kernel's modules directory, e.g. {@code .../lib/modules/6.1.0-50-686}. */
    static KernelModules fromDirectory(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new BootKitException("kernel modules directory not found: " + dir);
        }
        Map<String, Content> files = new TreeMap<>();
        Map<String, String> names = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) walk.sorted()::iterator) {
                String base = p.getFileName().toString();
                if (moduleName(base) != null && Files.isRegularFile(p)) {
                    files.putIfAbsent(normalise(moduleName(base)), Content.ofFile(p));
                    names.putIfAbsent(normalise(moduleName(base)), base);
                }
            }
        }
        Path builtinList = dir.resolve("modules.builtin");
        Set<String> builtin = new HashSet<>();
        if (Files.isRegularFile(builtinList)) {
            for (String line : Files.readAllLines(builtinList, StandardCharsets.UTF_8)) {
                addBuiltin(builtin, line);
            }
        }
        return new KernelModules(dir.toString(), files, names, builtin);
    }

    /** The modules under {@code modulesPath} (e.g. {@code /usr/lib/modules/6.1.0-50-686}) of an image. */
    static KernelModules fromTree(FileTree tree, String modulesPath) throws IOException {
        Node dir = tree.lookup(modulesPath).filter(Node::isDirectory)
                .orElseThrow(() -> new BootKitException("no directory " + modulesPath + " in the image"));
        Map<String, Content> files = new TreeMap<>();
        Map<String, String> names = new TreeMap<>();
        Set<String> builtin = new HashSet<>();
        collect(dir, files, names);
        Node list = dir.children().get("modules.builtin");
        if (list != null && list.type() == NodeType.FILE) {
            try (InputStream in = list.content().open()) {
                for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                    addBuiltin(builtin, line);
                }
            }
        }
        return new KernelModules(modulesPath + " of the image", files, names, builtin);
    }

    private static void collect(Node dir, Map<String, Content> files, Map<String, String> names) {
        for (Map.Entry<String, Node> e : dir.children().entrySet()) {
            Node n = e.getValue();
            if (n.isDirectory()) {
                collect(n, files, names);
            } else if (n.type() == NodeType.FILE && moduleName(e.getKey()) != null) {
                files.putIfAbsent(normalise(moduleName(e.getKey())), n.content());
                names.putIfAbsent(normalise(moduleName(e.getKey())), e.getKey());
            }
        }
    }

    private static void addBuiltin(Set<String> builtin, String line) {
        String base = line.strip();
        base = base.substring(base.lastIndexOf('/') + 1);
        if (moduleName(base) != null) {
            builtin.add(normalise(moduleName(base)));
        }
    }

    /** The module name of a file name ({@code crc-t10dif.ko.xz} → {@code crc-t10dif}), or null. */
    static String moduleName(String fileName) {
        for (String ext : List.of(".ko", ".ko.xz", ".ko.zst", ".ko.gz")) {
            if (fileName.endsWith(ext) && fileName.length() > ext.length()) {
                return fileName.substring(0, fileName.length() - ext.length());
            }
        }
        return null;
    }

    /** The kernel treats '-' and '_' in module names alike. */
    static String normalise(String name) {
        return name.replace('-', '_');
    }

    int size() {
        return files.size();
    }

    /**
     * {@code roots} in order, each preceded by what it depends on. Modules built into the kernel
     * are left out; a missing one is an error if it is in {@code required}, else logged.
     */
    List<Module> select(List<String> roots, Set<String> required, Consumer<String> log) throws IOException {
        Map<String, Module> ordered = new LinkedHashMap<>();
        Set<String> requiredNorm = new HashSet<>();
        required.forEach(r -> requiredNorm.add(normalise(r)));
        for (String root : roots) {
            String n = normalise(root);
            if (!files.containsKey(n)) {
                if (builtin.contains(n)) {
                    continue;
                }
                if (requiredNorm.contains(n)) {
                    throw new BootKitException("kernel module " + root + " is neither in " + description
                            + " nor built into the kernel; v86 needs it to mount the root disk "
                            + "(use a Debian linux-image-686 kernel or one with this driver)");
                }
                log.accept("boot kit: module " + root + " not found in " + description + ", skipped");
                continue;
            }
            add(n, ordered, new HashSet<>(), log);
        }
        return new ArrayList<>(ordered.values());
    }

    private void add(String name, Map<String, Module> ordered, Set<String> visiting, Consumer<String> log)
            throws IOException {
        if (ordered.containsKey(name) || !visiting.add(name)) {
            return;
        }
        byte[] bytes = read(name);
        for (String dep : modinfo(bytes, description + "/" + fileNames.get(name)).getOrDefault("depends", List.of())) {
            String d = normalise(dep);
            if (files.containsKey(d)) {
                add(d, ordered, visiting, log);
            } else if (!builtin.contains(d)) {
                throw new BootKitException("kernel module " + fileNames.get(name) + " depends on " + dep
                        + ", which is missing from " + description);
            }
        }
        ordered.put(name, new Module(moduleName(fileNames.get(name)), bytes));
    }

    private byte[] read(String name) throws IOException {
        String file = fileNames.get(name);
        try (InputStream raw = files.get(name).open();
             InputStream in = file.endsWith(".xz") ? new XZInputStream(raw)
                     : file.endsWith(".zst") ? new ZstdInputStream(raw)
                     : file.endsWith(".gz") ? new GZIPInputStream(raw) : raw) {
            return in.readAllBytes();
        }
    }

    /** The key=value strings of the {@code .modinfo} section of a 32- or 64-bit little-endian ELF module. */
    static Map<String, List<String>> modinfo(byte[] elf, String what) throws BootKitException {
        ByteBuffer b = ByteBuffer.wrap(elf).order(ByteOrder.LITTLE_ENDIAN);
        if (elf.length < 64 || b.getInt(0) != 0x464c457f || elf[5] != 1) {
            throw new BootKitException(what + " is not a little-endian ELF kernel module");
        }
        boolean is64 = elf[4] == 2;
        long shoff = is64 ? b.getLong(0x28) : Integer.toUnsignedLong(b.getInt(0x20));
        int shentsize = Short.toUnsignedInt(b.getShort(is64 ? 0x3A : 0x2E));
        int shnum = Short.toUnsignedInt(b.getShort(is64 ? 0x3C : 0x30));
        int shstrndx = Short.toUnsignedInt(b.getShort(is64 ? 0x3E : 0x32));
        long strOff = sectionOffset(b, shoff, shentsize, shstrndx, is64);
        for (int i = 0; i < shnum; i++) {
            int sh = (int) (shoff + (long) i * shentsize);
            int nameOff = b.getInt(sh);
            if (!"modinfo".equals(cString(elf, (int) (strOff + nameOff)).replaceFirst("^\\.", ""))) {
                continue;
            }
            long off = sectionOffset(b, shoff, shentsize, i, is64);
            long size = is64 ? b.getLong(sh + 0x20) : Integer.toUnsignedLong(b.getInt(sh + 0x14));
            Map<String, List<String>> out = new TreeMap<>();
            int p = (int) off;
            while (p < off + size) {
                String s = cString(elf, p);
                p += s.length() + 1;
                int eq = s.indexOf('=');
                if (eq > 0) {
                    String key = s.substring(0, eq);
                    String value = s.substring(eq + 1);
                    if (key.equals("depends")) {
                        out.put(key, value.isEmpty() ? List.of() : List.of(value.split(",")));
                    } else {
                        out.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
                    }
                }
            }
            return out;
        }
        throw new BootKitException(what + " has no .modinfo section");
    }

    private static long sectionOffset(ByteBuffer b, long shoff, int shentsize, int index, boolean is64) {
        int sh = (int) (shoff + (long) index * shentsize);
        return is64 ? b.getLong(sh + 0x18) : Integer.toUnsignedLong(b.getInt(sh + 0x10));
    }

    private static String cString(byte[] bytes, int at) {
        int end = at;
        while (end < bytes.length && bytes[end] != 0) {
            end++;
        }
        return new String(bytes, at, end - at, StandardCharsets.ISO_8859_1);
    }
}

package io.github.miniwebvm.ext2;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * An extended attribute block: a 32-byte header, entries growing down from the header, values
 * growing up from the end of the block. Inodes with identical attribute sets share one block
 * (the header's reference count says how many).
 */
final class XattrBlock {
    static final int MAGIC = 0xEA020000;
    private static final int HEADER = 32;
    private static final int ENTRY = 16;

    private static final String[][] PREFIXES = {
        // name index, prefix; full names first
        {"2", "system.posix_acl_access"},
        {"3", "system.posix_acl_default"},
        {"1", "user."},
        {"4", "trusted."},
        {"6", "security."},
        {"7", "system."},
    };

    private record Entry(int index, byte[] suffix, byte[] value) {}

    private XattrBlock() {
    }

    /**
     * The block holding {@code xattrs} with a reference count of 1.
     *
     * @throws IllegalArgumentException when they do not fit in one block or a name has no ext2 prefix
     */
    static byte[] encode(Map<String, byte[]> xattrs, int blockSize) {
        List<Entry> entries = new ArrayList<>();
        for (Map.Entry<String, byte[]> e : xattrs.entrySet()) {
            entries.add(entry(e.getKey(), e.getValue()));
        }
        entries.sort(Comparator.<Entry>comparingInt(Entry::index)
                .thenComparingInt(e -> e.suffix().length)
                .thenComparing(Entry::suffix, java.util.Arrays::compareUnsigned));
        ByteBuffer b = ByteBuffer.allocate(blockSize).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, MAGIC);
        b.putInt(4, 1);
        b.putInt(8, 1);
        int entryOffset = HEADER;
        int valueEnd = blockSize;
        int blockHash = 0;
        for (Entry e : entries) {
            int entryLen = (ENTRY + e.suffix().length + 3) & ~3;
            int valueLen = (e.value().length + 3) & ~3;
            int valueOffset = valueEnd - valueLen;
            if (entryOffset + entryLen + 4 > valueOffset) {
                throw new IllegalArgumentException("extended attributes (" + xattrs.size() + ", "
                        + String.join(", ", xattrs.keySet()) + ") do not fit in one " + blockSize + "-byte block");
            }
            int hash = entryHash(e.suffix(), e.value());
            b.put(entryOffset, (byte) e.suffix().length);
            b.put(entryOffset + 1, (byte) e.index());
            b.putShort(entryOffset + 2, (short) valueOffset);
            b.putInt(entryOffset + 4, 0);
            b.putInt(entryOffset + 8, e.value().length);
            b.putInt(entryOffset + 12, hash);
            b.put(entryOffset + ENTRY, e.suffix());
            b.put(valueOffset, e.value());
            blockHash = (blockHash << 16) ^ (blockHash >>> 16) ^ hash;
            entryOffset += entryLen;
            valueEnd = valueOffset;
        }
        b.putInt(12, blockHash);
        return b.array();
    }

    static void setReferenceCount(byte[] block, int count) {
        ByteBuffer.wrap(block).order(ByteOrder.LITTLE_ENDIAN).putInt(4, count);
    }

    private static Entry entry(String name, byte[] value) {
        for (String[] p : PREFIXES) {
            String prefix = p[1];
            boolean full = !prefix.endsWith(".");
            if (full ? name.equals(prefix) : name.startsWith(prefix) && name.length() > prefix.length()) {
                byte[] suffix = name.substring(full ? name.length() : prefix.length()).getBytes(StandardCharsets.UTF_8);
                if (suffix.length > 255) {
                    throw new IllegalArgumentException("extended attribute name longer than 255 bytes: " + name);
                }
                int index = Integer.parseInt(p[0]);
                return new Entry(index, suffix, full ? PosixAcl.toDisk(name, value) : value);
            }
        }
        throw new IllegalArgumentException("extended attribute '" + name
                + "' has no prefix ext2 can store (user., trusted., security., system.)");
    }

    /** The entry hash of the kernel and e2fsprogs (name bytes as signed chars, as on x86). */
    static int entryHash(byte[] name, byte[] value) {
        int hash = 0;
        for (byte c : name) {
            hash = (hash << 5) ^ (hash >>> 27) ^ c;
        }
        int words = (value.length + 3) / 4;
        ByteBuffer v = ByteBuffer.allocate(words * 4).order(ByteOrder.LITTLE_ENDIAN);
        v.put(value);
        for (int i = 0; i < words; i++) {
            hash = (hash << 16) ^ (hash >>> 16) ^ v.getInt(i * 4);
        }
        return hash;
    }

    /** POSIX ACLs arrive in the VFS xattr format (version 2) and are stored in ext2's compact format (version 1). */
    static final class PosixAcl {
        private PosixAcl() {
        }

        static byte[] toDisk(String name, byte[] vfs) {
            ByteBuffer in = ByteBuffer.wrap(vfs).order(ByteOrder.LITTLE_ENDIAN);
            if (vfs.length < 4 || (vfs.length - 4) % 8 != 0 || in.getInt(0) != 2) {
                throw new IllegalArgumentException("extended attribute " + name
                        + " is not a POSIX ACL in the xattr format (version 2)");
            }
            int n = (vfs.length - 4) / 8;
            ByteBuffer out = ByteBuffer.allocate(4 + 8 * n).order(ByteOrder.LITTLE_ENDIAN);
            out.putInt(1);
            for (int i = 0; i < n; i++) {
                int p = 4 + 8 * i;
                short tag = in.getShort(p);
                out.putShort(tag);
                out.putShort(in.getShort(p + 2));
                if (tag == 0x02 || tag == 0x08) {   // ACL_USER, ACL_GROUP carry an id
                    out.putInt(in.getInt(p + 4));
                }
            }
            byte[] disk = new byte[out.position()];
            out.flip().get(disk);
            return disk;
        }
    }
}

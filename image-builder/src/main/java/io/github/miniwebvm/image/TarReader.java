package io.github.miniwebvm.image;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A strict streaming tar reader (ustar, GNU long names, PAX, GNU sparse files) that reports where
 * each entry's data starts, so contents can be referenced as ranges instead of being copied; a
 * sparse file is reported with its real size and the segments of it that the archive stores.
 * Unlike general-purpose readers it keeps PAX values as raw bytes (binary {@code SCHILY.xattr.*}
 * values such as {@code security.capability} survive), verifies header checksums and sizes, and
 * treats an archive that ends without its end-of-archive block as truncated. Data is skipped with
 * {@link InputStream#skip}, so a wrapping stream decides whether skipping seeks or reads through
 * (for hashing and spooling).
 */
final class TarReader {
    private static final int BLOCK = 512;
    /** The largest entry size whose padding to whole blocks still fits in a long. */
    private static final long MAX_SIZE = Long.MAX_VALUE - BLOCK;
    private static final String SPARSE_KEYS = "GNU.sparse.";
    private static final int OLD_GNU_SPARSE_IN_HEADER = 4;
    private static final int OLD_GNU_SPARSE_PER_EXTENSION = 21;

    /** One record of a PAX extended header, in archive order (GNU sparse 0.0 repeats its keys). */
    private record PaxRecord(String key, byte[] value) { }

    private final InputStream in;
    private final String archiveName;
    private final LoadLimits limits;
    private final byte[] block = new byte[BLOCK];
    private final Map<String, byte[]> globalPax = new LinkedHashMap<>();
    private long position;
    private long pendingSkip;      // data + padding of the previous entry not consumed yet
    private TarHeader pendingEntry;
    private boolean finished;

    TarReader(InputStream in, String archiveName) {
        this(in, archiveName, LoadLimits.unlimited());
    }

    /** A reader that counts every header, extension headers included, against {@code limits}. */
    TarReader(InputStream in, String archiveName, LoadLimits limits) {
        this.in = in;
        this.archiveName = archiveName;
        this.limits = limits;
    }

    /** Bytes consumed so far from the start of the archive. */
    long position() {
        return position;
    }

    /** The next entry, or null at the end-of-archive marker. */
    TarHeader next() throws IOException {
        if (finished) {
            return null;
        }
        skipPending();
        List<PaxRecord> pax = new ArrayList<>();
        String gnuLongName = null;
        String gnuLongLink = null;
        while (true) {
            long headerAt = position;
            if (!readBlock()) {
                if (headerAt == 0) {
                    finished = true;   // an empty stream is an empty layer (some tools write those)
                    return null;
                }
                throw new ImageFormatException("truncated tar: " + archiveName
                        + " ends at byte " + headerAt + " without the end-of-archive marker");
            }
            if (isZero(block)) {
                finished = true;
                return null;
            }
            verifyChecksum(headerAt);
            limits.countEntry(archiveName, headerAt);
            char type = (char) (block[156] & 0xff);
            long size = checkedSize(number(124, 12, "size", headerAt), "size field", headerFieldName(), headerAt);
            switch (type) {
                case 'x' -> {
                    pax.addAll(parsePax(readData(size, headerAt), headerAt));
                    continue;
                }
                case 'g' -> {
                    for (PaxRecord r : parsePax(readData(size, headerAt), headerAt)) {
                        if (r.key().startsWith(SPARSE_KEYS)) {
                            throw new ImageFormatException("corrupt PAX header in " + archiveName + " at byte "
                                    + headerAt + ": the GNU sparse key " + r.key() + " is in a global header;"
                                    + " it describes one file");
                        }
                        globalPax.put(r.key(), r.value());
                    }
                    continue;
                }
                case 'L' -> {
                    gnuLongName = cString(readData(size, headerAt), "GNU long name", headerAt);
                    continue;
                }
                case 'K' -> {
                    gnuLongLink = cString(readData(size, headerAt), "GNU long link name", headerAt);
                    continue;
                }
                default -> { }
            }
            List<PaxRecord> ext = new ArrayList<>();
            globalPax.forEach((k, v) -> ext.add(new PaxRecord(k, v)));
            ext.addAll(pax);
            TarHeader h = header(type, size, headerAt, ext, gnuLongName, gnuLongLink);
            pendingEntry = h;
            return h;
        }
    }

    private TarHeader header(char type, long size, long headerAt, List<PaxRecord> pax,
            String gnuLongName, String gnuLongLink) throws IOException {
        String name = field(0, 100, "name", headerAt);
        boolean ustar = block[257] == 'u' && block[258] == 's' && block[259] == 't' && block[260] == 'a'
                && block[261] == 'r' && block[262] == 0;
        if (ustar) {
            String prefix = field(345, 155, "name prefix", headerAt);
            if (!prefix.isEmpty()) {
                name = prefix + "/" + name;
            }
        }
        if (gnuLongName != null) {
            name = gnuLongName;
        }
        String linkName = gnuLongLink != null ? gnuLongLink : field(157, 100, "link name", headerAt);
        int mode = (int) number(100, 8, "mode", headerAt);
        long uid = number(108, 8, "uid", headerAt);
        long gid = number(116, 8, "gid", headerAt);
        long mtime = number(136, 12, "mtime", headerAt);
        long major = 0;
        long minor = 0;
        if (type == '3' || type == '4') {
            major = number(329, 8, "devmajor", headerAt);
            minor = number(337, 8, "devminor", headerAt);
        }
        String sparseName = null;
        for (PaxRecord r : pax) {     // names first: the other records' errors name the entry
            byte[] raw = r.value();
            switch (r.key()) {
                case "path" -> name = utf8(raw, 0, raw.length, "PAX path", headerAt);
                case "GNU.sparse.name" -> sparseName = utf8(raw, 0, raw.length, "PAX GNU.sparse.name", headerAt);
                case "linkpath" -> linkName = utf8(raw, 0, raw.length, "PAX linkpath", headerAt);
                default -> { }
            }
        }
        if (sparseName != null) {
            name = sparseName;     // GNU sparse 0.1 and 1.0 give the path a placeholder name, the real one here
        }
        boolean sizeFromPax = false;
        List<PaxRecord> sparseKeys = new ArrayList<>();
        Map<String, byte[]> xattrs = new TreeMap<>();
        for (PaxRecord r : pax) {
            String key = r.key();
            byte[] raw = r.value();
            String value = new String(raw, StandardCharsets.UTF_8);
            switch (key) {
                case "path", "linkpath" -> { }
                case "size" -> {
                    size = checkedSize(paxLong(key, value, name, headerAt), "PAX size record", name, headerAt);
                    sizeFromPax = true;
                }
                case "uid" -> uid = paxLong(key, value, name, headerAt);
                case "gid" -> gid = paxLong(key, value, name, headerAt);
                case "mtime" -> mtime = paxSeconds(value, headerAt);
                case "SCHILY.devmajor" -> major = paxLong(key, value, name, headerAt);
                case "SCHILY.devminor" -> minor = paxLong(key, value, name, headerAt);
                default -> {
                    if (key.startsWith("SCHILY.xattr.")) {
                        xattrs.put(key.substring("SCHILY.xattr.".length()), raw);
                    } else if (key.startsWith(SPARSE_KEYS)) {
                        sparseKeys.add(r);
                    }
                }
            }
        }
        if (major < 0 || major > Integer.MAX_VALUE || minor < 0 || minor > Integer.MAX_VALUE) {
            throw entryError(name, headerAt, "device number " + major + ":" + minor + " out of range");
        }
        SparseEntry sparse = null;
        if (type == 'S') {
            if (!sparseKeys.isEmpty()) {
                throw entryError(name, headerAt, "an old GNU sparse entry (type 'S') with GNU sparse PAX keys as well");
            }
            sparse = oldGnuSparse(name, size, sizeFromPax, headerAt);   // reads the extension headers
            type = '0';
        } else if (!sparseKeys.isEmpty()) {
            if (!(type == '0' || type == '\0' || type == '7')) {
                throw entryError(name, headerAt, "GNU sparse PAX keys on an entry of tar type '" + type
                        + "'; only regular files can be sparse");
            }
            sparse = paxSparse(name, size, sparseKeys, headerAt);        // format 1.0 reads its map from the data
        }
        long dataOffset = position;
        // links, devices, fifos and directories carry no data even when their size field is set
        boolean headerOnly = "123456".indexOf(type) >= 0;
        boolean hasData = type == '0' || type == '\0' || type == '7';
        pendingSkip = headerOnly ? 0 : padded(size) - (sparse == null ? 0 : sparse.mapBytes());
        long logicalSize = sparse != null ? sparse.realSize() : hasData ? size : 0;
        return new TarHeader(name, type, mode & 07777, uid, gid, logicalSize, mtime, linkName, (int) major,
                (int) minor, Collections.unmodifiableMap(xattrs), dataOffset, sparse == null ? null : sparse.segments());
    }

    /**
     * A sparse entry's layout: its real size, its data segments, and how many bytes of its data the
     * map itself takes (format 1.0 keeps the map at the start of the data).
     */
    private record SparseEntry(long realSize, long[] segments, long mapBytes) { }

    /**
     * An old GNU sparse entry (type 'S'): up to four map entries in the header, more in extension
     * headers that follow it, and the real size in the header; the size field counts the data only.
     */
    private SparseEntry oldGnuSparse(String name, long storedBytes, boolean sizeFromPax, long headerAt)
            throws IOException {
        if (sizeFromPax) {
            throw entryError(name, headerAt, "an old GNU sparse entry (type 'S') with a PAX size record");
        }
        SparseMap map = new SparseMap(archiveName, name, headerAt, limits);
        long realSize = number(483, 12, "real size", headerAt);
        boolean more = addOldGnuSegments(map, 386, OLD_GNU_SPARSE_IN_HEADER, headerAt) && block[482] != 0;
        while (more) {
            long extensionAt = position;
            readBlockOf("the sparse map of '" + LayerApplier.shown(name) + "'");
            limits.countEntry(archiveName, extensionAt);
            more = addOldGnuSegments(map, 0, OLD_GNU_SPARSE_PER_EXTENSION, extensionAt) && block[504] != 0;
        }
        return new SparseEntry(realSize, map.finish(realSize, storedBytes), 0);
    }

    /** Adds the {offset, numbytes} pairs of the block at {@code off}; false when the list ended early. */
    private boolean addOldGnuSegments(SparseMap map, int off, int count, long blockAt) throws ImageFormatException {
        for (int i = 0; i < count; i++) {
            int at = off + i * 24;
            if (block[at] == 0) {
                return false;
            }
            map.add(number(at, 12, "sparse offset", blockAt), number(at + 12, 12, "sparse length", blockAt));
        }
        return true;
    }

    /**
     * A sparse entry of the PAX formats of GNU tar: 0.0 lists {@code GNU.sparse.offset} and
     * {@code GNU.sparse.numbytes} pairs, 0.1 one {@code GNU.sparse.map} of comma-separated numbers,
     * and 1.0 ({@code GNU.sparse.major=1}) keeps the map at the start of the data, in decimal lines.
     */
    private SparseEntry paxSparse(String name, long storedBytes, List<PaxRecord> keys, long headerAt)
            throws IOException {
        Long realSize = null;
        Long count = null;
        String major = null;
        String minor = null;
        byte[] mapList = null;
        long offsetPairs = 0;      // format 0.0: GNU.sparse.offset, then GNU.sparse.numbytes
        SparseMap map = new SparseMap(archiveName, name, headerAt, limits);
        Long pendingOffset = null;
        for (PaxRecord r : keys) {
            String value = new String(r.value(), StandardCharsets.UTF_8);
            switch (r.key()) {
                case "GNU.sparse.name" -> { }     // the entry's name, already taken
                case "GNU.sparse.size", "GNU.sparse.realsize" -> realSize = sparseNumber(map, r.key(), value);
                case "GNU.sparse.numblocks" -> count = sparseNumber(map, r.key(), value);
                case "GNU.sparse.major" -> major = value;
                case "GNU.sparse.minor" -> minor = value;
                case "GNU.sparse.map" -> mapList = r.value();
                case "GNU.sparse.offset" -> {
                    if (pendingOffset != null) {
                        throw map.error("GNU.sparse.offset " + pendingOffset + " has no GNU.sparse.numbytes");
                    }
                    pendingOffset = sparseNumber(map, r.key(), value);
                }
                case "GNU.sparse.numbytes" -> {
                    if (pendingOffset == null) {
                        throw map.error("GNU.sparse.numbytes " + value + " follows no GNU.sparse.offset");
                    }
                    map.add(pendingOffset, sparseNumber(map, r.key(), value));
                    offsetPairs++;
                    pendingOffset = null;
                }
                default -> throw map.error("unknown GNU sparse key " + r.key() + "; known are those of the GNU tar"
                        + " sparse formats 0.0, 0.1 and 1.0");
            }
        }
        if (realSize == null) {
            throw map.error("it has no GNU.sparse.size or GNU.sparse.realsize record, so its real size is unknown");
        }
        if (pendingOffset != null) {
            throw map.error("GNU.sparse.offset " + pendingOffset + " has no GNU.sparse.numbytes");
        }
        long listed;
        long mapBytes = 0;
        if (major != null || minor != null) {
            if (!"1".equals(major) || !"0".equals(minor)) {
                throw map.error("GNU sparse format " + major + "." + minor + " is not supported (0.0, 0.1 and 1.0 are)");
            }
            if (mapList != null || offsetPairs > 0) {
                throw map.error("GNU sparse format 1.0 keeps its map in the data, yet it has the map records of 0.x");
            }
            long[] countAndBytes = readMapFromData(map, storedBytes);
            listed = countAndBytes[0];
            mapBytes = countAndBytes[1];
        } else if (mapList != null) {
            if (offsetPairs > 0) {
                throw map.error("both GNU.sparse.map and GNU.sparse.offset records");
            }
            listed = addMapList(map, mapList);
        } else {
            listed = offsetPairs;
        }
        if (count != null && count != listed) {
            throw map.error("GNU.sparse.numblocks says " + count + " segments but the map lists " + listed);
        }
        return new SparseEntry(realSize, map.finish(realSize, storedBytes - mapBytes), mapBytes);
    }

    /** Adds the pairs of a format 0.1 map ({@code offset,length,offset,length...}); returns their number. */
    private long addMapList(SparseMap map, byte[] list) throws ImageFormatException {
        long pairs = 0;
        long offset = -1;
        long value = 0;
        int digits = 0;
        for (int i = 0; i <= list.length; i++) {
            byte b = i < list.length ? list[i] : (byte) ',';
            if (b == ',') {
                if (digits == 0) {
                    throw map.error("GNU.sparse.map has an empty number");
                }
                if (offset < 0) {
                    offset = value;
                } else {
                    map.add(offset, value);
                    pairs++;
                    offset = -1;
                }
                value = 0;
                digits = 0;
            } else {
                value = appendDigit(map, "GNU.sparse.map", value, b);
                digits++;
            }
        }
        if (offset >= 0) {
            throw map.error("GNU.sparse.map has an odd number of values");
        }
        return pairs;
    }

    /**
     * Reads a format 1.0 map from the start of the entry's data: the number of segments, then an
     * offset and a length per segment, each a decimal line, padded to whole blocks. Returns the
     * number of segments and the bytes the map took.
     */
    private long[] readMapFromData(SparseMap map, long storedBytes) throws IOException {
        long mapAt = position;
        long segments = -1;
        long offset = -1;
        long value = 0;
        int digits = 0;
        long listed = 0;
        int at = BLOCK;
        while (segments < 0 || listed < segments) {
            if (at == BLOCK) {
                if (position - mapAt + BLOCK > storedBytes) {
                    throw map.error("its sparse map runs past the end of its data (" + storedBytes + " bytes)");
                }
                readBlockOf("the sparse map of '" + LayerApplier.shown(map.entryName()) + "'");
                at = 0;
            }
            byte b = block[at++];
            if (b != '\n') {
                value = appendDigit(map, "sparse map", value, b);
                digits++;
                continue;
            }
            if (digits == 0) {
                throw map.error("its sparse map has an empty line");
            }
            if (segments < 0) {
                segments = value;
            } else if (offset < 0) {
                offset = value;
            } else {
                map.add(offset, value);
                listed++;
                offset = -1;
            }
            value = 0;
            digits = 0;
        }
        return new long[] {listed, position - mapAt};
    }

    private static long appendDigit(SparseMap map, String where, long value, byte b) throws ImageFormatException {
        if (b < '0' || b > '9') {
            throw map.error("the " + where + " has '" + (b >= 0x20 && b < 0x7f ? String.valueOf((char) b)
                    : String.format("\\x%02x", b & 0xff)) + "' where a decimal digit belongs");
        }
        if (value > (Long.MAX_VALUE - (b - '0')) / 10) {
            throw map.error("a number of its " + where + " does not fit in 64 bits");
        }
        return value * 10 + (b - '0');
    }

    private static long sparseNumber(SparseMap map, String key, String value) throws ImageFormatException {
        if (value.isEmpty() || value.length() > 19 || !value.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw map.error("its PAX record " + key + "=" + LayerApplier.shown(value) + " is not a number of bytes");
        }
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw map.error("its PAX record " + key + "=" + value + " does not fit in 64 bits");
        }
    }

    /** {@code size} if it can be the size of an entry's data, else an error naming the entry. */
    private long checkedSize(long size, String source, String entryName, long headerAt) throws ImageFormatException {
        if (size < 0) {
            throw entryError(entryName, headerAt, "its " + source + " gives a negative size (" + size + ")");
        }
        if (size > MAX_SIZE) {
            throw entryError(entryName, headerAt, "its " + source + " gives a size of " + size
                    + " bytes, which no archive can hold");
        }
        return size;
    }

    private ImageFormatException entryError(String entryName, long headerAt, String problem) {
        return new ImageFormatException("corrupt tar entry '" + LayerApplier.shown(entryName) + "' at byte " + headerAt
                + " in " + archiveName + ": " + problem);
    }

    /** The name field of the header in {@link #block}, for messages: printable, whatever its encoding. */
    private String headerFieldName() {
        int end = 0;
        while (end < 100 && block[end] != 0) {
            end++;
        }
        return printable(block, 0, end);
    }

    private void skipPending() throws IOException {
        if (pendingSkip > 0) {
            long n = pendingSkip;
            pendingSkip = 0;
            try {
                in.skipNBytes(n);
            } catch (EOFException e) {
                throw new ImageFormatException("truncated tar: " + archiveName + " ends inside the data of '"
                        + LayerApplier.shown(pendingEntry.name()) + "', before byte " + (position + n)
                        + " where its data and padding end (its data starts at byte " + pendingEntry.dataOffset()
                        + "); the archive is cut short or the entry's size is wrong", e);
            }
            position += n;
        }
    }

    private byte[] readData(long size, long headerAt) throws IOException {
        if (size > 16L << 20) {
            throw new ImageFormatException("tar extension header of " + size + " bytes at byte " + headerAt + " in "
                    + archiveName + " is implausibly large");
        }
        byte[] data = new byte[(int) size];
        readFully(data, data.length, headerAt);
        long pad = padded(size) - size;
        if (pad > 0) {
            readFully(new byte[(int) pad], (int) pad, headerAt);
        }
        return data;
    }

    /** Reads the next header block; false when the archive ends right before it. */
    private boolean readBlock() throws IOException {
        int n = in.readNBytes(block, 0, BLOCK);
        position += n;
        if (n == 0) {
            return false;
        }
        if (n < BLOCK) {
            throw new ImageFormatException("truncated tar: " + archiveName + " ends inside a header at byte " + position);
        }
        return true;
    }

    /** Reads the next block of {@code what} (a part of an entry that must be there). */
    private void readBlockOf(String what) throws IOException {
        long at = position;
        int n = in.readNBytes(block, 0, BLOCK);
        position += n;
        if (n < BLOCK) {
            throw new ImageFormatException("truncated tar: " + archiveName + " ends inside " + what + " at byte " + at);
        }
    }

    private void readFully(byte[] buf, int len, long headerAt) throws IOException {
        int n = in.readNBytes(buf, 0, len);
        position += n;
        if (n < len) {
            throw new ImageFormatException("truncated tar: " + archiveName + " ends inside the entry at byte " + headerAt);
        }
    }

    private void verifyChecksum(long headerAt) throws ImageFormatException {
        long stored;
        try {
            stored = number(148, 8, "checksum", headerAt);
        } catch (ImageFormatException e) {
            throw new ImageFormatException("not a tar archive or corrupt: " + archiveName + " has no valid tar header at byte "
                    + headerAt);
        }
        long unsigned = 0;
        long signed = 0;
        for (int i = 0; i < BLOCK; i++) {
            int b = (i >= 148 && i < 156) ? ' ' : block[i];
            unsigned += b & 0xff;
            signed += (i >= 148 && i < 156) ? ' ' : block[i];
        }
        if (stored != unsigned && stored != signed) {
            throw new ImageFormatException("not a tar archive or corrupt: bad header checksum in " + archiveName
                    + " at byte " + headerAt);
        }
    }

    private long number(int off, int len, String what, long headerAt) throws ImageFormatException {
        if ((block[off] & 0x80) != 0) {          // base-256 (GNU/star) for values that do not fit in octal
            boolean negative = (block[off] & 0x40) != 0;
            long v = negative ? -1 : 0;
            v = (v << 6) | (block[off] & 0x3f);
            for (int i = 1; i < len; i++) {
                if (v > (Long.MAX_VALUE >> 8) || v < (Long.MIN_VALUE >> 8)) {
                    throw new ImageFormatException("corrupt tar header of '" + headerFieldName() + "' in " + archiveName
                            + " at byte " + headerAt + ": its " + what + " field holds a base-256 number that does not"
                            + " fit in 64 bits");
                }
                v = (v << 8) | (block[off + i] & 0xff);
            }
            return v;
        }
        long v = 0;
        int i = off;
        int end = off + len;
        while (i < end && (block[i] == ' ' || block[i] == 0)) {
            i++;
        }
        boolean any = false;
        for (; i < end; i++) {
            byte b = block[i];
            if (b == 0 || b == ' ') {
                break;
            }
            if (b < '0' || b > '7') {
                throw new ImageFormatException("corrupt tar header of '" + headerFieldName() + "' in " + archiveName
                        + " at byte " + headerAt + ": bad " + what + " field");
            }
            v = (v << 3) | (b - '0');
            any = true;
        }
        return any ? v : 0;
    }

    private String field(int off, int len, String what, long headerAt) throws ImageFormatException {
        int end = off;
        while (end < off + len && block[end] != 0) {
            end++;
        }
        return utf8(block, off, end - off, what, headerAt);
    }

    /**
     * Names are decoded strictly: the tree and the ext2 writer keep names as UTF-8 strings, so a
     * name in another encoding would otherwise be silently changed (and two could collide).
     */
    private String utf8(byte[] bytes, int off, int len, String what, long headerAt) throws ImageFormatException {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, off, len))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new ImageFormatException("the " + what + " of the tar entry at byte " + headerAt + " in " + archiveName
                    + " is not valid UTF-8: '" + printable(bytes, off, len) + "'; file names must be UTF-8 in the VM's"
                    + " disk, rename the file in the image");
        }
    }

    /** Bytes as text for a message: printable ASCII as is, other bytes as {@code \xNN}, cut when long. */
    private static String printable(byte[] bytes, int off, int len) {
        StringBuilder shown = new StringBuilder();
        for (int i = off; i < off + len; i++) {
            int b = bytes[i] & 0xff;
            shown.append(b >= 0x20 && b < 0x7f ? String.valueOf((char) b) : String.format("\\x%02x", b));
        }
        return LayerApplier.shown(shown.toString());
    }

    private List<PaxRecord> parsePax(byte[] data, long headerAt) throws ImageFormatException {
        List<PaxRecord> out = new ArrayList<>();
        int i = 0;
        while (i < data.length) {
            if (data[i] == 0) {
                break;
            }
            int sp = i;
            while (sp < data.length && data[sp] != ' ') {
                sp++;
            }
            int len;
            try {
                len = Integer.parseInt(new String(data, i, sp - i, StandardCharsets.US_ASCII));
            } catch (NumberFormatException e) {
                throw badPax(headerAt);
            }
            int end = i + len;
            if (len <= 0 || sp >= end || end > data.length || data[end - 1] != '\n') {
                throw badPax(headerAt);
            }
            int eq = sp + 1;
            while (eq < end && data[eq] != '=') {
                eq++;
            }
            if (eq >= end) {
                throw badPax(headerAt);
            }
            String key = new String(data, sp + 1, eq - sp - 1, StandardCharsets.UTF_8);
            out.add(new PaxRecord(key, Arrays.copyOfRange(data, eq + 1, end - 1)));
            i = end;
        }
        return out;
    }

    private ImageFormatException badPax(long headerAt) {
        return new ImageFormatException("corrupt PAX header in " + archiveName + " at byte " + headerAt);
    }

    private long paxLong(String key, String value, String entryName, long headerAt) throws ImageFormatException {
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw entryError(entryName, headerAt, "its PAX record " + key + "=" + LayerApplier.shown(value)
                    + " is not a whole number that fits in 64 bits");
        }
    }

    private long paxSeconds(String value, long headerAt) throws ImageFormatException {
        String v = value.trim();
        int dot = v.indexOf('.');
        String whole = dot >= 0 ? v.substring(0, dot) : v;
        try {
            long s = Long.parseLong(whole);
            // -1.5 means 1.5 s before the epoch: floor it
            if (dot >= 0 && s <= 0 && v.startsWith("-") && !v.substring(dot + 1).matches("0*")) {
                s -= 1;
            }
            return s;
        } catch (NumberFormatException e) {
            throw new ImageFormatException("corrupt PAX mtime '" + value + "' in " + archiveName + " at byte " + headerAt);
        }
    }

    private String cString(byte[] data, String what, long headerAt) throws ImageFormatException {
        int end = 0;
        while (end < data.length && data[end] != 0) {
            end++;
        }
        return utf8(data, 0, end, what, headerAt);
    }

    private static boolean isZero(byte[] b) {
        for (byte x : b) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }

    private static long padded(long size) {
        return (size + BLOCK - 1) / BLOCK * BLOCK;
    }
}

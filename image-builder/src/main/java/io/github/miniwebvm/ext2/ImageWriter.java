package io.github.miniwebvm.ext2;

import io.github.miniwebvm.fs.FileTree;
import io.github.miniwebvm.fs.Node;
import io.github.miniwebvm.fs.NodeType;

import io.github.miniwebvm.io.AtomicFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/** One run of {@link Ext2Writer#write}: scan the tree, choose the layout, write, move into place. */
final class ImageWriter {
    private static final String LOST_AND_FOUND = "lost+found";
    private static final int MAX_DIR_LINKS = 32000;
    private static final int MAX_LINKS = 65000;
    private static final long PROGRESS_INTERVAL_NANOS = 3_000_000_000L;

    private final Ext2Writer options;
    private final FileTree tree;
    private final int bs;
    private final int inodeSize;

    private final List<InodeRecord> byIno = new ArrayList<>();      // index = inode number
    private final Map<Node, InodeRecord> records = new IdentityHashMap<>();
    private final List<byte[]> xattrSetBlocks = new ArrayList<>();     // each distinct set, encoded once
    private final List<Integer> xattrRefs = new ArrayList<>();
    private final Map<ByteBuffer, Integer> xattrSetIndex = new HashMap<>();
    private long[] xattrBlocks;
    private final List<String> warnings = new ArrayList<>();
    private final Fingerprint fingerprint = new Fingerprint();
    private long maxTime;
    private long upperBoundDataBlocks;
    private long fileBlocksUpperBound;      // the part of upperBoundDataBlocks that holes may reduce

    private Layout layout;
    private Allocator allocator;
    private BlockOutput out;
    private FileDataReader fileData;
    private DirectoryBlock directoryBlock;                  // reused: BlockOutput copies what it is given
    private ByteBuffer indirectBlock;
    private long[] dirsPerGroup;
    private long lastProgress = System.nanoTime();
    private long inodesDone;

    ImageWriter(Ext2Writer options, FileTree tree) {
        this.options = options;
        this.tree = tree;
        this.bs = options.blockSize;
        this.inodeSize = options.revision == 0 ? 128 : 256;
    }

    Ext2Result write(Path target) throws IOException {
        try (FileDataReader reader = new FileDataReader(bs)) {
            fileData = reader;       // reads the files' contents while the rest is planned
            scan();
            reader.addedAll();
            return writeTo(target);
        }
    }

    private Ext2Result writeTo(Path target) throws IOException {
        layout = chooseLayout();
        Path absolute = target.toAbsolutePath();
        Path dir = absolute.getParent();
        Files.createDirectories(dir);
        Path tmp = createTempBeside(absolute);
        boolean done = false;
        try {
            try {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX filesystem: keep the default permissions
            }
            Ext2Result result;
            try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE);
                 ImageSync sync = new ImageSync(channel)) {
                out = new BlockOutput(channel, sync, bs);
                result = writeImage(channel);
                sync.finish();
            }
            AtomicFiles.replace(tmp, absolute);
            done = true;
            syncDirectory(dir);
            return result;
        } finally {
            if (!done) {
                Files.deleteIfExists(tmp);
            }
        }
    }

    /** Puts the new name of the image on the disk; best effort, as not every system can open a directory. */
    private static void syncDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException e) {
            // the image itself is on the disk; only its name may be lost in a crash
        }
    }

    /**
     * A new empty file {@code .NAME.<hex>.tmp} beside {@code target}. Not {@code Files.createTempFile}:
     * its SecureRandom costs a short-lived JVM (the command-line benchmark) about 15 ms of start-up.
     */
    private static Path createTempBeside(Path target) throws IOException {
        String prefix = "." + target.getFileName() + ".";
        long seed = System.nanoTime();     // CREATE_NEW makes it unique; the process id would cost a thread pool
        for (int attempt = 0; ; attempt++) {
            Path tmp = target.resolveSibling(prefix + Long.toHexString(seed + attempt) + ".tmp");
            try {
                Files.newByteChannel(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE).close();
                return tmp;
            } catch (FileAlreadyExistsException e) {
                if (attempt >= 100) {
                    throw e;
                }
            }
        }
    }

    // ---------------------------------------------------------------- scan

    private void scan() {
        for (int i = 0; i <= 10; i++) {
            byIno.add(null);
        }
        Node root = tree.root();
        InodeRecord rootRecord = register(root, null, "/", 2);
        rootRecord.parentIno = 2;
        Node lostFound = root.children().get(LOST_AND_FOUND);
        if (lostFound != null && !lostFound.isDirectory()) {
            throw new IllegalArgumentException("/lost+found is a " + lostFound.type()
                    + "; ext2 needs it to be a directory (remove or rename that entry)");
        }
        if (lostFound == null) {
            lostFound = Node.directory(0700).setTimes(root.mtime(), root.atime(), root.ctime());
        }
        InodeRecord lf = register(lostFound, rootRecord, LOST_AND_FOUND, 11);
        lf.parentIno = 2;
        byIno.set(2, rootRecord);
        byIno.add(lf);   // index 11

        Deque<InodeRecord> stack = new ArrayDeque<>();
        stack.push(lf);
        stack.push(rootRecord);
        while (!stack.isEmpty()) {
            scanDirectory(stack.pop(), lf, stack);
        }
        if (byIno.size() - 1 > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("the tree has " + (byIno.size() - 11)
                    + " entries, more inodes than ext2 allows (2^32 - 1)");
        }
        if (options.revision == 0) {
            warnDroppedXattrs();
        }
    }

    // The per-directory and per-entry work are methods of their own, not loop bodies in scan(): a
    // method called once runs its loops interpreted (a short-lived JVM compiles a loop only after
    // tens of thousands of turns), one called per entry is compiled after a few hundred calls.

    /** Numbers the children of {@code dir} (depth-first order) and pushes its subdirectories on {@code stack}. */
    private void scanDirectory(InodeRecord dir, InodeRecord lostFound, Deque<InodeRecord> stack) {
        Map<String, Node> children = dir.node.children();
        int nameSlots = 2;
        int[] nameLengths = new int[Math.max(4, children.size() + 2)];
        nameLengths[0] = 1;
        nameLengths[1] = 2;
        List<InodeRecord> subdirs = new ArrayList<>();
        dir.entries = new InodeRecord[children.size()];
        for (Map.Entry<String, Node> e : children.entrySet()) {
            nameLengths[nameSlots] = scanEntry(dir, nameSlots - 2, e.getKey(), e.getValue(), lostFound, subdirs);
            nameSlots++;
        }
        if (dir.ino == 2 && !children.containsKey(LOST_AND_FOUND)) {
            nameLengths = Arrays.copyOf(nameLengths, nameSlots + 1);
            nameLengths[nameSlots++] = LOST_AND_FOUND.length();
            dir.links++;
        }
        if (dir.links > MAX_DIR_LINKS) {
            throw new IllegalArgumentException(dir.path() + " has " + (dir.links - 2)
                    + " subdirectories; ext2 allows at most " + (MAX_DIR_LINKS - 2));
        }
        dir.dirBlocks = DirectoryBlock.blocksFor(nameLengths, nameSlots, bs);
        if (dir.ino == 11) {
            dir.dirBlocks = Math.max(dir.dirBlocks, Math.min(12, Math.max(2, 16384 / bs)));
        }
        upperBoundDataBlocks += dir.dirBlocks + BlockMap.indirectBlocksFor(dir.dirBlocks, bs / 4);
        for (int i = subdirs.size() - 1; i >= 0; i--) {
            stack.push(subdirs.get(i));
        }
    }

    /**
     * Registers the child {@code name} of {@code dir} (a new inode, or one more link to a file seen
     * before) as its {@code index}-th entry; returns the length of the encoded name.
     */
    private int scanEntry(InodeRecord dir, int index, String name, Node child, InodeRecord lostFound,
                          List<InodeRecord> subdirs) {
        boolean isRoot = dir.ino == 2;
        byte[] nameBytes = checkName(dir, name);
        fingerprint.addLong(dir.ino);
        fingerprint.addBytes(nameBytes);
        InodeRecord rec = records.get(child);
        if (isRoot && name.equals(LOST_AND_FOUND)) {
            rec = lostFound;
        } else if (rec == null) {
            rec = register(child, dir, name, byIno.size());
            byIno.add(rec);
            if (child.isDirectory()) {
                rec.parentIno = dir.ino;
                subdirs.add(rec);
            }
        } else if (child.isDirectory()) {
            throw new IllegalArgumentException("the directory " + rec.path() + " is also at "
                    + InodeRecord.childPath(dir, name)
                    + "; a directory can have only one name (hard links to directories are not allowed)");
        }
        dir.entries[index] = rec;
        if (child.isDirectory()) {
            dir.links++;
        } else {
            rec.links++;
            if (rec.links > MAX_LINKS) {
                throw new IllegalArgumentException(rec.path() + " has more than " + MAX_LINKS
                        + " hard links, the most ext2 allows");
            }
        }
        return nameBytes.length;
    }

    private InodeRecord register(Node node, InodeRecord parent, String name, long ino) {
        InodeRecord rec = new InodeRecord(node, ino, parent, name);
        records.put(node, rec);
        addMetadata(rec);
        if (node.isDirectory()) {
            rec.links = 2;
        }
        maxTime = Math.max(maxTime, clamp(node.mtime()));
        switch (node.type()) {
            case FILE -> {
                long size = node.content().size();
                if (options.revision == 0 && size >= (1L << 31)) {
                    throw new IllegalArgumentException(rec.path() + " is " + size + " bytes; ext2 revision 0 stores files"
                            + " below 2 GiB only (use revision 1, which has large_file)");
                }
                long blocks = Layout.ceilDiv(size, bs);
                long p = bs / 4;
                long maxBlocks = BlockMap.DIRECT + p + p * p + p * p * p;
                if (blocks > maxBlocks) {
                    throw new IllegalArgumentException(rec.path() + " is " + size + " bytes, more than ext2 with "
                            + bs + "-byte blocks can address (use a larger block size)");
                }
                rec.extents = node.content().dataExtents();
                fileData.add(rec);
                long n = upperBoundBlocks(rec.extents, blocks);
                upperBoundDataBlocks += n;
                fileBlocksUpperBound += n;
            }
            case SYMLINK -> {
                int len = node.linkTarget().getBytes(StandardCharsets.UTF_8).length;
                if (len >= bs) {
                    throw new IllegalArgumentException("the symlink " + rec.path() + " has a " + len
                            + "-byte target; ext2 with " + bs + "-byte blocks stores at most " + (bs - 1));
                }
                if (len >= 60) {
                    upperBoundDataBlocks++;
                }
            }
            case CHAR_DEVICE, BLOCK_DEVICE -> {
                if (node.major() < 0 || node.major() > 0xFFF || node.minor() < 0 || node.minor() > 0xFFFFF) {
                    throw new IllegalArgumentException("the device " + rec.path() + " has number " + node.major() + ":"
                            + node.minor() + "; ext2 stores majors up to 4095 and minors up to 1048575");
                }
            }
            default -> { }
        }
        if (!node.xattrs().isEmpty() && options.revision == 1) {
            byte[] block;
            try {
                block = XattrBlock.encode(node.xattrs(), bs);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(rec.path() + ": " + e.getMessage(), e);
            }
            ByteBuffer key = ByteBuffer.wrap(block);
            Integer set = xattrSetIndex.get(key);
            if (set == null) {
                set = xattrSetBlocks.size();
                xattrSetIndex.put(key, set);
                xattrSetBlocks.add(block);
                xattrRefs.add(0);
                upperBoundDataBlocks++;
            }
            xattrRefs.set(set, xattrRefs.get(set) + 1);
            rec.xattrSet = set;
        }
        return rec;
    }

    private void warnDroppedXattrs() {
        Map<String, Integer> byName = new TreeMap<>();
        int files = 0;
        for (InodeRecord r : byIno) {
            if (r != null && !r.node.xattrs().isEmpty()) {
                files++;
                for (String name : r.node.xattrs().keySet()) {
                    byName.merge(name, 1, Integer::sum);
                }
            }
        }
        if (files > 0) {
            StringBuilder sb = new StringBuilder();
            byName.forEach((name, count) -> sb.append(sb.length() == 0 ? "" : ", ").append(name).append(" on ")
                    .append(count).append(count == 1 ? " file" : " files"));
            warnings.add("ext2 revision 0 has no extended attributes: " + files + (files == 1 ? " file" : " files")
                    + " lost theirs (" + sb + "); use revision 1 to keep them");
        }
    }

    private static byte[] checkName(InodeRecord dir, String name) {
        if (name.isEmpty() || name.indexOf('/') >= 0 || name.indexOf('\0') >= 0 || name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException("invalid file name in " + InodeRecord.childPath(dir, name));
        }
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > 255) {
            throw new IllegalArgumentException("file name of " + bytes.length + " bytes (ext2 allows 255): "
                    + InodeRecord.childPath(dir, name));
        }
        return bytes;
    }

    // ---------------------------------------------------------------- layout

    private long neededInodes() {
        return byIno.size() - 1;
    }

    private Layout chooseLayout() throws IOException {
        long needed = neededInodes();
        if (options.inodeCount > 0 && options.inodeCount < needed) {
            throw new IllegalArgumentException("inodeCount " + options.inodeCount + " is too small: the tree needs "
                    + needed + " inodes (" + (needed - 10) + " entries and 10 reserved)");
        }
        if (options.size == 0) {
            long contentBlockBytes = upperBoundDataBlocks * bs;
            long headroom;
            if (options.headroomBytes < 0 && options.headroomPercent < 0) {
                headroom = Math.max(contentBlockBytes * Ext2Writer.DEFAULT_HEADROOM_PERCENT / 100,
                        Ext2Writer.DEFAULT_MIN_HEADROOM);
            } else {
                headroom = Math.max(Math.max(options.headroomBytes, 0),
                        contentBlockBytes * Math.max(options.headroomPercent, 0) / 100);
            }
            long required = upperBoundDataBlocks + Layout.ceilDiv(headroom, bs);
            double inodeFactor = 1.0 + (double) headroom / Math.max(contentBlockBytes, Ext2Writer.MIB);
            long wanted = (long) Math.min(1L << 32, Math.ceil(needed * inodeFactor));
            long blocks = minimumBlocks(required, wanted);
            long perMib = Ext2Writer.MIB / bs;
            blocks = Layout.ceilDiv(blocks, perMib) * perMib;
            Layout l;
            while ((l = layoutFor(blocks, required, wanted)) == null) {
                blocks += perMib;
            }
            return l;
        }
        long blocks = options.size / bs;
        if (blocks > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("image size " + options.size + " bytes is " + blocks + " blocks of " + bs
                    + " bytes; ext2 addresses at most 2^32 - 1 blocks (use a larger block size)");
        }
        Layout l = layoutFor(blocks, upperBoundDataBlocks, needed);
        if (l != null) {
            return l;
        }
        long exact = upperBoundDataBlocks;
        if (fileBlocksUpperBound > 0) {
            exact = upperBoundDataBlocks - fileBlocksUpperBound + countFileBlocksWithoutHoles();
            l = layoutFor(blocks, exact, needed);
            if (l != null) {
                return l;
            }
        }
        long min = minimumBlocks(exact, needed) * bs;
        throw new IllegalArgumentException("image size " + options.size + " bytes is too small for this tree: it needs at least "
                + min + " bytes (" + Layout.ceilDiv(min, Ext2Writer.MIB) + " MiB) with " + bs + "-byte blocks and "
                + Math.max(needed, options.inodeCount) + " inodes; set a larger size or leave it automatic");
    }

    /** The layout for {@code blocks}, or null when {@code dataBlocks} and the inodes do not fit. */
    private Layout layoutFor(long blocks, long dataBlocks, long inodesWanted) {
        if (options.inodeCount > 0) {
            Layout l = Layout.create(options.revision, bs, blocks, options.inodeCount);
            return l != null && l.dataCapacity() >= dataBlocks ? l : null;
        }
        long wanted = Math.max(inodesWanted, blocks * bs / 16384);
        Layout l = Layout.create(options.revision, bs, blocks, wanted);
        if (l != null && l.dataCapacity() >= dataBlocks) {
            return l;
        }
        if (options.size == 0) {
            return null;     // automatic size: grow until the inodes with headroom fit as well
        }
        l = Layout.create(options.revision, bs, blocks, neededInodes());
        return l != null && l.dataCapacity() >= dataBlocks ? l : null;
    }

    private long minimumBlocks(long dataBlocks, long inodesWanted) {
        long hi = Math.max(64, dataBlocks * 2);
        while (layoutFor(hi, dataBlocks, inodesWanted) == null) {
            if (hi > 0xFFFF_FFFFL) {
                throw new IllegalArgumentException("the tree needs more than 2^32 blocks of " + bs
                        + " bytes, more than ext2 can address (use a larger block size)");
            }
            hi *= 2;
        }
        long lo = 1;
        while (lo < hi) {
            long mid = (lo + hi) >>> 1;
            if (layoutFor(mid, dataBlocks, inodesWanted) != null) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo;
    }

    /** Data plus indirect blocks a file of {@code blocks} blocks can need when it holds data only in {@code extents}. */
    private long upperBoundBlocks(long[] extents, long blocks) {
        long whole = blocks + BlockMap.indirectBlocksFor(blocks, bs / 4);
        if (extents.length == 2 && extents[0] == 0) {
            return whole;
        }
        long p = bs / 4;
        long sparse = 0;
        for (int i = 0; i < extents.length; i += 2) {
            long k = Layout.ceilDiv(extents[i + 1], bs) - extents[i] / bs;
            // its data, the single-indirect blocks it spans, the double-indirect ones, and a triple
            sparse += k + (Layout.ceilDiv(k, p) + 1) + (Layout.ceilDiv(k, p * p) + 1) + 1;
        }
        return Math.min(whole, sparse);
    }

    /** Reads every file once to count the blocks that are not all zero (only when a given size is tight). */
    private long countFileBlocksWithoutHoles() throws IOException {
        long total = 0;
        List<InodeRecord> files = files();
        try (FileDataReader reader = new FileDataReader(files, bs)) {
            for (InodeRecord r : files) {
                BlockMap map = new BlockMap();
                long[] fake = {0};
                for (FileDataReader.Run run = reader.next(r); run != null; run = reader.next(r)) {
                    for (int i = 0; i < run.blocks.remaining() / bs; i++) {
                        map.add(run.firstBlock + i, ++fake[0]);
                    }
                }
                total += map.dataBlocks() + map.countIndirect(bs / 4);
            }
        }
        return total;
    }

    // ---------------------------------------------------------------- write

    private Ext2Result writeImage(FileChannel channel) throws IOException {
        allocator = new Allocator(layout);
        directoryBlock = new DirectoryBlock(bs, options.revision == 1);
        indirectBlock = ByteBuffer.allocate(bs).order(ByteOrder.LITTLE_ENDIAN);
        dirsPerGroup = new long[layout.groupCount];
        xattrBlocks = new long[xattrSetBlocks.size()];
        fingerprint.addLong(options.revision);
        fingerprint.addLong(bs);
        fingerprint.addLong(layout.blocksCount);
        fingerprint.addLong(layout.inodesPerGroup);
        InodeTableWriter table = new InodeTableWriter();
        for (int ino = 1; ino < byIno.size(); ino++) {
            writeInode(table, ino);     // the body is a method so that it is compiled (see scanDirectory)
        }
        table.flush();
        fingerprint.addBytes(fileData.contentFingerprint().bytes(0));
        for (int i = 0; i < xattrBlocks.length; i++) {
            byte[] block = xattrSetBlocks.get(i).clone();      // the original is a key of xattrSetIndex
            XattrBlock.setReferenceCount(block, xattrRefs.get(i));
            out.putBlock(xattrBlocks[i], block);
        }
        out.flush();

        UUID uuid = options.uuid != null ? options.uuid : uuidFrom(fingerprint.bytes(0));
        byte[] seed = uuidBytes(uuidFrom(fingerprint.bytes(1)));
        long usedInodes = neededInodes();
        Superblock sb = new Superblock();
        sb.inodesCount = layout.totalInodes();
        sb.blocksCount = layout.blocksCount;
        sb.firstDataBlock = layout.firstDataBlock;
        sb.blockSize = bs;
        sb.blocksPerGroup = layout.blocksPerGroup;
        sb.inodesPerGroup = layout.inodesPerGroup;
        sb.revision = options.revision;
        sb.inodeSize = inodeSize;
        sb.time = options.sourceDateEpoch != null ? Math.max(0, options.sourceDateEpoch) : maxTime;
        sb.uuid = uuidBytes(uuid);
        sb.hashSeed = seed;
        sb.volumeLabel = options.volumeLabel;

        ByteBuffer gdt = ByteBuffer.allocate(layout.gdtBlocks * bs).order(ByteOrder.LITTLE_ENDIAN);
        long freeBlocks = 0;
        long freeInodes = 0;
        for (int g = 0; g < layout.groupCount; g++) {
            BlockGroupDescriptor d = new BlockGroupDescriptor();
            d.blockBitmap = layout.blockBitmap(g);
            d.inodeBitmap = layout.inodeBitmap(g);
            d.inodeTable = layout.inodeTable(g);
            long usedBlocks = layout.overhead(g) + allocator.usedDataBlocks(g);
            d.freeBlocks = (int) (layout.groupBlocks(g) - usedBlocks);
            long firstIno = (long) g * layout.inodesPerGroup + 1;
            long usedInGroup = Math.max(0, Math.min(layout.inodesPerGroup, usedInodes - firstIno + 1));
            d.freeInodes = (int) (layout.inodesPerGroup - usedInGroup);
            d.usedDirs = (int) dirsPerGroup[g];
            d.encode(gdt, g * Layout.GROUP_DESCRIPTOR_SIZE);
            freeBlocks += d.freeBlocks;
            freeInodes += d.freeInodes;

            Bitmap blockBitmap = new Bitmap(bs);
            blockBitmap.setRange(0, usedBlocks);
            blockBitmap.setRange(layout.groupBlocks(g), (long) bs * 8);
            out.writeAt(layout.blockBitmap(g) * bs, blockBitmap.bytes());
            Bitmap inodeBitmap = new Bitmap(bs);
            inodeBitmap.setRange(0, usedInGroup);
            inodeBitmap.setRange(layout.inodesPerGroup, (long) bs * 8);
            out.writeAt(layout.inodeBitmap(g) * bs, inodeBitmap.bytes());
        }
        sb.freeBlocksCount = freeBlocks;
        sb.freeInodesCount = freeInodes;
        for (int g = 0; g < layout.groupCount; g++) {
            if (layout.hasSuperblock(g)) {
                long start = layout.groupStart(g) * bs;
                out.writeAt(g == 0 ? Layout.SUPERBLOCK_OFFSET : start, sb.encode(g));
                out.writeAt((layout.groupStart(g) + 1) * bs, gdt.array());
            }
        }
        long imageSize = options.size > 0 ? options.size : layout.blocksCount * bs;
        if (channel.size() < imageSize) {
            channel.write(ByteBuffer.wrap(new byte[1]), imageSize - 1);
        }
        options.progress.accept("ext2: wrote " + imageSize / Ext2Writer.MIB + " MiB image, " + usedInodes
                + " inodes, " + (layout.blocksCount - freeBlocks) + " blocks used");
        return new Ext2Result(imageSize, bs, layout.blocksCount, layout.blocksCount - freeBlocks,
                layout.totalInodes(), usedInodes, uuid, warnings);
    }

    private void writeInode(InodeTableWriter table, int ino) throws IOException {
        InodeRecord r = byIno.get(ino);
        if (r != null) {
            table.put(ino, writeInode(r));
        }
        inodesDone = ino;
        maybeReport();
    }

    private Inode writeInode(InodeRecord r) throws IOException {
        Node n = r.node;
        Inode inode = new Inode();
        inode.uid = n.uid();
        inode.gid = n.gid();
        inode.atime = clamp(n.atime());
        inode.mtime = clamp(n.mtime());
        inode.ctime = clamp(n.ctime());
        inode.linksCount = r.links;
        BlockMap map = null;
        switch (n.type()) {
            case DIRECTORY -> {
                inode.mode = Inode.S_IFDIR;
                dirsPerGroup[(int) ((r.ino - 1) / layout.inodesPerGroup)]++;
                map = writeDirectory(r);
                inode.size = r.dirBlocks * bs;
            }
            case FILE -> {
                inode.mode = Inode.S_IFREG;
                map = writeFile(r);
                inode.size = n.content().size();
            }
            case SYMLINK -> {
                inode.mode = Inode.S_IFLNK;
                byte[] target = n.linkTarget().getBytes(StandardCharsets.UTF_8);
                inode.size = target.length;
                if (target.length < 60) {
                    inode.inlineData = target;
                } else {
                    map = new BlockMap();
                    long block = allocator.allocate();
                    map.add(0, block);
                    out.putBlock(block, Arrays.copyOf(target, bs));
                }
            }
            case CHAR_DEVICE, BLOCK_DEVICE -> {
                inode.mode = n.type() == NodeType.CHAR_DEVICE ? Inode.S_IFCHR : Inode.S_IFBLK;
                int major = n.major();
                int minor = n.minor();
                if (major < 256 && minor < 256) {
                    inode.block[0] = (major << 8) | minor;
                } else {
                    inode.block[1] = (minor & 0xFF) | (major << 8) | ((minor & ~0xFF) << 12);
                }
            }
            case FIFO -> inode.mode = Inode.S_IFIFO;
            case SOCKET -> inode.mode = Inode.S_IFSOCK;
            default -> throw new IllegalStateException(n.type().toString());
        }
        inode.mode |= n.permissions();
        long blocks = 0;
        if (map != null) {
            long indirect = map.buildPointers(inode.block, bs / 4, new BlockMap.IndirectSink() {
                @Override public long allocate() {
                    return allocator.allocate();
                }

                @Override public void write(long block, int[] pointers) throws IOException {
                    indirectBlock.clear();
                    indirectBlock.asIntBuffer().put(pointers);
                    out.putBlock(block, indirectBlock.array());
                }
            });
            blocks = map.dataBlocks() + indirect;
        }
        if (r.xattrSet >= 0) {
            if (xattrBlocks[r.xattrSet] == 0) {
                xattrBlocks[r.xattrSet] = allocator.allocate();
            }
            inode.fileAcl = xattrBlocks[r.xattrSet];
            blocks++;
        }
        inode.blocks512 = blocks * (bs / 512);
        return inode;
    }

    private BlockMap writeDirectory(InodeRecord r) throws IOException {
        BlockMap map = new BlockMap();
        DirectoryBlock block = directoryBlock;      // the last directory finished it: add() starts anew
        block.add(new DirEntry(r.ino, ".".getBytes(StandardCharsets.US_ASCII), DirEntry.TYPE_DIR));
        block.add(new DirEntry(r.parentIno, "..".getBytes(StandardCharsets.US_ASCII), DirEntry.TYPE_DIR));
        int i = 0;
        for (String name : r.node.children().keySet()) {
            addEntry(map, block, name, r.entries[i++]);
        }
        if (r.ino == 2 && !r.node.children().containsKey(LOST_AND_FOUND)) {
            addEntry(map, block, LOST_AND_FOUND, byIno.get(11));
        }
        appendBlock(map, block.finish());
        while (map.dataBlocks() < r.dirBlocks) {
            appendBlock(map, block.finish());
        }
        if (map.dataBlocks() != r.dirBlocks) {
            throw new IllegalStateException("internal error: directory " + r.path() + " took " + map.dataBlocks()
                    + " blocks, expected " + r.dirBlocks);
        }
        return map;
    }

    /** Adds the entry {@code name} to the directory's {@code block}, first writing the block out if it is full. */
    private void addEntry(BlockMap map, DirectoryBlock block, String name, InodeRecord child) throws IOException {
        DirEntry entry = new DirEntry(child.ino, name.getBytes(StandardCharsets.UTF_8), fileTypeOf(child.node.type()));
        if (!block.add(entry)) {
            appendBlock(map, block.finish());
            block.add(entry);
        }
    }

    /** Writes {@code bytes} to a new block that becomes the next logical block of {@code map}. */
    private void appendBlock(BlockMap map, byte[] bytes) throws IOException {
        long physical = allocator.allocate();
        map.add(map.dataBlocks(), physical);
        out.putBlock(physical, bytes);
    }

    private BlockMap writeFile(InodeRecord r) throws IOException {
        BlockMap map = new BlockMap();
        for (FileDataReader.Run run = fileData.next(r); run != null; run = fileData.next(r)) {
            ByteBuffer blocks = run.blocks;
            int n = blocks.remaining() / bs;
            long first = allocator.allocate();      // the blocks are contiguous but where a group's metadata interrupts
            int done = 0;
            map.add(run.firstBlock, first);
            for (int i = 1; i < n; i++) {
                long physical = allocator.allocate();
                map.add(run.firstBlock + i, physical);
                if (physical != first + (i - done)) {
                    out.putBlocks(first, blocks.slice(done * bs, (i - done) * bs));
                    first = physical;
                    done = i;
                }
            }
            out.putBlocks(first, blocks.slice(done * bs, (n - done) * bs));
        }
        maybeReport();
        return map;
    }

    /** Regular files in inode order. */
    private List<InodeRecord> files() {
        List<InodeRecord> files = new ArrayList<>();
        for (InodeRecord r : byIno) {
            if (r != null && r.node.type() == NodeType.FILE) {
                files.add(r);
            }
        }
        return files;
    }

    private static int fileTypeOf(NodeType type) {
        return switch (type) {
            case FILE -> DirEntry.TYPE_FILE;
            case DIRECTORY -> DirEntry.TYPE_DIR;
            case CHAR_DEVICE -> DirEntry.TYPE_CHAR;
            case BLOCK_DEVICE -> DirEntry.TYPE_BLOCK;
            case FIFO -> DirEntry.TYPE_FIFO;
            case SOCKET -> DirEntry.TYPE_SOCKET;
            case SYMLINK -> DirEntry.TYPE_SYMLINK;
        };
    }

    /** Fills inode table blocks in inode order and writes each block once. */
    private final class InodeTableWriter {
        private final ByteBuffer block = ByteBuffer.allocate(bs).order(ByteOrder.LITTLE_ENDIAN);
        private long blockNumber = -1;

        void put(long ino, Inode inode) throws IOException {
            long index = ino - 1;
            int group = (int) (index / layout.inodesPerGroup);
            long offsetInTable = (index % layout.inodesPerGroup) * inodeSize;
            long target = layout.inodeTable(group) + offsetInTable / bs;
            if (target != blockNumber) {
                flush();
                blockNumber = target;
            }
            inode.encode(block, (int) (offsetInTable % bs), inodeSize);
        }

        void flush() throws IOException {
            if (blockNumber >= 0) {
                out.putBlock(blockNumber, block.array());
                Arrays.fill(block.array(), (byte) 0);
                blockNumber = -1;
            }
        }
    }

    // ---------------------------------------------------------------- helpers

    private long clamp(long t) {
        return options.sourceDateEpoch != null ? Math.min(t, options.sourceDateEpoch) : t;
    }

    private void maybeReport() {
        long now = System.nanoTime();
        if (now - lastProgress >= PROGRESS_INTERVAL_NANOS) {
            lastProgress = now;
            options.progress.accept("ext2: " + inodesDone + " of " + neededInodes() + " inodes, "
                    + allocator.allocated() * bs / Ext2Writer.MIB + " MiB of data written");
        }
    }

    private void addMetadata(InodeRecord r) {
        Node n = r.node;
        fingerprint.addLong(r.ino);
        fingerprint.addLong(n.type().ordinal());
        fingerprint.addLong(n.permissions());
        fingerprint.addLong(n.uid());
        fingerprint.addLong(n.gid());
        fingerprint.addLong(clamp(n.mtime()));
        fingerprint.addLong(clamp(n.atime()));
        fingerprint.addLong(clamp(n.ctime()));
        fingerprint.addLong(n.size());
        fingerprint.addLong(n.major());
        fingerprint.addLong(n.minor());
        if (n.type() == NodeType.SYMLINK) {
            fingerprint.addString(n.linkTarget());
        }
        if (options.revision == 1) {
            for (Map.Entry<String, byte[]> x : n.xattrs().entrySet()) {
                fingerprint.addString(x.getKey());
                fingerprint.addBytes(x.getValue());
            }
        }
    }

    /** A version 4 (random-looking) UUID from 16 bytes of a hash. */
    private static UUID uuidFrom(byte[] hash) {
        ByteBuffer b = ByteBuffer.wrap(hash);
        long hi = (b.getLong() & ~0xF000L) | 0x4000L;
        long lo = (b.getLong() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
        return new UUID(hi, lo);
    }

    private static byte[] uuidBytes(UUID uuid) {
        return ByteBuffer.allocate(16).putLong(uuid.getMostSignificantBits()).putLong(uuid.getLeastSignificantBits()).array();
    }
}

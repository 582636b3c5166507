package io.github.miniwebvm.ext2;

import io.github.miniwebvm.fs.Content;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.zip.CRC32C;

/**
 * Reads the content of the image's regular files on a thread of its own, ahead of the writer and
 * in the writer's order, so that reading the sources and writing the image overlap (on two cores
 * the data pass takes about the time of the slower half instead of the sum). It also finds the
 * blocks that are all zeros (they become holes) and fingerprints the others, in file order.
 *
 * <p>Data travels in segments of 1 MiB of whole blocks, each holding the next blocks of one or
 * more files: a small file costs no hand-over of its own. At most {@value #SEGMENTS} segments
 * exist, which bounds the memory. Only the content's data extents are read (holes of a sparse host
 * file are skipped, gaps shorter than {@link #SKIP_MIN} are read through); a last partial block is
 * padded with zeros.
 */
final class FileDataReader implements AutoCloseable {
    static final int SEGMENT_SIZE = 1 << 20;
    static final long SKIP_MIN = 1L << 20;
    private static final int SEGMENTS = 4;

    /** A run of a file's blocks, none all zeros; valid until the next call of {@link #next}. */
    static final class Run {
        long firstBlock;           // the logical block number of the first
        ByteBuffer blocks;         // whole blocks

        private Run() {
        }
    }

    private static final class Segment {
        final ByteBuffer data = ByteBuffer.allocateDirect(SEGMENT_SIZE);
        final List<InodeRecord> files = new ArrayList<>();
        final List<long[]> chunks = new ArrayList<>();     // runs: {first block, offset, length}
        Throwable failure;                                 // reading stopped here, for this reason,
        InodeRecord failedFile;                            // while reading this file
        boolean last;

        void reset() {
            data.clear();
            files.clear();
            chunks.clear();
        }
    }

    private static final List<InodeRecord> END = List.of();
    private static final int BATCH = 128;     // files handed over at once: waking the thread per file costs more

    private final int bs;
    private final byte[] zeros;
    private final ByteBuffer zeroBlock;
    private final CRC32C crc = new CRC32C();
    private final Fingerprint fingerprint = new Fingerprint();
    private final BlockingQueue<List<InodeRecord>> files = new LinkedBlockingQueue<>();
    private List<InodeRecord> batch = new ArrayList<>(BATCH);
    private final BlockingQueue<Segment> free = new ArrayBlockingQueue<>(SEGMENTS);
    private final BlockingQueue<Segment> full = new ArrayBlockingQueue<>(SEGMENTS);
    private final Thread thread;
    private final Run run = new Run();
    private Segment current;
    private int next;

    /**
     * Starts a reader of the files to come: {@link #add} them in the order {@link #next} will ask
     * for them, then {@link #addedAll}. Reading begins with the first one added, while the
     * caller goes on adding (the writer adds files as it scans the tree).
     */
    FileDataReader(int blockSize) {
        this.bs = blockSize;
        this.zeros = new byte[blockSize];
        this.zeroBlock = ByteBuffer.allocateDirect(blockSize);
        for (int i = 0; i < SEGMENTS; i++) {
            free.add(new Segment());
        }
        thread = new Thread("ext2-file-reader") {
            @Override
            public void run() {
                readAll();
            }
        };
        thread.setDaemon(true);
        thread.start();
    }

    /** Starts reading {@code files} (regular files, in the order {@link #next} will ask for them). */
    FileDataReader(List<InodeRecord> files, int blockSize) {
        this(blockSize);
        for (InodeRecord file : files) {
            add(file);
        }
        addedAll();
    }

    /** Queues a regular file whose {@code extents} are set. */
    void add(InodeRecord file) {
        batch.add(file);
        if (batch.size() == BATCH) {
            files.add(batch);
            batch = new ArrayList<>(BATCH);
        }
    }

    /** Says that no more files will be added. */
    void addedAll() {
        if (!batch.isEmpty()) {
            files.add(batch);
        }
        files.add(END);
    }

    /**
     * The next run of blocks of {@code file} that are not all zeros, or {@code null} when it has no
     * more. Files must be asked for in the order they were added, each until {@code null}, none
     * skipped.
     */
    Run next(InodeRecord file) throws IOException {
        while (true) {
            if (current == null) {
                current = take(full);
                next = 0;
            }
            if (next < current.chunks.size()) {
                if (current.files.get(next) != file) {
                    return null;
                }
                long[] c = current.chunks.get(next++);
                run.firstBlock = c[0];
                run.blocks = current.data.slice((int) c[1], (int) c[2]);
                return run;
            } else if (current.last) {
                if (current.failure == null || current.failedFile != file) {
                    return null;     // all read, or this file came before the one that failed
                }
                if (current.failure instanceof IOException e) {
                    throw e;
                } else if (current.failure instanceof RuntimeException e) {
                    throw e;
                } else {
                    throw (Error) current.failure;
                }
            } else {
                current.reset();
                free.add(current);
                current = null;
            }
        }
    }

    @Override
    public void close() {
        thread.interrupt();
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---------------------------------------------------------------- the reading thread

    private void readAll() {
        Segment segment;
        try {
            segment = take(free);
        } catch (IOException e) {
            return;     // closed before it began
        }
        InodeRecord file = null;
        try {
            for (List<InodeRecord> added = take(files); added != END; added = take(files)) {
                for (InodeRecord f : added) {
                    file = f;
                    segment = readFile(f, segment);
                }
            }
        } catch (IOException | RuntimeException | Error e) {
            if (Thread.currentThread().isInterrupted()) {
                return;     // closed: nobody is waiting
            }
            segment.failure = e;
            segment.failedFile = file;
        }
        segment.last = true;
        full.add(segment);
    }

    private Segment readFile(InodeRecord r, Segment segment) throws IOException {
        Content content = r.node.content();
        long size = content.size();
        long[] extents = r.extents;
        for (int i = 0; i < extents.length; i += 2) {
            long start = extents[i] / bs * bs;
            long end = Math.min(Layout.ceilDiv(extents[i + 1], bs) * bs, size);
            while (i + 2 < extents.length && extents[i + 2] - end < SKIP_MIN) {
                end = Math.min(Layout.ceilDiv(extents[i + 3], bs) * bs, size);   // read through small gaps
                i += 2;
            }
            if (end > start) {
                segment = readRange(r, content, start, end, segment);
            }
        }
        return segment;
    }

    private Segment readRange(InodeRecord r, Content content, long start, long end, Segment segment)
            throws IOException {
        long position = start;        // a block boundary: start is, and every step but the last is whole blocks
        try (ReadableByteChannel in = open(r, content, start)) {
            while (position < end) {
                ByteBuffer buf = segment.data;
                if (buf.remaining() < bs) {
                    full.add(segment);
                    segment = take(free);
                    buf = segment.data;
                }
                int offset = buf.position();
                int want = (int) Math.min(buf.remaining() / bs * bs, end - position);
                buf.limit(offset + want);
                readFully(r, content, in, buf, position);
                int filled = (int) Layout.ceilDiv(want, bs) * bs;
                buf.limit(SEGMENT_SIZE);
                buf.put(offset + want, zeros, 0, filled - want).position(offset + filled);
                addRuns(r, segment, position / bs, offset, filled);
                position += want;
            }
        }
        return segment;
    }

    /** Adds the runs of blocks that are not all zeros among {@code length} bytes at {@code offset}. */
    private void addRuns(InodeRecord r, Segment segment, long firstBlock, int offset, int length) {
        ByteBuffer buf = segment.data;
        int runStart = -1;
        for (int off = offset; off <= offset + length; off += bs) {
            boolean data = false;
            if (off < offset + length) {
                ByteBuffer block = buf.slice(off, bs);
                data = block.mismatch(zeroBlock) >= 0;
                if (data) {
                    crc.reset();
                    crc.update(block);
                    fingerprint.addLong(firstBlock + (off - offset) / bs);
                    fingerprint.addLong(crc.getValue());
                }
            }
            if (data && runStart < 0) {
                runStart = off;
            } else if (!data && runStart >= 0) {
                segment.files.add(r);
                segment.chunks.add(new long[] {firstBlock + (runStart - offset) / bs, runStart, off - runStart});
                runStart = -1;
            }
        }
    }

    /**
     * The fingerprint of every block that is not all zeros with its position, file after file; to
     * be asked once the last file has been passed on.
     */
    Fingerprint contentFingerprint() {
        return fingerprint;
    }

    private static ReadableByteChannel open(InodeRecord r, Content content, long position) throws IOException {
        try {
            return content.openChannel(position);
        } catch (IOException e) {
            throw new IOException("cannot read the content of " + r.path() + " (" + content.describe() + "): "
                    + e.getMessage(), e);
        }
    }

    /** Fills {@code buf} up to its limit from {@code in}, which is at byte {@code position} of the content. */
    private static void readFully(InodeRecord r, Content content, ReadableByteChannel in, ByteBuffer buf,
                                  long position) throws IOException {
        int start = buf.position();
        try {
            while (buf.hasRemaining() && in.read(buf) >= 0) {
                // keep reading until the buffer is full or the content ends
            }
        } catch (IOException e) {
            throw new IOException("cannot read the content of " + r.path() + " (" + content.describe() + "): "
                    + e.getMessage(), e);
        }
        if (buf.hasRemaining()) {
            throw new IOException("the content of " + r.path() + " (" + content.describe() + ") ended after "
                    + (position + buf.position() - start) + " of " + content.size() + " bytes");
        }
    }

    private static <T> T take(BlockingQueue<T> queue) throws IOException {
        try {
            return queue.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while reading file contents");
        }
    }
}

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
 * Reads the content of the image's regular files ahead of the writer and hands it over in the
 * writer's order, so that reading the sources and writing the image overlap. It also finds the
 * blocks that are all zeros (they become holes) and fingerprints the others.
 *
 * <p>Files are read in batches of {@value #BATCH} in the order they were added, on up to
 * {@value #MAX_LANES} threads ("lanes"; one per core): batch {@code i} goes to lane
 * {@code i % lanes}, and the writer takes the batches back in order. Many small files cost a
 * reader more than the writer (an open, a read and a close each), so one lane alone would keep
 * the writer waiting. Each lane owns its segments, so a lane that runs ahead never holds buffers
 * the writer needs from another, and fingerprints its batches on its own; the writer folds the
 * batch fingerprints in batch order, so the result does not depend on the number of lanes.
 *
 * <p>Data travels in segments of 1 MiB of whole blocks, each holding the next blocks of one or
 * more files of a batch: a small file costs no hand-over of its own. At most {@value #SEGMENTS}
 * segments exist per lane, which bounds the memory. Only the content's data extents are read
 * (holes of a sparse host file are skipped, gaps shorter than {@link #SKIP_MIN} are read through);
 * a last partial block is padded with zeros.
 */
final class FileDataReader implements AutoCloseable {
    static final int SEGMENT_SIZE = 1 << 20;
    static final long SKIP_MIN = 1L << 20;
    static final int MAX_LANES = 3;
    private static final int SEGMENTS = 3;
    private static final int BATCH = 128;     // files handed over at once: waking a thread per file costs more

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
        byte[] batchFingerprint;                           // set on the last segment of a batch
        Throwable failure;                                 // reading stopped here, for this reason,
        InodeRecord failedFile;                            // while reading this file
        boolean last;                                      // the lane has nothing after this one

        void reset() {
            data.clear();
            files.clear();
            chunks.clear();
            batchFingerprint = null;
        }
    }

    private static final List<InodeRecord> END = List.of();

    private final int bs;
    private final byte[] zeros;              // read-only: the lanes share them
    private final ByteBuffer zeroBlock;
    private final Lane[] lanes;
    private final Fingerprint fingerprint = new Fingerprint();
    private List<InodeRecord> batch = new ArrayList<>(BATCH);
    private long batchesAdded;
    private final Run run = new Run();
    private Segment current;
    private int lane;            // the lane of the batch the writer is in
    private int next;

    /**
     * Starts a reader of the files to come: {@link #add} them in the order {@link #next} will ask
     * for them, then {@link #addedAll}. Reading begins with the first batch added, while the
     * caller goes on adding (the writer adds files as it scans the tree). One lane per core.
     */
    FileDataReader(int blockSize) {
        this(blockSize, defaultLanes());
    }

    /** As {@link #FileDataReader(int)}, with {@code lanes} reading threads. */
    FileDataReader(int blockSize, int lanes) {
        if (lanes < 1) {
            throw new IllegalArgumentException("lanes must be at least 1: " + lanes);
        }
        this.bs = blockSize;
        this.zeros = new byte[blockSize];
        this.zeroBlock = ByteBuffer.allocateDirect(blockSize);
        this.lanes = new Lane[lanes];
        for (int i = 0; i < lanes; i++) {
            this.lanes[i] = new Lane(i + 1);
        }
    }

    /** Starts reading {@code files} (regular files, in the order {@link #next} will ask for them). */
    FileDataReader(List<InodeRecord> files, int blockSize) {
        this(files, blockSize, defaultLanes());
    }

    /** As {@link #FileDataReader(List, int)}, with {@code lanes} reading threads. */
    FileDataReader(List<InodeRecord> files, int blockSize, int lanes) {
        this(blockSize, lanes);
        for (InodeRecord file : files) {
            add(file);
        }
        addedAll();
    }

    private static int defaultLanes() {
        return Math.min(MAX_LANES, Runtime.getRuntime().availableProcessors());
    }

    /** Queues a regular file whose {@code extents} are set. */
    void add(InodeRecord file) {
        batch.add(file);
        if (batch.size() == BATCH) {
            handOver(batch);
            batch = new ArrayList<>(BATCH);
        }
    }

    /** Says that no more files will be added. */
    void addedAll() {
        if (!batch.isEmpty()) {
            handOver(batch);
        }
        for (Lane l : lanes) {
            l.files.add(END);
        }
    }

    private void handOver(List<InodeRecord> files) {
        lanes[(int) (batchesAdded++ % lanes.length)].files.add(files);
    }

    /**
     * The next run of blocks of {@code file} that are not all zeros, or {@code null} when it has no
     * more. Files must be asked for in the order they were added, each until {@code null}, none
     * skipped.
     */
    Run next(InodeRecord file) throws IOException {
        while (true) {
            if (current == null) {
                current = take(lanes[lane].full);
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
                Segment done = current;
                current = null;
                boolean batchEnds = done.batchFingerprint != null;
                if (batchEnds) {
                    fingerprint.addBytes(done.batchFingerprint);
                }
                done.reset();
                lanes[lane].free.add(done);
                if (batchEnds) {
                    lane = (lane + 1) % lanes.length;      // the next batch is the next lane's
                }
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

    @Override
    public void close() {
        for (Lane l : lanes) {
            l.thread.interrupt();
        }
        for (Lane l : lanes) {
            try {
                l.thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    // ---------------------------------------------------------------- the reading threads

    /** One reading thread with its own batches, segments and fingerprint. */
    private final class Lane {
        final BlockingQueue<List<InodeRecord>> files = new LinkedBlockingQueue<>();
        final BlockingQueue<Segment> free = new ArrayBlockingQueue<>(SEGMENTS);
        final BlockingQueue<Segment> full = new ArrayBlockingQueue<>(SEGMENTS);
        final CRC32C crc = new CRC32C();
        final Thread thread;
        Fingerprint batchFingerprint;
        Segment segment;             // the one being filled, never one handed over
        int segmentsMade;

        Lane(int number) {
            thread = new Thread("ext2-file-reader-" + number) {
                @Override
                public void run() {
                    readAll();
                }
            };
            thread.setDaemon(true);
            thread.start();
        }

        private void readAll() {
            InodeRecord file = null;
            try {
                segment = freeSegment();
                for (List<InodeRecord> added = take(files); added != END; added = take(files)) {
                    batchFingerprint = new Fingerprint();
                    for (InodeRecord f : added) {
                        file = f;
                        readFile(f);
                    }
                    segment.batchFingerprint = batchFingerprint.bytes(0);
                    handOver();
                }
            } catch (IOException | RuntimeException | Error e) {
                if (Thread.currentThread().isInterrupted() || segment == null) {
                    return;     // closed: nobody is waiting
                }
                segment.failure = e;
                segment.failedFile = file;
            }
            segment.last = true;
            full.add(segment);
        }

        /** Passes the segment being filled to the writer and takes a free one. */
        private void handOver() throws IOException {
            full.add(segment);
            segment = null;
            segment = freeSegment();
        }

        /** A free segment: a new one while this lane has fewer than its share, then one the writer gave back. */
        private Segment freeSegment() throws IOException {
            Segment s = free.poll();
            if (s == null && segmentsMade < SEGMENTS) {
                segmentsMade++;
                s = new Segment();      // made here, not by the writer: zeroing 1 MiB is work
            }
            return s != null ? s : take(free);
        }

        private void readFile(InodeRecord r) throws IOException {
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
                    readRange(r, content, start, end);
                }
            }
        }

        private void readRange(InodeRecord r, Content content, long start, long end) throws IOException {
            long position = start;        // a block boundary: start is, and every step but the last is whole blocks
            try (ReadableByteChannel in = open(r, content, start)) {
                while (position < end) {
                    if (segment.data.remaining() < bs) {
                        handOver();
                    }
                    ByteBuffer buf = segment.data;
                    int offset = buf.position();
                    int want = (int) Math.min(buf.remaining() / bs * bs, end - position);
                    buf.limit(offset + want);
                    readFully(r, content, in, buf, position);
                    int filled = (int) Layout.ceilDiv(want, bs) * bs;
                    buf.limit(SEGMENT_SIZE);
                    buf.put(offset + want, zeros, 0, filled - want).position(offset + filled);
                    addRuns(r, position / bs, offset, filled);
                    position += want;
                }
            }
        }

        /** Adds the runs of blocks that are not all zeros among {@code length} bytes at {@code offset}. */
        private void addRuns(InodeRecord r, long firstBlock, int offset, int length) {
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
                        batchFingerprint.addLong(firstBlock + (off - offset) / bs);
                        batchFingerprint.addLong(crc.getValue());
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

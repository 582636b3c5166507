package io.github.miniwebvm.ext2;

import io.github.miniwebvm.fs.Content;
import io.github.miniwebvm.fs.Node;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FileDataReaderTest {
    private static final int BS = 4096;

    private static InodeRecord file(int ino, Content content) {
        InodeRecord r = new InodeRecord(Node.file(0644, content), ino, null, "/f" + ino);
        r.extents = content.dataExtents();
        return r;
    }

    /** 100 bytes whose every read fails with "disk on fire". */
    private static Content unreadable() {
        return new Content() {
            @Override public long size() { return 100; }
            @Override public InputStream open() throws IOException { throw new IOException("disk on fire"); }
        };
    }

    /** The blocks the reader hands over for {@code r}, which must have no block of zeros. */
    private static byte[] collect(FileDataReader reader, InodeRecord r) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long[] expectedBlock = {0};
        for (FileDataReader.Run run = reader.next(r); run != null; run = reader.next(r)) {
            assertThat(run.firstBlock).isEqualTo(expectedBlock[0]);
            assertThat(run.blocks.remaining() % BS).isZero();
            byte[] b = new byte[run.blocks.remaining()];
            run.blocks.get(b);
            out.write(b);
            expectedBlock[0] += b.length / BS;
        }
        return out.toByteArray();
    }

    @ParameterizedTest(name = "{0} lanes")
    @ValueSource(ints = {1, 2, 3})
    void everyFileArrivesWholeAndInOrderAcrossSegments(int lanes) throws IOException {
        Random random = new Random(7);
        List<byte[]> contents = new ArrayList<>();
        List<InodeRecord> files = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            int size = switch (i % 5) {
                case 0 -> 0;
                case 1 -> random.nextInt(100);
                case 2 -> random.nextInt(3 * BS);
                case 3 -> BS * (1 + random.nextInt(4));
                default -> random.nextInt(3 * FileDataReader.SEGMENT_SIZE);
            };
            byte[] bytes = new byte[size];
            random.nextBytes(bytes);
            contents.add(bytes);
            files.add(file(12 + i, Content.ofBytes(bytes)));
        }
        try (FileDataReader reader = new FileDataReader(files, BS, lanes)) {
            for (int i = 0; i < files.size(); i++) {
                byte[] got = collect(reader, files.get(i));
                byte[] want = contents.get(i);
                assertThat(got.length).as("file %d", i).isEqualTo((want.length + BS - 1) / BS * BS);
                assertThat(Arrays.copyOf(got, want.length)).as("file %d", i).isEqualTo(want);
                assertThat(Arrays.copyOfRange(got, want.length, got.length)).as("padding of file %d", i)
                        .isEqualTo(new byte[got.length - want.length]);
            }
        }
    }

    @Test
    void onlyTheDataExtentsAreRead() throws IOException {
        byte[] bytes = new byte[8 << 20];
        Arrays.fill(bytes, 0, 100, (byte) 1);
        Arrays.fill(bytes, 6 << 20, (6 << 20) + 5000, (byte) 2);
        Content sparse = new Content() {
            @Override public long size() { return bytes.length; }
            @Override public InputStream open() { return new java.io.ByteArrayInputStream(bytes); }
            @Override public long[] dataExtents() { return new long[] {0, 100, 6 << 20, (6 << 20) + 5000}; }
        };
        InodeRecord r = file(12, sparse);
        List<Long> firstBlocks = new ArrayList<>();
        try (FileDataReader reader = new FileDataReader(List.of(r), BS)) {
            for (FileDataReader.Run run = reader.next(r); run != null; run = reader.next(r)) {
                firstBlocks.add(run.firstBlock);
                assertThat(run.blocks.get(0)).isEqualTo(run.firstBlock == 0 ? (byte) 1 : (byte) 2);
            }
        }
        assertThat(firstBlocks).containsExactly(0L, (long) (6 << 20) / BS);
    }

    @Test
    void blocksOfZerosAreLeftOutAndSplitTheRuns() throws IOException {
        byte[] bytes = new byte[5 * BS + 10];
        Arrays.fill(bytes, 0, 2 * BS, (byte) 7);         // blocks 0-1: data
        bytes[3 * BS + 5] = 1;                            // block 2: zeros, block 3: data
        Arrays.fill(bytes, 5 * BS, 5 * BS + 10, (byte) 9); // block 4: zeros, block 5: a partial block
        InodeRecord r = file(12, Content.ofBytes(bytes));
        List<long[]> runs = new ArrayList<>();
        try (FileDataReader reader = new FileDataReader(List.of(r), BS)) {
            for (FileDataReader.Run run = reader.next(r); run != null; run = reader.next(r)) {
                runs.add(new long[] {run.firstBlock, run.blocks.remaining() / BS});
            }
        }
        assertThat(runs).containsExactly(new long[] {0, 2}, new long[] {3, 1}, new long[] {5, 1});
    }

    @Test
    void aFailureReachesTheWriterWithThePathAfterTheFilesBeforeIt() throws IOException {
        byte[] ones = new byte[10_000];
        Arrays.fill(ones, (byte) 1);
        InodeRecord good = file(12, Content.ofBytes(ones));
        InodeRecord bad = file(13, unreadable());
        InodeRecord after = file(14, Content.ofBytes(new byte[10]));
        try (FileDataReader reader = new FileDataReader(List.of(good, bad, after), BS)) {
            assertThat(collect(reader, good)).hasSize(12_288);
            assertThatThrownBy(() -> collect(reader, bad))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("/f13")
                    .hasMessageContaining("disk on fire");
        }
    }

    @Test
    void closingBeforeTheEndStopsTheReader() throws IOException {
        List<InodeRecord> files = new ArrayList<>();
        byte[] ones = new byte[FileDataReader.SEGMENT_SIZE];
        Arrays.fill(ones, (byte) 1);
        for (int i = 0; i < 50; i++) {
            files.add(file(12 + i, Content.ofBytes(ones)));
        }
        FileDataReader reader = new FileDataReader(files, BS);
        assertThat(reader.next(files.get(0))).isNotNull();
        reader.close();    // the reader is blocked waiting for a free segment; close must stop it
        assertThat(readerThreads()).as("reader threads after close").isEmpty();
    }

    /** Many files over several batches, some with blocks of zeros, read through {@code lanes} lanes. */
    private static byte[] fingerprintOf(int lanes, List<long[]> runs) throws IOException {
        Random random = new Random(11);
        List<InodeRecord> files = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            byte[] bytes = new byte[random.nextInt(4) == 0 ? random.nextInt(40 * BS) : random.nextInt(300)];
            for (int b = 0; b < bytes.length; b += BS) {
                if (random.nextInt(3) > 0) {
                    bytes[b + random.nextInt(Math.min(BS, bytes.length - b))] = (byte) (1 + random.nextInt(255));
                }
            }
            files.add(file(12 + i, Content.ofBytes(bytes)));
        }
        try (FileDataReader reader = new FileDataReader(files, BS, lanes)) {
            for (InodeRecord r : files) {
                for (FileDataReader.Run run = reader.next(r); run != null; run = reader.next(r)) {
                    runs.add(new long[] {r.ino, run.firstBlock, run.blocks.remaining()});
                }
            }
            return reader.contentFingerprint().bytes(0);
        }
    }

    @Test
    void theRunsAndTheFingerprintDoNotDependOnTheNumberOfLanes() throws IOException {
        List<long[]> oneLane = new ArrayList<>();
        byte[] one = fingerprintOf(1, oneLane);
        for (int lanes = 2; lanes <= FileDataReader.MAX_LANES; lanes++) {
            List<long[]> runs = new ArrayList<>();
            assertThat(fingerprintOf(lanes, runs)).as("fingerprint with %d lanes", lanes).isEqualTo(one);
            assertThat(runs).as("runs with %d lanes", lanes).containsExactlyElementsOf(oneLane);
        }
        assertThat(oneLane).hasSizeGreaterThan(1000);
    }

    @ParameterizedTest(name = "{0} lanes")
    @ValueSource(ints = {1, 3})
    void aFailureInALaterBatchComesAfterEveryFileBeforeIt(int lanes) throws IOException {
        List<InodeRecord> files = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            byte[] bytes = new byte[1 + i % 5000];
            Arrays.fill(bytes, (byte) (1 + i % 200));
            files.add(file(12 + i, Content.ofBytes(bytes)));
        }
        int badIndex = 700;                    // in batch 5: lane 3 of 3
        files.set(badIndex, file(12 + badIndex, unreadable()));
        try (FileDataReader reader = new FileDataReader(files, BS, lanes)) {
            for (int i = 0; i < badIndex; i++) {
                byte[] got = collect(reader, files.get(i));
                assertThat(got).as("file %d", i).hasSize((int) Layout.ceilDiv(1 + i % 5000, BS) * BS);
                assertThat(got[0]).as("file %d", i).isEqualTo((byte) (1 + i % 200));
            }
            assertThatThrownBy(() -> collect(reader, files.get(badIndex)))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("/f" + (12 + badIndex))
                    .hasMessageContaining("disk on fire");
        }
    }

    private static List<String> readerThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(n -> n.startsWith("ext2-file-reader-")).toList();
    }
}

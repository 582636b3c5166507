package io.github.miniwebvm.dockerfile;

import com.github.luben.zstd.ZstdInputStream;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;

/** A tar that may be gzip, zstd, xz or bzip2 compressed, told by its first bytes (as GNU tar tells it). */
final class Decompressed {
    private Decompressed() {
    }

    static InputStream open(Path file) throws IOException {
        InputStream raw = Files.newInputStream(file);
        try {
            return of(raw);
        } catch (IOException e) {
            raw.close();
            throw e;
        }
    }

    /** The decompressed bytes of {@code in}; closing the result closes {@code in}. */
    static InputStream of(InputStream in) throws IOException {
        BufferedInputStream buffered = new BufferedInputStream(in, 1 << 16);
        buffered.mark(8);
        byte[] head = buffered.readNBytes(6);
        buffered.reset();
        if (starts(head, 0x1f, 0x8b)) {
            return new GzipCompressorInputStream(buffered, true);
        }
        if (starts(head, 0x28, 0xb5, 0x2f, 0xfd)) {
            return new ZstdInputStream(buffered);
        }
        if (starts(head, 0xfd, '7', 'z', 'X', 'Z', 0)) {
            return new XZCompressorInputStream(buffered, true);
        }
        if (starts(head, 'B', 'Z', 'h')) {
            return new BZip2CompressorInputStream(buffered, true);
        }
        return buffered;
    }

    private static boolean starts(byte[] head, int... magic) {
        if (head.length < magic.length) {
            return false;
        }
        for (int i = 0; i < magic.length; i++) {
            if ((head[i] & 0xff) != magic[i]) {
                return false;
            }
        }
        return true;
    }
}

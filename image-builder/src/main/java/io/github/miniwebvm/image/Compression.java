package io.github.miniwebvm.image;

import com.github.luben.zstd.ZstdInputStream;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.tukaani.xz.XZInputStream;

/** Compression of a layer or archive, from its media type or its first bytes. */
enum Compression {
    NONE, GZIP, ZSTD, XZ;

    /** Looks at the first bytes of a mark-supporting stream without consuming them. */
    static Compression sniff(InputStream in) throws IOException {
        in.mark(8);
        byte[] head = in.readNBytes(6);
        in.reset();
        if (head.length >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b) {
            return GZIP;
        }
        if (head.length >= 4 && Arrays.equals(Arrays.copyOf(head, 4), new byte[] {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd})) {
            return ZSTD;
        }
        if (head.length >= 6 && Arrays.equals(head, new byte[] {(byte) 0xfd, '7', 'z', 'X', 'Z', 0})) {
            return XZ;
        }
        return NONE;
    }

    InputStream decompress(InputStream in) throws IOException {
        return switch (this) {
            case NONE -> in;
            case GZIP -> new GzipCompressorInputStream(in, true);
            case ZSTD -> new ZstdInputStream(in);
            case XZ -> new XZInputStream(in);
        };
    }

    static BufferedInputStream buffered(InputStream in) {
        return new BufferedInputStream(in, 65536);
    }
}

package io.github.miniwebvm.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 digests: {@code hex} gives 64 lowercase hex digits, {@code ociDigest} gives {@code sha256:<hex>}. */
public final class Sha256 {
    private static final String OCI_PREFIX = "sha256:";
    private static final ThreadLocal<MessageDigest> REUSED = ThreadLocal.withInitial(Sha256::newDigest);

    private Sha256() {
    }

    /** A fresh SHA-256 {@link MessageDigest}, for hashing in parts. */
    public static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    public static String hex(byte[] bytes) {
        return hex(bytes, 0, bytes.length);
    }

    public static String hex(byte[] bytes, int offset, int length) {
        MessageDigest md = REUSED.get();
        md.reset();
        md.update(bytes, offset, length);
        return HexFormat.of().formatHex(md.digest());
    }

    public static String hex(String text) {
        return hex(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Reads {@code in} to its end; does not close it. */
    public static String hex(InputStream in) throws IOException {
        MessageDigest md = newDigest();
        byte[] buf = new byte[1 << 16];
        int n;
        while ((n = in.read(buf)) >= 0) {
            md.update(buf, 0, n);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    public static String hex(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return hex(in);
        }
    }

    /** The hex form of a finished digest. */
    public static String hexOf(MessageDigest finished) {
        return HexFormat.of().formatHex(finished.digest());
    }

    public static String ociDigest(byte[] bytes) {
        return OCI_PREFIX + hex(bytes);
    }

    public static String ociDigest(String text) {
        return OCI_PREFIX + hex(text);
    }

    public static String ociDigest(Path file) throws IOException {
        return OCI_PREFIX + hex(file);
    }

    /** {@code sha256:<hex>} of a finished digest. */
    public static String ociDigestOf(MessageDigest finished) {
        return OCI_PREFIX + hexOf(finished);
    }

    /** The hex part of a {@code sha256:<hex>} digest; anything else is refused. */
    public static String hexOfOciDigest(String digest) {
        if (!digest.startsWith(OCI_PREFIX) || !isHex(digest.substring(OCI_PREFIX.length()))) {
            throw new IllegalArgumentException("not a sha256 digest: " + digest);
        }
        return digest.substring(OCI_PREFIX.length());
    }

    /** Whether {@code s} is 64 lowercase hex digits. */
    public static boolean isHex(String s) {
        if (s == null || s.length() != 64) {
            return false;
        }
        for (int i = 0; i < 64; i++) {
            char c = s.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                return false;
            }
        }
        return true;
    }
}

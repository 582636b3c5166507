package io.github.miniwebvm.chunker;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

final class Hex {
  private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(Hex::newSha256);

  private Hex() {}

  static MessageDigest newSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
    }
  }

  static String sha256(byte[] data, int len) {
    MessageDigest md = SHA256.get();
    md.reset();
    md.update(data, 0, len);
    return HexFormat.of().formatHex(md.digest());
  }

  static String hex(byte[] digest) {
    return HexFormat.of().formatHex(digest);
  }

  static boolean isSha256(String s) {
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

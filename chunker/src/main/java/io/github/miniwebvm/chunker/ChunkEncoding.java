package io.github.miniwebvm.chunker;

import java.util.Locale;

/** How stored chunks are compressed. The manifest names it in lower case ({@code "gzip"}). */
public enum ChunkEncoding {
  /** gzip (RFC 1952), level 6 unless set; browsers read it with {@code DecompressionStream}. */
  GZIP(6),
  /** zstd frames (zstd-jni), level 19 unless set. */
  ZSTD(19),
  /** No compression: for the {@link DiskLayout#WEBVM} layout, and V86 parts without zstd. */
  NONE(0);

  private final int defaultLevel;

  ChunkEncoding(int defaultLevel) {
    this.defaultLevel = defaultLevel;
  }

  int defaultLevel() {
    return defaultLevel;
  }

  /** The name used in {@code manifest.json}. */
  public String manifestName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The encoding of a manifest name ({@code gzip}, {@code zstd}, {@code none}). */
  public static ChunkEncoding fromManifestName(String name) throws ChunkerException {
    for (ChunkEncoding e : values()) {
      if (e.manifestName().equals(name)) {
        return e;
      }
    }
    throw new ChunkerException("Unknown chunk encoding \"" + name + "\"; expected gzip, zstd or none");
  }
}

package io.github.miniwebvm.chunker;

/** How the chunker lays the disk image out in the output folder. */
public enum DiskLayout {
  /**
   * Content-addressed chunk store: {@code chunks/<sha256>} (compressed, zero chunks and duplicates
   * not stored) plus {@code manifest.json}; see {@link DiskManifest} and {@code FORMAT.md}.
   */
  PACKED,
  /**
   * WebVM's layout, byte for byte what {@code split IMAGE DIR/IMAGE.c -a 6 -b 128k -x
   * --additional-suffix=.txt} and {@code stat -c%s IMAGE > DIR/IMAGE.meta} produce.
   */
  WEBVM,
  /**
   * Parts for v86's {@code use_parts} with {@code fixed_chunk_size}: for the url {@code
   * disk/NAME.EXT} v86 fetches {@code disk/NAME-<start>-<end>.EXT} (end exclusive). Every part is
   * exactly one chunk long; the last one is padded with zeros because v86 always asks for, and
   * decompresses, whole chunks. With {@link ChunkEncoding#ZSTD} the parts are {@code
   * NAME-<start>-<end>.EXT.zst} (url {@code disk/NAME.EXT.zst}).
   */
  V86
}

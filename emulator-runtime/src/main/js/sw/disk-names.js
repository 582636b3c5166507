// The file names under disk/ that engines request, mapped onto the packed store's chunks.

function escape(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

// v86 `use_parts`: url "disk/<name>" → parts "disk/<base>-<start>-<end><ext>" (end exclusive),
// where <ext> is the last extension (plus ".zst"), exactly as v86 splits the url.
export function v86PartPattern(name) {
  const m = name.match(/\.[^.]+(\.zst)?$/);
  const ext = m ? m[0] : "";
  const base = name.substring(0, name.length - ext.length);
  return new RegExp("^" + escape(base) + "-(\\d+)-(\\d+)" + escape(ext) + "$");
}

// WebVM: `split -a 6 -b 128k -x --additional-suffix=.txt IMAGE IMAGE.c` → IMAGE.c000000.txt …
export function webvmChunkPattern(name) {
  return new RegExp("^" + escape(name) + "\\.c([0-9a-f]{6})\\.txt$");
}

// `split -b 128k`: WebVM's chunks are 128 KiB whatever chunk size the packed store uses
export const WEBVM_CHUNK_SIZE = 128 * 1024;

// [start, end) of WebVM chunk `index` in an image of `size` bytes (the last one is short)
export function webvmChunkRange(index, size) {
  const start = index * WEBVM_CHUNK_SIZE;
  return [start, Math.min(start + WEBVM_CHUNK_SIZE, size)];
}

export function webvmMetaName(name) {
  return name + ".meta";
}

// The packed disk store's manifest (chunker/FORMAT.md, format webvm-disk/1), read and checked
// here for every reader: the service worker (sw/sw.js), the build-time snapshot boot
// (snapshot/snapshot.mjs) and the chunker's test of its own output (chunker/src/test/js).
// Plain ES module without browser or Node APIs, so that each of them can import it.

export const FORMAT = "webvm-disk/1";
export const DEFAULT_CHUNK_PATH = "chunks/{sha256}";
const SHA256 = /^[0-9a-f]{64}$/;

/**
 * The manifest in `text` (or already parsed), checked: format, geometry, one entry per chunk
 * (null or a sha256), `raw` as a Set of chunk indices. `where` names the file in messages.
 * Returns { format, name, size, chunkSize, encoding, chunkPath, imageSha256, chunks, raw }.
 */
export function parseManifest(text, where) {
  let m;
  try {
    m = typeof text === "string" ? JSON.parse(text) : text;
  } catch (e) {
    throw new Error(`${where} is not JSON (${e.message}); redeploy the whole site`);
  }
  if (!m || typeof m !== "object") throw new Error(`${where} is not a disk manifest`);
  if (m.format !== FORMAT) throw new Error(`${where}: unknown format ${m.format}, expected ${FORMAT}`);
  const { size, chunkSize } = m;
  if (!Number.isSafeInteger(size) || size <= 0 || !Number.isSafeInteger(chunkSize) || chunkSize <= 0) {
    throw new Error(`${where}: bad geometry (size ${size}, chunkSize ${chunkSize})`);
  }
  const count = Math.ceil(size / chunkSize);
  if (!Array.isArray(m.chunks) || m.chunks.length !== count || !m.chunks.every((c) => c === null || SHA256.test(c))) {
    throw new Error(`${where}: chunks must be ${count} entries, each null or a sha256`);
  }
  const raw = m.raw || [];
  if (!Array.isArray(raw) || !raw.every((i) => Number.isInteger(i) && i >= 0 && i < count)) {
    throw new Error(`${where}: raw must list chunk indices`);
  }
  return {
    format: m.format,
    name: m.name,
    size,
    chunkSize,
    encoding: m.encoding,
    chunkPath: m.chunkPath || DEFAULT_CHUNK_PATH,
    imageSha256: m.imageSha256,
    chunks: m.chunks,
    raw: new Set(raw),
  };
}

/** Throws unless the manifest describes the disk that webvm.json names (its `disk` entry). */
export function checkSameImage(manifest, disk) {
  if (manifest.imageSha256 !== disk.imageSha256 || manifest.size !== disk.size || manifest.chunkSize !== disk.chunkSize) {
    throw new Error(`${disk.manifest} does not describe the image named in webvm.json ` +
      `(the site is half-deployed or mixed from two builds; redeploy the whole site)`);
  }
}

/** [start, end) of chunk `index` in the image (the last chunk may be short). */
export function chunkRange(index, manifest) {
  const start = index * manifest.chunkSize;
  return [start, Math.min(start + manifest.chunkSize, manifest.size)];
}

/** The file of a stored chunk, relative to the manifest. */
export function chunkFile(manifest, sha) {
  return manifest.chunkPath.replace("{sha256}", sha);
}

/** How chunk `index`'s file is stored: the manifest's encoding, or "none" for a raw chunk. */
export function chunkEncoding(index, manifest) {
  return manifest.raw.has(index) ? "none" : manifest.encoding;
}

// Reads a packed disk store (chunker/FORMAT.md) with the web platform APIs a service worker has
// (DecompressionStream, crypto.subtle) and the runtime's own manifest reader (the service worker's),
// and prints the sha256 of the whole image and the image's bytes to a file. Node ≥ 18 provides the
// same APIs as the browser; files stand in for fetch().
// Usage: node read-store.mjs DISK_DIR OUT_IMAGE
import { readFile, open } from "node:fs/promises";
import { createHash } from "node:crypto";
import path from "node:path";
import { chunkEncoding, chunkFile, chunkRange, parseManifest } from "../../../../emulator-runtime/src/main/js/disk/manifest.js";

const [diskDir, outImage] = process.argv.slice(2);
const manifestFile = path.join(diskDir, "manifest.json");
const manifest = parseManifest(await readFile(manifestFile, "utf8"), manifestFile);
const hex = (buf) => [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, "0")).join("");
const chunkLength = (i) => chunkRange(i, manifest)[1] - chunkRange(i, manifest)[0];

async function readChunk(i) {
  const entry = manifest.chunks[i];
  if (entry === null) return new Uint8Array(chunkLength(i));
  const stored = await readFile(path.join(diskDir, chunkFile(manifest, entry)));
  let bytes;
  const encoding = chunkEncoding(i, manifest);
  if (encoding === "none") {
    bytes = new Uint8Array(stored);
  } else if (encoding === "gzip") {
    const stream = new Blob([stored]).stream().pipeThrough(new DecompressionStream("gzip"));
    bytes = new Uint8Array(await new Response(stream).arrayBuffer());
  } else {
    throw new Error("this reader has no " + manifest.encoding + " decoder");
  }
  if (bytes.length !== chunkLength(i)) throw new Error(`chunk ${i}: ${bytes.length} bytes`);
  const sha = hex(await crypto.subtle.digest("SHA-256", bytes));
  if (sha !== entry) throw new Error(`chunk ${i}: sha256 ${sha}, manifest ${entry}`);
  return bytes;
}

const image = createHash("sha256");
const out = await open(outImage, "w");
for (let i = 0; i < manifest.chunks.length; i++) {
  const bytes = await readChunk(i);
  image.update(bytes);
  await out.write(bytes, 0, bytes.length, i * manifest.chunkSize);
}
await out.close();
const sha = image.digest("hex");
if (sha !== manifest.imageSha256) throw new Error("image sha256 " + sha + " != " + manifest.imageSha256);
console.log(sha);

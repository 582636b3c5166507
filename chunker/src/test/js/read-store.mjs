// Reads a packed disk store (chunker/FORMAT.md) with the web platform APIs a service worker has
// (DecompressionStream, crypto.subtle), and prints the sha256 of the whole image and the image's
// bytes to a file. Node ≥ 18 provides the same APIs as the browser; files stand in for fetch().
// Usage: node read-store.mjs DISK_DIR OUT_IMAGE
import { readFile, open } from "node:fs/promises";
import { createHash } from "node:crypto";
import path from "node:path";

const [diskDir, outImage] = process.argv.slice(2);
const manifest = JSON.parse(await readFile(path.join(diskDir, "manifest.json"), "utf8"));
if (manifest.format !== "webvm-disk/1") throw new Error("unknown format " + manifest.format);
const raw = new Set(manifest.raw ?? []);
const hex = (buf) => [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, "0")).join("");
const chunkLength = (i) => Math.min(manifest.chunkSize, manifest.size - i * manifest.chunkSize);

async function readChunk(i) {
  const entry = manifest.chunks[i];
  if (entry === null) return new Uint8Array(chunkLength(i));
  const stored = await readFile(path.join(diskDir, manifest.chunkPath.replace("{sha256}", entry)));
  let bytes;
  if (raw.has(i) || manifest.encoding === "none") {
    bytes = new Uint8Array(stored);
  } else if (manifest.encoding === "gzip") {
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

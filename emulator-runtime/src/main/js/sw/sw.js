// Service worker of a WebVM site.
// 1. Adds COOP/COEP/CORP to same-origin responses, so the page becomes cross-origin isolated on
//    hosts that cannot set headers (GitHub Pages).
// 2. Serves the disk from the packed store (disk/manifest.json + disk/chunks/<sha256>) under the
//    names each engine asks for: v86 parts `disk/<base>-<start>-<end><ext>` and the WebVM split
//    names `disk/<name>.c%06x.txt` + `disk/<name>.meta`. Every stored chunk is checked against its
//    sha256 before use; verified chunks go to Cache Storage, one cache per image.
import { v86PartPattern, webvmChunkPattern, webvmChunkRange, webvmMetaName } from "./disk-names.js";
import { checkSameImage, chunkEncoding, chunkFile, chunkRange, parseManifest } from "../disk/manifest.js";
import { openStore } from "../persist/store.js";

const ISOLATION_HEADERS = {
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Embedder-Policy": "require-corp",
  "Cross-Origin-Resource-Policy": "cross-origin",
};
const CACHE_PREFIX = "webvm-disk:" + self.registration.scope + ":";
const MAX_ATTEMPTS = 5;
const FIRST_BACKOFF_MS = 300;

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate") site = null; // a (re)load picks up a new deployment
  event.respondWith(handle(request, url));
});

async function handle(request, url) {
  const path = url.pathname;
  const scopePath = new URL(self.registration.scope).pathname;
  if (path.startsWith(scopePath + DOWNLOAD_PREFIX)) return serveDownload(path.substring(scopePath.length + DOWNLOAD_PREFIX.length));
  if (path === scopePath + PERSIST_SETTLED) return persistSettled();
  if (path.startsWith(scopePath + "disk/") && !path.startsWith(scopePath + "disk/chunks/")) {
    const s = await loadSite().catch((e) => e);
    if (s instanceof Error) {
      report({ kind: "config", message: s.message });
      return errorResponse(503, s.message);
    }
    if (s.disk) {
      const name = path.substring(scopePath.length + "disk/".length);
      const disk = await serveDisk(s, name).catch((e) => e);
      if (disk instanceof DiskError) return errorResponse(disk.status, disk.message);
      if (disk instanceof Error) {
        report({ kind: "disk", message: disk.message });
        return errorResponse(500, disk.message);
      }
      if (disk) return disk;
    }
  }
  let response;
  try {
    response = await fetch(request);
  } catch (e) {
    return Response.error();
  }
  return withIsolationHeaders(response);
}

function withIsolationHeaders(response) {
  // opaque redirects (navigation with redirect: manual) and opaque responses cannot be rebuilt
  if (response.status === 0) return response;
  const headers = new Headers(response.headers);
  for (const [k, v] of Object.entries(ISOLATION_HEADERS)) headers.set(k, v);
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

function errorResponse(status, message) {
  const headers = new Headers(ISOLATION_HEADERS);
  headers.set("Content-Type", "text/plain; charset=utf-8");
  headers.set("Cache-Control", "no-store");
  return new Response(message + "\n", { status, headers });
}

class DiskError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

// ---- downloads streamed by the page ("Download disk") -----------------------------------------
// The page posts { type: "webvm-download", id, name, size, stream } and then opens
// webvm-download/<id>/<name>; the worker answers it with the stream as an attachment, so the
// browser writes the bytes to disk as they come.

const DOWNLOAD_PREFIX = "webvm-download/";
const downloads = new Map(); // id → { name, size, stream } | waiting resolvers
const downloadWaiters = new Map();

self.addEventListener("message", (event) => {
  const m = event.data;
  if (!m || m.type !== "webvm-download" || typeof m.id !== "string" || !(m.stream instanceof ReadableStream)) return;
  downloads.set(m.id, m);
  const waiter = downloadWaiters.get(m.id);
  if (waiter) waiter();
  setTimeout(() => downloads.delete(m.id), 60_000); // never opened: let it go
});

async function serveDownload(rest) {
  const id = rest.split("/")[0];
  if (!downloads.has(id)) {
    // the link may overtake the message that announced it
    await new Promise((resolve) => {
      downloadWaiters.set(id, resolve);
      setTimeout(resolve, 10_000);
    });
    downloadWaiters.delete(id);
  }
  const d = downloads.get(id);
  downloads.delete(id);
  if (!d) return errorResponse(404, "this download has expired; start it again from the page");
  const headers = new Headers(ISOLATION_HEADERS);
  headers.set("Content-Type", "application/octet-stream");
  headers.set("Content-Disposition", `attachment; filename="${String(d.name).replace(/[^A-Za-z0-9._-]/g, "_")}"`);
  if (d.size) headers.set("Content-Length", String(d.size));
  headers.set("Cache-Control", "no-store");
  return new Response(d.stream, { headers });
}

// ---- the v86 machine saved when the page goes away ---------------------------------------------
// A page that is being left cannot wait for IndexedDB; it posts the saved machine here
// ({ type: "webvm-persist-save", record }, the state transferred), and the worker, which outlives
// the page, writes it. The next page fetches webvm-persist/settled before it reads the store.

const PERSIST_SETTLED = "webvm-persist/settled";
let persistChain = Promise.resolve();

self.addEventListener("message", (event) => {
  const m = event.data;
  if (!m || m.type !== "webvm-persist-save" || !m.record || !(m.record.state instanceof ArrayBuffer)) return;
  const record = m.record;
  const job = persistChain.then(async () => {
    const store = await openStore(record.imageSha256);
    try {
      await store.save(record);
    } finally {
      store.close();
    }
  });
  persistChain = job.catch(() => {});
  const answer = (reply) => event.source && event.source.postMessage({ type: "webvm-persist-saved", savedAt: record.savedAt, ...reply });
  event.waitUntil(job.then(() => answer({ ok: true }), (e) => answer({ ok: false, name: e && e.name, message: e && e.message ? e.message : String(e) })));
});

async function persistSettled() {
  await persistChain;
  return new Response(null, { status: 204, headers: { ...ISOLATION_HEADERS, "Cache-Control": "no-store" } });
}

// ---- site description (webvm.json) and manifest -------------------------------------------

let site = null; // Promise<{config, disk, manifest, cacheName}>

function loadSite() {
  if (!site) {
    site = readSite();
    site.catch(() => (site = null));
  }
  return site;
}

async function readSite() {
  const configUrl = new URL("webvm.json", self.registration.scope);
  const response = await fetch(configUrl, { cache: "no-cache" });
  if (!response.ok) throw new Error(`webvm.json: HTTP ${response.status}`);
  const config = await response.json();
  const disk = config.disk;
  if (!disk) return { config };
  const cacheName = CACHE_PREFIX + disk.imageSha256;
  evictOtherImages(cacheName);
  const cache = await caches.open(cacheName);
  const manifestUrl = new URL(disk.manifest, self.registration.scope).href;
  let manifest;
  const cached = await cache.match(manifestUrl);
  if (cached) {
    manifest = parseManifest(await cached.text(), disk.manifest);
  } else {
    const r = await fetchWithRetry(manifestUrl);
    const text = await r.text();
    manifest = parseManifest(text, disk.manifest);
    checkSameImage(manifest, disk);
    await cache.put(manifestUrl, new Response(text, { headers: { "Content-Type": "application/json" } })).catch(() => {}); // storage full: not kept
  }
  checkSameImage(manifest, disk);
  return {
    config, disk, manifest, cacheName,
    chunkUrl: (sha) => new URL(chunkFile(manifest, sha), manifestUrl).href,
  };
}

async function evictOtherImages(keep) {
  for (const name of await caches.keys()) {
    if (name.startsWith(CACHE_PREFIX) && name !== keep) await caches.delete(name);
  }
}

// ---- disk names -----------------------------------------------------------------------------

async function serveDisk(s, name) {
  const { disk, manifest } = s;
  let start, end;
  let m = v86PartPattern(disk.name).exec(name);
  if (m) {
    start = Number(m[1]);
    end = Number(m[2]);
  } else if ((m = webvmChunkPattern(disk.name).exec(name))) {
    [start, end] = webvmChunkRange(parseInt(m[1], 16), manifest.size);
    if (start >= manifest.size) return null;
  } else if (name === webvmMetaName(disk.name)) {
    return new Response(manifest.size + "\n", { headers: { ...ISOLATION_HEADERS, "Content-Type": "text/plain" } });
  } else {
    return null; // another file under disk/: the static server answers
  }
  if (!(end > start) || start % 256 !== 0 || end - start > 64 * manifest.chunkSize) {
    throw new DiskError(416, `disk/${name}: bad range`);
  }
  const body = new Uint8Array(end - start); // bytes past the image end stay zero
  const first = Math.floor(start / manifest.chunkSize);
  const last = Math.floor((Math.min(end, manifest.size) - 1) / manifest.chunkSize);
  const parts = [];
  for (let i = first; i <= last && i < manifest.chunks.length; i++) parts.push(chunkBytes(s, i).then((b) => [i, b]));
  for (const [i, bytes] of await Promise.all(parts)) {
    const chunkStart = i * manifest.chunkSize;
    const from = Math.max(start, chunkStart), to = Math.min(end, chunkStart + bytes.length);
    if (to > from) body.set(bytes.subarray(from - chunkStart, to - chunkStart), from - start);
  }
  return new Response(body, {
    headers: { ...ISOLATION_HEADERS, "Content-Type": "application/octet-stream", "Content-Length": String(body.length), "Cache-Control": "no-store" },
  });
}

// ---- chunks -----------------------------------------------------------------------------------

const inflight = new Map();
const counters = { networkBytes: 0, cacheBytes: 0, chunks: 0 };

function chunkBytes(s, index) {
  const sha = s.manifest.chunks[index];
  const [start, end] = chunkRange(index, s.manifest);
  if (sha === null) return Promise.resolve(new Uint8Array(end - start));
  const key = s.cacheName + "/" + sha;
  let p = inflight.get(key);
  if (!p) {
    p = loadChunk(s, sha, index).finally(() => inflight.delete(key));
    inflight.set(key, p);
  }
  return p;
}

async function loadChunk(s, sha, index) {
  const url = s.chunkUrl(sha);
  const cache = await caches.open(s.cacheName);
  const hit = await cache.match(url);
  if (hit) {
    const bytes = new Uint8Array(await hit.arrayBuffer());
    counters.cacheBytes += bytes.length;
    counters.chunks++;
    progress();
    return bytes;
  }
  const response = await fetchWithRetry(url, `chunk ${sha} (disk chunk ${index})`);
  const stored = await response.arrayBuffer();
  counters.networkBytes += stored.byteLength;
  const encoding = chunkEncoding(index, s.manifest);
  let raw;
  try {
    raw = await decode(stored, encoding);
  } catch (e) {
    if (e instanceof DiskError) throw e;
    integrityFailure(sha, index, `it is not valid ${encoding} data (${e.message})`);
  }
  const [start, end] = chunkRange(index, s.manifest);
  if (raw.byteLength !== end - start) integrityFailure(sha, index, `it has ${raw.byteLength} bytes, not ${end - start}`);
  const digest = hex(await crypto.subtle.digest("SHA-256", raw));
  if (digest !== sha) integrityFailure(sha, index, `its content has sha256 ${digest}`);
  const bytes = new Uint8Array(raw);
  try {
    await cache.put(url, new Response(bytes, { headers: { "Content-Type": "application/octet-stream" } }));
  } catch (e) {
    // storage full (or unavailable): the verified chunk is served all the same, just not kept
    counters.uncached = (counters.uncached || 0) + 1;
  }
  counters.chunks++;
  progress();
  return bytes;
}

function integrityFailure(sha, index, why) {
  const message = `Disk chunk ${sha} (chunk ${index}) failed its integrity check: ${why}. ` +
    `The file disk/chunks/${sha} on the server is damaged or from another build; redeploy the site.`;
  report({ kind: "integrity", chunk: sha, index, message });
  throw new DiskError(422, message); // 4xx: v86 does not retry it, and nothing is cached
}

async function decode(buffer, encoding) {
  if (encoding === "none" || encoding === undefined) return buffer;
  let decompressor;
  try {
    decompressor = new DecompressionStream(encoding); // "gzip"; "zstd" where the browser has it
  } catch (e) {
    const message = `This browser cannot decompress ${encoding} disk chunks. Build the site with gzip chunks, or use a browser whose DecompressionStream supports ${encoding}.`;
    report({ kind: "disk", message });
    throw new DiskError(500, message);
  }
  return await new Response(new Blob([buffer]).stream().pipeThrough(decompressor)).arrayBuffer();
}

async function fetchWithRetry(url, what = url) {
  let last = "";
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    try {
      const r = await fetch(url, { cache: "no-cache" });
      if (r.ok) return r;
      last = `HTTP ${r.status}`;
      if (r.status === 404 || r.status === 410) break; // missing does not heal by retrying
    } catch (e) {
      last = e.message;
    }
    if (attempt < MAX_ATTEMPTS) await new Promise((ok) => setTimeout(ok, FIRST_BACKOFF_MS * 2 ** (attempt - 1)));
  }
  const message = `Could not load ${what}: ${last}. Check the network connection and that the whole site is deployed, then reload.`;
  report({ kind: "network", url, message });
  throw new DiskError(504, message);
}

function hex(buffer) {
  return Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, "0")).join("");
}

// ---- messages to the page -------------------------------------------------------------------

async function broadcast(message) {
  for (const client of await self.clients.matchAll({ type: "window" })) client.postMessage(message);
}

function report(error) {
  broadcast({ type: "webvm-error", ...error });
}

let progressTimer = null;
function progress() {
  if (progressTimer) return;
  progressTimer = setTimeout(() => {
    progressTimer = null;
    broadcast({ type: "webvm-disk-progress", ...counters });
  }, 200);
}

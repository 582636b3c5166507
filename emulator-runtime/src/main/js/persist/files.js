// Files in and out of the v86 machine:
// - "Files → /data" (or dropping files on the terminal) copies them into v86's 9p filesystem,
//   which the boot kit's launcher mounts at /data in the guest;
// - "Download" saves a file from /data;
// - "Download disk" saves the disk as the guest sees it (the image as built plus the visitor's
//   written blocks) as an ext2 image, after the guest has written its caches back (`sync` on the
//   control channel). It is streamed chunk by chunk through the service worker, never held whole.
import { acceptDroppedFiles } from "../page/file-drop.js";
import { formatBytes } from "../page/status.js";

export const DATA_DIR = "/data";

export function attachFiles(emulator, { config, status, persist }) {
  const footer = document.getElementById("status");
  const before = document.getElementById("reset");
  const note = (text) => status.activity(text);
  const api = { lastDownload: null, lastUpload: null, lastDiskDownload: null };
  if (window.webvm) window.webvm.files = api;

  // ---- in ------------------------------------------------------------------------------------
  const copyIn = async (files) => {
    for (const file of files) {
      const name = file.name.replace(/[/\\]/g, "_");
      if (!name || name === "." || name === "..") continue;
      note(`copying ${name} to ${DATA_DIR}`);
      await emulator.create_file("/" + name, new Uint8Array(await file.arrayBuffer()));
      api.lastUpload = { name, bytes: file.size };
      note(`copied ${name} to ${DATA_DIR}/${name}`);
      if (persist) persist.changed("disk");
    }
  };
  const failed = (what) => (e) => note(`${what} failed: ${e && e.message ? e.message : e}`);
  acceptDroppedFiles(button, copyIn, failed("copy"));

  // ---- out: a file of /data -------------------------------------------------------------------
  const path = document.createElement("input");
  path.id = "download-path";
  path.type = "text";
  path.value = DATA_DIR + "/";
  path.size = 16;
  path.title = "A file in /data to download (copy other files there first: cp FILE /data/)";
  path.setAttribute("aria-label", "file in /data to download");
  footer.insertBefore(path, before);
  const downloadFile = async () => {
    const wanted = path.value.trim();
    if (!wanted.startsWith(DATA_DIR + "/") || wanted.length <= DATA_DIR.length + 1) {
      note(`only files in ${DATA_DIR} can be downloaded; in the terminal: cp FILE ${DATA_DIR}/`);
      return;
    }
    let bytes;
    try {
      bytes = await emulator.read_file(wanted.substring(DATA_DIR.length + 1));
    } catch (e) {
      note(`${wanted} not found (a file in ${DATA_DIR}, not a directory)`);
      return;
    }
    const name = wanted.split("/").pop();
    saveBlob(new Blob([bytes]), name);
    api.lastDownload = { path: wanted, bytes: bytes.length };
    note(`downloaded ${wanted} (${formatBytes(bytes.length)})`);
  };
  path.addEventListener("keydown", (e) => {
    if (e.key === "Enter") downloadFile().catch(failed("download"));
  });
  button("data-download", "Download", () => downloadFile().catch(failed("download"))).title = "Download the file named on the left";

  // ---- out: the whole disk --------------------------------------------------------------------
  button("disk-download", "Download disk", () => downloadDisk().catch(failed("disk download"))).title =
    "Save the disk with your changes as an ext2 image";

  const control = createControlReader(emulator);
  let diskBusy = false;
  async function downloadDisk() {
    if (diskBusy) return;
    diskBusy = true;
    try {
      note("download disk: the guest writes its caches back (sync)");
      const synced = await control.request("sync", /^webvm:(synced|error)/, 120_000);
      if (synced !== "webvm:synced") note("download disk: the guest did not confirm sync; the image may miss recent writes");
      const written = writtenBlocks(emulator);
      const disk = config.disk;
      const started = performance.now();
      let sent = 0;
      const stream = diskStream(disk, written, (n) => {
        sent = n;
        status.progress("Download disk", n, disk.size);
        if (n >= disk.size) status.progressDone();
      });
      await saveStream(stream, disk.name, disk.size);
      api.lastDiskDownload = { bytes: disk.size, writtenBlocks: written.size, synced: synced === "webvm:synced", ms: Math.round(performance.now() - started), started: true };
      note(`download disk: ${disk.name} (${formatBytes(disk.size)}, ${formatBytes(written.size * 256)} changed)`);
      void sent;
    } finally {
      diskBusy = false;
    }
  }

  function button(id, label, onClick) {
    const b = document.createElement("button");
    b.id = id;
    b.type = "button";
    b.className = "status-button";
    b.textContent = label;
    b.addEventListener("click", onClick);
    footer.insertBefore(b, before);
    return b;
  }
  return api;
}

/** The disk's written 256-byte blocks, copied now (the guest keeps running). */
function writtenBlocks(emulator) {
  const buffer = emulator.v86.cpu.devices.ide.primary.master.buffer;
  const out = new Map();
  if (!buffer || !buffer.block_cache_is_write) return out;
  for (const i of buffer.block_cache_is_write) {
    const block = buffer.block_cache.get(i);
    if (block) out.set(i, block.slice());
  }
  return out;
}

/** v86 `use_parts` names (disk/<base>-<start>-<end><ext>), answered by the service worker. */
function partUrl(disk, start, end) {
  const name = "disk/" + disk.name;
  const m = name.match(/\.[^.]+(\.zst)?$/);
  const ext = m ? m[0] : "";
  return new URL(`${name.substring(0, name.length - ext.length)}-${start}-${end}${ext}`, location.href).href;
}

function diskStream(disk, written, onProgress) {
  let at = 0;
  return new ReadableStream({
    async pull(controller) {
      if (at >= disk.size) {
        controller.close();
        return;
      }
      const start = at;
      const end = start + disk.chunkSize;
      const response = await fetch(partUrl(disk, start, end));
      if (!response.ok) throw new Error(`disk bytes ${start}-${end}: HTTP ${response.status}`);
      const bytes = new Uint8Array(await response.arrayBuffer());
      for (let b = start / 256; b < end / 256; b++) {
        const block = written.get(b);
        if (block) bytes.set(block, b * 256 - start);
      }
      const length = Math.min(disk.size, end) - start;
      controller.enqueue(length === bytes.length ? bytes : bytes.slice(0, length));
      at = start + length;
      onProgress(at);
    },
  }, { highWaterMark: 4 });
}

/**
 * Saves a stream as a download: handed to the service worker, which answers a download link with
 * it (the bytes go to disk as they come); without a controlling worker, through a Blob.
 */
async function saveStream(stream, name, size) {
  const worker = navigator.serviceWorker && navigator.serviceWorker.controller;
  if (worker) {
    const id = (crypto.randomUUID ? crypto.randomUUID() : String(Math.random()).slice(2));
    try {
      worker.postMessage({ type: "webvm-download", id, name, size, stream }, [stream]);
      // a navigation (not <a download>, which browsers send past the service worker); the
      // worker's answer is an attachment, so the frame stays empty and the browser saves it
      const frame = document.createElement("iframe");
      frame.hidden = true;
      frame.src = new URL("webvm-download/" + id + "/" + encodeURIComponent(name), location.href).href;
      document.body.append(frame);
      setTimeout(() => frame.remove(), 120_000);
      return;
    } catch (e) {
      // this browser cannot transfer streams: fall back to a Blob (the browser may page it to disk)
      console.warn("webvm: streamed download unavailable (" + e.message + "); using a Blob");
    }
  }
  saveBlob(await new Response(stream).blob(), name);
}

function saveBlob(blob, name) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** Requests on the guest's control channel (ttyS1) with their one-line answers. */
function createControlReader(emulator) {
  let line = "";
  const waiting = [];
  emulator.add_listener("serial1-output-byte", (byte) => {
    if (byte === 10) {
      const text = line.replace(/\r$/, "");
      line = "";
      const i = waiting.findIndex((w) => w.pattern.test(text));
      if (i >= 0) waiting.splice(i, 1)[0].resolve(text);
    } else {
      line += String.fromCharCode(byte);
    }
  });
  return {
    request(text, pattern, timeoutMs) {
      return new Promise((resolve) => {
        const entry = { pattern, resolve };
        waiting.push(entry);
        setTimeout(() => {
          const i = waiting.indexOf(entry);
          if (i >= 0) {
            waiting.splice(i, 1);
            resolve(null);
          }
        }, timeoutMs);
        emulator.serial_send_bytes(1, new TextEncoder().encode(text + "\n"));
      });
    },
  };
}

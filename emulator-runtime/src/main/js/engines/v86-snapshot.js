// Instant prompt: the state saved at build time (webvm.json "snapshot", see the plugin's
// io.github.miniwebvm.snapshot package) instead of a boot. The state file is a zstd skippable
// frame holding a JSON header (format, keyHash, key, screen) followed by v86's zstd state.
// A state is used only when its key matches this page: the same disk, boot files, v86 and memory.

import { memoryMiB } from "./v86-machine.js";

/* global WEBVM_V86_VERSION */
export const V86_VERSION = typeof WEBVM_V86_VERSION === "string" ? WEBVM_V86_VERSION : "unknown";
const SKIPPABLE_MAGIC = 0x184d2a50;
const ZSTD_MAGIC = 0xfd2fb528;

// window.webvm.snapshot: { state: "none" | "loading" | "restored" | "rejected", reason?, bytes?, ms? }
function report(info) {
  if (window.webvm) window.webvm.snapshot = info;
  if (info.state === "rejected") console.warn(`webvm: snapshot not used: ${info.reason}; booting instead`);
  if (info.state === "restored") console.info(`webvm: restored from snapshot ${info.file}`);
}

/** Why the webvm.json entry cannot be used here, or null. */
function entryProblem(config, entry) {
  const key = entry.key || {};
  if (key.imageSha256 !== config.disk.imageSha256) return `it was made from disk ${key.imageSha256}, this site has ${config.disk.imageSha256}`;
  if (key.v86 !== V86_VERSION) return `it was made with v86 ${key.v86}, this page runs ${V86_VERSION}`;
  if (key.memoryMiB !== memoryMiB(config)) return `it was made with ${key.memoryMiB} MiB of memory, this site has ${config.memoryMiB}`;
  return null;
}

/**
 * Fetches and checks the snapshot. Returns { state: ArrayBuffer (zstd), header } or null (no
 * snapshot, or rejected: the reason is logged and in window.webvm.snapshot).
 */
export async function loadSnapshot(config, status) {
  const entry = config.snapshot;
  if (!entry || !entry.file) {
    report({ state: "none" });
    return null;
  }
  const reject = (reason) => {
    report({ state: "rejected", file: entry.file, reason });
    return null;
  };
  const problem = entryProblem(config, entry);
  if (problem) return reject(problem);
  report({ state: "loading", file: entry.file });
  let bytes;
  try {
    const response = await fetch(new URL(entry.file, location.href).href);
    if (!response.ok) return reject(`${entry.file}: HTTP ${response.status}`);
    bytes = await readWithProgress(response, entry.bytes || 0, status);
  } catch (e) {
    return reject(`${entry.file} could not be loaded: ${e.message}`);
  }
  const view = new DataView(bytes);
  if (bytes.byteLength < 8 || view.getUint32(0, true) !== SKIPPABLE_MAGIC) return reject(`${entry.file} has no webvm header`);
  const headerLength = view.getUint32(4, true);
  let header;
  try {
    header = JSON.parse(new TextDecoder().decode(new Uint8Array(bytes, 8, headerLength)));
  } catch (e) {
    return reject(`${entry.file}: unreadable header (${e.message})`);
  }
  if (header.format !== "webvm-snapshot/1") return reject(`${entry.file}: unknown format ${header.format}`);
  if (header.keyHash !== entry.keyHash) {
    return reject(`${entry.file} belongs to another build (key ${String(header.keyHash).slice(0, 16)}, webvm.json expects ${String(entry.keyHash).slice(0, 16)})`);
  }
  const headerProblem = entryProblem(config, header);
  if (headerProblem) return reject(headerProblem);
  const state = bytes.slice(8 + headerLength);
  if (state.byteLength < 4 || new DataView(state).getUint32(0, true) !== ZSTD_MAGIC) return reject(`${entry.file}: no zstd state after the header`);
  return { state, header, file: entry.file, bytes: bytes.byteLength };
}

async function readWithProgress(response, total, status) {
  if (!response.body || !status.progress) return response.arrayBuffer();
  const reader = response.body.getReader();
  const parts = [];
  let loaded = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(value);
    loaded += value.length;
    status.progress("Loading the saved machine", loaded, total);
  }
  const out = new Uint8Array(loaded);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out.buffer;
}

/**
 * The guest's control channel (second serial port, read by the boot kit's launcher): sets the
 * clock and the console size after a restore.
 */
export function controlChannel(emulator) {
  const encoder = new TextEncoder();
  return {
    send(line) {
      emulator.serial_send_bytes(1, encoder.encode(line + "\n"));
    },
    setTime() {
      this.send(`time ${Math.floor(Date.now() / 1000)}`);
    },
    setSize(rows, cols) {
      this.send(`size ${rows} ${cols}`);
    },
  };
}

export function reportRestored(snapshot, ms) {
  report({ state: "restored", file: snapshot.file, bytes: snapshot.bytes, ms });
}

export function reportRejected(snapshot, reason) {
  report({ state: "rejected", file: snapshot.file, reason });
}

/**
 * A stopped v86 with the snapshot restored, or null when v86 refused the state (then it is
 * reported as rejected and the caller boots). `options` are the cold-boot options; the kernel,
 * initrd and command line are in the state, so they are not downloaded.
 */
export async function restoreEmulator(V86, options, snapshot) {
  const started = performance.now();
  const { bzimage, initrd, cmdline, ...rest } = options;
  const emulator = new V86({ ...rest, uart1: true, autostart: false });
  try {
    await new Promise((resolve) => emulator.add_listener("emulator-loaded", resolve));
    await emulator.restore_state(snapshot.state);
  } catch (e) {
    try {
      emulator.destroy();
    } catch (_) {
      // half built
    }
    reportRejected(snapshot, `v86 could not restore it: ${e.message || e}`);
    return null;
  }
  snapshot.state = null; // let the 20 MB go
  emulator.run();
  reportRestored(snapshot, Math.round(performance.now() - started));
  return emulator;
}

// Boots a site's v86 configuration headlessly under Node (>= 18), waits until the image's command
// is ready, has the guest drop its page cache, and saves the emulator state (raw, uncompressed;
// the Java side compresses it). Bundled with v86 into snapshot.mjs by build.mjs; the plugin runs
//   node snapshot.mjs REQUEST.json
// REQUEST: { site (folder), config (the site's webvm.json, as the page reads it), wasm, cmdline
//            (the full kernel command line), readyPattern (regex source or null), quietMillis,
//            timeoutSeconds, out (raw state file), result (JSON file written on success),
//            preDisk (optional): { initrd (the initrd's common part), imagePart (the rest: a cpio
//            with /webvm/command), saveTo (where to save the state at the pause), state (a state
//            saved at the pause by an earlier build: restored instead of booting) } }
// With preDisk the command line has webvm.pause=disk: the initramfs stops before the disk drivers
// and reads the image's part from the control channel (init.sh). Booted, the machine is saved
// there (saveTo); restored, the IDE disk's geometry, which the state brings from the disk it was
// saved with, is set back to this site's disk. Either way the image's part is sent next.
// The machine is the page's (engines/v86-machine.js), the disk the site's packed store
// (disk/manifest.js), so the saved state restores in the page.
// stdout: progress lines "snapshot: …". Exit 0 on success, 1 on timeout, 2 on any other error,
// 3 when the guest cannot get ready (kernel panic, the initramfs gives up, the command keeps
// exiting): then the last line is "snapshot: GUEST-FAILED <reason>"; 4 when preDisk.state does
// not restore (the caller deletes it and boots).
import fs from "node:fs";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { createHash } from "node:crypto";
import { V86 } from "v86/build/libv86.mjs";
import { chunkEncoding, chunkFile, chunkRange, parseManifest } from "../disk/manifest.js";
import { machineOptions, memoryMiB } from "../engines/v86-machine.js";

/* global WEBVM_V86_VERSION */
const V86_VERSION = typeof WEBVM_V86_VERSION === "string" ? WEBVM_V86_VERSION : "unknown";
const BLOCK = 256; // v86's disk write cache works in 256-byte blocks

const request = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const started = Date.now();
const seconds = () => ((Date.now() - started) / 1000).toFixed(1);
const say = (text) => console.log(`snapshot: ${seconds()} s ${text}`);

// The packed chunk store (chunker/FORMAT.md) as a v86 disk: reads decompress and verify chunks,
// writes stay in a 256-byte block cache whose state has the shape of v86's own part-file buffer,
// so the browser's `use_parts` disk restores it.
class PackedDisk {
  constructor(siteDir, manifestPath) {
    const file = path.join(siteDir, manifestPath);
    this.manifest = parseManifest(fs.readFileSync(file, "utf8"), file);
    if (!["gzip", "none"].includes(this.manifest.encoding)) {
      throw new Error(`${file}: chunk encoding ${this.manifest.encoding} is not readable here (gzip or none)`);
    }
    this.dir = path.dirname(file);
    this.byteLength = this.manifest.size;
    this.chunkSize = this.manifest.chunkSize;
    this.block_cache = new Map();
    this.block_cache_is_write = new Set();
    this.chunksRead = new Set();
    this.onload = undefined;
    this.onprogress = undefined;
  }
  load() {
    this.onload && this.onload(Object.create(null));
  }
  chunk(i) {
    const [start, end] = chunkRange(i, this.manifest);
    const length = end - start;
    const entry = this.manifest.chunks[i];
    if (entry === null) return new Uint8Array(length);
    this.chunksRead.add(i);
    const stored = fs.readFileSync(path.join(this.dir, chunkFile(this.manifest, entry)));
    const bytes = chunkEncoding(i, this.manifest) === "none" ? stored : gunzipSync(stored);
    if (bytes.length !== length || createHash("sha256").update(bytes).digest("hex") !== entry) {
      throw new Error(`disk chunk ${i} (${entry}) does not match its sha256 or length; rebuild the site`);
    }
    return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
  }
  read(offset, len) {
    const out = new Uint8Array(len);
    for (let at = offset; at < offset + len;) {
      const i = Math.floor(at / this.chunkSize);
      const chunkStart = i * this.chunkSize;
      const data = this.chunk(i);
      const from = at - chunkStart;
      const n = Math.min(data.length - from, offset + len - at);
      out.set(data.subarray(from, from + n), at - offset);
      at += n;
    }
    for (let b = 0; b < len / BLOCK; b++) {
      const cached = this.block_cache.get(offset / BLOCK + b);
      if (cached) out.set(cached, b * BLOCK);
    }
    return out;
  }
  get(offset, len, fn) {
    let data;
    try {
      data = this.read(offset, len);
    } catch (e) {
      fail(e);
      return;
    }
    setImmediate(() => fn(data));
  }
  get_and_cache(offset, len, fn) {
    this.get(offset, len, fn);
  }
  get_from_cache(offset, len) {
    return undefined;
  }
  set(start, data, fn) {
    const first = start / BLOCK;
    for (let b = 0; b < data.length / BLOCK; b++) {
      this.block_cache.set(first + b, data.slice(b * BLOCK, (b + 1) * BLOCK));
      this.block_cache_is_write.add(first + b);
    }
    fn();
  }
  get_buffer(fn) {
    fn();
  }
  get_state() {
    return [[...this.block_cache.entries()]];
  }
  set_state(state) {
    this.block_cache = new Map(state[0]);
    this.block_cache_is_write = new Set(this.block_cache.keys());
  }
}

let emulator;
let done = false;
const timer = setTimeout(() => {
  console.log(`snapshot: TIMEOUT after ${seconds()} s (${phase}); last console output:\n${output.slice(-2000)}`);
  finish(1);
}, (request.timeoutSeconds || 120) * 1000);

function fail(e) {
  if (done) return;
  console.log(`snapshot: ERROR ${e && e.stack ? e.stack : e}`);
  finish(2);
}

/** Stops at once when the console shows that the guest will never get ready. */
const RESTARTS_TO_GIVE_UP = 3;
let restarts = 0;
let scanned = 0;       // how much of the console output has been looked at for failures
function watchForFailure() {
  let nl;
  while ((nl = output.indexOf("\n", scanned)) >= 0) {
    const line = output.slice(scanned, nl);
    scanned = nl + 1;
    const panic = line.match(/Kernel panic - not syncing: (.*)/);
    if (panic) return guestFailed(`the kernel panicked: ${panic[1]}`);
    const init = line.match(/^webvm-init: (?!starting a rescue shell)(.*)/);
    if (init) return guestFailed(`the initramfs gave up: ${init[1]}`);
    const exited = line.match(/^webvm: the command exited with status (\d+)/);
    if (exited && ++restarts >= RESTARTS_TO_GIVE_UP) {
      return guestFailed(`the command exited ${restarts} times in a row (last status ${exited[1]}`
        + `${exited[1] === "127" ? ": not found" : exited[1] === "126" ? ": not executable" : ""}); `
        + "check the image's ENTRYPOINT/CMD or the cmd parameter");
    }
  }
}

function guestFailed(reason) {
  if (done) return;
  console.log(`snapshot: console output before the failure:\n${output.slice(-2000)}`);
  console.log(`snapshot: GUEST-FAILED ${reason}`);
  finish(3);
}

function finish(code) {
  done = true;
  clearTimeout(timer);
  try {
    emulator && emulator.stop();
  } catch (_) {
    // already stopped
  }
  process.exit(code);
}

let phase = "booting";
let output = "";        // console (ttyS0) output, "\r" dropped
let readyAt = -1;       // where the output after the readiness marker starts
let control = "";       // control channel (ttyS1) output
let quietTimer = null;
const readyPattern = request.readyPattern ? new RegExp(request.readyPattern) : null;
let onReady;
const ready = new Promise((resolve) => { onReady = resolve; });

let markerFrom = 0;     // where to look for the next readiness marker
function checkReady() {
  if (readyAt < 0) {
    const at = output.indexOf("webvm:ready\n", markerFrom);
    if (at < 0) return;
    readyAt = at + "webvm:ready\n".length;
    phase = "waiting for the command";
    say("the guest launched the command");
  }
  const after = output.slice(readyAt);
  clearTimeout(quietTimer);
  if (after.includes("webvm: the command exited with status")) {
    // a command that exited is not ready, however quiet the launcher is before it starts it again
    markerFrom = output.length;
    readyAt = -1;
    phase = "waiting for the command to start again";
    return;
  }
  if (readyPattern) {
    if (readyPattern.test(after)) onReady();
  } else {
    // the command is ready once it has printed something and then stayed quiet
    if (after.length > 0) quietTimer = setTimeout(onReady, request.quietMillis || 1500);
  }
}

function controlReply(expected) {
  return new Promise((resolve) => {
    const poll = setInterval(() => {
      if (control.includes(expected)) {
        clearInterval(poll);
        resolve();
      }
    }, 20);
  });
}

const IDE_GEOMETRY = ["sector_count", "cylinder_count", "head_count", "sectors_per_track"];

/** Restores the state saved at the pause by an earlier build, with this site's disk. */
async function restoreBootState(file) {
  await new Promise((resolve) => emulator.add_listener("emulator-loaded", resolve));
  const drive = emulator.v86.cpu.devices.ide.primary.master;
  const geometry = Object.fromEntries(IDE_GEOMETRY.map((k) => [k, drive[k]]));
  try {
    const state = fs.readFileSync(file);
    await emulator.restore_state(state.buffer.slice(state.byteOffset, state.byteOffset + state.byteLength));
  } catch (e) {
    console.log(`snapshot: the cached boot state does not restore: ${e && e.message ? e.message : e}`);
    finish(4);
    return;
  }
  Object.assign(drive, geometry);
  emulator.run();
  say(`restored the boot before the disk from ${file}`);
}

/** Waits for the initramfs's pause (booting) and sends it the image's part of the initrd. */
async function continueAfterPause(preDisk, restored) {
  if (!restored) {
    phase = "booting to the pause before the disk";
    await new Promise((resolve) => { onPause = resolve; checkPause(); });
    const state = await emulator.save_state();
    fs.writeFileSync(preDisk.saveTo + ".tmp", new Uint8Array(state));
    fs.renameSync(preDisk.saveTo + ".tmp", preDisk.saveTo);
    say(`saved the boot before the disk (${state.byteLength} bytes)`);
  }
  phase = "booting";
  const base64 = fs.readFileSync(preDisk.imagePart).toString("base64");
  const lines = base64.match(/.{1,76}/g).join("\n");
  emulator.serial_send_bytes(1, new TextEncoder().encode(`${lines}\nend\n`));
}

let onPause = null;
function checkPause() {
  if (onPause && output.includes("webvm:pause\n")) {
    const resolve = onPause;
    onPause = null;
    resolve();
  }
}

async function main() {
  const { site, config, preDisk } = request;
  const disk = new PackedDisk(site, config.disk.manifest);
  const restoring = Boolean(preDisk && preDisk.state);
  const options = machineOptions(config, {
    url: (file) => path.resolve(site, file),
    wasm: path.resolve(request.wasm),
    cmdline: request.cmdline,
    hda: disk,
  });
  if (preDisk) options.initrd = { url: path.resolve(preDisk.initrd) };
  if (restoring) options.autostart = false;
  emulator = new V86(options);
  emulator.add_listener("serial0-output-byte", (byte) => {
    if (byte === 13) return;
    output += String.fromCharCode(byte);
    if (output.length > 1 << 20) {
      const cut = output.length - (1 << 19);
      output = output.slice(cut);
      if (readyAt >= 0) readyAt = Math.max(0, readyAt - cut);
      scanned = Math.max(0, scanned - cut);
      markerFrom = Math.max(0, markerFrom - cut);
    }
    if (byte === 10) {
      watchForFailure();
      checkPause();
    }
    if (phase !== "saving" && !done) checkReady();
  });
  emulator.add_listener("serial1-output-byte", (byte) => {
    control += String.fromCharCode(byte);
  });
  say(`booting ${memoryMiB(config)} MiB guest: ${request.cmdline}`);
  if (restoring) await restoreBootState(preDisk.state);
  if (preDisk) await continueAfterPause(preDisk, restoring);
  await ready;
  phase = "dropping the page cache";
  say(`the command is ready (${disk.chunksRead.size} disk chunks read)`);
  emulator.serial_send_bytes(1, new TextEncoder().encode("drop\n"));
  await controlReply("webvm:dropped");
  // let the guest go idle again after the drop (its shell may print nothing, that is fine)
  await new Promise((resolve) => setTimeout(resolve, 500));
  phase = "saving";
  const state = await emulator.save_state();
  fs.writeFileSync(request.out, new Uint8Array(state));
  let writtenBlocks = 0;
  for (const i of disk.block_cache_is_write) if (disk.block_cache.has(i)) writtenBlocks++;
  const result = {
    v86Version: V86_VERSION,
    stateBytes: state.byteLength,
    seconds: Number(seconds()),
    chunksRead: disk.chunksRead.size,
    diskWriteCacheBytes: writtenBlocks * BLOCK,
    screen: output.slice(readyAt).slice(-4000),
  };
  fs.writeFileSync(request.result, JSON.stringify(result));
  say(`saved ${state.byteLength} bytes of state (disk write cache ${result.diskWriteCacheBytes} bytes)`);
  finish(0);
}

main().catch(fail);

// Boots v86 under Node from local files and drives its serial console.
// Usage: node boot-v86.mjs CONFIG.json
// CONFIG: { "v86": "<dir of the v86 npm package>", "bios": path, "kernel": path, "initrd": path,
//           "cmdline": "...", "hda": path (read into memory), "memoryMb": 256, "timeoutSeconds": 120,
//           "log": path (serial output is written here),
//           "steps": [ {"expect": "text"} | {"send": "text"} ] }
// Each "expect" waits (from where the previous one matched) for the text on serial; "\r" is dropped.
// Exit code 0 when every step passed, 1 on timeout (the tail of the output is printed), 2 on error.
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const config = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const { V86 } = await import(pathToFileURL(path.join(config.v86, "build", "libv86.mjs")).href);

function readWhole(file) {
  const size = fs.statSync(file).size;
  const buffer = new ArrayBuffer(size);
  const view = new Uint8Array(buffer);
  const fd = fs.openSync(file, "r");
  for (let at = 0; at < size;) {
    at += fs.readSync(fd, view, at, Math.min(1 << 24, size - at), at);
  }
  fs.closeSync(fd);
  return buffer;
}

const start = Date.now();
const seconds = () => ((Date.now() - start) / 1000).toFixed(2);
const log = config.log ? fs.createWriteStream(config.log) : null;
let output = "";
let searchFrom = 0;
let waiting = null;

const emulator = new V86({
  wasm_path: path.resolve(config.v86, "build", "v86.wasm"),
  memory_size: (config.memoryMb || 256) * 1024 * 1024,
  vga_memory_size: 2 * 1024 * 1024,
  bios: { url: path.resolve(config.bios) },
  bzimage: { url: path.resolve(config.kernel) },
  initrd: { url: path.resolve(config.initrd) },
  cmdline: config.cmdline,
  hda: { buffer: readWhole(config.hda) },
  autostart: true,
  disable_keyboard: true,
  disable_mouse: true,
  disable_speaker: true,
});

emulator.add_listener("serial0-output-byte", (byte) => {
  const c = String.fromCharCode(byte);
  log?.write(c);
  if (c === "\r") return;
  output += c;
  if (waiting && output.indexOf(waiting.text, searchFrom) >= 0) {
    searchFrom = output.indexOf(waiting.text, searchFrom) + waiting.text.length;
    const w = waiting;
    waiting = null;
    w.resolve();
  }
});

function expect(text) {
  const at = output.indexOf(text, searchFrom);
  if (at >= 0) {
    searchFrom = at + text.length;
    return Promise.resolve();
  }
  return new Promise((resolve) => { waiting = { text, resolve }; });
}

const timer = setTimeout(() => {
  console.log(`TIMEOUT after ${seconds()} s waiting for ${JSON.stringify(waiting?.text)}; last output:\n`
    + output.slice(-3000));
  finish(1);
}, (config.timeoutSeconds || 120) * 1000);

function finish(code) {
  clearTimeout(timer);
  try { emulator.destroy(); } catch (e) { /* already stopped */ }
  if (log) log.end(() => process.exit(code)); else process.exit(code);
}

try {
  for (const step of config.steps) {
    if (step.expect !== undefined) {
      await expect(step.expect);
      console.log(`${seconds()} s: saw ${JSON.stringify(step.expect)}`);
    } else if (step.send !== undefined) {
      emulator.serial0_send(step.send);
    }
  }
  console.log(`PASS after ${seconds()} s`);
  finish(0);
} catch (e) {
  console.log(`ERROR ${e.stack}`);
  finish(2);
}

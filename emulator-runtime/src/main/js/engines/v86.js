// v86 engine: SeaBIOS + kernel + initramfs from boot/, the disk as `use_parts` URLs that the
// service worker answers from the packed store, the first serial port wired to the terminal.
import { V86 } from "v86/build/libv86.mjs";
import { controlChannel, loadSnapshot, restoreEmulator, V86_VERSION } from "./v86-snapshot.js";
import { networkCmdline, networkOptions, startNetwork } from "../net/network.js";
import { openPersistence } from "../persist/persist.js";
import { attachFiles } from "../persist/files.js";
import { machineOptions } from "./v86-machine.js";

const PROMPT = /[#$] $/;

export async function boot(config, terminal, status) {
  const disk = config.disk;
  const base = location.href;
  const url = (path) => new URL(path, base).href;
  const options = {
    ...machineOptions(config, {
      url,
      wasm: url(config.assets.wasm),
      // the boot kit's launcher sets the console size from webvm.rows/webvm.cols
      // the control channel (ttyS1) is always there: clock and size after a restore, sync before Download disk
      cmdline: `${config.boot.cmdline} webvm.rows=${terminal.rows} webvm.cols=${terminal.cols}` +
        (/webvm\.control=/.test(config.boot.cmdline) ? "" : " webvm.control=ttyS1") + networkCmdline(config),
      hda: {
        url: url("disk/" + disk.name),
        async: true,
        size: disk.size,
        use_parts: true,
        fixed_chunk_size: disk.chunkSize,
      },
    }),
    ...networkOptions(config),
  };
  // the visitor's saved machine first (persist/), else the build-time snapshot, else a cold boot
  const persist = await openPersistence(config, status, V86_VERSION);
  const resumed = await persist.restore(V86, options);
  const snapshot = resumed ? null : await loadSnapshot(config, status);
  const restored = resumed ? resumed.emulator : snapshot ? await restoreEmulator(V86, options, snapshot) : null;
  const emulator = restored || new V86(options);
  const control = restored ? controlChannel(emulator) : null;
  startNetwork(emulator, config, { restored: !!restored });
  persist.attach(emulator);
  attachFiles(emulator, { config, status, persist });

  emulator.add_listener("download-progress", (e) => {
    const name = e.file_name ? e.file_name.split("/").pop() : "boot files";
    status.progress(`Loading ${name} (${e.file_index + 1} of ${e.file_count})`, e.loaded, e.total || 0);
  });
  emulator.add_listener("download-error", (e) => {
    status.fail("engine", `Could not download ${e.file_name || "a boot file"}.`, "check that boot/ is deployed");
  });
  emulator.add_listener("emulator-started", () => {
    status.progressDone();
    status.activity("booting");
  });

  // Serial output arrives one byte per event; hand it to the terminal once per frame.
  let pending = [];
  let scheduled = false;
  let tail = "";
  let promptSeen = false;
  let launched = false; // the boot kit's launcher printed "webvm:ready"
  let size = null; // [rows, cols] not yet told to the guest
  let quietTimer = null;
  const flush = () => {
    scheduled = false;
    const bytes = Uint8Array.from(pending);
    pending = [];
    terminal.write(bytes);
    tail = (tail + String.fromCharCode(...bytes.slice(-64))).slice(-64);
    if (!launched && tail.includes("webvm:ready")) launched = true;
    clearTimeout(quietTimer);
    quietTimer = setTimeout(onQuiet, 250);
  };
  emulator.add_listener("serial0-output-byte", (byte) => {
    pending.push(byte);
    if (!scheduled) {
      scheduled = true;
      requestAnimationFrame(flush);
    }
  });

  // A serial line has no window size: the guest gets the initial one on the kernel command line,
  // later ones through `stty`, typed when a shell waits at a prompt (so it never lands in the
  // input of a running program).
  function onQuiet() {
    if (!PROMPT.test(tail.replace(/\x1b\[[0-9;?]*[a-zA-Z]/g, ""))) {
      // a command that is not a shell: ready once it has been quiet for a while after starting
      if (launched) quietTimer = setTimeout(() => status.ready(), 5000);
      return;
    }
    promptSeen = true;
    if (size) {
      const [rows, cols] = size;
      size = null;
      send(`stty rows ${rows} cols ${cols}\n`);
      return;
    }
    status.ready();
  }

  if (restored) {
    // the guest wakes up where the build left it: show its screen, fix its clock and window size
    status.progressDone();
    // the screen is the console's bytes, one char each (as the build-time boot captured them)
    if (resumed) {
      terminal.write(resumed.screen.replace(/\r?\n/g, "\r\n")); // the visitor's own screen, as text
    } else {
      terminal.write(Uint8Array.from(snapshot.header.screen.replace(/\n/g, "\r\n"), (c) => c.charCodeAt(0) & 255));
    }
    launched = true;
    promptSeen = true;
    control.setTime();
    control.setSize(terminal.rows, terminal.cols);
    tail = (resumed ? resumed.screen : snapshot.header.screen).slice(-64);
    status.activity(resumed ? "resumed" : "restored");
    quietTimer = setTimeout(onQuiet, 250);
  }

  const encoder = new TextEncoder();
  function send(text) {
    emulator.serial0_send(String.fromCharCode(...encoder.encode(text)));
  }
  terminal.onData((data) => {
    send(data);
    persist.changed("input");
  });

  return {
    stop() {
      clearTimeout(quietTimer);
      emulator.stop();
      status.activity("stopped");
    },
    // the page's Reset button: the saved machine is deleted, then the page reloads (image as built)
    async reset() {
      await persist.reset();
    },
    resize(rows, cols) {
      if (control) return control.setSize(rows, cols);
      size = [rows, cols];
      if (promptSeen) onQuiet();
    },
  };
}

// CheerpX engine, set up the way WebVM's page sets it up (leaningtech/webvm src/lib/WebVM.svelte):
// CheerpX's ES module from its CDN (never bundled: it is Leaning Technologies' proprietary
// software), the ext2 root as a block device over the WebVM chunk names that the service worker
// answers from the packed store (or an external disk), writes kept in IndexedDB through an
// overlay, the WebVM mounts, a custom console on xterm.js and the image's command in a loop.
//
// webvm.json "cheerpx": { version, module, disk: { type: "github"|"bytes"|"cloud", url },
//                         tailscale: { controlUrl } | absent }
// API used (CheerpX 1.x, @leaningtech/cheerpx index.d.ts and https://cheerpx.io/docs):
//   GitHubDevice/HttpBytesDevice/CloudDevice.create(url), IDBDevice.create(name) + reset(),
//   OverlayDevice.create(block, idb), WebDevice.create(path), DataDevice.create() + writeFile(),
//   Linux.create({ mounts, networkInterface }), linux.run(cmd, args, { env, cwd, uid, gid }),
//   linux.setCustomConsole(write(buf, vt), cols, rows) → send(charCode), registerCallback(name, cb),
//   linux.networkLogin() (Tailscale, as WebVM's page calls it), linux.delete().
import { acceptDroppedFiles } from "../page/file-drop.js";

// Tailscale's ipn.State value for "Running" (WebVM's network.js waits for it)
const TAILSCALE_RUNNING = 6;
const OVERLAY_PREFIX = "webvm-overlay:";

export async function boot(config, terminal, status) {
  const options = config.cheerpx || {};
  if (typeof SharedArrayBuffer === "undefined" || !self.crossOriginIsolated) {
    const e = new Error("CheerpX needs SharedArrayBuffer, which this browser only allows on a cross-origin " +
      "isolated page (Cross-Origin-Opener-Policy: same-origin + Cross-Origin-Embedder-Policy: require-corp). " +
      "The service worker adds these headers: reload once, or serve the site with them (see _headers).");
    e.kind = "not-isolated";
    throw e;
  }
  const moduleUrl = options.module || `https://cxrtnc.leaningtech.com/${options.version || "1.3.9"}/cx.esm.js`;
  status.activity("loading CheerpX " + (options.version || ""));
  let CheerpX;
  try {
    CheerpX = await import(moduleUrl);
  } catch (e) {
    throw new Error(`CheerpX could not be loaded from ${moduleUrl} (${e.message}); check the network ` +
      `connection, or the cheerpxVersion/cheerpxUrl the site was built with`);
  }

  const disk = options.disk || { type: "github", url: "disk/" + config.disk.name };
  status.activity("opening the disk");
  const blockDevice = await createBlockDevice(CheerpX, disk);
  // One overlay per image: a rebuilt image never runs on writes made to another image. An external
  // disk has no hash in webvm.json; its URL names it (publish a changed image under a new URL).
  const scope = new URL(".", location.href).pathname;
  const overlayName = OVERLAY_PREFIX + scope + ":" + (disk.type === "github" ? config.disk.imageSha256 : disk.url);
  await dropOtherOverlays(OVERLAY_PREFIX + scope + ":", overlayName);
  const idb = await CheerpX.IDBDevice.create(overlayName);
  const overlay = await CheerpX.OverlayDevice.create(blockDevice, idb);
  const web = await CheerpX.WebDevice.create("");
  const data = await CheerpX.DataDevice.create();
  const mounts = [
    { type: "ext2", dev: overlay, path: "/" },
    { type: "dir", dev: web, path: "/web" },
    { type: "dir", dev: data, path: "/data" },
    { type: "devs", path: "/dev" },
    { type: "devpts", path: "/dev/pts" },
    { type: "proc", path: "/proc" },
    { type: "sys", path: "/sys" },
  ];
  const line = createStatusLine(status);
  const network = options.tailscale ? createTailscale(options.tailscale, line) : null;
  status.activity("starting Linux");
  const linux = await CheerpX.Linux.create(network ? { mounts, networkInterface: network.networkInterface } : { mounts });

  registerActivity(linux, line);
  let stopped = false;
  let started = false;
  const write = (buffer, vt) => {
    if (vt !== 1) return;
    terminal.write(new Uint8Array(buffer));
    if (!started && !stopped) {
      started = true;
      status.ready();
    }
  };
  let send = linux.setCustomConsole(write, terminal.cols, terminal.rows);
  terminal.onData((text) => {
    for (let i = 0; i < text.length; i++) send(text.charCodeAt(i));
  });
  if (network) network.attach(linux);
  acceptFiles(data, line);

  const command = { env: config.env || [], cwd: config.cwd || "/", uid: config.uid ?? 0, gid: config.gid ?? 0 };
  (async () => {
    // as WebVM does: when the command exits (the user typed `exit`), start it again
    while (!stopped) {
      const result = await linux.run(config.cmd, config.args || [], command);
      if (!stopped) line.note(`${config.cmd} exited (status ${result && result.status}); restarted`);
    }
  })().catch((e) => {
    if (!stopped) status.fail("engine", "CheerpX stopped.", e && e.message ? e.message : String(e));
  });

  return {
    stop() {
      stopped = true;
      try {
        linux.delete();
      } catch (_) {
        // already torn down
      }
      status.activity("stopped");
    },
    resize(rows, cols) {
      send = linux.setCustomConsole(write, cols, rows);
    },
    // the page's Reset button: drop every write kept for this image, then the page reloads
    async reset() {
      await idb.reset();
    },
  };
}

async function createBlockDevice(CheerpX, disk) {
  const url = new URL(disk.url, location.href).href;
  switch (disk.type) {
    case "github": // IMAGE.meta + IMAGE.c%06x.txt, answered by the service worker
      return CheerpX.GitHubDevice.create(url);
    case "bytes": // one ext2 file on a server that answers HTTP Range requests
      return CheerpX.HttpBytesDevice.create(url);
    case "cloud": // a WebVM cloud disk (wss://…); like WebVM, retry over https:// when WebSockets fail
      try {
        return await CheerpX.CloudDevice.create(disk.url);
      } catch (e) {
        if (!disk.url.startsWith("wss:")) throw e;
        return CheerpX.CloudDevice.create("https:" + disk.url.substring("wss:".length));
      }
    default:
      throw new Error(`unknown CheerpX disk type "${disk.type}" in webvm.json (use github, bytes or cloud)`);
  }
}

async function dropOtherOverlays(prefix, keep) {
  if (!self.indexedDB || !indexedDB.databases) return;
  try {
    for (const db of await indexedDB.databases()) {
      if (db.name && db.name.startsWith(prefix) && db.name !== keep) indexedDB.deleteDatabase(db.name);
    }
  } catch (_) {
    // listing databases is an optimisation; old overlays only cost space
  }
}

// ---- status line: CPU and disk activity, disk latency, network, notes ----------------------

function createStatusLine(status) {
  const footer = document.getElementById("status");
  const make = (id, before) => {
    let el = document.getElementById(id);
    if (!el) {
      el = document.createElement("span");
      el.id = id;
      footer.insertBefore(el, before || document.getElementById("reset"));
    }
    return el;
  };
  const cpu = make("status-cpu");
  const disk = make("status-disk-activity");
  const net = make("status-network");
  cpu.textContent = "cpu idle";
  disk.textContent = "disk idle";
  let cpuBusy = false;
  let cpuSince = Date.now();
  let busyMs = 0;
  let windowStart = Date.now();
  const latencies = [];
  let diskBusy = false;
  const render = () => {
    const now = Date.now();
    const total = busyMs + (cpuBusy ? now - cpuSince : 0);
    const percent = Math.min(100, Math.round((100 * total) / Math.max(1, now - windowStart)));
    cpu.textContent = `cpu ${cpuBusy ? "busy" : "idle"} ${percent}%`;
    const avg = latencies.length ? Math.round(latencies.reduce((a, b) => a + b, 0) / latencies.length) : null;
    disk.textContent = `disk ${diskBusy ? "busy" : "idle"}` + (avg === null ? "" : `, ${avg} ms latency`);
  };
  return {
    cpu(state) {
      const now = Date.now();
      if (now - windowStart > 10_000) {
        windowStart = now;
        busyMs = 0;
        if (cpuBusy) cpuSince = now;
      }
      const busy = state !== "ready";
      if (cpuBusy && !busy) busyMs += now - cpuSince;
      if (!cpuBusy && busy) cpuSince = now;
      cpuBusy = busy;
      render();
    },
    disk(state) {
      diskBusy = state !== "ready";
      render();
    },
    latency(ms) {
      latencies.push(Number(ms));
      if (latencies.length > 30) latencies.shift();
      render();
    },
    network(text, link) {
      net.textContent = text;
      if (link) {
        const a = document.createElement("a");
        a.id = "tailscale-login";
        a.href = link;
        a.target = "_blank";
        a.rel = "noopener";
        a.textContent = "log in to Tailscale";
        net.append(" ", a);
      }
    },
    button(id, label, onClick) {
      const b = document.createElement("button");
      b.id = id;
      b.type = "button";
      b.textContent = label;
      b.addEventListener("click", onClick);
      footer.insertBefore(b, document.getElementById("reset"));
      return b;
    },
    note(text) {
      status.activity(text);
    },
  };
}

function registerActivity(linux, line) {
  linux.registerCallback("cpuActivity", (state) => line.cpu(state));
  linux.registerCallback("diskActivity", (state) => line.disk(state));
  linux.registerCallback("diskLatency", (ms) => line.latency(ms));
}

// ---- Tailscale (CheerpX's network interface) --------------------------------------------------

function createTailscale(settings, line) {
  // The auth key is a secret: it never goes into the site, it comes from the page address
  // (#authKey=tskey-…), as on WebVM's page.
  const params = new URLSearchParams(location.hash.substring(1));
  const authKey = params.get("authKey") || undefined;
  const controlUrl = params.get("controlUrl") || settings.controlUrl || undefined;
  let linux = null;
  let connecting = false;
  let button = null;
  const networkInterface = {
    authKey,
    controlUrl,
    loginUrlCb(url) {
      line.network("tailscale: waiting for login", url);
    },
    stateUpdateCb(state) {
      if (state === TAILSCALE_RUNNING) {
        line.network("tailscale: connected");
        if (button) button.hidden = true;
      }
    },
    netmapUpdateCb(map) {
      const ip = map && map.self && map.self.addresses && map.self.addresses[0];
      if (ip) line.network("tailscale: connected " + ip);
    },
  };
  const connect = async () => {
    if (connecting || !linux) return;
    connecting = true;
    line.network("tailscale: connecting");
    try {
      await linux.networkLogin();
    } catch (e) {
      connecting = false;
      line.network("tailscale: failed (" + (e && e.message ? e.message : e) + ")");
    }
  };
  line.network(authKey ? "tailscale: starting" : "tailscale: off");
  return {
    networkInterface,
    attach(l) {
      linux = l;
      if (typeof linux.networkLogin !== "function") {
        line.network("tailscale: not supported by this CheerpX version");
        return;
      }
      if (authKey) connect();
      else button = line.button("tailscale-connect", "Connect network", connect);
    },
  };
}

// ---- files from the browser into /data ----------------------------------------------------------

function acceptFiles(data, line) {
  const copy = async (files) => {
    for (const file of files) {
      const name = file.name.replace(/[/\\]/g, "_");
      line.note(`copying ${name} to /data`);
      await data.writeFile("/" + name, new Uint8Array(await file.arrayBuffer()));
      line.note(`copied ${name} to /data/${name}`);
    }
  };
  acceptDroppedFiles(line.button, copy, (e) => line.note("copy failed: " + e.message));
}

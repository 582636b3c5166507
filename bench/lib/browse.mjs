// Drives headless Chromium over the DevTools protocol to measure a site's boot: time and bytes
// from the host until the shell prompt appears, on a cold visit (fresh profile) and a warm one
// (the same profile after a browser restart: Cache Storage and HTTP cache kept, memory gone).
//
// node browse.mjs --url URL --server-log FILE --out FILE [--timeout S] [--profile DIR]
//                 [--visits cold,warm] [--chromium PATH]
// The page is watched through what it exposes: window.webvm.state ("ready" once the shell waits
// for input) and window.webvm.transcript (the terminal's text); pages without them are read
// from xterm.js's DOM rows. The prompt is the terminal text ending in "# " or "$ ".
// Bytes come from the static server's log (serve.py), so they count what left the host.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, existsSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import WebSocket from "ws";

const args = parseArgs(process.argv.slice(2));
const url = required("url");
const serverLog = required("server-log");
const out = required("out");
const timeoutMs = Number(args.timeout || 300) * 1000;
const visits = (args.visits || "cold,warm").split(",");
const chromium = args.chromium || "/usr/bin/chromium";
const ownProfile = !args.profile;
const profile = args.profile || mkdtempSync(join(tmpdir(), "bench-chromium-"));

const PROMPT = /[#$] $/;
const ANSI = /\x1b\[[0-9;?]*[a-zA-Z]|\x1b[()][0-9A-Za-z]|\r/g;
const WATCH = `(() => {
  const w = window.webvm;
  let text = "";
  if (w && typeof w.transcript === "string") text = w.transcript;
  else {
    const rows = document.querySelector(".xterm-rows");
    if (rows) text = Array.from(rows.children, (r) => r.textContent.replace(/\\s+$/, "")).filter(Boolean).join("\\n") + " ";
  }
  return JSON.stringify({
    state: w ? w.state : null,
    error: w && w.error ? w.error : null,
    diskBytes: w && w.diskBytes ? w.diskBytes : null,
    tail: text.slice(-400),
    href: location.href,
    controlled: !!(navigator.serviceWorker && navigator.serviceWorker.controller),
  });
})()`;

const result = { url, chromium: await chromiumVersion(), visits: {} };
try {
  for (const visit of visits) {
    result.visits[visit] = await measure(visit);
    const v = result.visits[visit];
    console.error(`browse: ${visit}: ${v.outcome} prompt ${fmt(v.promptMs)} ms, ready ${fmt(v.readyMs)} ms, ` +
      `${v.beforePrompt.requests} requests / ${v.beforePrompt.bytes} bytes before the prompt`);
  }
} finally {
  writeFileSync(out, JSON.stringify(result, null, 2) + "\n");
  if (ownProfile) rmSync(profile, { recursive: true, force: true });
}
const failed = Object.values(result.visits).some((v) => v.outcome !== "prompt");
process.exit(failed ? 1 : 0);

async function measure(visit) {
  const browser = await launch();
  try {
    const page = await browser.newPage();
    const logStart = logLines().length;
    const t0 = performance.now();
    await page.send("Page.navigate", { url });
    let promptMs = null, readyMs = null, promptLog = null, last = null, outcome = "timeout";
    while (performance.now() - t0 < timeoutMs) {
      await sleep(50);
      let s;
      try {
        const r = await page.send("Runtime.evaluate", { expression: WATCH, returnByValue: true });
        if (!r.result || typeof r.result.value !== "string") continue; // between documents
        s = JSON.parse(r.result.value);
      } catch (_) {
        continue; // the service worker's one reload replaces the document
      }
      last = s;
      const now = performance.now() - t0;
      if (s.state === "error") { outcome = "error"; break; }
      const atPrompt = PROMPT.test(s.tail.replace(ANSI, "")) || s.state === "ready";
      if (atPrompt && promptMs === null) {
        promptMs = now;
        promptLog = logLines().length;
      }
      if (s.state === "ready" || (promptMs !== null && s.state === null)) {
        readyMs = now;
        outcome = "prompt";
        break;
      }
    }
    if (promptMs !== null && outcome === "timeout") outcome = "prompt"; // prompt seen, no ready state
    // Let late requests (service worker caching, prefetch) finish before the browser closes.
    await quiet(2000, 15000);
    const entries = logLines().slice(logStart).map((l) => JSON.parse(l));
    const cut = promptLog === null ? entries.length : promptLog - logStart;
    return {
      outcome,
      promptMs: promptMs === null ? null : Math.round(promptMs),
      readyMs: readyMs === null ? null : Math.round(readyMs),
      beforePrompt: summarise(entries.slice(0, cut)),
      total: summarise(entries),
      page: last,
    };
  } finally {
    await browser.close();
  }
}

function summarise(entries) {
  const byDir = {};
  let bytes = 0, headers = 0;
  for (const e of entries) {
    bytes += e.body;
    headers += e.header;
    const path = e.path.split("?")[0];
    const dir = path.split("/").filter(Boolean).length > 1 ? path.split("/")[1] : "(top)";
    const d = (byDir[dir] ||= { requests: 0, bytes: 0 });
    d.requests += 1;
    d.bytes += e.body;
  }
  const statuses = {};
  for (const e of entries) statuses[e.status] = (statuses[e.status] || 0) + 1;
  return { requests: entries.length, bytes, headerBytes: headers, statuses, byDir };
}

function logLines() {
  if (!existsSync(serverLog)) return [];
  return readFileSync(serverLog, "utf8").split("\n").filter(Boolean);
}

async function quiet(quietMs, maxMs) {
  const start = performance.now();
  let count = logLines().length, since = performance.now();
  while (performance.now() - start < maxMs) {
    await sleep(250);
    const c = logLines().length;
    if (c !== count) { count = c; since = performance.now(); }
    else if (performance.now() - since >= quietMs) return;
  }
}

async function launch() {
  const port = join(profile, "DevToolsActivePort");
  rmSync(port, { force: true });
  const proc = spawn(chromium, [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    `--user-data-dir=${profile}`, "--remote-debugging-port=0", "about:blank",
  ], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  proc.stderr.on("data", (d) => { stderr = (stderr + d).slice(-4000); });
  const exited = new Promise((resolve) => proc.on("exit", resolve));
  const deadline = Date.now() + 30000;
  while (!existsSync(port) || readFileSync(port, "utf8").split("\n").length < 2) {
    if (proc.exitCode !== null || Date.now() > deadline) {
      proc.kill("SIGKILL");
      throw new Error(`chromium did not start (exit ${proc.exitCode}):\n${stderr}`);
    }
    await sleep(100);
  }
  const [p, path] = readFileSync(port, "utf8").split("\n");
  const cdp = await connect(`ws://127.0.0.1:${p}${path}`);
  return {
    async newPage() {
      const { targetId } = await cdp.send("Target.createTarget", { url: "about:blank" });
      const { sessionId } = await cdp.send("Target.attachToTarget", { targetId, flatten: true });
      const page = { send: (m, params) => cdp.send(m, params, sessionId) };
      await page.send("Page.enable");
      await page.send("Runtime.enable");
      return page;
    },
    async close() {
      try { await Promise.race([cdp.send("Browser.close"), sleep(5000)]); } catch (_) { /* gone */ }
      cdp.close();
      const timer = setTimeout(() => proc.kill("SIGKILL"), 10000);
      await exited;
      clearTimeout(timer);
    },
  };
}

function connect(wsUrl) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(wsUrl, { perMessageDeflate: false, maxPayload: 256 * 1024 * 1024 });
    let id = 0;
    const pending = new Map();
    ws.on("message", (data) => {
      const msg = JSON.parse(data.toString());
      if (msg.id && pending.has(msg.id)) {
        const { res, rej } = pending.get(msg.id);
        pending.delete(msg.id);
        if (msg.error) rej(new Error(`${msg.error.message} (${msg.error.code})`)); else res(msg.result);
      }
    });
    ws.on("close", () => { for (const { rej } of pending.values()) rej(new Error("DevTools connection closed")); pending.clear(); });
    ws.on("error", reject);
    ws.on("open", () => resolve({
      send(method, params = {}, sessionId) {
        const msg = { id: ++id, method, params };
        if (sessionId) msg.sessionId = sessionId;
        return new Promise((res, rej) => { pending.set(msg.id, { res, rej }); ws.send(JSON.stringify(msg)); });
      },
      close() { ws.close(); },
    }));
  });
}

async function chromiumVersion() {
  return new Promise((resolve) => {
    const p = spawn(chromium, ["--version"], { stdio: ["ignore", "pipe", "ignore"] });
    let s = "";
    p.stdout.on("data", (d) => { s += d; });
    p.on("exit", () => resolve(s.trim()));
    p.on("error", () => resolve("unknown"));
  });
}

function parseArgs(list) {
  const o = {};
  for (let i = 0; i < list.length; i++) {
    if (!list[i].startsWith("--")) throw new Error(`unexpected argument ${list[i]}`);
    o[list[i].slice(2)] = list[i + 1];
    i++;
  }
  return o;
}
function required(name) {
  if (!args[name]) { console.error(`browse.mjs: --${name} is required`); process.exit(2); }
  return args[name];
}
function sleep(ms) { return new Promise((r) => setTimeout(r, ms)); }
function fmt(v) { return v === null ? "-" : String(v); }

// The page: checks the environment, installs the service worker, loads webvm.json, shows the
// terminal, status line, progress and errors, and boots the configured engine.
// An engine is an ES module (assets.engine in webvm.json) exporting
//   boot(config, terminal, status) → Promise<{ stop(), resize(rows, cols) }>
import { createTerminal } from "./terminal.js";
import { createStatus } from "./status.js";
import { showError } from "./errors.js";

const RELOAD_KEY = "webvm-sw-reload";

const api = {
  state: "starting",
  error: null,
  diskBytes: { network: 0, cache: 0, chunks: 0 },
  transcript: "",
};
window.webvm = api;

start().catch((e) => fail("engine", "The page could not start.", e.message));

function fail(kind, message, detail) {
  if (api.state === "error") return;
  api.state = "error";
  api.error = { kind, message, detail };
  if (api.engine) {
    try {
      api.engine.stop();
    } catch (_) {
      // the engine may already be half torn down
    }
  }
  showError(kind, message, detail);
}

async function start() {
  if (location.protocol === "file:") return fail("file");
  if (!("serviceWorker" in navigator) || !window.caches) return fail("no-service-worker");

  navigator.serviceWorker.addEventListener("message", (event) => onWorkerMessage(event.data));
  let registration;
  try {
    registration = await navigator.serviceWorker.register("sw.js");
  } catch (e) {
    return fail("no-service-worker", null, e.message);
  }
  if (!navigator.serviceWorker.controller) {
    // First visit (or a hard reload, which bypasses the worker): reload once the worker controls
    // the page, so that responses carry its headers. Only once, so a broken worker cannot loop.
    if (sessionStorage.getItem(RELOAD_KEY)) {
      sessionStorage.removeItem(RELOAD_KEY);
      return fail("no-service-worker", null, "the service worker is installed but does not control this page");
    }
    await activated(registration);
    sessionStorage.setItem(RELOAD_KEY, "1");
    location.reload();
    return;
  }
  sessionStorage.removeItem(RELOAD_KEY);
  if (navigator.storage && navigator.storage.persist) navigator.storage.persist().catch(() => {});

  const response = await fetch("webvm.json", { cache: "no-cache" }).catch((e) => e);
  if (response instanceof Error || !response.ok) {
    return fail("config", "webvm.json could not be loaded.", response instanceof Error ? response.message : `HTTP ${response.status}`);
  }
  const config = await response.json();
  api.config = config;
  const engineInfo = ENGINES[config.engine];
  if (!engineInfo) return fail("engine", `Unknown engine "${config.engine}" in webvm.json.`);
  if (engineInfo.needsIsolation && !window.crossOriginIsolated) return fail("not-isolated", null, config.engine);

  const status = createStatus(config.engine);
  api.status = status;
  const terminal = createTerminal(document.getElementById("terminal"), (text) => {
    api.transcript = (api.transcript + text).slice(-1_000_000);
  });
  api.terminal = terminal;
  document.getElementById("reset").addEventListener("click", () => reset());
  status.activity("loading " + config.engine);

  let engineModule;
  try {
    engineModule = await import(new URL(config.assets.engine, location.href).href);
  } catch (e) {
    return fail("engine", `The ${config.engine} engine could not be loaded.`, e.message);
  }
  try {
    api.engine = await engineModule.boot(config, terminal, {
      ...status,
      ready: () => {
        if (api.state !== "ready") api.readyMs = Math.round(performance.now()); // since navigation start
        api.state = "ready";
        status.activity("running");
      },
      fail: (kind, message, detail) => fail(kind, message, detail),
    });
  } catch (e) {
    return fail("engine", `The ${config.engine} engine failed to start.`, e.message);
  }
  if (api.state === "starting") api.state = "booting";
  terminal.onResize((rows, cols) => api.engine && api.engine.resize(rows, cols));
}

// engine name → what the page must check before loading it
const ENGINES = {
  v86: { needsIsolation: false },
  cheerpx: { needsIsolation: true },
};

function activated(registration) {
  return new Promise((resolve) => {
    if (navigator.serviceWorker.controller) return resolve();
    navigator.serviceWorker.addEventListener("controllerchange", () => resolve(), { once: true });
    const worker = registration.installing || registration.waiting || registration.active;
    if (worker && worker.state === "activated") setTimeout(resolve, 100);
  });
}

function onWorkerMessage(message) {
  if (!message || typeof message !== "object") return;
  if (message.type === "webvm-disk-progress") {
    api.diskBytes = { network: message.networkBytes, cache: message.cacheBytes, chunks: message.chunks };
    if (api.status) api.status.disk(api.diskBytes);
  } else if (message.type === "webvm-error") {
    api.lastWorkerError = message;
    fail(message.kind, message.message, message.chunk ? `chunk ${message.chunk}` : message.url);
  }
}

async function reset() {
  if (!confirm("Reset the machine to the image as built? Everything written to its disk and /data is deleted.")) return;
  // engines that keep writes across reloads (CheerpX's IndexedDB overlay, v86's saved machine) drop them here
  if (api.engine && api.engine.reset) await api.engine.reset().catch((e) => console.error("reset:", e));
  if (api.engine) api.engine.stop();
  location.reload();
}

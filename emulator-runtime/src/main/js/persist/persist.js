// The visitor's work on the v86 engine: the whole machine (v86's save_state(): memory, devices,
// the disk's written blocks and the /data 9p filesystem, all taken in one synchronous call) is
// saved to IndexedDB when the page is hidden or left, and when the machine has been quiet for a
// moment after changing something. A later visit restores that machine instead of the build-time
// snapshot, so the kernel's caches and the disk always come from the same instant: a build
// snapshot is never restored over a disk written since, because written blocks only exist inside
// a saved machine. A saved machine that cannot be restored is deleted and the page starts from
// the image as built.
//
// window.webvm.persist: { state: "off" | "unavailable" | "empty" | "restored" | "rejected",
//   reason?, restoredMs?, saves, lastSave?: { bytes, ms, reason, at }, usage?, quota?, error? }
import { openStore, RECORD_FORMAT } from "./store.js";
import { formatBytes } from "../page/status.js";
import { memoryMiB } from "../engines/v86-machine.js";

const QUIET_MS = 2000;          // save this long after the last change…
const MAX_DIRTY_MS = 30_000;    // …or at the latest this long after the first unsaved one
const WARN_FRACTION = 0.8;      // warn when the site uses this much of the browser's quota

export async function openPersistence(config, status, v86Version) {
  const info = { state: "off", saves: 0, bytesWritten: 0, dirty: false };
  if (window.webvm) window.webvm.persist = info;
  const line = statusElement();
  const say = (text, warn) => {
    line.textContent = text;
    line.title = text; // the line may be cut short
    line.classList.toggle("warn", !!warn);
  };

  let store = null;
  let saved = null;
  try {
    await workerSettled();
    store = await openStore(config.disk.imageSha256);
    saved = await store.load();
    info.state = saved ? "found" : "empty";
  } catch (e) {
    info.state = "unavailable";
    info.reason = e && e.message ? e.message : String(e);
    say("changes are not kept: browser storage is unavailable (private window or blocked site data?); the machine works, its changes last until the page is closed", true);
    console.warn("webvm: persistence off: " + info.reason);
  }
  if (saved) {
    const problem = recordProblem(saved, config, v86Version);
    if (problem) {
      saved = null;
      await discard(problem);
    }
  }

  async function discard(reason) {
    info.state = "rejected";
    info.reason = reason;
    console.warn("webvm: saved machine not used: " + reason);
    say(`your saved machine could not be restored (${reason}); it was deleted and the machine started from the image as built; new changes are saved`, true);
    try {
      await store.remove();
    } catch (_) {
      // nothing more to do: the next save replaces it
    }
  }

  let emulator = null;
  let disabled = false;
  let dirtySince = 0;
  let timer = null;
  let saving = null;
  let pendingReads = 0;
  let quotaFull = false;

  // kind "disk" (the disk or /data was written): save once quiet; "input" (typing changes only
  // memory): saved with the next disk save or when the page is hidden or left
  function changed(kind = "disk") {
    const now = Date.now();
    if (!dirtySince) dirtySince = now;
    info.dirty = true;
    if (kind === "disk" && store && !disabled && !quotaFull) {
      clearTimeout(timer);
      const wait = Math.max(0, Math.min(QUIET_MS, dirtySince + MAX_DIRTY_MS - now));
      timer = setTimeout(() => save("idle"), wait);
      if (info.state !== "unavailable") say("changes not yet saved");
    }
  }

  /**
   * Saves the machine now. The state is taken synchronously (v86 runs on this thread), so the
   * memory and the disk's written blocks belong to the same instant; the IndexedDB put follows.
   * While the disk has a read in flight, an idle save waits (a restored machine would wait for an
   * answer that never comes); a pagehide save cannot wait and is taken anyway.
   */
  function save(reason) {
    clearTimeout(timer);
    if (!store || disabled || !emulator || !dirtySince) return saving || Promise.resolve(false);
    if (pendingReads > 0 && reason === "idle") {
      timer = setTimeout(() => save(reason), 200);
      return Promise.resolve(false);
    }
    const started = performance.now();
    let state;
    try {
      state = emulator.v86.save_state();
    } catch (e) {
      info.error = "save_state: " + (e.message || e);
      say("changes could not be saved: " + info.error, true);
      return Promise.resolve(false);
    }
    const takenMs = performance.now() - started;
    const bytes = state.byteLength; // the state may be transferred to the service worker
    const since = dirtySince;
    dirtySince = 0;
    info.dirty = false;
    const record = {
      format: RECORD_FORMAT,
      imageSha256: config.disk.imageSha256,
      v86: v86Version,
      memoryMiB: memoryMiB(config),
      devices: devicesKey(config),
      savedAt: Date.now(),
      reason,
      takenMs: Math.round(takenMs),
      screen: window.webvm && window.webvm.transcript ? window.webvm.transcript.slice(-4000) : "",
      state,
    };
    const put = reason === "idle" || !worker() ? store.save(record) : saveThroughWorker(record);
    const issuedMs = performance.now() - started;
    const previous = saving || Promise.resolve();
    saving = previous.then(() => put).then(async () => {
      info.saves++;
      info.bytesWritten += bytes;
      info.lastSave = { bytes, ms: Math.round(performance.now() - started), takenMs: Math.round(takenMs), issuedMs: Math.round(issuedMs), reason, at: record.savedAt };
      info.error = undefined;
      await describeUsage();
      return true;
    }, async (e) => {
      if (!dirtySince) dirtySince = since; // still unsaved
      info.dirty = true;
      let quota = e && (e.name === "QuotaExceededError" || /quota/i.test(e.message || ""));
      if (!quota && navigator.storage && navigator.storage.estimate) {
        // some browsers abort the transaction with a vaguer error when the quota is the cause
        const est = await navigator.storage.estimate().catch(() => null);
        quota = !!(est && est.quota && est.usage + bytes > est.quota);
      }
      info.error = (e && e.name ? e.name + ": " : "") + (e && e.message ? e.message : String(e));
      if (quota) {
        quotaFull = true;
        say(`changes not saved: the browser's storage for this site is full (${formatBytes(bytes)} needed); the machine keeps running, free space or use Download disk to keep your work`, true);
      } else {
        say("changes could not be saved (" + info.error + "); the machine keeps running", true);
      }
      console.warn("webvm: save failed: " + info.error);
      return false;
    }).finally(() => {
      if (saving === current) saving = null;
    });
    const current = saving;
    return saving;
  }

  async function describeUsage() {
    let text = `changes saved ${new Date(info.lastSave.at).toLocaleTimeString()}, machine ${formatBytes(info.lastSave.bytes)}`;
    let warn = false;
    if (navigator.storage && navigator.storage.estimate) {
      try {
        const { usage, quota } = await navigator.storage.estimate();
        info.usage = usage;
        info.quota = quota;
        text += `, site storage ${formatBytes(usage)} of ${formatBytes(quota)}`;
        if (quota && usage > WARN_FRACTION * quota) {
          warn = true;
          text += " — nearly full: saving will soon fail; use Download disk to keep your work";
        }
      } catch (_) {
        // no estimate: say what we know
      }
    }
    say(text, warn);
  }

  return {
    info,
    /** The saved machine of this image (already checked against this page), or null. */
    saved,
    /**
     * A stopped-then-running v86 restored from the saved machine, or null (then the record is
     * deleted, the page says why, and the caller starts from the image as built).
     */
    async restore(V86, options) {
      if (!saved) return null;
      const started = performance.now();
      const { bzimage, initrd, cmdline, ...rest } = options;
      const restored = new V86({ ...rest, autostart: false });
      try {
        await new Promise((resolve) => restored.add_listener("emulator-loaded", resolve));
        await restored.restore_state(saved.state);
      } catch (e) {
        try {
          restored.destroy();
        } catch (_) {
          // half built
        }
        await discard("v86 could not restore it: " + (e && e.message ? e.message : String(e)));
        saved = null;
        return null;
      }
      const screen = saved.screen || "";
      info.restoredFrom = { savedAt: saved.savedAt, reason: saved.reason, takenMs: saved.takenMs, bytes: saved.state.byteLength };
      saved = null; // let the state go
      restored.run();
      info.state = "restored";
      info.restoredMs = Math.round(performance.now() - started);
      say("restored your saved machine");
      return { emulator: restored, screen };
    },
    /** Watches the machine for changes and saves it; call once the emulator exists. */
    attach(em) {
      emulator = em;
      em.add_listener("ide-write-end", () => changed("disk"));
      em.add_listener("9p-write-end", () => changed("disk"));
      if (em.v86) countReads(em);
      else em.add_listener("emulator-loaded", () => countReads(em));
      if (info.state === "empty") say("changes are saved in this browser");
      const leave = (reason) => {
        if (dirtySince) save(reason);
      };
      document.addEventListener("visibilitychange", () => {
        if (document.visibilityState === "hidden") leave("hidden");
      });
      window.addEventListener("pagehide", () => leave("pagehide"));
    },
    /** Something the guest cannot tell us about changed (typed input): save when quiet. */
    changed,
    /** Saves now (if anything changed) and resolves when it is on disk. */
    flush: (reason = "flush") => {
      if (!dirtySince) return saving || Promise.resolve(false);
      return save(reason);
    },
    /** Reset: no more saves; the saved machine is deleted. */
    async reset() {
      disabled = true;
      clearTimeout(timer);
      if (saving) await saving.catch(() => {});
      await workerSettled(); // a save handed to the service worker must not land after the delete
      if (store) await store.remove();
    },
    get dirty() {
      return !!dirtySince;
    },
  };

  // disk reads in flight (an idle save waits for them)
  function countReads(em) {
    const hda = em.v86 && em.v86.cpu && em.v86.cpu.devices.ide && em.v86.cpu.devices.ide.primary.master.buffer;
    if (hda && typeof hda.get === "function") {
      const get = hda.get.bind(hda);
      hda.get = (offset, len, fn, opts) => {
        pendingReads++;
        let answered = false;
        get(offset, len, (data) => {
          if (!answered) {
            answered = true;
            pendingReads--;
          }
          fn(data);
        }, opts);
      };
    }
  }
}

function worker() {
  return navigator.serviceWorker && navigator.serviceWorker.controller;
}

/**
 * A page being hidden or left cannot count on finishing an IndexedDB write of tens of MiB; the
 * service worker writes it instead (the state is transferred, not copied). Resolves when it is
 * written, if this page still lives to hear it.
 */
function saveThroughWorker(record) {
  return new Promise((resolve, reject) => {
    const onMessage = (event) => {
      const m = event.data;
      if (!m || m.type !== "webvm-persist-saved" || m.savedAt !== record.savedAt) return;
      navigator.serviceWorker.removeEventListener("message", onMessage);
      if (m.ok) resolve();
      else reject(Object.assign(new Error(m.message), { name: m.name || "Error" }));
    };
    navigator.serviceWorker.addEventListener("message", onMessage);
    try {
      worker().postMessage({ type: "webvm-persist-save", record }, [record.state]);
    } catch (e) {
      navigator.serviceWorker.removeEventListener("message", onMessage);
      reject(e);
    }
  });
}

/** Waits (up to a minute) until the service worker has written what a left page handed it. */
async function workerSettled() {
  if (!worker()) return;
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), 60_000);
  try {
    await fetch(new URL("webvm-persist/settled", location.href).href, { cache: "no-store", signal: abort.signal });
  } catch (_) {
    // an older worker or none: read what is there
  } finally {
    clearTimeout(timer);
  }
}

// what a saved state must match besides memory: the devices the page gives the machine
function devicesKey(config) {
  return JSON.stringify({ network: config.network ?? null });
}

function recordProblem(record, config, v86Version) {
  if (!record || typeof record !== "object") return "the saved record is unreadable";
  if (record.format !== RECORD_FORMAT) return `unknown format ${record.format}`;
  if (record.imageSha256 !== config.disk.imageSha256) return "it belongs to another image";
  if (record.v86 !== v86Version) return `it was saved by v86 ${record.v86}, this page runs ${v86Version}`;
  if (record.memoryMiB !== memoryMiB(config)) return `it has ${record.memoryMiB} MiB of memory, this site ${config.memoryMiB}`;
  if ((record.devices || null) !== devicesKey(config)) return "the site's virtual hardware changed since it was saved";
  if (!(record.state instanceof ArrayBuffer) || record.state.byteLength < 16) return "its machine state is missing or truncated";
  return null;
}

function statusElement() {
  let el = document.getElementById("status-persist");
  if (!el) {
    el = document.createElement("span");
    el.id = "status-persist";
    const footer = document.getElementById("status");
    footer.insertBefore(el, document.getElementById("reset"));
  }
  return el;
}

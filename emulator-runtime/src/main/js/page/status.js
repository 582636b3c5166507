// Status line (engine, disk bytes loaded, activity) and the progress view shown while the
// boot files load.
export function createStatus(engine) {
  const el = (id) => document.getElementById(id);
  el("status-engine").textContent = engine;
  const progressView = el("progress");
  return {
    activity(text) {
      el("status-activity").textContent = text;
    },
    disk({ network, cache, chunks }) {
      el("status-disk").textContent = `disk ${formatBytes(network + cache)} loaded` +
        (cache ? ` (${formatBytes(cache)} from cache)` : "") + `, ${chunks} chunks`;
    },
    // loaded/total in bytes; total may be unknown (0)
    progress(label, loaded, total) {
      progressView.hidden = false;
      el("progress-label").textContent = label;
      const bar = el("progress-bar");
      if (total > 0) {
        bar.max = total;
        bar.value = loaded;
      } else {
        bar.removeAttribute("value");
      }
      el("progress-bytes").textContent = formatBytes(loaded) + (total > 0 ? " of " + formatBytes(total) : "");
    },
    progressDone() {
      progressView.hidden = true;
    },
  };
}

export function formatBytes(n) {
  if (n < 1024) return n + " B";
  if (n < 1024 * 1024) return (n / 1024).toFixed(1) + " KiB";
  return (n / 1024 / 1024).toFixed(1) + " MiB";
}

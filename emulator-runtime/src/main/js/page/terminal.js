// xterm.js filling its container; resizes follow the window.
import { Terminal } from "@xterm/xterm";
import { FitAddon } from "@xterm/addon-fit";

// Returns the terminal as engines see it:
//   write(bytes: Uint8Array | string), onData(cb(string)), onResize(cb(rows, cols)), rows, cols, focus()
export function createTerminal(element, onText) {
  const term = new Terminal({
    cursorBlink: true,
    scrollback: 5000,
    fontFamily: '"DejaVu Sans Mono", "Liberation Mono", Menlo, Consolas, monospace',
    fontSize: 15,
    theme: { background: "#101418", foreground: "#d8dee9" },
  });
  const fit = new FitAddon();
  term.loadAddon(fit);
  term.open(element);
  fit.fit();
  term.focus();
  let timer = null;
  new ResizeObserver(() => {
    clearTimeout(timer);
    timer = setTimeout(() => fit.fit(), 50);
  }).observe(element);
  const decoder = new TextDecoder();
  return {
    write(data) {
      term.write(data);
      if (onText) onText(typeof data === "string" ? data : decoder.decode(data, { stream: true }));
    },
    onData(cb) {
      term.onData(cb);
    },
    onResize(cb) {
      term.onResize(({ rows, cols }) => cb(rows, cols));
    },
    get rows() {
      return term.rows;
    },
    get cols() {
      return term.cols;
    },
    focus() {
      term.focus();
    },
  };
}

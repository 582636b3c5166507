// Error screens: what failed and what to do.
const SCREENS = {
  file: {
    title: "Open this page through a web server",
    text: "The page was opened directly from disk (file://). Browsers do not run service workers " +
      "or load the disk there. Serve the site instead: run `mvn webvm:serve` in the project and " +
      "open the address it prints, or deploy the site to a static host.",
  },
  "no-service-worker": {
    title: "Service workers are not available",
    text: "This page needs a service worker to load the disk and to enable cross-origin isolation. " +
      "They are disabled in private/incognito windows of some browsers, when cookies or site data are " +
      "blocked, and on plain http:// addresses other than localhost. Open the page in a normal window " +
      "over https:// (or http://localhost), then reload.",
  },
  "not-isolated": {
    title: "The page is not cross-origin isolated",
    text: "The engine needs SharedArrayBuffer, which browsers only allow on cross-origin isolated " +
      "pages. The service worker should have enabled it; reload the page once. If this persists, " +
      "serve the site with the headers Cross-Origin-Opener-Policy: same-origin and " +
      "Cross-Origin-Embedder-Policy: require-corp (see the _headers file), or use a browser with " +
      "service worker support.",
  },
  integrity: {
    title: "A disk chunk is damaged",
    text: "A chunk of the disk image did not match its checksum, so the machine was stopped instead " +
      "of running on corrupt data. Redeploy the complete site (all files under disk/), then reload.",
  },
  network: {
    title: "The disk could not be loaded",
    text: "A part of the disk could not be downloaded after several attempts. Check the network " +
      "connection and that the whole site is deployed, then reload.",
  },
  disk: {
    title: "The disk could not be read",
    text: "Reload the page; if this persists, rebuild and redeploy the site.",
  },
  config: {
    title: "The site configuration could not be loaded",
    text: "webvm.json or disk/manifest.json is missing or does not match. Rebuild the site with " +
      "`mvn webvm:package` and deploy all of it.",
  },
  engine: {
    title: "The emulator failed",
    text: "The emulator could not be loaded or stopped with an error. Reload the page; if this " +
      "persists, use a current Chrome, Edge or Firefox with WebAssembly enabled.",
  },
};

export function showError(kind, message, detail) {
  const screen = SCREENS[kind] || SCREENS.engine;
  const box = document.getElementById("error");
  box.dataset.kind = kind;
  document.getElementById("error-title").textContent = screen.title;
  document.getElementById("error-message").textContent = message || "";
  document.getElementById("error-help").textContent = screen.text;
  document.getElementById("error-detail").textContent = detail || "";
  box.hidden = false;
  const activity = document.getElementById("status-activity");
  if (activity) activity.textContent = "stopped: " + screen.title.toLowerCase();
  const progress = document.getElementById("progress");
  if (progress) progress.hidden = true;
}

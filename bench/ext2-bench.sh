#!/usr/bin/env bash
# Benchmark of the ext2 writer against mke2fs -d (not a test).
# Builds the same host directory with our writer (a JVM, start-up included) and with
# `mke2fs -t ext2 -d DIR` (same revision, block size, block count and inode count), RUNS times
# each (default 9, alternating), for
#   (a) the debootstrapped Debian minbase fixture, and
#   (b) a generated tree: one 2 GiB sparse file plus 50,000 small files (revision 1 only),
# and prints one line per figure:  name ratio ours ref unit   (ratio = ours / mke2fs, target <= 1.0):
# wall time (the median run), CPU time (user + sys of that run), peak RSS, allocated image bytes,
# and time-warm-jvm: our read + write repeated in one JVM, the median of 5 runs after a first
# (the plugin's case: Maven's JVM is running).
# Both put the image on the disk before they end (mke2fs with an fsync, ours with fdatasyncs while
# it writes and one before its rename), so neither leaves the other a page-cache flush to pay.
# Our images are checked with e2fsck -fn. Needs: e2fsprogs, time (/usr/bin/time), python3, maven.
# Usage: bench/ext2-bench.sh [revisions, default "0 1"] ; BS=4096 by default.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
revisions="${1:-0 1}"
bs="${BS:-4096}"
# a short-lived command-line JVM: C1 only halves the CPU time of start-up and JIT; the parallel
# collector's young pauses use both cores (50,000 files make ~100 MB of short-lived garbage)
JAVA_OPTS="${JAVA_OPTS:--XX:TieredStopAtLevel=1 -XX:+UseParallelGC}"
runs="${RUNS:-9}"
work="$root/image-builder/target/bench"
gen="${WEBVM_CACHE:-$HOME/.cache/webvm-maven}/bench/generated-50k"
mkdir -p "$work"

[ -x /usr/bin/time ] || { echo "ext2-bench: /usr/bin/time missing (apt-get install time)" >&2; exit 1; }
command -v mke2fs >/dev/null || { echo "ext2-bench: mke2fs missing (apt-get install e2fsprogs)" >&2; exit 1; }

echo "ext2-bench: compiling image-builder" >&2
(cd "$root" && mvn -B -q -pl image-builder -am test-compile dependency:build-classpath -DskipTests \
  -Dmdep.outputFile="$work/classpath.txt" >/dev/null)
cp="$root/image-builder/target/classes:$root/image-builder/target/test-classes:$(cat "$work/classpath.txt")"

minbase="$(bash "$root/scripts/fixture-base.sh" dir)"

if [ ! -f "$gen/.complete" ]; then
  echo "ext2-bench: generating $gen (once)" >&2
  rm -rf "$gen"
  mkdir -p "$gen"
  python3 - "$gen" <<'PY'
import os, sys, random
root = sys.argv[1]
rnd = random.Random(42)
with open(os.path.join(root, "sparse-2g.bin"), "wb") as f:
    f.truncate(2 << 30)
    for off in range(0, 2 << 30, 256 << 20):
        f.seek(off)
        f.write(rnd.randbytes(64 << 10))
for d in range(500):
    dd = os.path.join(root, "d%03d" % d)
    os.mkdir(dd)
    for i in range(100):
        with open(os.path.join(dd, "file-%03d.txt" % i), "wb") as f:
            f.write(rnd.randbytes(rnd.randrange(0, 6000)))
PY
  touch "$gen/.complete"
fi

# measure NAME RUN COMMAND...: runs COMMAND under /usr/bin/time -v; appends "wall cpu rss_kb" to
# $work/NAME.runs (wall from the clock in nanoseconds: time's own is in hundredths)
measure() {
  local name="$1" run="$2"
  shift 2
  local log="$work/$name.$run.time"
  sync
  local t0 t1
  t0=$(date +%s%N)
  /usr/bin/time -v -o "$log" "$@" >"$work/$name.out" 2>&1 || { cat "$work/$name.out" >&2; exit 1; }
  t1=$(date +%s%N)
  local rss cpu
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$log")
  cpu=$(awk -F': ' '/User time|System time/ {s+=$2} END {print s}' "$log")
  echo "$(( (t1 - t0) / 1000000 )) $cpu $rss" >>"$work/$name.runs"
}

# median NAME: sets secs, cpu and rss_kb from the run with the median wall time
median() {
  read -r ms cpu rss_kb < <(sort -n "$work/$1.runs" | awk '{a[NR]=$0} END {print a[int((NR+1)/2)]}')
  secs=$(awk -v m="$ms" 'BEGIN {printf "%.3f", m / 1000}')
}

figure() {  # name ours ref unit
  awk -v n="$1" -v o="$2" -v r="$3" -v u="$4" 'BEGIN { printf "%s %.2f %s %s %s\n", n, (r > 0 ? o / r : 0), o, r, u }'
}

run_case() {  # name dir revision
  local name="$1" dir="$2" rev="$3"
  local ours="$work/$name-rev$rev.ours.ext2" ref="$work/$name-rev$rev.mke2fs.ext2"
  local ours_name="$name-rev$rev-ours" ref_name="$name-rev$rev-mke2fs"
  rm -f "$ours" "$ref" "$work/$ours_name.runs" "$work/$ref_name.runs"
  local features
  if [ "$rev" = 0 ]; then
    features=(-r 0)
  else
    features=(-r 1 -O none,filetype,sparse_super,large_file,ext_attr -I 256)
  fi
  local run geometry blocks inodes
  for run in $(seq "$runs"); do
    rm -f "$ours" "$ref"
    measure "$ours_name" "$run" java $JAVA_OPTS -cp "$cp" io.github.miniwebvm.ext2.Ext2Bench "$dir" "$ours" "$rev" "$bs"
    geometry=$(grep '^blocks=' "$work/$ours_name.out")
    blocks=$(tr ' ' '\n' <<<"$geometry" | sed -n 's/^blocks=//p')
    inodes=$(tr ' ' '\n' <<<"$geometry" | sed -n 's/^inodes=//p')
    measure "$ref_name" "$run" mke2fs -F -q -t ext2 "${features[@]}" -b "$bs" -N "$inodes" -m 0 -d "$dir" "$ref" "$blocks"
  done
  median "$ours_name"
  local ours_secs=$secs ours_rss=$rss_kb ours_cpu=$cpu
  median "$ref_name"
  local ref_secs=$secs ref_rss=$rss_kb ref_cpu=$cpu
  if ! e2fsck -fn "$ours" >"$work/$name-rev$rev.e2fsck" 2>&1; then
    echo "ext2-bench: e2fsck found problems in $ours:" >&2
    cat "$work/$name-rev$rev.e2fsck" >&2
    exit 1
  fi
  figure "$name-rev$rev-time" "$ours_secs" "$ref_secs" s
  local warm
  warm=$(java -cp "$cp" io.github.miniwebvm.ext2.Ext2Bench "$dir" "$ours.w" "$rev" "$bs" 6 \
    | sed -n 's/^warm_seconds=//p')
  rm -f "$ours.w"
  figure "$name-rev$rev-time-warm-jvm" "$warm" "$ref_secs" s
  figure "$name-rev$rev-cpu" "$ours_cpu" "$ref_cpu" s
  figure "$name-rev$rev-peak-rss" "$((ours_rss / 1024))" "$((ref_rss / 1024))" MiB
  local ours_used ref_used
  ours_used=$(du -k "$ours" | cut -f1)
  ref_used=$(du -k "$ref" | cut -f1)
  figure "$name-rev$rev-allocated" "$((ours_used / 1024))" "$((ref_used / 1024))" MiB
}

echo "name ratio ours ref unit"
for rev in $revisions; do
  run_case minbase "$minbase" "$rev"
done
# a 2 GiB file needs large_file: revision 0 refuses it (as e2fsck would), so this case is revision 1 only
run_case generated-2g-sparse-50k "$gen" 1
rm -f "$work"/*.ext2

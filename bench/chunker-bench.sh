#!/usr/bin/env bash
# Chunker benchmark on a realistic disk: the debootstrapped Debian bookworm i386 minbase fixture
# in a 750 MiB ext2 image made the way WebVM makes it (mke2fs -t ext2 -r 0 -d DIR img 750M).
# Prints one line per figure:  name ratio ours ref unit
#   stored_fraction_gzip   stored bytes of the packed store (gzip -6) ÷ raw image bytes (target ≤ 0.065)
#   stored_vs_split_gzip   stored bytes ÷ bytes of `split` + `gzip -6` of every piece
#   time_vs_split_gzip     our wall time (JVM start included) ÷ wall time of `split` + `gzip -6` of
#                          the pieces (xargs -P <cores>, the same cores as ours), same run, warm cache
#   one_file_change        image bytes in rewritten chunks ÷ image bytes, after replacing one file
#                          in the image (debugfs rm + write) and re-chunking into the same folder
#   stored_fraction_zstd19 (with --zstd) the same store with zstd -19
# Data goes to ${BENCH_WORK:-chunker/target/bench}; nothing is kept in git.
# Usage: bench/chunker-bench.sh [--zstd]
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="${BENCH_WORK:-$repo/chunker/target/bench}"
zstd=0
[ "${1:-}" = "--zstd" ] && zstd=1
for tool in mke2fs debugfs split gzip jq mvn java; do
  command -v "$tool" >/dev/null || { echo "chunker-bench: $tool missing (scripts/setup-host.sh)" >&2; exit 1; }
done
cores="$(nproc)"

rm -rf "$work"
mkdir -p "$work"
(cd "$repo" && mvn -B -q -pl chunker -am compile dependency:build-classpath \
  -Dmdep.outputFile="$work/cp.txt" -Dmdep.includeScope=runtime >&2)
cp="$repo/chunker/target/classes:$(cat "$work/cp.txt")"
chunker() { java -cp "$cp" io.github.miniwebvm.chunker.Main "$@"; }
now() { date +%s.%N; }

rootfs="$(bash "$repo/scripts/fixture-base.sh" dir)"
img="$work/rootfs.ext2"
mke2fs -q -F -t ext2 -r 0 -d "$rootfs" "$img" 750M >&2
size="$(stat -c%s "$img")"
cat "$img" >/dev/null # warm the page cache for both contestants

# reference: WebVM's split, then gzip -6 of every piece on all cores
mkdir -p "$work/ref"
t0="$(now)"
split "$img" "$work/ref/rootfs.ext2.c" -a 6 -b 128k -x --additional-suffix=.txt
find "$work/ref" -name '*.txt' -print0 | xargs -0 -P "$cores" -n 64 gzip -6
t1="$(now)"
ref_bytes="$(find "$work/ref" -name '*.gz' -printf '%s\n' | awk '{s+=$1} END {print s}')"
rm -rf "$work/ref"

t2="$(now)"
chunker write "$img" "$work/disk" >&2
t3="$(now)"
stored="$(jq .storedBytes "$work/disk/report.json")"

ours_s="$(echo "$t3 - $t2" | bc -l)"
ref_s="$(echo "$t1 - $t0" | bc -l)"
ratio() { echo "scale=6; $1 / $2" | bc -l | sed 's/^\./0./'; }
printf '%s %s %s %s %s\n' stored_fraction_gzip "$(ratio "$stored" "$size")" "$stored" "$size" bytes
printf '%s %s %s %s %s\n' stored_vs_split_gzip "$(ratio "$stored" "$ref_bytes")" "$stored" "$ref_bytes" bytes
printf '%s %s %.2f %.2f %s\n' time_vs_split_gzip "$(ratio "$ours_s" "$ref_s")" "$ours_s" "$ref_s" s

# one file changes: replace /etc/debian_version (new inode, new data block)
printf 'bench-%s\n' "$(date +%s%N)" >"$work/newfile"
debugfs -w -R "rm /etc/debian_version" "$img" >/dev/null 2>&1
debugfs -w -R "write $work/newfile /etc/debian_version" "$img" >/dev/null 2>&1
chunker write "$img" "$work/disk" >&2
changed="$(jq .changedBytes "$work/disk/report.json")"
printf '%s %s %s %s %s\n' one_file_change "$(ratio "$changed" "$size")" "$changed" "$size" bytes
echo "one_file_change: $(jq .filesWritten "$work/disk/report.json") chunk files written, $(jq .filesKept "$work/disk/report.json") kept, $(jq .filesRemoved "$work/disk/report.json") removed" >&2

if [ "$zstd" = 1 ]; then
  chunker write --encoding zstd "$img" "$work/disk-zstd" >&2
  zstored="$(jq .storedBytes "$work/disk-zstd/report.json")"
  printf '%s %s %s %s %s\n' stored_fraction_zstd19 "$(ratio "$zstored" "$size")" "$zstored" "$size" bytes
fi

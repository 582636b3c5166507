#!/usr/bin/env bash
# gzip or zstd for the packed disk chunks (not a test): the chunker writes the same ext2 image with
# each encoding and level, on all cores, and each is compared with gzip level 6, the default,
# measured in the same run. Prints one line per figure:  name ratio ours ref unit
#   chunks_<enc>_L<n>_bytes     stored chunk bytes ÷ gzip -6's
#   chunks_<enc>_L<n>_seconds   chunker wall time ÷ gzip -6's
#   chunks_gzip_L6_per_used     stored chunk bytes ÷ bytes of the image's used blocks (issue 22: ≤ 0.30)
# Usage: bench/chunk-encoding-bench.sh [IMAGE]   (default: examples/debian/target/webvm/rootfs.ext2,
#        written by the README's first command)
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
image="$(realpath "${1:-$repo/examples/debian/target/webvm/rootfs.ext2}")"
work="${BENCH_WORK:-$repo/target/chunk-encoding-bench}"
[ -f "$image" ] || { echo "chunk-encoding-bench: no image at $image; run the README's first command" >&2; exit 1; }
command -v dumpe2fs >/dev/null || { echo "chunk-encoding-bench: dumpe2fs missing (apt-get install e2fsprogs)" >&2; exit 1; }
rm -rf "$work" && mkdir -p "$work"
(cd "$repo" && mvn -B -q -o -Dstyle.color=never -pl chunker -am package -DskipTests >/dev/null \
  && mvn -B -q -o -Dstyle.color=never -pl chunker dependency:build-classpath -Dmdep.outputFile="$work/cp.txt" >/dev/null)
cp="$(ls "$repo"/chunker/target/chunker-*.jar | grep -v -- -sources | grep -v -- -javadoc | head -1):$(cat "$work/cp.txt")"

measure() { # ENCODING LEVEL -> "bytes milliseconds"
  local t0 t1
  t0=$(date +%s%N)
  java -cp "$cp" io.github.miniwebvm.chunker.Main write --encoding "$1" --level "$2" "$image" "$work/$1-$2" >/dev/null
  t1=$(date +%s%N)
  echo "$(find "$work/$1-$2/chunks" -type f -printf '%s\n' | awk '{s += $1} END {printf "%d", s}') $(( (t1 - t0) / 1000000 ))"
}
read -r ref_bytes ref_ms < <(measure gzip 6)
line() { # NAME BYTES MS
  awk -v n="$1" -v b="$2" -v m="$3" -v rb="$ref_bytes" -v rm="$ref_ms" 'BEGIN {
    printf "%s_bytes %.3f %d %d bytes\n", n, b / rb, b, rb
    printf "%s_seconds %.3f %.2f %.2f s\n", n, m / rm, m / 1000, rm / 1000 }'
}
block_size=$(dumpe2fs -h "$image" 2>/dev/null | awk -F: '/^Block size/ {print $2 + 0}')
blocks=$(dumpe2fs -h "$image" 2>/dev/null | awk -F: '/^Block count/ {print $2 + 0}')
free=$(dumpe2fs -h "$image" 2>/dev/null | awk -F: '/^Free blocks/ {print $2 + 0}')
used=$(( (blocks - free) * block_size ))
echo "# $image: $used bytes in used blocks; gzip -6: $ref_bytes bytes in $((ref_ms / 1000)).$(((ref_ms % 1000) / 10)) s"
awk -v b="$ref_bytes" -v u="$used" 'BEGIN { printf "chunks_gzip_L6_per_used %.3f %d %d bytes\n", b / u, b, u }'
for enc in "gzip 9" "zstd 3" "zstd 9" "zstd 15" "zstd 19"; do
  set -- $enc
  read -r b m < <(measure "$1" "$2")
  line "chunks_$1_L$2" "$b" "$m"
done

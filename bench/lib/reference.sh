#!/usr/bin/env bash
# The Mini.WebVM reference pipeline (leaningtech/webvm .github/workflows/deploy.yml, "build" job),
# reproduced with podman instead of docker, on one Dockerfile:
#   build (i386) → create container → fallocate IMAGE_SIZE → mkfs.ext2 -r 0 → loop mount
#   → container filesystem copied in → umount → split -a 6 -b 128k -x --additional-suffix=.txt + .meta
# deploy.yml copies with `docker cp -a`, which loses uid/gid (its own comment says so); here the
# container is copied with `podman export | tar -x` as root, which keeps them.
# The page itself (WebVM's npm build of its Svelte front end) is not built: the site measured is
# the disk part only (chunks + .meta), which is what grows with the image.
#
# Usage: reference.sh --dockerfile F --context DIR --size 750M --out DIR [--build-arg K=V]... [--no-cache] [--skip-build]
# Writes DIR/site/ (the deployable disk part) and DIR/times.env (seconds per step, shell syntax).
set -euo pipefail

dockerfile= context= size= out= nocache= skipbuild=
build_args=()
tag=localhost/webvm-bench/reference:latest
while [ $# -gt 0 ]; do
  case "$1" in
    --dockerfile) dockerfile="$2"; shift 2 ;;
    --context) context="$2"; shift 2 ;;
    --size) size="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --build-arg) build_args+=(--build-arg "$2"); shift 2 ;;
    --tag) tag="$2"; shift 2 ;;
    --no-cache) nocache=--no-cache; shift ;;
    --skip-build) skipbuild=1; shift ;;
    *) echo "reference.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
[ -n "$dockerfile" ] && [ -n "$context" ] && [ -n "$size" ] && [ -n "$out" ] \
  || { echo "reference.sh: --dockerfile, --context, --size and --out are required" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "reference.sh: must run as root (loop mount, tar keeping owners)" >&2; exit 1; }

now() { date +%s.%N; }
declare -A t
step() { # step NAME command...  — runs the command, records its wall time
  local step_name="$1" step_start; shift
  step_start=$(now)
  "$@"
  t[$step_name]=$(awk -v a="$step_start" -v b="$(now)" 'BEGIN{printf "%.3f", b-a}')
  echo "reference: $step_name ${t[$step_name]} s" >&2
}

rm -rf "$out"
mkdir -p "$out/site" "$out/mnt"
image="$out/image.ext2"
name=webvm_bench.ext2
cid=
cleanup() {
  mountpoint -q "$out/mnt" && umount "$out/mnt" || true
  [ -n "$cid" ] && podman rm -f "$cid" >/dev/null 2>&1 || true
  rm -f "$image"
}
trap cleanup EXIT

if [ -z "$skipbuild" ]; then
  step build podman build --isolation=chroot --platform linux/386 $nocache "${build_args[@]}" \
    --tag "$tag" --file "$dockerfile" "$context" >"$out/build.log" 2>&1 \
    || { echo "reference.sh: podman build failed, see $out/build.log" >&2; exit 1; }
else
  t[build]=0
fi
create() { cid=$(podman create --platform linux/386 "$tag"); }
step create create
step fallocate fallocate -l "$size" "$image"
step mkfs mkfs.ext2 -q -r 0 "$image"
step mount mount -o loop -t ext2 "$image" "$out/mnt"
copy() { podman export "$cid" | tar -x --numeric-owner -p -C "$out/mnt" -f -; }
step copy copy
step umount umount "$out/mnt"
split_meta() {
  split "$image" "$out/site/$name.c" -a 6 -b 128k -x --additional-suffix=.txt
  stat -c%s "$image" > "$out/site/$name.meta"
}
step split split_meta
podman rm -f "$cid" >/dev/null; cid=

total_nobuild=$(awk -v a="${t[create]}" -v b="${t[fallocate]}" -v c="${t[mkfs]}" -v d="${t[mount]}" \
  -v e="${t[copy]}" -v f="${t[umount]}" -v g="${t[split]}" 'BEGIN{printf "%.3f", a+b+c+d+e+f+g}')
{
  for k in build create fallocate mkfs mount copy umount split; do echo "ref_$k=${t[$k]}"; done
  echo "ref_after_build=$total_nobuild"
  echo "ref_total=$(awk -v a="${t[build]}" -v b="$total_nobuild" 'BEGIN{printf "%.3f", a+b}')"
} > "$out/times.env"
rmdir "$out/mnt"
echo "reference: site in $out/site ($(find "$out/site" -type f | wc -l) files)" >&2

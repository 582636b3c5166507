#!/usr/bin/env bash
# Input images of every kind that webvm.image accepts, made from the cached Debian i386 base:
# rootfs tar (gzip), ext2 image, docker archive, OCI archive and OCI layout directory; and a disk
# larger than 4 GiB for the large-disk IT.
set -euo pipefail
out="$1"
root="$(cd "$(dirname "$0")/.." && pwd)"
mkdir -p "$out"
base_dir="$(bash "$root/scripts/fixture-base.sh" dir)"
base_tar="$(bash "$root/scripts/fixture-base.sh" tar)"
ref="$(bash "$root/scripts/base-image.sh")"

make() { # name command...
  local name="$1"; shift
  if [ ! -e "$out/$name" ]; then
    echo "prepare-inputs: $name"
    "$@" "$out/.$name.part"
    mv "$out/.$name.part" "$out/$name"
  fi
}
gz() { gzip -1 -c "$base_tar" > "$1"; }
ext2() { mke2fs -q -t ext2 -b 4096 -d "$base_dir" "$1" 400M; }
docker_archive() { podman save --quiet --format docker-archive -o "$1" "$ref"; }
oci_archive() { podman save --quiet --format oci-archive -o "$1" "$ref"; }
tiny() { tar -C "$base_dir" --numeric-owner -cf "$1" ./etc ./bin ./usr/bin/dash ./usr/bin/ls; } # for the kill loop
oci_layout() { podman save --quiet --format oci-dir -o "$1" "$ref"; }
# large-disk IT: a 4.5 GiB ext2 disk (sparse here, and in the site: zero chunks are not stored)
# whose last 12 blocks, past 4 GiB, hold /payload (random bytes); its sha256 is in /payload.sha256
# and in large-disk.payload.sha256. Written by debugfs low on the disk, its blocks are then moved
# to the end (block pointers, bitmaps) and e2fsck fixes the group counts.
large_disk() {
  local img="$1" tmp blocks last first i
  tmp="$(mktemp -d)"
  rm -f "$img" # a part left by an interrupted run
  head -c 49152 /dev/urandom > "$tmp/payload"
  echo "$(sha256sum < "$tmp/payload" | cut -d' ' -f1)  /payload" > "$tmp/payload.sha256"
  mke2fs -q -t ext2 -b 4096 -d "$base_dir" "$img" 4608M
  debugfs -w -R "write $tmp/payload payload" "$img" >/dev/null 2>&1
  debugfs -w -R "write $tmp/payload.sha256 payload.sha256" "$img" >/dev/null 2>&1
  blocks="$(dumpe2fs -h "$img" 2>/dev/null | awk -F: '/^Block count/ {print $2 + 0}')"
  last=$((blocks - 12))
  first="$(debugfs -R "bmap /payload 0" "$img" 2>/dev/null)"
  dd if="$tmp/payload" of="$img" bs=4096 seek="$last" conv=notrunc status=none
  dd if=/dev/zero of="$img" bs=4096 seek="$first" count=12 conv=notrunc status=none
  { for i in $(seq 0 11); do echo "sif /payload block[$i] $((last + i))"; done
    echo "freeb $first 12"; echo "setb $last 12"; } > "$tmp/move"
  debugfs -w -f "$tmp/move" "$img" >/dev/null 2>&1
  e2fsck -fy "$img" >/dev/null 2>&1 || [ $? -eq 1 ] # 1: the free block counts were corrected
  e2fsck -fn "$img" >/dev/null
  [ "$(debugfs -R "bmap /payload 11" "$img" 2>/dev/null)" = $((blocks - 1)) ]
  debugfs -R "cat /payload" "$img" 2>/dev/null | cmp -s - "$tmp/payload"
  cp "$tmp/payload.sha256" "$out/large-disk.payload.sha256"
  rm -rf "$tmp"
}
make rootfs.tar.gz gz
make rootfs.ext2 ext2
make docker-archive.tar docker_archive
make oci-archive.tar oci_archive
make oci-layout oci_layout
make tiny-rootfs.tar tiny
make large-disk.ext2 large_disk
ls -la "$out"

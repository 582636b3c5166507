#!/usr/bin/env bash
# Input images of every kind that webvm.image accepts, made from the cached Debian i386 base:
# rootfs tar (gzip), ext2 image, docker archive, OCI archive and OCI layout directory.
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
make rootfs.tar.gz gz
make rootfs.ext2 ext2
make docker-archive.tar docker_archive
make oci-archive.tar oci_archive
make oci-layout oci_layout
make tiny-rootfs.tar tiny
ls -la "$out"

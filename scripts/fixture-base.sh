#!/usr/bin/env bash
# Builds (once) and prints the path of the test base: a debootstrapped Debian bookworm
# i386 minbase rootfs, as a directory and as a tar with numeric owners.
# Cached under ${WEBVM_CACHE:-~/.cache/webvm-maven}/fixtures, never in git.
# Usage: fixture-base.sh [dir|tar]   (default: tar)
set -euo pipefail
cache="${WEBVM_CACHE:-$HOME/.cache/webvm-maven}/fixtures"
name=bookworm-i386-minbase
dir="$cache/$name"
tarball="$cache/$name.tar"
mkdir -p "$cache"
exec 9>"$cache/$name.lock"
flock 9
if [ ! -f "$tarball" ]; then
  command -v debootstrap >/dev/null || { echo "fixture-base: debootstrap missing; run scripts/setup-host.sh" >&2; exit 1; }
  tmp="$cache/.$name.tmp"
  rm -rf "$tmp" "$dir"
  echo "fixture-base: debootstrap --arch=i386 --variant=minbase bookworm (about 3 minutes, once)" >&2
  debootstrap --arch=i386 --variant=minbase bookworm "$tmp" >"$cache/$name.log" 2>&1 \
    || { echo "fixture-base: debootstrap failed, see $cache/$name.log" >&2; exit 1; }
  rm -rf "$tmp"/var/cache/apt/archives/*.deb "$tmp"/var/lib/apt/lists/*_Packages
  tar --numeric-owner --xattrs -C "$tmp" -cf "$tarball.part" .
  mv "$tmp" "$dir"
  mv "$tarball.part" "$tarball"
fi
case "${1:-tar}" in
  dir) echo "$dir" ;;
  *) echo "$tarball" ;;
esac

#!/usr/bin/env bash
# Installs what the build and the tests need on a Debian 12 host (run as root).
# Idempotent: a second run only checks.
set -euo pipefail

packages=(
  e2fsprogs            # e2fsck, debugfs, mke2fs: oracles for the ext2 writer
  time                 # /usr/bin/time -v: peak RSS in bench/ext2-bench.sh
  podman               # engine backend and differential oracle
  buildah skopeo       # seeding the local registry
  docker-registry      # local registry for FROM tests
  qemu-user-static     # RUN steps and debootstrap of i386 on amd64
  binfmt-support
  debootstrap          # the Debian i386 base fixture
  chromium chromium-driver  # browser end-to-end tests
  cpio zstd xz-utils gzip util-linux coreutils
  time                 # /usr/bin/time -v: peak RSS in bench/run-all
  jq                   # oracle for how WebVM's workflow derives CMD/ARGS from the image config
  attr libcap2-bin     # getfattr/setfattr/setcap: xattr oracle (ext2 loop mounts) and fixtures (flattening)
  bc openssl           # chunker: bench/chunker-bench.sh ratios, fast sha256 oracle (jq too)
  uidmap fuse-overlayfs
  bubblewrap           # the sandbox of the native builder's RUN steps
  seabios              # BIOS for v86 fixtures
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup-host: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# binfmt_misc: qemu-i386 with the F (fix binary) flag so chroots need no qemu inside.
if [ ! -e /proc/sys/fs/binfmt_misc/register ]; then
  mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc 2>/dev/null || true
fi
if [ -e /proc/sys/fs/binfmt_misc/register ] && [ ! -e /proc/sys/fs/binfmt_misc/qemu-i386 ]; then
  echo ':qemu-i386:M::\x7fELF\x01\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\x03\x00:\xff\xff\xff\xff\xff\xfe\xfe\x00\xff\xff\xff\xff\xff\xff\xff\xff\xfe\xff\xff\xff:/usr/bin/qemu-i386-static:F' \
    > /proc/sys/fs/binfmt_misc/register || echo "setup-host: could not register qemu-i386 binfmt (RUN steps of i386 images will fail)" >&2
fi
echo "setup-host: ok"

#!/usr/bin/env bash
# Makes the Debian bookworm i386 base available to podman as localhost/webvm/debian-i386:bookworm
# (no Docker Hub here): the debootstrapped fixture imported once. Prints the image reference.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
ref=localhost/webvm/debian-i386:bookworm
if ! podman image exists "$ref" 2>/dev/null; then
  tarball="$(bash "$here/fixture-base.sh" tar)"
  podman import --quiet --arch 386 --os linux --change 'CMD ["/bin/bash"]' "$tarball" "$ref" >/dev/null
fi
echo "$ref"

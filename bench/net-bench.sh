#!/usr/bin/env bash
# Guest network throughput: the guest's busybox wget of a 10 MiB file (checked by sha256) in headless
# Chromium, through network=fetch (v86's fetch adapter, the file on a second local server with CORS)
# and through a local Wisp relay (@mercuryworkshop/wisp-js in node), all on 127.0.0.1. Runs the two
# measuring tests of it-tests' NetworkBrowserIT and prints one line per figure:
#   net_fetch_wget   MiB/s   ms   bytes
#   net_wisp_wget    MiB/s   ms   bytes
# The time is the guest's own clock around wget (the v86 guest clock follows real time).
# Usage: bench/net-bench.sh   (needs what `mvn verify` needs: chromium, chromedriver, node, npm)
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
log="${BENCH_WORK:-$repo/target/net-bench}/mvn.log"
mkdir -p "$(dirname "$log")"
(cd "$repo" && mvn -o -B -pl it-tests -am verify -Dinvoker.skip=true -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
  -Dfailsafe.failIfNoSpecifiedTests=false \
  '-Dit.test=NetworkBrowserIT#fetchNetwork*+wispRelay*' >"$log" 2>&1) \
  || { echo "net-bench: the tests failed, see $log" >&2; exit 1; }
sed -n 's/^\[net-bench\] \([a-z]*\): guest wget of \([0-9]*\) bytes in \([0-9]*\) ms = \([0-9.]*\) MiB\/s$/net_\1_wget \4 MiB\/s \3 ms \2 bytes/p' "$log"

#!/usr/bin/env bash
# The checks a release needs beyond `mvn verify`, run by the README's test command and .ci/run:
#   1. scripts/reproducible-check.sh: the plugin's and its modules' jars (main, -sources, -javadoc)
#      are byte-identical across two builds in two folders;
#   2. scripts/plugin-site.sh: the plugin's goal pages build and list every parameter;
#   3. scripts/matrix.sh: the plugin packages a small image on every JDK (17, 21, 25) × Maven (3.8,
#      3.9 via ./mvnw, 4) this machine has, and Maven 3.6.3 is refused.
# Prints one "release-checks: <check> <seconds> s" line per check and stops at the first failure.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
for check in reproducible-check plugin-site matrix; do
  start=$(date +%s)
  if ! bash "$root/scripts/$check.sh"; then
    echo "release-checks: $check FAILED (see its output above)" >&2
    exit 1
  fi
  echo "release-checks: $check $(( $(date +%s) - start )) s"
done

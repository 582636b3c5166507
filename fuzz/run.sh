#!/usr/bin/env bash
# Fuzzes each Jazzer @FuzzTest for a fixed time, one after the other (the machine is shared).
#   fuzz/run.sh [seconds per target] [module:Class#method ...]
# Without targets, all of them. A crash stops the run with the failing test's report; Jazzer
# saves the crashing input under src/test/resources/<package>/<Class>Inputs/<method>/crash-*,
# where the normal test run (regression mode) replays it: fix the bug, keep the file.
# The growing corpus stays in <module>/.cifuzz-corpus/ (not checked in).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(
    image-builder:DockerfileFuzzTest#parse
    image-builder:DockerIgnoreFuzzTest#parseAndMatch
    image-builder:ImageLoaderFuzzTest#load
    image-builder:ImageLoaderFuzzTest#loadLayer
    chunker:DiskManifestFuzzTest#read
  )
fi
for t in "${targets[@]}"; do
  module="${t%%:*}"
  test="${t#*:}"
  echo "== fuzzing $test ($module) for ${seconds}s"
  JAZZER_FUZZ=1 JAZZER_MAX_DURATION="${seconds}s" \
    mvn -B -q ${MVN_OPTS:-} -pl "$module" test -Dtest="$test" -Dsurefire.failIfNoSpecifiedTests=false \
      -Djacoco.skip=true 2>&1 | grep -v '^INFO: \(Loaded\|Instrumented\)' \
    || { echo "== $test found a problem (see above and $module/target/surefire-reports)"; exit 1; }
done
echo "== no crashes"

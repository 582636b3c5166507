#!/usr/bin/env bash
# Builds the bundled Debian example into a site and serves it on http://127.0.0.1:8080/
# (Debian 12 host, as root). Runs no test. Usage: scripts/run-example.sh [examples/debian|examples/minimal]
# Extra arguments after the example go to the plugin, e.g. -Dwebvm.builder=native.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
example="${1:-examples/debian}"
shift || true
[ -f "$root/$example/pom.xml" ] || { echo "run-example: no example at $example (try examples/debian or examples/minimal)" >&2; exit 2; }

started=$SECONDS
phase_started=$SECONDS
phase=""
timings=()

begin() {
  phase="$1"
  phase_started=$SECONDS
  echo "run-example: [$phase] $2"
}
end() {
  timings+=("$phase $((SECONDS - phase_started)) s")
  echo "run-example: [$phase] done in $((SECONDS - phase_started)) s"
}
# A failing phase says which it was and what to do, then the script exits non-zero.
fail_hint=""
on_error() {
  local rc=$?
  echo "run-example: FAILED in phase '$phase' (exit $rc) after $((SECONDS - started)) s" >&2
  [ -n "$fail_hint" ] && echo "run-example: $fail_hint" >&2
  exit "$rc"
}
trap on_error ERR

begin host-setup "installing the Debian packages and registering qemu-i386 (scripts/setup-host.sh)"
fail_hint="apt-get could not install the packages: check that this is Debian 12, that you are root and that the Debian mirror is reachable, then rerun."
bash "$root/scripts/setup-host.sh"
end

begin base-image "the Debian bookworm i386 base (debootstrapped once, about 3 minutes, then cached in ~/.cache/webvm-maven)"
fail_hint="the base image could not be made: see ~/.cache/webvm-maven/fixtures/*.log; podman must be able to import images (podman info)."
base="$(bash "$root/scripts/base-image.sh")"
end

begin plugin-build "building and installing the plugin (no tests, no integration tests)"
fail_hint="the plugin did not build: rerun with 'mvn -B install -DskipTests -pl webvm-maven-plugin -am' to see the whole log."
# Only the plugin and the modules it needs: it-tests (and its test inputs) are not part of this.
mvn -B -q -f "$root/pom.xml" install -DskipTests -Dinvoker.skip=true -pl webvm-maven-plugin -am
end

begin site-build "building the site of $example"
fail_hint="the site did not build. If podman cannot start containers here, rerun with: bash scripts/run-example.sh $example -Dwebvm.builder=native"
cd "$root/$example"
mvn -B package -Dwebvm.example.base="$base" -Dwebvm.builder=engine "$@"
end

echo "run-example: ready after $((SECONDS - started)) s (${timings[*]/%/;})"
trap - ERR
exec mvn -B io.github.miniwebvm:webvm-maven-plugin:0.1.0-SNAPSHOT:serve

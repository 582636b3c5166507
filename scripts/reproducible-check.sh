#!/usr/bin/env bash
# Builds the plugin jar and the jars of the modules it ships with, as a release builds them (the
# release profile without signing: main, -sources and -javadoc jars), twice, from two copies of
# the working tree in two different folders, at two different times, and compares them byte for
# byte. Every module must have all three.
# Exits 0 and prints "reproducible: N jars identical" when every jar is the same, 1 otherwise
# (listing the entries that differ). project.build.outputTimestamp in the parent POM is what makes
# them so. Usage: scripts/reproducible-check.sh [extra mvn arguments, e.g. -o]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d /tmp/webvm-repro.XXXXXX)"
trap 'rm -rf "$work"' EXIT

copy() { # the tree as a clean clone would have it: no build output, no node_modules
  mkdir -p "$1"
  tar -C "$root" --exclude=./.git --exclude='*/target' --exclude=./target --exclude='*/node_modules' \
      --exclude='.jqwik-database' -cf - . | tar -C "$1" -xf -
}
build() {
  (cd "$1" && mvn -B -q -Prelease -Dgpg.skip -DskipTests -Dinvoker.skip=true "${@:2}" \
      package -pl webvm-maven-plugin -am) > "$1.log" 2>&1 || { cat "$1.log" >&2; echo "reproducible: build in $1 failed" >&2; exit 1; }
}

copy "$work/a"
copy "$work/b-elsewhere"
echo "reproducible: first build ($work/a)"
build "$work/a" "$@"
echo "reproducible: second build ($work/b-elsewhere)"
build "$work/b-elsewhere" "$@"

jars=(webvm-io test-support image-builder chunker emulator-runtime site-template webvm-core webvm-maven-plugin)
failed=0
for m in "${jars[@]}"; do
  a=("$work/a/$m/target/$m"-*.jar)
  for kind in "" -sources -javadoc; do
    ls "$work/a/$m/target/$m"-*"$kind.jar" > /dev/null 2>&1 || { echo "reproducible: no $m$kind jar" >&2; failed=1; }
  done
  for ja in "${a[@]}"; do
    jb="$work/b-elsewhere/$m/target/$(basename "$ja")"
    if cmp -s "$ja" "$jb"; then
      echo "same      $(sha256sum < "$ja" | cut -c1-16)  $(basename "$ja")"
    else
      echo "DIFFERENT $(basename "$ja")"
      diff <(unzip -v "$ja" | awk 'NR>3 {print $8, $7, $5, $6}' | sort) \
           <(unzip -v "$jb" | awk 'NR>3 {print $8, $7, $5, $6}' | sort) | head -20 || true
      failed=1
    fi
  done
done

plugin="$(ls "$work/a/webvm-maven-plugin/target/webvm-maven-plugin"-*.jar | grep -v -e '-sources\.jar$' -e '-javadoc\.jar$')"
for entry in META-INF/maven/plugin.xml META-INF/m2e/lifecycle-mapping-metadata.xml; do
  unzip -l "$plugin" "$entry" > /dev/null || { echo "reproducible: $entry is missing from the plugin jar" >&2; failed=1; }
done

if [ "$failed" -ne 0 ]; then
  echo "reproducible: FAILED"
  exit 1
fi
echo "reproducible: the main, -sources and -javadoc jars of ${#jars[@]} modules identical across two builds"

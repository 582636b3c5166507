#!/usr/bin/env bash
# Builds the bundled Debian example into a site and serves it on http://127.0.0.1:8080/
# (Debian 12 host, as root). Usage: scripts/run-example.sh [examples/debian|examples/minimal]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
example="${1:-examples/debian}"
bash "$root/scripts/setup-host.sh"
base="$(bash "$root/scripts/base-image.sh")"
echo "run-example: building the plugin"
mvn -B -q -f "$root/pom.xml" install -DskipTests
cd "$root/$example"
mvn -B package -Dwebvm.example.base="$base" -Dwebvm.builder=engine
exec mvn -B -q io.github.miniwebvm:webvm-maven-plugin:0.1.0-SNAPSHOT:serve

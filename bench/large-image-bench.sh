#!/usr/bin/env bash
# The large image: Debian with python3, nodejs, gcc, clang and curl (the tools of WebVM's flagship
# disk, debian_large, a 2000M image), built FROM the local debootstrapped base by the plugin with
# its default configuration (builder auto, automatic image size, build-time snapshot), then visited
# cold in headless Chromium (bench/lib/serve.py + bench/lib/browse.mjs, fresh profile). Then the same
# project at -Dwebvm.imageSize=4G with MAVEN_OPTS=-Xmx256m (and no snapshot): the build's memory
# must not follow the image size.
# Prints one line per figure:  name value unit
#   large_build_time          mvn package, Dockerfile → site (apt-get included, empty layer cache)
#   large_build_peak_rss      /usr/bin/time -v: the largest process of the build (Maven's JVM, or
#                             Node booting the guest for the snapshot)
#   large_disk_bytes          the ext2 image (automatic size)
#   large_site_bytes          du -sb --apparent-size of the site
#   large_site_files          files in the site
#   large_time_to_prompt      navigation → shell prompt, cold visit
#   large_bytes_before_prompt bytes the host sent until the prompt, cold visit
#   large_4g_xmx256m          ok when the 4 GiB build with a 256 MiB heap succeeded, else failed
#   large_4g_build_time       its wall time (the image is already in the layer cache)
#   large_4g_peak_rss         its peak RSS (Maven's JVM)
# Usage (as root, with the Debian mirror reachable for apt-get): bench/large-image-bench.sh
# Work files go to ${BENCH_WORK:-bench/target/large-image}; the plugin is installed into the
# private Maven repository bench/target/m2 (as bench/run-all does), never into ~/.m2.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
bench="$repo/bench"
# shellcheck source=../scripts/lib/plugin-project.sh
. "$repo/scripts/lib/plugin-project.sh"
work="${BENCH_WORK:-$bench/target/large-image}"
for tool in jq node python3 podman mvn /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "large-image-bench: $tool missing (scripts/setup-host.sh)" >&2; exit 1; }
done
[ -d "$bench/node_modules/ws" ] || (cd "$bench" && npm ci --no-audit --no-fund >&2)
say() { echo "large-image-bench: $*" >&2; }

m2="$bench/target/m2"
mkdir -p "$m2"
if [ -d "$HOME/.m2/repository" ]; then
  (cd "$HOME/.m2/repository" && find . -path ./io/github/miniwebvm -prune -o -type f -print \
     | cpio -pdm --quiet "$m2" 2>/dev/null) || true
fi
rm -rf "$m2/io/github/miniwebvm" "$work"
mkdir -p "$work/project"
say "mvn install -DskipTests into $m2 (not timed)"
(cd "$repo" && mvn -B -q -Dmaven.repo.local="$m2" -pl webvm-maven-plugin -am install -DskipTests >"$work/install.log" 2>&1) \
  || { say "install failed, see $work/install.log"; exit 1; }

say "base: the debootstrapped fixture as an OCI archive (not timed)"
base_ref="$(bash "$repo/scripts/base-image.sh")"
podman save --quiet --format oci-archive -o "$work/base.oci.tar" "$base_ref"
version="$(sed -n '0,/<version>/s:.*<version>\(.*\)</version>.*:\1:p' "$repo/pom.xml")"

cat >"$work/project/Dockerfile" <<'EOF'
ARG BASE
FROM ${BASE}
ARG DEBIAN_FRONTEND=noninteractive
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 nodejs gcc clang curl ca-certificates \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/cache/apt/archives/*.deb
WORKDIR /root
CMD ["/bin/bash", "--login"]
EOF
write_plugin_project "$work/project/pom.xml" large-image "$version" "\
          <buildArgs><BASE>oci-archive:$work/base.oci.tar</BASE></buildArgs>
          <!-- an empty layer cache of its own: apt-get runs in the timed build -->
          <cacheDirectory>$work/cache</cacheDirectory>"
# the boot kit's Debian packages come from the shared cache, as in any user's second project
mkdir -p "$work/cache"
[ -d "$HOME/.cache/webvm-maven/debian" ] && cp -al "$HOME/.cache/webvm-maven/debian" "$work/cache/debian"

package() { # LOG [mvn args…]: mvn package in the project under /usr/bin/time -v
  local log="$1"; shift
  (cd "$work/project" && /usr/bin/time -v -o "$log.time" \
     mvn -B -Dstyle.color=never -Dmaven.repo.local="$m2" package "$@" >"$log" 2>&1)
}
wall() { awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i]; printf "%.1f", s }' "$1.time"; }
rss() { awk -F': ' '/Maximum resident set size/ { printf "%.1f", $2 / 1024 }' "$1.time"; }

say "build with the default configuration (apt-get from the Debian mirror)"
package "$work/build.log" || { say "build failed, see $work/build.log"; exit 1; }
site="$work/project/target/webvm-site"
echo "large_build_time $(wall "$work/build.log") s"
echo "large_build_peak_rss $(rss "$work/build.log") MiB"
echo "large_disk_bytes $(stat -c %s "$work/project/target/webvm/rootfs.ext2") B"
echo "large_site_bytes $(du -sb --apparent-size "$site" | cut -f1) B"
echo "large_site_files $(find "$site" -type f | wc -l) files"

coproc SERVER { exec python3 "$bench/lib/serve.py" "$site" --log "$work/serve.log"; }
server_pid=$SERVER_PID
read -r port <&"${SERVER[0]}"
node "$bench/lib/browse.mjs" --url "http://127.0.0.1:$port/" --server-log "$work/serve.log" \
  --out "$work/visit.json" --visits cold --timeout "${BENCH_TIMEOUT:-300}" 2>"$work/visit.log" \
  || say "the site did not reach the prompt, see $work/visit.log"
kill "$server_pid" 2>/dev/null || true
wait "$server_pid" 2>/dev/null || true
ms="$(jq -r '.visits.cold.promptMs // empty' "$work/visit.json" 2>/dev/null || true)"
echo "large_time_to_prompt $(awk -v m="$ms" 'BEGIN { if (m == "") print "n/a"; else printf "%.2f", m / 1000 }') s"
echo "large_bytes_before_prompt $(jq -r '.visits.cold.beforePrompt.bytes // "n/a"' "$work/visit.json" 2>/dev/null || echo n/a) B"

say "the same project at imageSize=4G with MAVEN_OPTS=-Xmx256m, no snapshot"
if MAVEN_OPTS=-Xmx256m package "$work/build-4g.log" -Dwebvm.imageSize=4G -Dwebvm.snapshot=false \
     -Dwebvm.outputDirectory=target/site-4g -Dwebvm.workDirectory=target/work-4g; then
  echo "large_4g_xmx256m ok -"
else
  echo "large_4g_xmx256m failed -"
  say "see $work/build-4g.log"
fi
echo "large_4g_build_time $(wall "$work/build-4g.log") s"
echo "large_4g_peak_rss $(rss "$work/build-4g.log") MiB"

#!/usr/bin/env bash
# Runs the plugin on every JDK × Maven combination this machine has, and checks that a Maven older
# than the plugin's prerequisite stops with a clear message.
#
#   JDKs:   17, 21 and 25 from /usr/lib/jvm (or JDK17/JDK21/JDK25=path); a missing one is reported
#           as "no JDK", or fails the run when MATRIX_REQUIRE_ALL=1 (CI with all JDKs installed)
#   Mavens: the system mvn (3.8 on Debian 12), the wrapper's pinned 3.9 (./mvnw), and Maven 4
#           (MAVEN4_VERSION); 3.6.3 for the "too old" check. Binary distributions come from Maven
#           Central once and are cached in ~/.cache/webvm-maven/mavens.
#
# The "example package" per combination: a project declaring the plugin, packaging a small i386
# root file system (busybox-free: dash, ls and /etc of the cached Debian base) into a v86 site,
# without the build-time snapshot — the whole pipeline but the Dockerfile build, under 2 minutes.
# The plugin is built once (JDK 17, no tests) and installed into a private local repository under
# $work; everything else is read from ~/.m2/repository as a file:// repository, never written to it.
#
# Prints a table "JDK  Maven  result" and exits non-zero if a combination failed.
# Usage: scripts/matrix.sh   (as root on Debian 12 after scripts/setup-host.sh; network for Maven
# Central the first time)
set -euo pipefail
shopt -s inherit_errexit
root="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=lib/plugin-project.sh
. "$root/scripts/lib/plugin-project.sh"
cache="${WEBVM_CACHE:-$HOME/.cache/webvm-maven}/mavens"
work="$(mktemp -d /tmp/webvm-matrix.XXXXXX)"
trap 'rm -rf "$work"' EXIT
MAVEN4_VERSION="${MAVEN4_VERSION:-4.0.0-rc-4}"
OLD_MAVEN_VERSION=3.6.3
central=https://repo.maven.apache.org/maven2/org/apache/maven/apache-maven
version="$(sed -n 's:^  <version>\(.*\)</version>:\1:p' "$root/pom.xml" | head -1)"

jdk_home() { # 17 → its JAVA_HOME, or nothing
  local var="JDK$1" d
  if [ -n "${!var:-}" ]; then echo "${!var}"; return; fi
  for d in /usr/lib/jvm/java-"$1"-openjdk-* /usr/lib/jvm/temurin-"$1"-jdk-* /usr/lib/jvm/jdk-"$1"*; do
    if [ -x "$d/bin/java" ]; then echo "$d"; return; fi
  done
}

maven_home() { # version → MAVEN_HOME (downloaded from Maven Central once, checked against its .sha512)
  local v="$1" dir="$cache/apache-maven-$1"
  if [ ! -x "$dir/bin/mvn" ]; then
    mkdir -p "$cache"
    local tgz="$cache/apache-maven-$v-bin.tar.gz"
    curl -sSfL -o "$tgz.part" "$central/$v/apache-maven-$v-bin.tar.gz"
    local sum # Central has .sha512 files for newer releases, .sha1 for all
    if sum="$(curl -sSfL "$central/$v/apache-maven-$v-bin.tar.gz.sha512" 2>/dev/null)"; then
      echo "${sum:0:128}  $tgz.part" | sha512sum -c --quiet
    else
      sum="$(curl -sSfL "$central/$v/apache-maven-$v-bin.tar.gz.sha1")"
      echo "${sum:0:40}  $tgz.part" | sha1sum -c --quiet
    fi
    tar -C "$cache" -xzf "$tgz.part"
    rm -f "$tgz.part"
  fi
  echo "$dir"
}

# ~/.m2/repository as a read-only remote, a private local repository for everything written
m2="${MATRIX_M2:-$HOME/.m2/repository}"
cat > "$work/settings.xml" <<EOF
<settings>
  <profiles>
    <profile>
      <id>m2-as-remote</id>
      <activation><activeByDefault>true</activeByDefault></activation>
      <repositories>
        <repository><id>user-m2</id><url>file://$m2</url>
          <releases><enabled>true</enabled></releases><snapshots><enabled>false</enabled></snapshots></repository>
      </repositories>
      <pluginRepositories>
        <pluginRepository><id>user-m2</id><url>file://$m2</url>
          <releases><enabled>true</enabled></releases><snapshots><enabled>false</enabled></snapshots></pluginRepository>
      </pluginRepositories>
    </profile>
  </profiles>
</settings>
EOF
repo="$work/repo"

echo "matrix: building the plugin $version into $repo (JDK 17, no tests)"
jdk17="$(jdk_home 17)"
[ -n "$jdk17" ] || { echo "matrix: JDK 17 is needed to build the plugin" >&2; exit 2; }
(cd "$root" && JAVA_HOME="$jdk17" mvn -B -q -s "$work/settings.xml" -Dmaven.repo.local="$repo" \
    -DskipTests -Dinvoker.skip=true install -pl webvm-maven-plugin -am) > "$work/build.log" 2>&1 \
  || { tail -50 "$work/build.log" >&2; echo "matrix: the plugin did not build" >&2; exit 1; }

echo "matrix: the example's root file system (from the cached Debian base, scripts/fixture-base.sh)"
base_dir="$(bash "$root/scripts/fixture-base.sh" dir)"
tar -C "$base_dir" --numeric-owner -cf "$work/rootfs.tar" ./etc ./bin ./usr/bin/dash ./usr/bin/ls
mkdir -p "$work/example"
write_plugin_project "$work/example/pom.xml" matrix-example "$version" "\
          <image>$work/rootfs.tar</image>
          <imageSize>16M</imageSize>
          <snapshot>false</snapshot>
          <container><entrypoint><entry>/usr/bin/dash</entry></entrypoint></container>"

mavens=("3.8:system:$(command -v mvn || true)" "3.9:wrapper:$root/mvnw" "4:$MAVEN4_VERSION:")
results=()
failed=0
run_one() { # jdk-label java_home maven-label mvn-command...
  local jl="$1" jh="$2" ml="$3"; shift 3
  local log="$work/run-$jl-$ml.log" start=$SECONDS
  rm -rf "$work/example/target"
  if (cd "$work/example" && JAVA_HOME="$jh" PATH="$jh/bin:$PATH" MAVEN_ARGS= "$@" -B -s "$work/settings.xml" \
        -Dmaven.repo.local="$repo" package) > "$log" 2>&1 \
     && grep -q "webvm: site ready in" "$log" \
     && [ -f "$work/example/target/webvm-site/webvm.json" ] && [ -f "$work/example/target/webvm/rootfs.ext2" ]; then
    local mv jv
    mv="$(sed -n 's/^.*Apache Maven \([0-9][^ ]*\).*$/\1/p' "$work/mvn-v-$ml.txt" | head -1)"
    jv="$(sed -n 's/^Java version: \([^,]*\),.*$/\1/p' "$work/mvn-v-$ml.txt" | head -1)"
    results+=("$jl ($jv)|$ml ($mv)|ok: site built, $((SECONDS - start)) s")
  else
    results+=("$jl|$ml|FAILED (log: $(tail -3 "$log" | tr '\n' ' ' | cut -c1-200))")
    failed=1
  fi
}

for jv in 17 21 25; do
  jh="$(jdk_home "$jv")"
  for m in "${mavens[@]}"; do
    ml="${m%%:*}"; rest="${m#*:}"; kind="${rest%%:*}"; cmd="${rest#*:}"
    if [ "$kind" != system ] && [ "$kind" != wrapper ]; then cmd="$(maven_home "$kind")/bin/mvn"; fi
    if [ -z "$jh" ]; then
      results+=("JDK $jv|Maven $ml|no JDK $jv on this machine")
      [ "${MATRIX_REQUIRE_ALL:-0}" = 1 ] && failed=1
      continue
    fi
    [ -n "$cmd" ] || { results+=("JDK $jv|Maven $ml|no mvn on PATH"); failed=1; continue; }
    JAVA_HOME="$jh" "$cmd" -B -v > "$work/mvn-v-Maven $ml.txt" 2>&1 || true
    echo "matrix: JDK $jv × Maven $ml"
    run_one "JDK $jv" "$jh" "Maven $ml" "$cmd"
  done
done

# an older Maven than the prerequisite: must stop, naming the version it needs
echo "matrix: JDK 17 × Maven $OLD_MAVEN_VERSION (older than the plugin's prerequisite)"
old="$(maven_home "$OLD_MAVEN_VERSION")/bin/mvn"
if (cd "$work/example" && JAVA_HOME="$jdk17" "$old" -B -s "$work/settings.xml" -Dmaven.repo.local="$repo" package) \
     > "$work/old.log" 2>&1; then
  results+=("JDK 17|Maven $OLD_MAVEN_VERSION|FAILED: built although older than 3.8.1"); failed=1
elif msg="$(grep -o "requires Maven version [0-9.]*" "$work/old.log" | head -1)" && [ -n "$msg" ]; then
  results+=("JDK 17|Maven $OLD_MAVEN_VERSION|refused as expected: \"$(grep -o "The plugin [^ ]* requires Maven version [0-9.]*" "$work/old.log" | head -1)\"")
else
  results+=("JDK 17|Maven $OLD_MAVEN_VERSION|FAILED without the version message: $(grep ERROR "$work/old.log" | head -2 | tr '\n' ' ' | cut -c1-200)")
  failed=1
fi

printf '\n| JDK | Maven | result |\n| --- | --- | --- |\n'
for r in "${results[@]}"; do printf '| %s |\n' "${r//|/ | }"; done
[ "$failed" -eq 0 ] && echo "matrix: ok" || echo "matrix: FAILED"
exit "$failed"

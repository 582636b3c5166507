#!/usr/bin/env bash
# What the RUN sandbox costs (not a test). Runs a trivial RUN step (`/bin/sh -c true` of the Debian
# i386 fixture, through qemu-i386 binfmt) RUNS times (default 15, alternating) in
#   ours: the bubblewrap sandbox exactly as the native builder starts it (SandboxRun.command), and
#   ref:  the mount-namespace chroot the native builder used before (unshare --mount, /proc, a /dev
#         of bind-mounted nodes, chroot + setuid by unshare), which isolated far less,
# and prints one line:  name ratio ours ref unit  (median wall time of one step; ratio = ours / ref).
# The Debian example has two RUN steps, so its native build pays about twice the difference.
# Needs root, bubblewrap, util-linux, qemu-i386 binfmt (scripts/setup-host.sh), maven.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
runs="${RUNS:-15}"
work="$root/image-builder/target/bench-sandbox"
mkdir -p "$work"
fixture="$(bash "$root/scripts/fixture-base.sh" dir)"
rootfs="$work/rootfs"
rm -rf "$rootfs" && cp -a "$fixture" "$rootfs"

# the sandbox's command line, from the code itself
mvn -B -q -o -f "$root/pom.xml" -pl image-builder -am compile >/dev/null
cat > "$work/PrintCommand.java" <<'JAVA'
package io.github.miniwebvm.dockerfile;
public class PrintCommand {
    public static void main(String[] a) throws Exception {
        for (String s : SandboxRun.command(java.nio.file.Path.of(a[0]), java.util.List.of("/bin/sh", "-c", "true"),
                "/", 0, 0, RunOptions.DEFAULT)) System.out.print(s + "\0");
    }
}
JAVA
javac -d "$work/classes" -cp "$root/image-builder/target/classes:$root/webvm-io/target/classes" "$work/PrintCommand.java"
java -cp "$work/classes:$root/image-builder/target/classes:$root/webvm-io/target/classes" io.github.miniwebvm.dockerfile.PrintCommand "$rootfs" > "$work/command"
mapfile -d '' ours < "$work/command"

setup='set -e; R="$1"; shift
/bin/mount -t proc proc "$R/proc"
/bin/mount -t tmpfs -o mode=755,nosuid devtmp "$R/dev"
for d in null zero full random urandom tty; do : > "$R/dev/$d"; /bin/mount --bind "/dev/$d" "$R/dev/$d"; done
/bin/mount --rbind /sys "$R/sys" && /bin/mount -o remount,bind,ro "$R/sys" 2>/dev/null || true
exec /usr/bin/setarch i686 /usr/bin/unshare --root="$R" --wd=/ --setgid=0 --setuid=0 -- "$@"'
ref=(/usr/bin/unshare --mount --propagation private --fork /bin/sh -c "$setup" webvm-run "$rootfs" /bin/sh -c true)

ms() { local t0 t1; t0=$(date +%s%N); "$@" >/dev/null 2>&1; t1=$(date +%s%N); echo $(((t1 - t0) / 1000000)); }
"${ours[@]}" >/dev/null 2>&1 && "${ref[@]}" >/dev/null 2>&1   # warm the page cache for both
o=(); r=()
for _ in $(seq "$runs"); do
  o+=("$(ms "${ours[@]}")")
  r+=("$(ms "${ref[@]}")")
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
mo=$(median "${o[@]}"); mr=$(median "${r[@]}")
awk -v o="$mo" -v r="$mr" 'BEGIN { printf "run_step_sandbox %.2f %d %d ms\n", o / r, o, r }'

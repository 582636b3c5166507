#!/usr/bin/env bash
# Test-only stand-in for the Java boot kit (branch wip/bootkit): assembles bios.bin, vmlinuz and
# a busybox initramfs from Debian bookworm i386 packages, as research/v86-boot.md did.
# Cached under ${WEBVM_CACHE:-~/.cache/webvm-maven}/test-bootkit; prints that directory.
# The initramfs /init mounts /dev/sda (ext2) and runs, on ttyS0 in a respawn loop, a login shell
# as the uid/gid and in the directory given on the kernel command line:
#   webvm.uid=N webvm.gid=N webvm.cwd=/path
set -euo pipefail
cache="${WEBVM_CACHE:-$HOME/.cache/webvm-maven}/test-bootkit"
mirror=http://deb.debian.org/debian
mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9
if [ -f "$cache/initrd.img" ] && [ -f "$cache/vmlinuz" ] && [ -f "$cache/bios.bin" ]; then
  echo "$cache"; exit 0
fi
work="$cache/work"
rm -rf "$work"; mkdir -p "$work/debs"
cd "$work"
curl -fsS "$mirror/dists/bookworm/main/binary-i386/Packages.xz" | xz -d > Packages
pkgfile() { # newest Filename: of package $1
  awk -v p="$1" '$1=="Package:"{n=$2} $1=="Filename:" && n==p {print $2}' Packages | tail -1
}
kpkg=$(awk '$1=="Package:" && $2 ~ /^linux-image-6\.1\.0-[0-9]+-686$/ {print $2}' Packages | sort -V | tail -1)
[ -n "$kpkg" ] || { echo "test-bootkit: no linux-image-*-686 in Packages" >&2; exit 1; }
for p in "$kpkg" busybox-static; do
  f=$(pkgfile "$p"); curl -fsS -o "debs/$(basename "$f")" "$mirror/$f"
done
mkdir -p kpkg bb
dpkg-deb -x debs/linux-image-*.deb kpkg
dpkg-deb -x debs/busybox-static_*.deb bb
kver=$(ls kpkg/lib/modules)
root=initrd
mkdir -p $root/bin $root/lib/modules $root/dev $root/proc $root/sys $root/newroot
cp bb/bin/busybox $root/bin/busybox
for m in scsi_common scsi_mod libata ata_piix crct10dif_common crct10dif_generic crc-t10dif crc64 \
         crc64_rocksoft_generic crc64-rocksoft t10-pi sd_mod crc16 mbcache jbd2 crc32c_generic libcrc32c ext4; do
  f=$(find kpkg/lib/modules/"$kver" -name "$m.ko*" | head -1)
  [ -n "$f" ] || { echo "test-bootkit: module $m missing" >&2; exit 1; }
  case "$f" in
    *.ko.xz) xz -dc "$f" > "$root/lib/modules/$m.ko" ;;
    *.ko.zst) zstd -qdc "$f" > "$root/lib/modules/$m.ko" ;;
    *) cp "$f" "$root/lib/modules/$m.ko" ;;
  esac
  echo "$m" >> "$root/lib/modules/order"
done
cat > $root/init <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t devtmpfs dev /dev
mount -t proc proc /proc
mount -t sysfs sys /sys
for m in $(cat /lib/modules/order); do insmod /lib/modules/$m.ko 2>/dev/null; done
uid=0; gid=0; cwd=/root
for a in $(cat /proc/cmdline); do
  case "$a" in webvm.uid=*) uid=${a#*=};; webvm.gid=*) gid=${a#*=};; webvm.cwd=*) cwd=${a#*=};; esac
done
i=0; while [ ! -b /dev/sda ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
mount -t ext2 -o rw /dev/sda /newroot || { echo "init: cannot mount /dev/sda"; exec sh; }
mount --move /dev /newroot/dev
umount /proc /sys
cat > /newroot/run/webvm-shell <<SH
#!/bin/sh
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t tmpfs tmp /tmp 2>/dev/null
mkdir -p /dev/pts; mount -t devpts devpts /dev/pts
while true; do
  cd "$cwd"
  setsid -c setpriv --reuid=$uid --regid=$gid --init-groups env -i TERM=xterm PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin HOME="$cwd" bash -l </dev/ttyS0 >/dev/ttyS0 2>&1
done
SH
chmod 755 /newroot/run/webvm-shell
exec switch_root /newroot /run/webvm-shell
INIT
chmod 755 $root/init
(cd $root && find . | sort | cpio -o -H newc --quiet | gzip -9 -n) > "$cache/initrd.img.part"
cp kpkg/boot/vmlinuz-"$kver" "$cache/vmlinuz"
cp /usr/share/seabios/bios.bin "$cache/bios.bin"
echo "$kver" > "$cache/kernel-version"
mv "$cache/initrd.img.part" "$cache/initrd.img"
rm -rf "$work"
echo "$cache"

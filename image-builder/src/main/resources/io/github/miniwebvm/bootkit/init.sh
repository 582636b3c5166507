#!/bin/sh
# /init of the WebVM initramfs, run by busybox as PID 1: loads the disk and ext2 modules listed
# in /webvm/modules, mounts the root disk (root= on the kernel command line, read-write) and
# hands over to /webvm/launcher, which becomes PID 1 of the root filesystem. busybox, the
# launcher and the command go along in /dev/.webvm (devtmpfs), so the image needs no shell.
/bin/busybox mkdir -p /proc /sys /dev /newroot
/bin/busybox mount -t proc proc /proc
/bin/busybox --install -s /bin
export PATH=/bin
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null

root=/dev/sda
rootfstype=
rootflags=rw
rootwait=30
tty=ttyS0
next=/dev/.webvm/launcher
for arg in $(cat /proc/cmdline); do
  case $arg in
    root=*) root=${arg#root=} ;;
    rootfstype=*) rootfstype=${arg#rootfstype=} ;;
    rootflags=*) rootflags=rw,${arg#rootflags=} ;;
    ro) rootflags=ro ;;
    webvm.rootwait=*) rootwait=${arg#webvm.rootwait=} ;;
    webvm.tty=*) tty=${arg#webvm.tty=} ;;
    init=*|rinit=*) next=${arg#*init=} ;;
  esac
done

rescue() {
  echo "webvm-init: $*"
  echo "webvm-init: starting a rescue shell on /dev/$tty (busybox)"
  while :; do setsid -c sh <>"/dev/$tty" >&0 2>&1; done
}

# The disk controller's driver is loaded last: every module before it leaves the disk alone.
disk_driver=ata_piix
while read -r module; do
  [ -n "$module" ] && [ "$module" != "$disk_driver" ] && insmod "/lib/modules/$module.ko"
done </webvm/modules

# The build's boot state cache: with webvm.pause=disk the machine was booted from the common part
# of this initramfs alone, and is saved here, before the disk is touched, to serve every image of
# the boot kit. The build then sends the image's part (an uncompressed cpio with /webvm/command)
# in base64 on the control channel, ended by a line "end".
case " $(cat /proc/cmdline) " in
  *" webvm.pause=disk "*)
    # open before telling the build: what arrives on a port nobody has open is dropped
    exec 3</dev/ttyS1
    echo "webvm:pause"
    while read -r line <&3 && [ "$line" != end ]; do echo "$line"; done | base64 -d | cpio -i -d -u 2>/dev/null
    exec 3<&-
    [ -s /webvm/command ] || rescue "the image's part of the initramfs did not arrive on ttyS1"
    ;;
esac

! grep -qx "$disk_driver" /webvm/modules || insmod "/lib/modules/$disk_driver.ko"

tries=$((rootwait * 10))
while [ ! -b "$root" ]; do
  [ "$tries" -gt 0 ] || rescue "root device $root did not appear within ${rootwait}s"
  tries=$((tries - 1))
  usleep 100000
done
mount ${rootfstype:+-t "$rootfstype"} -o "$rootflags" "$root" /newroot || rescue "cannot mount $root on /newroot"

[ -d /newroot/dev ] || mkdir /newroot/dev || rescue "the root filesystem has no /dev and it cannot be created"
mount --move /dev /newroot/dev || rescue "cannot move /dev into the root filesystem"
mkdir -p /newroot/dev/.webvm
cp /bin/busybox /webvm/launcher /webvm/command /newroot/dev/.webvm/ || rescue "cannot copy the launcher to /dev/.webvm"
# the network card's driver, for the launcher to load when the page has a network
[ ! -d /webvm/net ] || cp -r /webvm/net /webvm/net-modules /newroot/dev/.webvm/
umount /sys
umount /proc
if [ "$next" = /dev/.webvm/launcher ]; then
  exec switch_root /newroot /dev/.webvm/busybox sh /dev/.webvm/launcher
fi
exec switch_root /newroot "$next"

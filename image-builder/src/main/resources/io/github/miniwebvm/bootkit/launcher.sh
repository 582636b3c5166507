# The WebVM guest launcher: PID 1 of the root filesystem, run by the busybox copied to
# /dev/.webvm. It mounts /proc, /sys, /dev/pts and /tmp, then runs the image's command
# (/dev/.webvm/command) on the serial console with a controlling terminal, and starts it again
# whenever it exits. It prints "webvm:ready" right before each start.
#
# Everything is a function in plain POSIX sh, so that tests can source this file with
# WEBVM_LAUNCHER_LIB=1 and run the functions with any /bin/sh.

webvm_dir=${webvm_dir:-/dev/.webvm}
webvm_bb=${webvm_bb:-$webvm_dir/busybox}
webvm_default_path=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

# Prints the file execvp would run for program $1 with PATH $2 (the command's PATH, not ours).
webvm_find_program() {
  case $1 in
    */*) printf '%s\n' "$1"; return 0 ;;
  esac
  set -f
  _wfp_ifs=$IFS
  IFS=:
  for _wfp_dir in $2; do
    [ -n "$_wfp_dir" ] || _wfp_dir=.
    if [ -f "$_wfp_dir/$1" ] && [ -x "$_wfp_dir/$1" ]; then
      IFS=$_wfp_ifs
      set +f
      printf '%s\n' "$_wfp_dir/$1"
      return 0
    fi
  done
  IFS=$_wfp_ifs
  set +f
  printf '%s\n' "$1"
  return 1
}

# Prints the home directory of uid $1 from the passwd file $2 (default /etc/passwd), or /.
webvm_home() {
  _wh_file=${2:-/etc/passwd}
  if [ -r "$_wh_file" ]; then
    while IFS=: read -r _wh_name _wh_pw _wh_uid _wh_gid _wh_gecos _wh_home _wh_shell; do
      if [ "$_wh_uid" = "$1" ] && [ -n "$_wh_home" ]; then
        printf '%s\n' "$_wh_home"
        return 0
      fi
    done <"$_wh_file"
  fi
  printf '/\n'
}

# Usage: webvm_resolve CALLBACK N ENV_1 .. ENV_N PROGRAM ARGS...
# Calls CALLBACK with the final environment (HOME added from the passwd file when missing, as
# Docker does) followed by PROGRAM resolved through the command's PATH, then ARGS unchanged.
webvm_resolve() {
  _wr_callback=$1
  _wr_n=$2
  shift 2
  _wr_path=$webvm_default_path
  _wr_home=
  _wr_i=0
  for _wr_a; do
    [ "$_wr_i" -lt "$_wr_n" ] || break
    case $_wr_a in
      PATH=*) _wr_path=${_wr_a#PATH=} ;;
      HOME=*) _wr_home=set ;;
    esac
    _wr_i=$((_wr_i + 1))
  done
  _wr_i=0
  for _wr_a; do
    if [ "$_wr_i" -eq "$_wr_n" ]; then
      [ -n "$_wr_home" ] || set -- "$@" "HOME=$(webvm_home "$webvm_uid" "$webvm_passwd")"
      set -- "$@" "$(webvm_find_program "$_wr_a" "$_wr_path")"
    else
      set -- "$@" "$_wr_a"
    fi
    _wr_i=$((_wr_i + 1))
  done
  shift "$_wr_i"
  "$_wr_callback" "$@"
}

# Replaces the shell with the command: a new session whose controlling terminal is stdin, the
# command's uid/gid (no supplementary groups), a clean environment of exactly "$@"'s K=V entries.
webvm_exec() {
  exec "$webvm_bb" setsid -c "$webvm_bb" nsenter -F -S "$webvm_uid" -G "$webvm_gid" "$webvm_bb" env -i "$@"
}

# Reads webvm.* parameters from the kernel command line $1.
webvm_parse_cmdline() {
  for _wpc_a in $1; do
    case $_wpc_a in
      webvm.tty=*) webvm_tty=${_wpc_a#webvm.tty=} ;;
      webvm.rows=*) webvm_rows=${_wpc_a#webvm.rows=} ;;
      webvm.cols=*) webvm_cols=${_wpc_a#webvm.cols=} ;;
      webvm.control=*) webvm_control=${_wpc_a#webvm.control=} ;;
      webvm.net=*) webvm_net=${_wpc_a#webvm.net=} ;;
    esac
  done
}

# One run of the command, in a subshell: the console on stdin/out/err, the terminal size (the
# kernel command line's, first start only),
# the working directory, the readiness marker, then exec.
webvm_child() {
  exec <>"/dev/$webvm_tty" >&0 2>&1
  if [ -n "$webvm_rows" ] || [ -n "$webvm_cols" ]; then
    "$webvm_bb" stty ${webvm_rows:+rows "$webvm_rows"} ${webvm_cols:+cols "$webvm_cols"}
  fi
  cd "$webvm_cwd" 2>/dev/null || { echo "webvm: working directory $webvm_cwd not found, using /"; cd /; }
  echo "webvm:ready"
  webvm_command webvm_resolve webvm_exec
}

# The page's control channel (webvm.control=ttyS1): one request per line, each answered with one
# line. "drop": write back and drop the page cache (before a snapshot is taken); "sync": write
# back, superblock included (before the page exports the disk); "time SECONDS":
# set the clock; "size ROWS COLS": set the console's window size (the foreground program gets
# SIGWINCH). Runs as root in the background; unknown requests get "webvm:error".
# Writes the root filesystem's superblock with its current free counts: ext2 without a journal
# only does that on freeze or unmount, so a frozen-and-thawed root is what e2fsck finds clean.
webvm_commit_root() {
  "$webvm_bb" fsfreeze --freeze / 2>/dev/null && "$webvm_bb" fsfreeze --unfreeze /
  return 0
}

webvm_control_loop() {
  exec <>"/dev/$1" >&0 2>&1
  "$webvm_bb" stty raw -echo
  while read -r _wcl_req _wcl_a _wcl_b; do
    case $_wcl_req in
      drop) "$webvm_bb" sync; echo 3 >/proc/sys/vm/drop_caches && echo "webvm:dropped" ;;
      sync) "$webvm_bb" sync && webvm_commit_root && echo "webvm:synced" ;;
      time) "$webvm_bb" date -s "@$_wcl_a" >/dev/null && echo "webvm:time $_wcl_a" ;;
      size) "$webvm_bb" stty -F "/dev/$webvm_tty" rows "$_wcl_a" cols "$_wcl_b" && echo "webvm:size $_wcl_a $_wcl_b" ;;
      net) echo "webvm:net $(webvm_net_up 2>&1 | "$webvm_bb" tail -n 1)" ;;
      *) echo "webvm:error $_wcl_req" ;;
    esac
  done
}

# Brings up the network card the page gave v86: loads its driver (from /dev/.webvm/net, put
# there by /init), then asks for an address with DHCP (v86's fetch and Wisp adapters answer it
# themselves: 192.168.86.100/24, router and DNS 192.168.86.1; a wss:// relay answers through the
# relay). Prints one line saying what it got. Loading the driver only now keeps it out of a
# build-time snapshot, whose card would have another MAC address.
webvm_net_up() {
  if [ -f "$webvm_dir/net-modules" ]; then
    while read -r _wnu_m; do
      [ -z "$_wnu_m" ] || "$webvm_bb" insmod "$webvm_dir/net/$_wnu_m.ko" 2>/dev/null
    done <"$webvm_dir/net-modules"
  fi
  _wnu_if=
  for _wnu_d in /sys/class/net/*; do
    case ${_wnu_d##*/} in lo|\*) ;; *) _wnu_if=${_wnu_d##*/}; break ;; esac
  done
  if [ -z "$_wnu_if" ]; then
    echo "webvm: network: no network card found"
    return 1
  fi
  "$webvm_bb" ip link set lo up 2>/dev/null
  "$webvm_bb" ip link set "$_wnu_if" up
  "$webvm_bb" cat >"$webvm_dir/udhcpc.script" <<EOS
#!$webvm_bb sh
bb=$webvm_bb
case \$1 in
  deconfig) \$bb ip -4 addr flush dev "\$interface"; \$bb ip link set "\$interface" up ;;
  bound|renew)
    \$bb ifconfig "\$interface" "\$ip" netmask "\${subnet:-255.255.255.0}" up
    while \$bb route del default 2>/dev/null; do :; done
    for r in \$router; do \$bb route add default gw "\$r" dev "\$interface"; break; done
    if [ -n "\$dns" ]; then
      for d in \$dns; do echo "nameserver \$d"; done >/etc/.resolv.conf.webvm && \$bb mv -f /etc/.resolv.conf.webvm /etc/resolv.conf
    fi
    echo "webvm: network \$interface \$ip, router \${router:-none}, dns \${dns:-none}" ;;
esac
EOS
  "$webvm_bb" chmod 755 "$webvm_dir/udhcpc.script"
  "$webvm_bb" udhcpc -i "$_wnu_if" -s "$webvm_dir/udhcpc.script" -f -q -n -t 3 -T 2 2>&1 | "$webvm_bb" grep '^webvm:' \
    || { echo "webvm: network: no DHCP answer on $_wnu_if"; return 1; }
}

webvm_mount() { # TYPE DIR OPTIONS
  [ -d "$2" ] || "$webvm_bb" mkdir -p "$2" || return
  "$webvm_bb" mount -t "$1" -o "$3" "$1" "$2" || echo "webvm: cannot mount $1 on $2"
}

# /data: the page's files (v86's 9p filesystem, mount tag host9p), open to every user like /tmp.
# Quietly absent when the kernel has no 9p or the emulator offers no such device.
webvm_mount_data() {
  "$webvm_bb" grep -q '[[:space:]]9p$' /proc/filesystems 2>/dev/null || return 0
  [ -d /sys/bus/virtio/drivers/9pnet_virtio ] || return 0
  [ -d /data ] || "$webvm_bb" mkdir -p /data 2>/dev/null || return 0
  "$webvm_bb" mount -t 9p -o trans=virtio,version=9p2000.L,msize=131072 host9p /data 2>/dev/null || return 0
  "$webvm_bb" chmod 1777 /data 2>/dev/null
}

webvm_main() {
  . "$webvm_dir/command"
  webvm_mount proc /proc nosuid,nodev,noexec
  webvm_mount sysfs /sys nosuid,nodev,noexec
  webvm_mount devpts /dev/pts nosuid,noexec,gid=5,mode=620,ptmxmode=666
  webvm_mount tmpfs /dev/shm nosuid,nodev,mode=1777
  webvm_mount tmpfs /tmp nosuid,nodev,mode=1777
  webvm_mount_data
  for _wm_l in fd:/proc/self/fd stdin:/proc/self/fd/0 stdout:/proc/self/fd/1 stderr:/proc/self/fd/2; do
    [ -e "/dev/${_wm_l%%:*}" ] || "$webvm_bb" ln -s "${_wm_l#*:}" "/dev/${_wm_l%%:*}"
  done
  [ "$("$webvm_bb" hostname)" != "(none)" ] || "$webvm_bb" hostname webvm
  webvm_tty=ttyS0
  webvm_parse_cmdline "$("$webvm_bb" cat /proc/cmdline)"
  [ -z "$webvm_net" ] || webvm_net_up >"/dev/$webvm_tty" 2>&1
  [ -z "$webvm_control" ] || ( webvm_control_loop "$webvm_control" ) &
  while :; do
    ( webvm_child )
    echo "webvm: the command exited with status $?; starting it again" >"/dev/$webvm_tty"
    # Later starts keep the size the terminal has now (the page may have changed it with stty).
    webvm_rows=
    webvm_cols=
    "$webvm_bb" sleep 1
  done
}

webvm_uid=0
webvm_gid=0
webvm_cwd=/
webvm_passwd=/etc/passwd
[ "${WEBVM_LAUNCHER_LIB:-}" = 1 ] || webvm_main

/**
 * The v86 boot kit: SeaBIOS, a Debian i386 kernel and a busybox initramfs that boots an ext2 root
 * disk and runs the image's command on the serial console.
 *
 * <p>Entry points: {@link io.github.miniwebvm.bootkit.BootKit} (obtain the parts, write
 * {@code bios.bin}, {@code vmlinuz}, {@code initrd.img}), {@link io.github.miniwebvm.bootkit.Initramfs}
 * (the initramfs alone) and {@link io.github.miniwebvm.bootkit.GuestCommand} (what the guest runs).
 *
 * <h2>Guest contract</h2>
 * <ul>
 * <li>Kernel command line: {@code console=ttyS0 root=/dev/sda rw quiet} (see
 *     {@link io.github.miniwebvm.bootkit.BootFiles#cmdline()}). The disk is the whole device, no
 *     partition table. Optional parameters read by the guest: {@code webvm.rows=R webvm.cols=C}
 *     (terminal size, applied with {@code stty} before each start of the command),
 *     {@code webvm.tty=ttyS0}, {@code webvm.control=ttyS1} (the page's control channel, below),
 *     {@code webvm.rootwait=30} (seconds to wait for the disk),
 *     {@code rootfstype=}, {@code rootflags=}, {@code ro}, and {@code init=PATH} (run the image's own
 *     init instead of the launcher).</li>
 * <li>{@code /init} loads the modules, mounts the root, moves {@code /dev} (devtmpfs) into it and
 *     copies busybox, the launcher and the command into {@code /dev/.webvm}; the launcher becomes
 *     PID 1 of the root filesystem, so the image needs no shell and no init. It mounts
 *     {@code /proc}, {@code /sys}, {@code /dev/pts}, {@code /dev/shm} and {@code /tmp} (tmpfs)
 *     (creating missing mount points), and sets the hostname to {@code webvm} if unset.</li>
 * <li>Before each start of the command the launcher prints the line {@code webvm:ready} on the
 *     console; the command runs in a new session with {@code ttyS0} as controlling terminal (job
 *     control works). When it exits the launcher prints
 *     {@code webvm: the command exited with status N; starting it again} and starts it again after
 *     one second.</li>
 * <li>With {@code webvm.control=TTY} the launcher reads requests from that port in the background, as
 *     root, one per line, and answers each with one line: {@code drop} (sync, drop the page cache;
 *     answer {@code webvm:dropped}, used before a build-time snapshot), {@code time SECONDS} (set
 *     the clock; {@code webvm:time SECONDS}), {@code size ROWS COLS} (window size of the console;
 *     {@code webvm:size ROWS COLS}); anything else gets {@code webvm:error REQUEST}. v86 needs
 *     {@code uart1: true} for {@code ttyS1}.</li>
 * <li>If the root disk cannot be mounted, {@code /init} prints {@code webvm-init: ...} and starts a
 *     busybox rescue shell on the console.</li>
 * </ul>
 */
package io.github.miniwebvm.bootkit;

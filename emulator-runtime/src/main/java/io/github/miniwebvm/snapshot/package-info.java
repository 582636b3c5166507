/**
 * Instant prompt for v86 sites: boot the site's exact configuration once at build time, headless
 * in Node, and ship the saved emulator state so the page restores it instead of booting.
 *
 * <p>Entry point: {@link io.github.miniwebvm.snapshot.Snapshotter#take(java.nio.file.Path,
 * io.github.miniwebvm.runtime.WebvmJson)} on an assembled site. It never fails a build: without
 * {@code node} (18 or later), on a timeout or a crash it logs a warning that names the reason and
 * the site stays a cold-boot site. Node runs this module's {@code snapshot/snapshot.mjs}, which
 * builds the v86 machine from the site's {@code webvm.json} with the page's own code
 * ({@code engines/v86-machine.js}, {@code disk/manifest.js}).
 *
 * <h2>State file</h2>
 * {@code boot/state-<keyHash 16 hex>.bin.zst}: a zstd skippable frame (magic {@code 0x184D2A50},
 * little-endian length, then UTF-8 JSON {@code {"format":"webvm-snapshot/1","keyHash":…,"key":{…},
 * "screen":…}}) followed by one zstd frame of v86's raw {@code save_state()} output. The zstd tool
 * reads it as is; the page checks the header against {@code webvm.json}'s {@code snapshot} entry
 * and hands the rest to v86.
 *
 * <h2>Key</h2>
 * {@code imageSha256} (the disk), {@code bios}/{@code kernel}/{@code initrd} (sha256 of the boot
 * files), {@code v86} (version of the bundled v86), {@code memoryMiB} and {@code cmdline}. Its
 * {@code keyHash} is the sha256 of the key's JSON with fields in that order. A state is only
 * restored when the page's configuration gives the same key.
 *
 * <h2>Guest side</h2>
 * The snapshot boot adds {@code webvm.control=ttyS1 init_on_free=1} to the kernel command line
 * and enables v86's second UART: the boot kit's launcher answers {@code drop} on that control
 * channel (sync and drop the page cache; {@code init_on_free} zeroes the freed pages so v86's
 * state, which skips zero pages, stays small), and after a restore the page sends
 * {@code time SECONDS} and {@code size ROWS COLS} on it.
 */
package io.github.miniwebvm.snapshot;

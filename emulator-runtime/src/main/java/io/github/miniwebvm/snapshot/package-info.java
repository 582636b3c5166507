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
 *
 * <h2>Boot state cache</h2>
 * Most of the boot (BIOS, kernel, the initramfs up to the disk) is the same for every image of a
 * boot kit. The initrd is two cpio archives: a common part and the image's part
 * ({@code webvm/command}). Given the common part's length and a cache folder
 * ({@code Builder.bootStateCache}, the pipeline's {@code <cacheDirectory>/boot-states}), the
 * snapshot boot runs with {@code webvm.pause=disk} from the common part alone; the initramfs stops
 * before the disk drivers and prints {@code webvm:pause}. The machine is saved there to
 * {@code <sha256 of the key>.bin} (raw, about 35 MB), keyed by the snapshot script (with its v86
 * and machine), {@code v86.wasm}, BIOS, kernel, the initrd's common part, memory and command
 * line. The next build with the same key restores that state instead of booting, sets the IDE
 * disk's geometry back to its own disk's (the state holds the disk it was saved with), and both
 * paths then send the image's part of the initrd, base64, on the control channel. A cached state
 * that does not restore is deleted and the boot starts over; the cache keeps the four most recently
 * used states. The page never pauses: a cold boot
 * unpacks both parts, so the guest it boots is the one the snapshot shows (it-tests
 * {@code SnapshotBrowserIT} compares their answers).
 */
package io.github.miniwebvm.snapshot;

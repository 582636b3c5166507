// The v86 machine a site describes (webvm.json: memoryMiB, boot, disk), built here for both
// places that run it: the page (engines/v86.js) and the build-time snapshot boot in Node
// (snapshot/snapshot.mjs). A saved state restores only into a machine with the same devices,
// so the two must never build it differently.
// Plain ES module without browser or Node APIs.

// v86's IDE controller builds an LBA48 sector number from its low 32 bits only (ide.js get_lba48):
// 2^32 sectors of 512 bytes. Disks past 2 GiB and 4 GiB are read through use_parts (it-tests
// large-disk). The Java side refuses larger sites (SiteConfig.V86_MAX_DISK_BYTES); this is for a
// webvm.json edited by hand.
export const MAX_DISK_BYTES = 2 ** 41;

export const DEFAULT_MEMORY_MIB = 256;

/** The guest memory in MiB that webvm.json gives. */
export function memoryMiB(config) {
  return config.memoryMiB || DEFAULT_MEMORY_MIB;
}

/**
 * v86's options for the site's machine: `url(path)` makes a site-relative path loadable (a URL in
 * the page, a file path in Node), `wasm` is v86.wasm's, `cmdline` the full kernel command line
 * and `hda` the disk (v86's `use_parts` URLs in the page, the chunk store itself in Node).
 */
export function machineOptions(config, { url, wasm, cmdline, hda }) {
  if (config.disk.size > MAX_DISK_BYTES) {
    throw new Error(`the disk is ${config.disk.size} bytes; v86 addresses at most 2 TiB (2^32 sectors of 512 bytes)`);
  }
  return {
    wasm_path: wasm,
    memory_size: memoryMiB(config) * 1024 * 1024,
    vga_memory_size: 2 * 1024 * 1024,
    bios: { url: url(config.boot.bios) },
    bzimage: { url: url(config.boot.kernel) },
    initrd: { url: url(config.boot.initrd) },
    cmdline,
    hda,
    // /data: v86's 9p filesystem, mounted by the boot kit's launcher
    filesystem: {},
    // the control channel (ttyS1): clock and size after a restore, drop and sync requests
    uart1: true,
    autostart: true,
    disable_keyboard: true,
    disable_mouse: true,
    disable_speaker: true,
  };
}

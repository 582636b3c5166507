package io.github.miniwebvm.bootkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.cpio.CpioArchiveEntry;
import org.apache.commons.compress.archivers.cpio.CpioArchiveInputStream;
import org.apache.commons.compress.archivers.cpio.CpioConstants;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tukaani.xz.XZInputStream;

class InitramfsTest {
    @TempDir
    Path tmp;
    private Path busybox;
    private Path modules;
    private final GuestCommand command = new GuestCommand(List.of("/bin/bash", "-c", "echo 'a b' \"$X\""),
            List.of("X=it's here", "PATH=/usr/bin:/bin"), "/home/user", 1000, 100);

    @BeforeEach
    void inputs() throws Exception {
        busybox = Files.write(tmp.resolve("busybox"), FakeDebian.BUSYBOX);
        for (Map.Entry<String, byte[]> f : FakeDebian.kernelTree(FakeDebian.DEPENDS).entrySet()) {
            Files.createDirectories(tmp.resolve(f.getKey()).getParent());
            Files.write(tmp.resolve(f.getKey()), f.getValue());
        }
        modules = tmp.resolve(FakeDebian.MODULES);
    }

    private Initramfs initramfs(Initramfs.Compression compression) throws Exception {
        return Initramfs.builder().busybox(busybox).modules(modules).command(command).compression(compression).build();
    }

    private record Entry(String name, long mode, long uid, long gid, long mtime, long nlink, long rdevMajor,
                         long rdevMinor, byte[] data) {
        String text() {
            return new String(data, StandardCharsets.UTF_8);
        }
    }

    private static Map<String, Entry> read(InputStream in) throws Exception {
        Map<String, Entry> out = new LinkedHashMap<>();
        try (CpioArchiveInputStream cpio = new CpioArchiveInputStream(in)) {
            CpioArchiveEntry e;
            while ((e = cpio.getNextEntry()) != null) {
                assertThat(e.getFormat()).isEqualTo(CpioConstants.FORMAT_NEW);
                out.put(e.getName(), new Entry(e.getName(), e.getMode(), e.getUID(), e.getGID(), e.getTime(),
                        e.getNumberOfLinks(), e.getRemoteDeviceMaj(), e.getRemoteDeviceMin(), cpio.readAllBytes()));
            }
        }
        return out;
    }

    /** Both parts of a written initramfs, as the kernel unpacks them: the common part, then the image's. */
    private static Map<String, Entry> readParts(byte[] initrd, long commonBytes, Initramfs.Compression compression)
            throws Exception {
        InputStream common = new ByteArrayInputStream(initrd, 0, (int) commonBytes);
        Map<String, Entry> out = read(switch (compression) {
            case GZIP -> new GZIPInputStream(common);
            case XZ -> new XZInputStream(common);
            case NONE -> common;
        });
        out.putAll(read(new ByteArrayInputStream(initrd, (int) commonBytes, initrd.length - (int) commonBytes)));
        return out;
    }

    @Test
    void containsBusyboxModulesInitLauncherAndCommand() throws Exception {
        Path out = tmp.resolve("initrd.img");
        long commonBytes = initramfs(Initramfs.Compression.GZIP).write(out);
        Map<String, Entry> entries = readParts(Files.readAllBytes(out), commonBytes, Initramfs.Compression.GZIP);

        List<String> expected = new ArrayList<>(List.of("bin", "bin/busybox", "bin/sh", "dev", "dev/console", "init",
                "lib", "lib/modules"));
        FakeDebian.EXPECTED_ORDER.stream().sorted().forEach(m -> expected.add("lib/modules/" + m + ".ko"));
        expected.addAll(List.of("newroot", "proc", "sys", "webvm", "webvm/command", "webvm/launcher", "webvm/modules",
                "webvm/net-modules"));

        assertThat(entries.keySet()).containsExactlyInAnyOrderElementsOf(expected);
        for (Entry e : entries.values()) {
            assertThat(e.uid()).as(e.name()).isZero();
            assertThat(e.gid()).as(e.name()).isZero();
            assertThat(e.mtime()).as(e.name()).isZero();
        }
        assertThat(entries.get("bin").mode()).isEqualTo(040755);
        assertThat(entries.get("bin/busybox").mode()).isEqualTo(0100755);
        assertThat(entries.get("bin/busybox").data()).isEqualTo(FakeDebian.BUSYBOX);
        assertThat(entries.get("bin/sh").mode()).isEqualTo(0120777);
        assertThat(entries.get("bin/sh").text()).isEqualTo("busybox");
        assertThat(entries.get("dev/console").mode()).isEqualTo(020600);
        assertThat(entries.get("dev/console").rdevMajor()).isEqualTo(5);
        assertThat(entries.get("dev/console").rdevMinor()).isEqualTo(1);
        assertThat(entries.get("init").mode()).isEqualTo(0100755);
        assertThat(entries.get("init").text()).startsWith("#!/bin/sh\n")
                .contains("insmod \"/lib/modules/$module.ko\"")
                .contains("mount --move /dev /newroot/dev")
                .contains("exec switch_root /newroot /dev/.webvm/busybox sh /dev/.webvm/launcher")
                .isEqualTo(new String(Initramfs.script("init.sh"), StandardCharsets.UTF_8));
        assertThat(entries.get("webvm/launcher").mode()).isEqualTo(0100755);
        assertThat(entries.get("webvm/launcher").text()).contains("echo \"webvm:ready\"")
                .contains("setsid -c");
        assertThat(entries.get("webvm/modules").text()).isEqualTo(String.join("\n", FakeDebian.EXPECTED_ORDER) + "\n");
        assertThat(entries.get("lib/modules/jbd2.ko").data())      // stored decompressed
                .isEqualTo(TestFixtures.elfModule("jbd2"));
        assertThat(entries.get("webvm/command").mode()).isEqualTo(0100644);
        assertThat(entries.get("webvm/command").text()).isEqualTo("""
                # The command the WebVM launcher runs (generated; sourced by /dev/.webvm/launcher).
                webvm_uid=1000
                webvm_gid=100
                webvm_cwd='/home/user'
                webvm_command() {
                  "$@" 3 \\
                    'X=it'\\''s here' \\
                    'PATH=/usr/bin:/bin' \\
                    'TERM=xterm' \\
                    '/bin/bash' \\
                    '-c' \\
                    'echo '\\''a b'\\'' "$X"'
                }
                """);
    }

    @Test
    void sameInputsGiveTheSameBytes() throws Exception {
        for (Initramfs.Compression c : Initramfs.Compression.values()) {
            ByteArrayOutputStream a = new ByteArrayOutputStream();
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            initramfs(c).write(a);
            initramfs(c).write(b);
            assertThat(a.toByteArray()).as(c.name()).isEqualTo(b.toByteArray());
        }
        Path one = tmp.resolve("one.img");
        Path two = tmp.resolve("two.img");
        initramfs(Initramfs.Compression.GZIP).write(one);
        initramfs(Initramfs.Compression.GZIP).write(two);
        assertThat(Files.readAllBytes(one)).isEqualTo(Files.readAllBytes(two));
    }

    @Test
    void xzAndUncompressedArchivesHoldTheSameEntries() throws Exception {
        Map<Initramfs.Compression, Map<String, Entry>> parts = new LinkedHashMap<>();
        for (Initramfs.Compression c : Initramfs.Compression.values()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            long commonBytes = initramfs(c).write(out);
            assertThat(commonBytes % 4).as(c.name()).isZero();
            parts.put(c, readParts(out.toByteArray(), commonBytes, c));
        }
        assertThat(parts.get(Initramfs.Compression.XZ).keySet())
                .containsExactlyElementsOf(parts.get(Initramfs.Compression.NONE).keySet());
        assertThat(parts.get(Initramfs.Compression.GZIP).keySet())
                .containsExactlyElementsOf(parts.get(Initramfs.Compression.NONE).keySet())
                .contains("webvm/command", "init");
    }

    @Test
    void theCommonPartIsTheSameForEveryCommandAndTheImagesPartIsAPlainCpio() throws Exception {
        ByteArrayOutputStream a = new ByteArrayOutputStream();
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        long commonA = initramfs(Initramfs.Compression.GZIP).write(a);
        long commonB = Initramfs.builder().busybox(busybox).modules(modules)
                .command(new GuestCommand(List.of("/bin/sh"), List.of(), "/", 0, 0)).build().write(b);
        assertThat(commonB).isEqualTo(commonA);
        byte[] bytesA = a.toByteArray();
        byte[] bytesB = b.toByteArray();
        assertThat(Arrays.copyOf(bytesB, (int) commonB)).isEqualTo(Arrays.copyOf(bytesA, (int) commonA));
        // the kernel finds an uncompressed archive only at a 4-byte boundary, after the zero padding
        assertThat(new String(bytesA, (int) commonA, 6, StandardCharsets.US_ASCII)).isEqualTo("070701");
        Map<String, Entry> imagePartA = read(new ByteArrayInputStream(bytesA, (int) commonA, bytesA.length - (int) commonA));
        Map<String, Entry> imagePartB = read(new ByteArrayInputStream(bytesB, (int) commonB, bytesB.length - (int) commonB));
        assertThat(imagePartA.keySet()).containsExactly("webvm/command");
        assertThat(imagePartA.get("webvm/command").text()).contains("'/bin/bash'");
        assertThat(imagePartB.get("webvm/command").text()).contains("'/bin/sh'").doesNotContain("bash");
        assertThat(read(new GZIPInputStream(new ByteArrayInputStream(bytesA, 0, (int) commonA))))
                .doesNotContainKey("webvm/command");
    }

    @Test
    void hostToolsReadTheArchive() throws Exception {
        Path gz = tmp.resolve("initrd.gz");
        Path xz = tmp.resolve("initrd.xz");
        long gzCommon = initramfs(Initramfs.Compression.GZIP).write(gz);
        long xzCommon = initramfs(Initramfs.Compression.XZ).write(xz);
        String gzPart = "head -c " + gzCommon + " " + gz;
        String imagePart = "tail -c +" + (gzCommon + 1) + " " + gz;
        assertThat(run(gzPart + " | gzip -t")).isEmpty();
        // The kernel's XZ decoder wants CRC32 (or no) integrity checks.
        Path xzPart = tmp.resolve("initrd-common.xz");
        Files.write(xzPart, Arrays.copyOf(Files.readAllBytes(xz), (int) xzCommon));
        assertThat(run("xz --robot --list " + xzPart)).contains("\tCRC32\t");
        String listing = run(gzPart + " | gzip -dc | cpio -itv --quiet");
        assertThat(listing).contains("lib/modules/ext4.ko").contains("bin/sh -> busybox");
        assertThat(run(imagePart + " | cpio -it --quiet")).isEqualTo("webvm/command\n");
        List<String> listed = new ArrayList<>(run(gzPart + " | gzip -dc | cpio -it --quiet").lines().toList());
        listed.add("webvm/command");
        assertThat(listed).containsExactlyInAnyOrderElementsOf(
                readParts(Files.readAllBytes(gz), gzCommon, Initramfs.Compression.GZIP).keySet());
    }

    @Test
    void theScriptsAreValidShell() throws Exception {
        for (String script : List.of("init.sh", "launcher.sh")) {
            Path p = Files.write(tmp.resolve(script), Initramfs.script(script));
            assertThat(run("sh -n " + p)).as(script).isEmpty();
        }
    }

    static String run(String shell) throws Exception {
        Process p = new ProcessBuilder("sh", "-c", shell).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(shell + ": " + out).isZero();
        return out;
    }
}

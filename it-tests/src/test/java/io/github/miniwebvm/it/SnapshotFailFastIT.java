package io.github.miniwebvm.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.miniwebvm.bootkit.BootFiles;
import io.github.miniwebvm.bootkit.BootKit;
import io.github.miniwebvm.bootkit.GuestCommand;
import io.github.miniwebvm.chunker.Chunker;
import io.github.miniwebvm.chunker.DiskLayout;
import io.github.miniwebvm.runtime.SiteConfig;
import io.github.miniwebvm.site.SiteAssembler;
import io.github.miniwebvm.snapshot.Snapshotter;
import io.github.miniwebvm.testsupport.MissingOracle;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A guest that can never get ready makes the build-time snapshot give up with the reason, at
 * once, instead of waiting out its timeout: a command that is not in the image (it exits again
 * and again), and a root disk that never appears (the initramfs gives up). The timeout here is
 * an hour, so only the fail-fast path can end these tests with the reasons asserted.
 */
class SnapshotFailFastIT {
    @TempDir
    Path work;

    private Optional<Snapshotter.Snapshot> snapshot(Path site, List<String> warnings) throws IOException {
        return SiteBrowserIT.takeSnapshot(site, Snapshotter.builder()
                .timeout(Duration.ofHours(1))
                .info(l -> System.out.println("[snapshot] " + l))
                .warn(warnings::add)
                .build());
    }

    /** A disk with nothing but /etc/passwd, and a site whose command is {@code argv}. */
    private Path site(List<String> argv, String extraCmdline) throws Exception {
        MissingOracle.require(Files.isExecutable(Path.of("/usr/sbin/mke2fs")), "needs e2fsprogs (scripts/setup-host.sh)");
        Path rootfs = Files.createDirectories(work.resolve("rootfs/etc"));
        Files.writeString(rootfs.resolve("passwd"), "root:x:0:0:root:/root:/bin/sh\n");
        Path image = work.resolve("rootfs.ext2");
        SiteBrowserIT.run(work, "mke2fs", "-q", "-F", "-t", "ext2", "-d", work.resolve("rootfs").toString(),
                image.toString(), "8M");
        Path site = work.resolve("site");
        Chunker.builder().layout(DiskLayout.PACKED).build().write(image, site.resolve("disk"));
        GuestCommand command = new GuestCommand(argv, List.of("PATH=" + GuestCommand.DEFAULT_PATH), "/", 0, 0);
        BootFiles boot = BootKit.builder().build().assemble(command, site.resolve("boot"));
        SiteConfig config = new SiteConfig(SiteConfig.Engine.V86,
                SiteConfig.Disk.fromManifest(site, "disk/manifest.json", "rootfs.ext2"),
                SiteConfig.Boot.inBootDirectory(boot.cmdline() + extraCmdline),
                new SiteConfig.Command(argv.get(0), argv.subList(1, argv.size()), command.env(), "/", 0, 0),
                128, "fail fast");
        SiteAssembler.builder().config(config).build().assemble(site);
        return site;
    }

    @Test
    void aCommandThatIsNotInTheImageFailsTheSnapshotWithTheReason() throws Exception {
        List<String> warnings = new ArrayList<>();
        Optional<Snapshotter.Snapshot> s = snapshot(site(List.of("/no/such/command"), ""), warnings);
        assertThat(s).isEmpty();
        assertThat(warnings).singleElement().asString()
                .contains("the guest cannot get ready: the command exited 3 times in a row (last status 127: not found)")
                .contains("the site cold-boots");
    }

    @Test
    void aRootDiskThatNeverAppearsFailsTheSnapshotWithTheReason() throws Exception {
        List<String> warnings = new ArrayList<>();
        Optional<Snapshotter.Snapshot> s = snapshot(site(List.of("/bin/sh"), " root=/dev/sdz webvm.rootwait=1"), warnings);
        assertThat(s).isEmpty();
        assertThat(warnings).singleElement().asString()
                .contains("the guest cannot get ready: the initramfs gave up: root device /dev/sdz did not appear within 1s");
    }
}

package io.github.miniwebvm.core.internal.pipeline;

import io.github.miniwebvm.bootkit.BootFiles;
import io.github.miniwebvm.bootkit.BootKit;
import io.github.miniwebvm.bootkit.GuestCommand;
import io.github.miniwebvm.runtime.SiteConfig;
import java.io.IOException;
import java.nio.file.Path;

/** Stage boot kit (v86): kernel, initrd with the image's command, and BIOS, from Debian's packages. */
final class BootKitStep {
    private final PipelineOptions o;
    private final StageLog log;

    BootKitStep(PipelineOptions options, StageLog log) {
        this.o = options;
        this.log = log;
    }

    /** The site's boot files, and the length of the initrd's part that is the same for every image. */
    record Result(SiteConfig.Boot boot, long initrdCommonBytes) {
    }

    Result run(GuestCommand command, Path site) throws PipelineException {
        StageLog.Stage stage = log.stage("boot kit");
        BootFiles files;
        try {
            files = BootKit.builder()
                    .mirror(o.debianMirror)
                    .suite(o.debianSuite)
                    .cacheDirectory(o.cacheDirectory.resolve("debian"))
                    .offline(o.offline)
                    .log(stage.progress())
                    .build()
                    .assemble(command, site.resolve("boot"));
        } catch (IOException e) {
            throw PipelineException.environment("boot kit: " + e.getMessage(), e);
        }
        stage.done("kernel " + files.kernelVersion() + ", " + files.modules().size() + " modules, initrd "
                + StageLog.bytes(files.file(BootFiles.INITRD).size()));
        PausePoint.BOOT_KIT.reach();
        return new Result(new SiteConfig.Boot("boot/" + BootFiles.BIOS, "boot/" + BootFiles.KERNEL,
                "boot/" + BootFiles.INITRD, files.cmdline()), files.initrdCommonBytes());
    }
}
